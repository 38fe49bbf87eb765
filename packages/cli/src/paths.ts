/**
 * Paths the operator typed (a store directory, `--out`, `--receipt`, an input file …) and
 * the one-line errors about them. A system error on such a path (ENOENT, EACCES, EISDIR,
 * ENOTDIR, ENOSPC …) names the flag or argument and the path, never just Node's
 * `ENOENT: no such file or directory, open '…'`.
 */

import { stat } from "node:fs/promises";
import { CliFailure, isSystemError, UsageError } from "./errors.js";

/** Node's error codes in words. */
const REASONS: Readonly<Record<string, string>> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "it is a directory",
  ENOTDIR: "a part of the path is not a directory",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EROFS: "read-only file system",
  EEXIST: "something is already there",
  ENAMETOOLONG: "the name is too long",
  ELOOP: "too many symbolic links",
  EMFILE: "too many open files",
  EIO: "input/output error",
  EFBIG: "file too large",
};

/** `no such file or directory (ENOENT)` for a system error; the message otherwise. */
export function reasonOf(error: unknown): string {
  if (isSystemError(error)) {
    const reason = Object.hasOwn(REASONS, error.code) ? REASONS[error.code] : undefined;
    return `${reason ?? error.message.replace(/^[A-Z]+: /, "").replace(/,.*$/, "")} (${error.code})`;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * The one line for a failed system call on a path the operator gave:
 * `--out ./mix: cannot create the directory: permission denied (EACCES)`. Anything that is
 * not a system error comes back unchanged.
 *
 * @param what the flag or argument, as `--help` shows it (`--out`, `<store-dir>`, `<file>`)
 * @param action what was being done, after "cannot" (`read`, `write`, `create the directory`)
 */
export function pathError(what: string, path: string, action: string, error: unknown): unknown {
  if (!isSystemError(error)) return error;
  return new CliFailure(`${what} ${path}: cannot ${action}: ${reasonOf(error)}`, { cause: error });
}

/** Runs `fn`, turning a system error into {@link pathError}'s line. */
export async function atPath<T>(what: string, path: string, action: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw pathError(what, path, action, error);
  }
}

/** What is at `path`: a directory, another kind of file, nothing, or unknown (the stat failed otherwise). */
export async function kindOf(path: string): Promise<"directory" | "file" | "missing" | "unknown"> {
  try {
    return (await stat(path)).isDirectory() ? "directory" : "file";
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return code === "ENOENT" || code === "ENOTDIR" ? "missing" : "unknown";
  }
}

/** A path as a shell word: unchanged when it is plain, else single-quoted. */
export function shellWord(path: string): string {
  return /^[\w./@%+=:,~-]+$/.test(path) ? path : `'${path.replaceAll("'", "'\\''")}'`;
}

/**
 * Refuses a `<store-dir>` argument that names a file (a JSONL file given where the store
 * goes, or the two arguments of `add` swapped). `swap` is a command whose second argument
 * may have been meant first (`add`'s `<file>`): when that names a directory or nothing,
 * the arguments are likely swapped, and the error shows the command the other way round.
 *
 * @throws {UsageError} when `dir` is an existing file.
 */
export async function refuseFileAsStoreDir(dir: string, swap?: { command: string; second: string }): Promise<void> {
  if ((await kindOf(dir)) !== "file") return;
  if (swap !== undefined && swap.second !== "-") {
    const other = await kindOf(swap.second);
    if (other === "directory" || other === "missing") {
      throw new UsageError(
        `<store-dir> ${dir} is a file, not a store directory; did you mean \`replaykit ${swap.command} ${shellWord(swap.second)} ${shellWord(dir)}\`? (the store comes first)`,
      );
    }
  }
  const hint = /\.jsonl?$/i.test(dir) ? `; to add its sections: \`replaykit add <store-dir> ${shellWord(dir)}\`` : "";
  throw new UsageError(`<store-dir> ${dir} is a file, not a store directory${hint}`);
}

import { randomBytes } from "node:crypto";
import { open, rename, stat, unlink, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { IndexEntry } from "./entry.js";
import { IndexWriteError, type IndexWriteStep } from "./errors.js";
import { acquireScratch, releaseScratch } from "./scratch.js";
import { serializeIndexBytes } from "./serialize.js";

/** Errors of a directory fsync that mean "this file system cannot do that", not "data lost". */
const DIR_FSYNC_UNSUPPORTED = new Set(["EINVAL", "ENOTSUP", "EOPNOTSUPP", "EISDIR", "EPERM", "EACCES"]);

function codeOf(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

/**
 * Replace the file at `path` with `bytes`, atomically and durably: write a temporary file
 * in the same directory, fsync it, rename it over `path`, fsync the directory. Keeps the
 * permission bits of the file it replaces. The temporary file never survives a failure.
 */
async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);

  let mode: number | undefined;
  try {
    mode = (await stat(path)).mode & 0o777;
  } catch {
    // No file to replace (or none we can see): the new one gets the default mode.
  }

  let step: IndexWriteStep = "open";
  let handle: FileHandle | undefined;
  try {
    handle = await open(temp, "wx"); // O_EXCL: never write into someone else's file
    step = "write";
    if (mode !== undefined) await handle.chmod(mode);
    await handle.writeFile(bytes);
    step = "fsync";
    await handle.sync();
    step = "close";
    const h = handle;
    handle = undefined;
    await h.close();
    step = "rename";
    await rename(temp, path);
  } catch (cause) {
    if (handle !== undefined) await handle.close().catch(() => undefined);
    if (step !== "open") await unlink(temp).catch(() => undefined);
    throw new IndexWriteError(path, step, cause);
  }

  // Make the rename itself durable. Windows cannot open a directory, and some file
  // systems refuse fsync on one; only a real I/O error is reported.
  if (process.platform === "win32") return;
  let dirHandle: FileHandle | undefined;
  try {
    dirHandle = await open(dir, "r");
    await dirHandle.sync();
  } catch (cause) {
    if (!DIR_FSYNC_UNSUPPORTED.has(codeOf(cause) as string)) throw new IndexWriteError(path, "fsync-dir", cause);
  } finally {
    await dirHandle?.close().catch(() => undefined);
  }
}

/**
 * Write `entries` as the index at `indexPath`, atomically (temporary file in the same
 * directory, fsync, rename, fsync of the directory), sorted by section id (stable) and
 * byte-identical for identical entries (see `serializeIndex` for the exact format).
 * On any failure the previous index file is untouched and no temporary file is left.
 * The directory must exist.
 *
 * @throws {IndexEntryInvalidError} an entry cannot be written; nothing was touched.
 * @throws {IndexWriteError} the file system refused (`ENOENT` directory, `EISDIR` target,
 *   `ENOSPC`, `EACCES`, …); `step` says which step failed.
 */
export async function saveIndex(indexPath: string, entries: readonly IndexEntry[]): Promise<void> {
  const bytes = serializeIndexBytes(entries, indexPath, acquireScratch);
  try {
    await writeFileAtomic(indexPath, bytes);
  } finally {
    releaseScratch(bytes);
  }
}

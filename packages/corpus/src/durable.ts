import { randomBytes } from "node:crypto";
import { lstat, open, rename, unlink, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { systemCodeOf } from "@replaykit/errors";
import { type AtomicWriteStep, CorpusArgumentError, CorpusIOError } from "./errors.js";

/**
 * The errors of a directory fsync that mean "this file system cannot sync a directory", not
 * "the data may be lost". Linux returns EINVAL for file systems without a directory fsync
 * (some FUSE, CIFS/SMB and 9p mounts); ENOTSUP / EOPNOTSUPP are the same answer spelled by
 * other kernels and FUSE drivers; EISDIR is what some platforms return for opening a
 * directory as a file at all. In each case the rename is as durable as that file system
 * can make it, so failing the write would only make the store unusable there. Every other
 * error (EIO, EACCES, ENOENT, …) is reported.
 */
const DIR_FSYNC_UNSUPPORTED: ReadonlySet<string> = new Set(["EINVAL", "ENOTSUP", "EOPNOTSUPP", "EISDIR"]);

/**
 * fsyncs a directory, so that a file just created, renamed or removed in it survives a
 * crash. File systems that cannot sync a directory (EINVAL, ENOTSUP, EOPNOTSUPP, EISDIR)
 * are accepted silently; on Windows, where a directory cannot be opened, this does nothing.
 *
 * @throws {CorpusArgumentError} when `dir` is not a non-empty string.
 * @throws {CorpusIOError} (`action` "sync the directory", `step` `"fsync-dir"`) for any other failure.
 */
export async function fsyncDir(dir: string): Promise<void> {
  if (typeof dir !== "string" || dir === "") throw new CorpusArgumentError("fsyncDir", "dir", "a non-empty path", dir);
  // Windows cannot open a directory; NTFS makes the rename durable with the file's metadata.
  if (process.platform === "win32") return;
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch (cause) {
    if (!DIR_FSYNC_UNSUPPORTED.has(systemCodeOf(cause) ?? "")) throw new CorpusIOError(dir, "sync the directory", cause, "fsync-dir");
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** The words of each step in messages (unchanged from when `action` was all there was). */
const ACTION_OF: Readonly<Record<AtomicWriteStep, string>> = {
  open: "create a temporary file for",
  write: "write",
  fsync: "sync",
  close: "close",
  rename: "rename into place",
  "fsync-dir": "sync the directory",
};

/**
 * Replaces the file at `path` with `bytes`, atomically and durably: the bytes go to a new
 * temporary file in the same directory (a unique name, created with O_EXCL), which is
 * fsynced, renamed over `path`, and then the directory is fsynced. Readers see the old file
 * or the new one, never a mix. A symbolic link at `path` is replaced by the new file itself;
 * its target is never written. A regular file's permission bits are kept. On any failure the
 * temporary file is removed and the previous file at `path` is untouched.
 *
 * @throws {CorpusArgumentError} when `path` is not a non-empty string or `bytes` not a Uint8Array.
 * @throws {CorpusIOError} naming the path and the step that failed: `step` `"open"`,
 *   `"write"`, `"fsync"`, `"close"`, `"rename"` or `"fsync-dir"` (and `action` in words:
 *   "create a temporary file for", "write", "rename into place", "sync the directory", …).
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  if (typeof path !== "string" || path === "") {
    throw new CorpusArgumentError("writeFileAtomic", "path", "a non-empty path", path);
  }
  if (!(bytes instanceof Uint8Array)) throw new CorpusArgumentError("writeFileAtomic", "bytes", "a Uint8Array", bytes);
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);

  // lstat, not stat: the mode of a link's target must not leak onto the new file.
  let mode: number | undefined;
  try {
    const st = await lstat(path);
    if (st.isFile()) mode = st.mode & 0o7777;
  } catch {
    // Nothing to replace (or nothing we may look at): the new file gets the default mode.
  }

  let step: AtomicWriteStep = "open";
  let handle: FileHandle | undefined;
  let created = false;
  try {
    handle = await open(temp, "wx"); // O_CREAT|O_EXCL: fails on any existing name, a link included
    created = true;
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
    await rename(temp, path); // rename(2) replaces a link at `path`, never its target
  } catch (cause) {
    await handle?.close().catch(() => undefined);
    if (created) await unlink(temp).catch(() => undefined);
    throw new CorpusIOError(path, ACTION_OF[step], cause, step);
  }
  await fsyncDir(dir);
}

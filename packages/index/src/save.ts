import { CorpusIOError, writeFileAtomic } from "@replaykit/corpus";
import type { IndexEntry } from "./entry.js";
import { IndexArgumentError, IndexWriteError, type IndexWriteStep } from "./errors.js";
import { serializeIndexBytes } from "./serialize.js";

/** The step of `IndexWriteError` for each `action` of corpus's `writeFileAtomic`. */
const STEP_OF_ACTION: Readonly<Record<string, IndexWriteStep>> = {
  "create a temporary file for": "open",
  write: "write",
  sync: "fsync",
  close: "close",
  "rename into place": "rename",
  "sync the directory": "fsync-dir",
};

/**
 * Write `entries` as the index at `indexPath`, atomically (temporary file in the same
 * directory, fsync, rename, fsync of the directory — `writeFileAtomic` of
 * `@replaykit/corpus`), sorted by section id (stable) and byte-identical for identical
 * entries (see `serializeIndex` for the exact format). On any failure before the rename
 * the previous index file is untouched and no temporary file is left. The directory must
 * exist.
 *
 * @throws {IndexArgumentError} `indexPath` is not a non-empty string or `entries` not an array.
 * @throws {IndexEntryInvalidError} an entry cannot be written; nothing was touched.
 * @throws {IndexWriteError} the file system refused (`ENOENT` directory, `EISDIR` target,
 *   `ENOSPC`, `EACCES`, …); `step` says which step failed, `cause` is the system error.
 */
export async function saveIndex(indexPath: string, entries: readonly IndexEntry[]): Promise<void> {
  if (typeof indexPath !== "string" || indexPath === "") {
    throw new IndexArgumentError("saveIndex", "indexPath", "a non-empty file path (string)", indexPath);
  }
  const bytes = serializeIndexBytes(entries, indexPath, "saveIndex");
  try {
    await writeFileAtomic(indexPath, bytes);
  } catch (error) {
    if (!CorpusIOError.isInstance(error)) throw error;
    throw new IndexWriteError(indexPath, STEP_OF_ACTION[error.action] ?? "write", error.cause ?? error);
  }
}

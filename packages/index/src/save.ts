import type { IndexEntry } from "./entry.js";
import { IndexArgumentError } from "./errors.js";
import { serializeIndexBytes } from "./serialize.js";
import { writeIndexFile } from "./write-file.js";

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
  await writeIndexFile(indexPath, bytes);
}

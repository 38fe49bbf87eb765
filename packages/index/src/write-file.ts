import { CorpusIOError, writeFileAtomic } from "@replaykit/corpus";
import { IndexWriteError } from "./errors.js";

/**
 * Writes `bytes` as the whole file at `path`, atomically and durably (`writeFileAtomic` of
 * `@replaykit/corpus`), as an index write: a failure is an `IndexWriteError` whose `step` is
 * the typed step corpus reports, and whose `cause` is the system error.
 *
 * @throws {IndexWriteError} the write failed; the previous file is intact unless `step` is `"fsync-dir"`.
 */
export async function writeIndexFile(path: string, bytes: Uint8Array): Promise<void> {
  try {
    await writeFileAtomic(path, bytes);
  } catch (error) {
    if (!CorpusIOError.isInstance(error)) throw new IndexWriteError(path, "write", error);
    throw new IndexWriteError(path, error.step ?? "write", error.cause ?? error);
  }
}

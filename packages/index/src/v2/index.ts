/**
 * The v2 index of a replaykit store: an append-only binary journal of checksummed commits
 * (format: FORMAT.md in this package), read into columns.
 *
 * @module
 */
export { dateOfSeconds, type Exposure, type IndexView, withByteOffsets } from "./columns.js";
export {
  IndexJournal,
  writeIndexV2,
  type CatchUpResult,
  type CommitResult,
  type EntryKey,
  type IndexChange,
  type OpenIndexOptions,
} from "./file.js";
export { RemoveReason, type RemoveReasonName } from "./format.js";
export { downgradeToIndexJson, encodeIndexV2 } from "./rewrite.js";

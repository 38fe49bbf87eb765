/**
 * The journal (index.rkx): the index of a replaykit store as an append-only binary file of
 * checksummed commits (format: FORMAT.md in this package), read into columns.
 *
 * @module
 */
import { encodeJournal } from "./encode-journal.js";
import { writeJournal } from "./index-journal.js";

export { dateOfSeconds, type Exposure, type IndexView, withByteOffsets } from "./columns.js";
export { downgradeToIndexJson } from "./downgrade.js";
export { encodeJournal } from "./encode-journal.js";
export { autoMinedOf, flagsOf, hasCrc, NO_TYPE_CODE } from "./flags.js";
export { RemoveReason, type RemoveReasonName } from "./format.js";
export {
  IndexJournal,
  writeJournal,
  type CatchUpResult,
  type CommitResult,
  type EntryKey,
  type IndexChange,
  type JournalDamage,
  type OpenIndexOptions,
} from "./index-journal.js";
export { salvageJournal, type JournalSalvage } from "./salvage.js";

/** @deprecated use {@link writeJournal} (same function; the journal was called "v2"). */
export const writeIndexV2: typeof writeJournal = writeJournal;
/** @deprecated use {@link encodeJournal} (same function; the journal was called "v2"). */
export const encodeIndexV2: typeof encodeJournal = encodeJournal;

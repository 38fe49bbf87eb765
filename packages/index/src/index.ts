/**
 * `@replaykit/index`: the index of a store — which zstd frames of the corpus are live, where
 * they are, and their metadata. Two formats: dlm's `index.json` (parsed strictly, written
 * atomically, byte-compatible with the Python reference) and the journal (index.rkx) of
 * replaykit stores (`IndexJournal`, FORMAT.md).
 *
 * @example
 * ```ts
 * import { loadIndex, saveIndex } from "@replaykit/index";
 *
 * const entries = await loadIndex("store/index.json"); // [] for a new store
 * await saveIndex("store/index.json", [
 *   ...entries,
 *   { sectionId: "0123456789abcdef", byteOffset: 0, length: 188, addedAt: new Date(), weight: 1 },
 * ]);
 * ```
 *
 * @packageDocumentation
 */

export { formatIndexDate, parseIndexDate } from "./date.js";
export {
  hasReplaykitKeys,
  indexFormatOf,
  isSectionId,
  isSectionType,
  sortIndexEntries,
  type IndexEntry,
  type IndexFormat,
} from "./entry.js";
export { entryFor, toDlmEntry, type EntryFields } from "./entry-for.js";
export {
  IndexArgumentError,
  IndexCorruptError,
  IndexEntryInvalidError,
  IndexError,
  IndexReadError,
  IndexWriteError,
  isReplaykitError,
  type IndexErrorCode,
  type IndexWriteStep,
} from "./errors.js";
export { loadIndex } from "./load.js";
export { parseIndex } from "./parse.js";
export { formatPythonFloat } from "./python-float.js";
export { saveIndex } from "./save.js";
export { serializeIndex } from "./serialize.js";
export {
  autoMinedOf,
  dateOfSeconds,
  downgradeToIndexJson,
  encodeIndexV2,
  encodeJournal,
  flagsOf,
  hasCrc,
  IndexJournal,
  NO_TYPE_CODE,
  RemoveReason,
  salvageJournal,
  withByteOffsets,
  writeIndexV2,
  writeJournal,
  type CatchUpResult,
  type CommitResult,
  type EntryKey,
  type Exposure,
  type IndexChange,
  type IndexView,
  type JournalDamage,
  type JournalSalvage,
  type OpenIndexOptions,
  type RemoveReasonName,
} from "./journal/index.js";

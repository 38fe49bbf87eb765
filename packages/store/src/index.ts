/**
 * The replaykit facade: a replay store bound to a directory (or a corpus path and an index
 * path), with cross-process locking, sampling of training rows, eviction, compaction and
 * verification. It re-exports the types and errors of the packages below it, so one import
 * is enough.
 *
 * @example
 * ```ts
 * import { ReplayStore, createSnapshot } from "@replaykit/store";
 *
 * const store = await ReplayStore.open("./replay");
 * await store.appendMany([
 *   createSnapshot({ sectionType: "prose", content: "The Krebs cycle runs in the mitochondria." }),
 *   createSnapshot({ sectionType: "instruction", content: "### Q\nWhere does the Krebs cycle run?\n### A\nIn the mitochondria." }),
 * ]);
 * const rows = await store.sampleRows({ k: 32, now: new Date(), seed: 1 });
 * ```
 *
 * @packageDocumentation
 */
export { ReplayStore } from "./store.js";
export { estimateRowTokens, largestRemainder, rowTexts, type DrawOptions } from "./draw.js";
export { DrawReceiptError, type DrawPick, type DrawReceipt } from "./receipt.js";
export { bodyProblems, type AppendOptions, type BodyProblem, type DuplicatePolicy, type IngestResult } from "./ingest.js";
export type { StoreLayout } from "./layout.js";
export type { CompactOptions, ProgressOptions, SamplePreferenceRowsOptions, SampleRowsOptions, StoreOptions, VerifyOptions } from "./options.js";
export type { EvictResult } from "./evict.js";
export type { QuarantineRecord } from "./quarantine.js";
export type { RecoverReport, SkippedRange } from "./scan.js";
export type { StoreStats } from "./stats.js";
export { pullStore, pushStore, type PullOptions, type PullResult, type PushOptions, type PushResult, type TransferProgress } from "./remote/transfer-entry.js";
export type { VerifyProblem, VerifyReport } from "./verify.js";
export {
  StoreArgumentError,
  StoreChangedError,
  StoreDamagedError,
  StoreConflictError,
  StoreError,
  StoreIndexLostError,
  StoreIOError,
  StoreLockedError,
  StoreNotEmptyError,
  StoreNotFoundError,
  StoreObjectCorruptError,
  StoreUnsupportedError,
  UnknownSectionTypeError,
  isReplaykitError,
  type ErrorKind,
  type LockHolder,
  type ReplaykitError,
} from "./errors.js";

// Everything a facade consumer needs from the packages below, in one import.
// Every error class the store's calls can throw is among these (or the store's own above).
export {
  CorpusArgumentError,
  CorpusCorruptError,
  CorpusError,
  CorpusIOError,
  SnapshotInvalidError,
  calendar,
  createSnapshot,
  sectionIdOf,
  type CorruptReason,
  type FramePointer,
  type SectionSnapshot,
  type SectionType,
  type SnapshotInit,
} from "@replaykit/corpus";
export {
  IndexArgumentError,
  IndexCorruptError,
  IndexEntryInvalidError,
  IndexError,
  IndexReadError,
  IndexWriteError,
  isSectionId,
  isSectionType,
  type IndexEntry,
  type IndexFormat,
} from "@replaykit/index";
export { SamplerError, recencyWeight, type Sampleable, type Scheme, type SchemeFn } from "@replaykit/sampler";
export { EvictionError, evictUntil, type Evictable } from "@replaykit/eviction";
export {
  InstructionParseError,
  ParsersArgumentError,
  ParsersError,
  PreferenceParseError,
  RowSourceInvalidError,
  SectionParseError,
  defaultExpanders,
  replayRowId,
  rowShape,
  toPromptCompletion,
  type MessagesRow,
  type PreferenceRow,
  type PromptCompletionRow,
  type Row,
  type RowExpander,
  type RowShape,
  type RowSource,
  type TextRow,
} from "@replaykit/parsers";

/**
 * The replaykit corpus framing codec: one snapshot = one independent zstd frame (level 3,
 * decompressed size in the header) of a canonical CBOR map; a corpus file is their
 * concatenation.
 *
 * @example
 * ```ts
 * import { appendSnapshots, createSnapshot, readSnapshots } from "@replaykit/corpus";
 *
 * const pointers = await appendSnapshots("corpus.zst", [
 *   createSnapshot({ sectionType: "prose", content: "Water boils at 100 °C at sea level." }),
 * ]);
 * for await (const snapshot of readSnapshots("corpus.zst", pointers)) console.log(snapshot.content);
 * ```
 *
 * @packageDocumentation
 */
export * as calendar from "./calendar.js";
export { checkFrame, checkFrames, readChecked, type CheckedBatch, type CheckOptions, type FrameEntry } from "./check.js";
export { crc32 } from "./crc32.js";
export { formatRfc3339, isStorableDate, parseRfc3339, toWholeSeconds } from "./date.js";
export { fsyncDir, writeFileAtomic } from "./durable.js";
export {
  CorpusArgumentError,
  CorpusCorruptError,
  CorpusError,
  CorpusIOError,
  isReplaykitError,
  SnapshotInvalidError,
  type AtomicWriteStep,
  type CorruptReason,
} from "./errors.js";
export {
  appendFrames,
  appendSnapshots,
  DEFAULT_BATCH_CONTENT_BYTES,
  readFrames,
  readFramesBatched,
  readSnapshot,
  readSnapshots,
  type BatchOptions,
  type FrameBatch,
} from "./file.js";
export {
  decodeFrame,
  decodeFrameBatch,
  DEFAULT_MAX_FRAME_BYTES,
  encodeFrame,
  encodeFrames,
  ZSTD_LEVEL,
  type FrameSource,
  type ReadOptions,
} from "./frame.js";
export {
  assertSectionId,
  createSnapshot,
  isSectionId,
  isSectionType,
  sectionIdOf,
  type FramePointer,
  type SectionSnapshot,
  type SectionType,
  type SnapshotInit,
} from "./snapshot.js";

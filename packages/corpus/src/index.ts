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
export { crc32 } from "./crc32.js";
export { fsyncDir, writeFileAtomic } from "./durable.js";
export {
  CorpusArgumentError,
  CorpusCorruptError,
  CorpusError,
  CorpusIOError,
  isReplaykitError,
  SnapshotInvalidError,
  type CorruptReason,
} from "./errors.js";
export { appendFrames, appendSnapshots, readFrames, readSnapshot, readSnapshots } from "./file.js";
export { decodeFrame, decodeFrameBatch, encodeFrame, encodeFrames, ZSTD_LEVEL, type FrameSource } from "./frame.js";
export {
  createSnapshot,
  sectionIdOf,
  type FramePointer,
  type SectionSnapshot,
  type SectionType,
  type SnapshotInit,
} from "./snapshot.js";

import { crc32 } from "./crc32.js";
import { CorpusArgumentError, CorpusCorruptError } from "./errors.js";
import { batches, readArguments, type BatchOptions } from "./file.js";
import { decodeFrameBatch, maxFrameBytesOf, type FrameSource, type ReadOptions } from "./frame.js";
import type { FramePointer, SectionSnapshot } from "./snapshot.js";

/**
 * What a frame is checked against: an index entry of any format, structurally. Fields an
 * index does not record (dlm's has no CRC, type or flag) are simply not compared.
 */
export interface FrameEntry extends FramePointer {
  readonly sectionId: string;
  readonly byteOffset: number;
  readonly length: number;
  readonly crc32?: number | undefined;
  readonly sectionType?: string | undefined;
  readonly autoMined?: boolean | undefined;
}

/** Options of the checkers: the readers' `maxFrameBytes`, and the corpus path for errors. */
export interface CheckOptions extends ReadOptions {
  /** The corpus file the frames came from, named in errors. */
  path?: string | undefined;
}

/**
 * Checks frames against their entries: the CRC-32 of the bytes when the entry records one
 * (reason "checksum"; such a frame is not decompressed), then the decode (any reason of
 * `decodeFrame`, "too-large" included), then the section id, type and auto-mined flag
 * (reason "mismatch"). A slot holding a `CorpusCorruptError` already (as
 * `readFramesBatched` gives for a short read) is passed through.
 * Returns the snapshot or the `CorpusCorruptError` per entry, in order; never throws for damage.
 *
 * @throws {CorpusArgumentError} when the arrays differ in length or hold the wrong types.
 */
export async function checkFrames(
  entries: readonly FrameEntry[],
  frames: ReadonlyArray<Uint8Array | CorpusCorruptError>,
  options?: CheckOptions,
): Promise<Array<SectionSnapshot | CorpusCorruptError>> {
  const maxFrameBytes = maxFrameBytesOf(options, "checkFrames");
  if (!Array.isArray(entries)) throw new CorpusArgumentError("checkFrames", "entries", "an array of entries", entries);
  if (!Array.isArray(frames) || frames.length !== entries.length) {
    throw new CorpusArgumentError("checkFrames", "frames", `an array of ${entries.length} frames (one per entry)`, frames);
  }
  const path = options?.path;
  const out: Array<SectionSnapshot | CorpusCorruptError> = new Array(entries.length);
  const sources: FrameSource[] = [];
  const slots: number[] = [];
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (typeof e !== "object" || e === null) throw new CorpusArgumentError("checkFrames", `entries[${i}]`, "an entry", e);
    const frame = frames[i];
    if (frame instanceof CorpusCorruptError) {
      out[i] = frame;
      continue;
    }
    if (!(frame instanceof Uint8Array)) throw new CorpusArgumentError("checkFrames", `frames[${i}]`, "a Uint8Array", frame);
    if (e.crc32 !== undefined) {
      const actual = crc32(frame);
      if (actual !== e.crc32) {
        out[i] = mismatch(e, path, "checksum", `CRC-32 mismatch: the index records ${e.crc32}, the frame has ${actual}`);
        continue;
      }
    }
    sources.push({ bytes: frame, at: { byteOffset: e.byteOffset, length: e.length }, path });
    slots.push(i);
  }
  const decoded = await decodeFrameBatch(sources, { maxFrameBytes });
  decoded.forEach((result, j) => {
    const i = slots[j]!;
    out[i] = result instanceof CorpusCorruptError ? result : compare(entries[i]!, result, path);
  });
  return out;
}

/**
 * Checks one frame against its entry (see `checkFrames`) and returns its snapshot.
 *
 * @throws {CorpusCorruptError} reason "checksum", "mismatch", or the decode's reason.
 * @throws {CorpusArgumentError} when an argument has the wrong type.
 */
export async function checkFrame(entry: FrameEntry, frame: Uint8Array, options?: CheckOptions): Promise<SectionSnapshot> {
  if (typeof entry !== "object" || entry === null) throw new CorpusArgumentError("checkFrame", "entry", "an entry", entry);
  if (!(frame instanceof Uint8Array)) throw new CorpusArgumentError("checkFrame", "frame", "a Uint8Array", frame);
  const [result] = await checkFrames([entry], [frame], options);
  if (result instanceof CorpusCorruptError) throw result;
  return result!;
}

/** One batch of `readChecked`: the results of the entries from `start` on. */
export interface CheckedBatch {
  start: number;
  results: Array<SectionSnapshot | CorpusCorruptError>;
}

/**
 * Reads and checks every entry's frame (see `checkFrames`), in the given order, in batches
 * sized by declared content (`readFramesBatched`), so memory stays bounded by
 * `batchBytes` + `maxFrameBytes` whatever the store holds. Never throws for damage: each
 * entry's result is its snapshot or its `CorpusCorruptError` (a pointer past the end is
 * "short-read"). This is `verify`'s loop.
 *
 * @throws {CorpusArgumentError} when an argument is bad (checked before anything is read).
 * @throws {CorpusIOError} when the file exists but cannot be opened or read.
 */
export async function* readChecked(corpusPath: string, entries: readonly FrameEntry[], options?: BatchOptions): AsyncGenerator<CheckedBatch> {
  const { maxFrameBytes, batchBytes } = readArguments(corpusPath, entries, options, "readChecked", "entries");
  for await (const batch of batches(corpusPath, entries, maxFrameBytes, batchBytes)) {
    const slice = entries.slice(batch.start, batch.start + batch.frames.length);
    yield { start: batch.start, results: await checkFrames(slice, batch.frames, { maxFrameBytes, path: corpusPath }) };
  }
}

function compare(e: FrameEntry, s: SectionSnapshot, path: string | undefined): SectionSnapshot | CorpusCorruptError {
  if (s.sectionId !== e.sectionId) return mismatch(e, path, "mismatch", `the frame holds section ${s.sectionId}, the index says ${e.sectionId}`);
  if (e.sectionType !== undefined && s.sectionType !== e.sectionType) {
    return mismatch(e, path, "mismatch", `the frame's type is ${s.sectionType}, the index says ${e.sectionType}`);
  }
  if (e.autoMined !== undefined && s.autoMined !== e.autoMined) {
    return mismatch(e, path, "mismatch", `the frame's auto_mined is ${s.autoMined}, the index says ${e.autoMined}`);
  }
  return s;
}

const mismatch = (e: FrameEntry, path: string | undefined, reason: "checksum" | "mismatch", message: string) =>
  new CorpusCorruptError(message, { byteOffset: e.byteOffset, length: e.length, path, reason });

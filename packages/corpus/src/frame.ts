import { compress, decompress } from "@mongodb-js/zstd";
import { decodePayload, encodePayload, PayloadError } from "./cbor.js";
import { CorpusCorruptError } from "./errors.js";
import { assertSnapshotFields, type FramePointer, type SectionSnapshot } from "./snapshot.js";
import { FrameFormatError, walkFrame, withContentSize } from "./zstd-frame.js";

/** zstd level of every frame (the reference's). */
export const ZSTD_LEVEL = 3;
// How many compress calls are in flight at once: enough to keep libuv's pool busy.
const IN_FLIGHT = 64;
// A coalesced decompress call covers at most this many compressed bytes.
const COALESCE_BYTES = 4 << 20;

const asBuffer = (u8: Uint8Array): Buffer =>
  Buffer.isBuffer(u8) ? u8 : Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);

/**
 * Encodes one snapshot as an independent zstd frame (level 3) of its canonical CBOR map,
 * with the decompressed size in the frame header. Same snapshot in, same bytes out.
 *
 * @throws {SnapshotInvalidError} when a field cannot be stored.
 */
export async function encodeFrame(snapshot: SectionSnapshot): Promise<Uint8Array> {
  const [frame] = await encodeFrames([snapshot]);
  return frame!;
}

/**
 * Encodes many snapshots; the compress calls run concurrently on libuv's thread pool.
 * All snapshots are validated before any is compressed.
 *
 * @throws {SnapshotInvalidError} naming the field (and the batch position) that is wrong.
 */
export async function encodeFrames(snapshots: readonly SectionSnapshot[]): Promise<Uint8Array[]> {
  for (const s of snapshots) assertSnapshotFields(s as unknown as Record<string, unknown>, false);
  const frames: Uint8Array[] = new Array(snapshots.length);
  let next = 0;
  // Each payload is encoded just before its compress call is issued, so CBOR encoding on
  // this thread overlaps compression on the pool's threads.
  const worker = async (): Promise<void> => {
    while (next < snapshots.length) {
      const i = next++;
      const payload = encodePayload(snapshots[i]!);
      frames[i] = withContentSize(await compress(payload, ZSTD_LEVEL), payload.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, snapshots.length) }, worker));
  return frames;
}

/** One frame to decode: its bytes, and where they came from (for errors). */
export interface FrameSource {
  bytes: Uint8Array;
  at: FramePointer;
  path?: string | undefined;
}

const corrupt = (src: FrameSource, reason: CorpusCorruptError["reason"], message: string, cause?: unknown) =>
  new CorpusCorruptError(message, { byteOffset: src.at.byteOffset, length: src.at.length, path: src.path, reason, cause });

/**
 * Decodes a batch of frames with as few zstd calls as possible: frames whose headers record
 * their size are concatenated and decompressed together (a run of frames is one valid zstd
 * stream), then split by size. A failing run is retried frame by frame to name the culprit.
 * Returns a snapshot or a `CorpusCorruptError` per frame, in input order; never throws.
 */
export async function decodeFrameBatch(sources: readonly FrameSource[]): Promise<Array<SectionSnapshot | CorpusCorruptError>> {
  const out: Array<SectionSnapshot | CorpusCorruptError> = new Array(sources.length);
  const sizes: number[] = new Array(sources.length);
  const runs: number[][] = [];
  let run: number[] = [];
  let runBytes = 0;
  const single: number[] = [];
  for (let i = 0; i < sources.length; i++) {
    const src = sources[i]!;
    try {
      const info = walkFrame(src.bytes, 0, src.bytes.length);
      if (info.contentSize === undefined) {
        single.push(i);
        continue;
      }
      sizes[i] = info.contentSize;
    } catch (cause) {
      out[i] = corrupt(src, "frame", cause instanceof FrameFormatError ? cause.message : String(cause), cause);
      continue;
    }
    run.push(i);
    runBytes += src.bytes.length;
    if (runBytes >= COALESCE_BYTES) {
      runs.push(run);
      run = [];
      runBytes = 0;
    }
  }
  if (run.length > 0) runs.push(run);

  const decodeOne = async (i: number): Promise<void> => {
    const src = sources[i]!;
    let payload: Buffer;
    try {
      payload = await decompress(asBuffer(src.bytes));
    } catch (cause) {
      out[i] = corrupt(src, "zstd", `zstd cannot decompress the frame: ${(cause as Error).message}`, cause);
      return;
    }
    if (sizes[i] !== undefined && payload.length !== sizes[i]) {
      out[i] = corrupt(src, "zstd", `frame decompressed to ${payload.length} bytes, its header says ${sizes[i]}`);
      return;
    }
    out[i] = payloadToSnapshot(src, payload);
  };

  const decodeRun = async (members: number[]): Promise<void> => {
    const joined =
      members.length === 1 ? asBuffer(sources[members[0]!]!.bytes) : Buffer.concat(members.map((i) => sources[i]!.bytes));
    let expected = 0;
    for (const i of members) expected += sizes[i]!;
    let payloads: Buffer | undefined;
    try {
      payloads = await decompress(joined);
    } catch {
      payloads = undefined;
    }
    if (payloads === undefined || payloads.length !== expected) {
      await Promise.all(members.map(decodeOne));
      return;
    }
    let at = 0;
    for (const i of members) {
      out[i] = payloadToSnapshot(sources[i]!, payloads.subarray(at, at + sizes[i]!));
      at += sizes[i]!;
    }
  };

  await Promise.all([...runs.map(decodeRun), ...single.map(decodeOne)]);
  return out;
}

function payloadToSnapshot(src: FrameSource, payload: Uint8Array): SectionSnapshot | CorpusCorruptError {
  try {
    return decodePayload(payload);
  } catch (cause) {
    if (cause instanceof PayloadError) return corrupt(src, cause.reason, cause.message, cause.cause ?? cause);
    return corrupt(src, "cbor", String(cause), cause);
  }
}

/**
 * Decodes one frame. `at` (where the frame was read from) is only used in errors.
 *
 * @throws {CorpusCorruptError} for anything that is not a valid snapshot frame.
 */
export async function decodeFrame(frame: Uint8Array, at?: FramePointer): Promise<SectionSnapshot> {
  if (!(frame instanceof Uint8Array)) {
    throw new CorpusCorruptError(`frame must be a Uint8Array, got ${typeof frame}`, {
      byteOffset: at?.byteOffset ?? 0,
      length: at?.length ?? 0,
      reason: "frame",
    });
  }
  const [result] = await decodeFrameBatch([{ bytes: frame, at: at ?? { byteOffset: 0, length: frame.length } }]);
  if (result instanceof CorpusCorruptError) throw result;
  return result!;
}

import { cborgLoaded, decodeOwnPayload, decodePayload, encodePayload, loadCborg, PayloadError } from "./cbor.js";
import { CorpusArgumentError, CorpusCorruptError } from "./errors.js";
import { assertSnapshot, type FramePointer, type SectionSnapshot } from "./snapshot.js";
import { declaredContentSize, FrameFormatError, walkFrame, withContentSize } from "./zstd-frame.js";

/** zstd level of every frame (the reference's). */
export const ZSTD_LEVEL = 3;
/**
 * The default `maxFrameBytes`: a frame whose content (declared in its header, or bounded by
 * its blocks when it declares none) is larger is rejected before anything is allocated.
 */
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024;
// How many compress calls are in flight at once: enough to keep libuv's pool busy.
const IN_FLIGHT = 64;
// A coalesced decompress call produces at most this many content bytes (one zstd call for a
// run of small frames is much cheaper than one call each).
const COALESCE_CONTENT_BYTES = 4 << 20;
// Decompressed bytes in flight at once while a batch is decoded: bounds the transient
// buffers whatever the batch (each frame alone may still be up to maxFrameBytes).
const DECODE_WAVE_BYTES = 64 << 20;

/** Options of every reader: how large a frame's content may be. */
export interface ReadOptions {
  /** Largest content a frame may declare (bytes); default `DEFAULT_MAX_FRAME_BYTES` (64 MiB). */
  maxFrameBytes?: number | undefined;
}

/** @internal The checked `maxFrameBytes` of an options object. */
export function maxFrameBytesOf(options: ReadOptions | undefined, functionName: string): number {
  if (options === undefined) return DEFAULT_MAX_FRAME_BYTES;
  if (typeof options !== "object" || options === null) {
    throw new CorpusArgumentError(functionName, "options", "an object", options);
  }
  const max = options.maxFrameBytes;
  if (max === undefined) return DEFAULT_MAX_FRAME_BYTES;
  if (typeof max !== "number" || !Number.isSafeInteger(max) || max <= 0) {
    throw new CorpusArgumentError(functionName, "options.maxFrameBytes", "a positive integer", max);
  }
  return max;
}

// The zstd binding is loaded by the first compress or decompress, not at import: loading it
// (a native addon, and its platform check, which builds a whole `process.report`) costs a
// fresh process ~10 ms, and a process that reads no frame (stats, evict, the index alone)
// never needs it. A binding that cannot load fails that first call, as it failed the import.
type Zstd = typeof import("@mongodb-js/zstd");
let zstdLoading: Promise<Zstd> | undefined;
const zstd = (): Promise<Zstd> => (zstdLoading ??= import("@mongodb-js/zstd"));

const asBuffer = (u8: Uint8Array): Buffer => (Buffer.isBuffer(u8) ? u8 : Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength));

/**
 * Encodes one snapshot as an independent zstd frame (level 3) of its canonical CBOR map,
 * with the decompressed size in the frame header. Same snapshot in, same bytes out.
 *
 * @throws {CorpusArgumentError} when `snapshot` is not an object.
 * @throws {SnapshotInvalidError} when a field cannot be stored.
 */
export async function encodeFrame(snapshot: SectionSnapshot): Promise<Uint8Array> {
  assertSnapshot(snapshot, "encodeFrame", "snapshot");
  const [frame] = await encodeFrames([snapshot]);
  return frame!;
}

/**
 * Encodes many snapshots; the compress calls run concurrently on libuv's thread pool.
 * All snapshots are validated before any is compressed.
 *
 * @throws {CorpusArgumentError} when `snapshots` is not an array, or an element is not an object.
 * @throws {SnapshotInvalidError} naming the field that is wrong.
 */
export async function encodeFrames(snapshots: readonly SectionSnapshot[]): Promise<Uint8Array[]> {
  if (!Array.isArray(snapshots)) throw new CorpusArgumentError("encodeFrames", "snapshots", "an array", snapshots);
  for (let i = 0; i < snapshots.length; i++) assertSnapshot(snapshots[i], "encodeFrames", `snapshots[${i}]`);
  const [{ compress }] = await Promise.all([zstd(), loadCborg()]);
  const frames: Uint8Array[] = new Array(snapshots.length);
  let next = 0;
  // Each payload is encoded just before its compress call is issued, so CBOR encoding on
  // this thread overlaps compression on the pool's threads.
  const worker = async (): Promise<void> => {
    while (next < snapshots.length) {
      const i = next++;
      const payload = encodePayload(snapshots[i]!);
      frames[i] = withContentSize(await compress(asBuffer(payload), ZSTD_LEVEL), payload.length);
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
 * How many content bytes a frame may produce, checked from its bytes alone: its declared
 * Frame_Content_Size, or, for a frame that declares none, the most its blocks can hold.
 * Returns a `CorpusCorruptError` ("too-large" over `maxFrameBytes`, "frame" for bytes that
 * are not one well-formed frame) instead of a size.
 */
export function frameContentBound(src: FrameSource, maxFrameBytes: number): { size: number; declared: boolean } | CorpusCorruptError {
  // The header alone first: a bomb is rejected without even walking its blocks.
  const declared = declaredContentSize(src.bytes);
  if (declared !== undefined && declared > maxFrameBytes) {
    return corrupt(src, "too-large", `frame declares ${declared} content bytes, over the limit of ${maxFrameBytes} (maxFrameBytes)`);
  }
  let info: ReturnType<typeof walkFrame>;
  try {
    info = walkFrame(src.bytes, 0, src.bytes.length);
  } catch (cause) {
    return corrupt(src, "frame", cause instanceof FrameFormatError ? cause.message : String(cause), cause);
  }
  if (info.contentSize !== undefined) return { size: info.contentSize, declared: true };
  // No declared size (another writer's frame): decompressed only when its blocks cannot
  // produce more than the limit, so the output is bounded either way.
  if (info.maxContentSize > maxFrameBytes) {
    return corrupt(
      src,
      "too-large",
      `frame declares no content size and its blocks can hold ${info.maxContentSize} bytes, over the limit of ${maxFrameBytes} (maxFrameBytes)`,
    );
  }
  return { size: info.maxContentSize, declared: false };
}

/**
 * Decodes a batch of frames with as few zstd calls as possible: frames whose headers record
 * their size are concatenated and decompressed together (a run of frames is one valid zstd
 * stream), then split by size. A failing run is retried frame by frame to name the culprit.
 * Every frame's size is checked from its header before anything is decompressed (see
 * `maxFrameBytes`), and at most 64 MiB of decompressed buffers are in flight at once. The
 * snapshots returned hold their content, so callers bound memory by the batches they pass
 * (`readFramesBatched` sizes them by content).
 * Returns a snapshot or a `CorpusCorruptError` per frame, in input order; never throws for damage.
 *
 * @throws {CorpusArgumentError} when `sources` is not an array of `{ bytes, at }`, or options are bad.
 */
export async function decodeFrameBatch(sources: readonly FrameSource[], options?: ReadOptions): Promise<Array<SectionSnapshot | CorpusCorruptError>> {
  const maxFrameBytes = maxFrameBytesOf(options, "decodeFrameBatch");
  if (!Array.isArray(sources)) throw new CorpusArgumentError("decodeFrameBatch", "sources", "an array", sources);
  sources.forEach((src, i) => {
    if (typeof src !== "object" || src === null || !(src.bytes instanceof Uint8Array) || typeof src.at !== "object" || src.at === null) {
      throw new CorpusArgumentError("decodeFrameBatch", `sources[${i}]`, "{ bytes: Uint8Array, at: FramePointer }", src);
    }
  });
  const out: Array<SectionSnapshot | CorpusCorruptError> = new Array(sources.length);
  const sizes: number[] = new Array(sources.length);
  // Work units: runs of frames with declared sizes (decompressed together), or one frame.
  const units: Array<{ members: number[]; bytes: number; joined: boolean }> = [];
  let run: number[] = [];
  let runBytes = 0;
  const closeRun = () => {
    if (run.length > 0) units.push({ members: run, bytes: runBytes, joined: true });
    run = [];
    runBytes = 0;
  };
  for (let i = 0; i < sources.length; i++) {
    const bound = frameContentBound(sources[i]!, maxFrameBytes);
    if (bound instanceof CorpusCorruptError) {
      out[i] = bound;
      continue;
    }
    if (!bound.declared) {
      units.push({ members: [i], bytes: bound.size, joined: false });
      continue;
    }
    sizes[i] = bound.size;
    if (runBytes + bound.size > COALESCE_CONTENT_BYTES) closeRun();
    run.push(i);
    runBytes += bound.size;
  }
  closeRun();
  const { decompress } = await zstd();

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
    out[i] = payloadToSnapshot(src, payload) ?? (await payloadToSnapshotWithCborg(src, payload));
  };

  const decodeUnit = async (unit: { members: number[]; joined: boolean }): Promise<void> => {
    const { members } = unit;
    if (!unit.joined || members.length === 1) return decodeOne(members[0]!);
    const joined = Buffer.concat(members.map((i) => sources[i]!.bytes));
    let expected = 0;
    for (const i of members) expected += sizes[i]!;
    let payloads: Buffer | undefined;
    try {
      payloads = await decompress(joined);
    } catch {
      payloads = undefined;
    }
    if (payloads === undefined || payloads.length !== expected) {
      for (const i of members) await decodeOne(i);
      return;
    }
    let at = 0;
    for (const i of members) {
      const payload = payloads.subarray(at, at + sizes[i]!);
      out[i] = payloadToSnapshot(sources[i]!, payload) ?? (await payloadToSnapshotWithCborg(sources[i]!, payload));
      at += sizes[i]!;
    }
  };

  // Waves of units whose content fits DECODE_WAVE_BYTES run concurrently (a unit larger than
  // the wave runs alone).
  let u = 0;
  while (u < units.length) {
    const wave = [units[u++]!];
    let bytes = wave[0]!.bytes;
    while (u < units.length && bytes + units[u]!.bytes <= DECODE_WAVE_BYTES) {
      bytes += units[u]!.bytes;
      wave.push(units[u++]!);
    }
    await Promise.all(wave.map(decodeUnit));
  }
  return out;
}

/** The payload's snapshot or error; undefined when it needs cborg and cborg is not loaded yet. */
function payloadToSnapshot(src: FrameSource, payload: Uint8Array): SectionSnapshot | CorpusCorruptError | undefined {
  try {
    return cborgLoaded() ? decodePayload(payload) : decodeOwnPayload(payload);
  } catch (cause) {
    if (cause instanceof PayloadError) return corrupt(src, cause.reason, cause.message, cause.cause ?? cause);
    return corrupt(src, "cbor", String(cause), cause);
  }
}

async function payloadToSnapshotWithCborg(src: FrameSource, payload: Uint8Array): Promise<SectionSnapshot | CorpusCorruptError> {
  await loadCborg();
  return payloadToSnapshot(src, payload)!;
}

/**
 * Decodes one frame. `at` (where the frame was read from) is only used in errors.
 *
 * @throws {CorpusArgumentError} when `frame` is not a Uint8Array or the options are bad.
 * @throws {CorpusCorruptError} for anything that is not a valid snapshot frame, and for a
 *   frame whose content is over `maxFrameBytes` (reason "too-large", nothing decompressed).
 */
export async function decodeFrame(frame: Uint8Array, at?: FramePointer, options?: ReadOptions): Promise<SectionSnapshot> {
  if (!(frame instanceof Uint8Array)) throw new CorpusArgumentError("decodeFrame", "frame", "a Uint8Array", frame);
  if (at !== undefined && (typeof at !== "object" || at === null)) {
    throw new CorpusArgumentError("decodeFrame", "at", "a FramePointer", at);
  }
  const [result] = await decodeFrameBatch([{ bytes: frame, at: at ?? { byteOffset: 0, length: frame.length } }], {
    maxFrameBytes: maxFrameBytesOf(options, "decodeFrame"),
  });
  if (result instanceof CorpusCorruptError) throw result;
  return result!;
}

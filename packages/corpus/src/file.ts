import { closeSync, fdatasync as fdatasyncCallback, fstatSync, ftruncateSync, openSync, readSync, writeSync } from "node:fs";
import { promisify } from "node:util";
import { open, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import { fsyncDir } from "./durable.js";
import { CorpusArgumentError, CorpusCorruptError, CorpusIOError } from "./errors.js";
import { decodeFrameBatch, encodeFrames, maxFrameBytesOf, type FrameSource, type ReadOptions } from "./frame.js";
import type { FramePointer, SectionSnapshot } from "./snapshot.js";
import { declaredContentSize } from "./zstd-frame.js";

// A read chunk: at most this many pointers or compressed bytes are read with one pass.
const CHUNK_POINTERS = 8192;
const CHUNK_BYTES = 8 << 20;
// Two wanted ranges closer than this are read with one call (the gap is read and dropped).
const MERGE_GAP = 64 << 10;
/**
 * The default content budget of one batch of `readFramesBatched` (and so of `readSnapshots`):
 * frames are grouped until their declared decompressed sizes reach it (a frame larger than
 * the budget, up to `maxFrameBytes`, is a batch of its own).
 */
export const DEFAULT_BATCH_CONTENT_BYTES = 32 << 20;

/** Options of the batched readers. */
export interface BatchOptions extends ReadOptions {
  /** Declared content bytes per batch (default `DEFAULT_BATCH_CONTENT_BYTES`, 32 MiB). */
  batchBytes?: number | undefined;
}

const fdatasync = promisify(fdatasyncCallback);

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // The descriptor is gone either way.
  }
}

function checkPath(corpusPath: unknown, functionName: string): asserts corpusPath is string {
  if (typeof corpusPath !== "string" || corpusPath === "") {
    throw new CorpusArgumentError(functionName, "corpusPath", "a non-empty path", corpusPath);
  }
}

/** Throws a `CorpusArgumentError` naming the first pointer that is not a valid (offset, length) pair. */
function checkPointers(pointers: unknown, functionName: string, argument: string): asserts pointers is readonly FramePointer[] {
  if (!Array.isArray(pointers)) throw new CorpusArgumentError(functionName, argument, "an array of FramePointer", pointers);
  for (let i = 0; i < pointers.length; i++) checkPointer(pointers[i], functionName, `${argument}[${i}]`);
}

function checkPointer(p: unknown, functionName: string, argument: string): asserts p is FramePointer {
  if (typeof p !== "object" || p === null) throw new CorpusArgumentError(functionName, argument, "a FramePointer { byteOffset, length }", p);
  const { byteOffset, length } = p as FramePointer;
  if (!Number.isSafeInteger(byteOffset) || byteOffset < 0) {
    throw new CorpusArgumentError(functionName, `${argument}.byteOffset`, "a non-negative safe integer", byteOffset);
  }
  if (!Number.isSafeInteger(length) || length <= 0) {
    throw new CorpusArgumentError(functionName, `${argument}.length`, "a positive safe integer", length);
  }
}

/**
 * Appends already-encoded frames to the corpus file with one write and fsyncs it (and, for a
 * new file, its directory) before returning their pointers. On failure the file is truncated
 * back to its previous length and a `CorpusIOError` is thrown. Appends are not serialised
 * here: concurrent writers must hold a lock (as `@replaykit/store` does).
 *
 * @throws {CorpusArgumentError} when `corpusPath` is not a path or `frames` not an array of Uint8Array.
 * @throws {CorpusIOError}
 */
export async function appendFrames(corpusPath: string, frames: readonly Uint8Array[]): Promise<FramePointer[]> {
  checkPath(corpusPath, "appendFrames");
  if (!Array.isArray(frames)) throw new CorpusArgumentError("appendFrames", "frames", "an array of Uint8Array", frames);
  frames.forEach((f, i) => {
    if (!(f instanceof Uint8Array) || f.length === 0) throw new CorpusArgumentError("appendFrames", `frames[${i}]`, "a non-empty Uint8Array", f);
  });
  if (frames.length === 0) return [];
  // Open, size, write and close are synchronous: they complete in the page cache in
  // microseconds, where each trip through libuv's thread pool costs tens, and an append of
  // one section makes every one of them. The fdatasync waits for the disk: asynchronous.
  let fd: number;
  try {
    fd = openSync(corpusPath, "a");
  } catch (cause) {
    throw new CorpusIOError(corpusPath, "open for appending", cause);
  }
  let start = -1;
  try {
    start = fstatSync(fd).size;
    const data = frames.length === 1 ? frames[0]! : Buffer.concat(frames);
    let written = 0;
    while (written < data.length) {
      const bytesWritten = writeSync(fd, data, written, data.length - written);
      if (bytesWritten <= 0) throw new Error("write made no progress");
      written += bytesWritten;
    }
    await fdatasync(fd);
  } catch (cause) {
    if (start >= 0) {
      try {
        ftruncateSync(fd, start);
      } catch {
        // Nothing an index points at was appended; the bytes are dead space.
      }
    }
    closeQuietly(fd);
    throw new CorpusIOError(corpusPath, "append to", cause);
  }
  try {
    closeSync(fd);
  } catch (cause) {
    throw new CorpusIOError(corpusPath, "append to", cause);
  }
  // A file that was empty may have just been created: its directory entry must be durable
  // too (an fsync more on a file that existed empty, and none for a stat on every append).
  if (start === 0) await fsyncDir(dirname(corpusPath));
  const pointers: FramePointer[] = new Array(frames.length);
  let at = start;
  for (let i = 0; i < frames.length; i++) {
    pointers[i] = { byteOffset: at, length: frames[i]!.length };
    at += frames[i]!.length;
  }
  return pointers;
}

/**
 * Encodes the snapshots and appends them with one write, fsynced before returning.
 *
 * @throws {CorpusArgumentError} when `corpusPath` is not a path or `snapshots` not an array of objects.
 * @throws {SnapshotInvalidError} before anything is written, when a snapshot is invalid.
 * @throws {CorpusIOError} when the file cannot be written (nothing is appended).
 */
export async function appendSnapshots(corpusPath: string, snapshots: readonly SectionSnapshot[]): Promise<FramePointer[]> {
  checkPath(corpusPath, "appendSnapshots");
  if (!Array.isArray(snapshots)) throw new CorpusArgumentError("appendSnapshots", "snapshots", "an array of SectionSnapshot", snapshots);
  return appendFrames(corpusPath, await encodeFrames(snapshots));
}

/**
 * Reads one snapshot.
 *
 * @throws {CorpusArgumentError} when `corpusPath` is not a path, `at` not a valid pointer or the options are bad.
 * @throws {CorpusCorruptError} when the pointer is past the end of the file or the frame is bad
 *   (reason "too-large" when its content is over `maxFrameBytes`; nothing is allocated for it).
 * @throws {CorpusIOError} when the file cannot be opened for another reason.
 */
export async function readSnapshot(corpusPath: string, at: FramePointer, options?: ReadOptions): Promise<SectionSnapshot> {
  checkPath(corpusPath, "readSnapshot");
  checkPointer(at, "readSnapshot", "at");
  for await (const snapshot of readSnapshots(corpusPath, [at], options)) return snapshot;
  throw new Error("unreachable: one pointer gives one snapshot or an error");
}

/**
 * Reads snapshots in the given order. The file is opened once, nearby frames are read with
 * one call, and frames are decompressed in coalesced runs, in batches sized by their
 * declared content (`batchBytes`), so memory stays bounded whatever the corpus holds.
 * Frames before a damaged one are yielded; then its `CorpusCorruptError` is thrown.
 *
 * @throws {CorpusArgumentError} when an argument is bad (checked before anything is read).
 * @throws {CorpusCorruptError} for the first pointer outside the file or bad frame.
 * @throws {CorpusIOError} when the file cannot be opened or read.
 */
export async function* readSnapshots(corpusPath: string, at: readonly FramePointer[], options?: BatchOptions): AsyncIterable<SectionSnapshot> {
  const { maxFrameBytes, batchBytes } = readArguments(corpusPath, at, options, "readSnapshots");
  for await (const batch of batches(corpusPath, at, maxFrameBytes, batchBytes)) {
    const sources: FrameSource[] = [];
    for (let j = 0; j < batch.frames.length; j++) {
      const frame = batch.frames[j]!;
      if (frame instanceof CorpusCorruptError) break;
      sources.push({ bytes: frame, at: at[batch.start + j]!, path: corpusPath });
    }
    const results = await decodeFrameBatch(sources, { maxFrameBytes });
    for (const result of results) {
      if (result instanceof CorpusCorruptError) throw result;
      yield result;
    }
    if (sources.length < batch.frames.length) throw batch.frames[sources.length];
  }
}

/**
 * Reads the raw bytes of frames, in the given order (for copying frames during compaction
 * and for checksums). Views may share one underlying buffer. Frames are not decoded, but a
 * frame whose header declares more than `maxFrameBytes` of content is refused.
 *
 * @throws {CorpusArgumentError} when an argument is bad (checked before anything is read).
 * @throws {CorpusCorruptError} for a pointer outside the file, or a frame over `maxFrameBytes`.
 * @throws {CorpusIOError} when the file cannot be opened or read.
 */
export async function readFrames(corpusPath: string, at: readonly FramePointer[], options?: ReadOptions): Promise<Uint8Array[]> {
  const { maxFrameBytes } = readArguments(corpusPath, at, options, "readFrames");
  const out: Uint8Array[] = [];
  for await (const batch of batches(corpusPath, at, maxFrameBytes, Number.POSITIVE_INFINITY)) {
    for (const frame of batch.frames) {
      if (frame instanceof CorpusCorruptError) throw frame;
      out.push(frame);
    }
  }
  return out;
}

/** One batch of `readFramesBatched`. */
export interface FrameBatch {
  /** Position in the input of the batch's first pointer. */
  start: number;
  /**
   * Per pointer, the frame's bytes, or the `CorpusCorruptError` it gives without decoding:
   * "short-read" (outside the file) or "too-large" (declares more than `maxFrameBytes`).
   */
  frames: Array<Uint8Array | CorpusCorruptError>;
  /** The content bytes the batch's frames declare (what decoding it allocates, at most). */
  contentBytes: number;
}

/**
 * Reads frames in the given order, in batches whose declared decompressed size (read from
 * each frame's header before anything is decompressed) stays within `batchBytes`: the
 * memory-bounded way to sweep a whole store (a corpus of 4,096 frames of 1 MiB content is
 * read 32 frames at a time with the default budget). Never throws for damage: a pointer past
 * the end, a missing file or an oversized frame is a `CorpusCorruptError` in its slot, and
 * the sweep goes on. Decode a batch with `decodeFrameBatch` or `checkFrames`.
 *
 * @throws {CorpusArgumentError} when an argument is bad (checked before anything is read).
 * @throws {CorpusIOError} when the file exists but cannot be opened or read.
 */
export async function* readFramesBatched(corpusPath: string, at: readonly FramePointer[], options?: BatchOptions): AsyncGenerator<FrameBatch> {
  const { maxFrameBytes, batchBytes } = readArguments(corpusPath, at, options, "readFramesBatched");
  yield* batches(corpusPath, at, maxFrameBytes, batchBytes);
}

/** @internal Checks a reader's arguments (before anything is read) and returns its limits. */
export function readArguments(corpusPath: unknown, at: unknown, options: BatchOptions | undefined, functionName: string, atName = "at") {
  checkPath(corpusPath, functionName);
  checkPointers(at, functionName, atName);
  const maxFrameBytes = maxFrameBytesOf(options, functionName);
  const batchBytes = options?.batchBytes ?? DEFAULT_BATCH_CONTENT_BYTES;
  if (typeof batchBytes !== "number" || !Number.isSafeInteger(batchBytes) || batchBytes <= 0) {
    throw new CorpusArgumentError(functionName, "options.batchBytes", "a positive integer", batchBytes);
  }
  return { maxFrameBytes, batchBytes };
}

/** @internal The batched reader behind every read; arguments already checked. */
export async function* batches(corpusPath: string, pointers: readonly FramePointer[], maxFrameBytes: number, batchBytes: number): AsyncGenerator<FrameBatch> {
  if (pointers.length === 0) return;
  let handle: FileHandle | undefined;
  let size = 0;
  try {
    handle = await open(corpusPath, "r");
    size = (await handle.stat()).size;
  } catch (cause) {
    await handle?.close().catch(() => undefined);
    if ((cause as { code?: string }).code !== "ENOENT") throw new CorpusIOError(corpusPath, "open", cause);
    // A missing file: every pointer reaches past its end.
    for (let start = 0; start < pointers.length; start += CHUNK_POINTERS) {
      const frames = pointers
        .slice(start, start + CHUNK_POINTERS)
        .map((p) => new CorpusCorruptError("the corpus file does not exist", { ...where(p, corpusPath), reason: "short-read", cause }));
      yield { start, frames, contentBytes: 0 };
    }
    return;
  }
  try {
    let i = 0;
    while (i < pointers.length) {
      // One chunk of compressed bytes is read ...
      const chunkStart = i;
      const wanted: number[] = [];
      let bytes = 0;
      while (i < pointers.length && i - chunkStart < CHUNK_POINTERS && (bytes < CHUNK_BYTES || i === chunkStart)) {
        const p = pointers[i]!;
        if (p.byteOffset + p.length <= size) {
          wanted.push(i);
          bytes += p.length;
        }
        i++;
      }
      const read = await readRanges(
        handle,
        wanted.map((k) => pointers[k]!),
        corpusPath,
      );
      const frames: Array<Uint8Array | CorpusCorruptError> = new Array(i - chunkStart);
      const sizes: number[] = new Array(i - chunkStart).fill(0);
      if (wanted.length < frames.length) {
        for (let k = chunkStart; k < i; k++) {
          const p = pointers[k]!;
          if (p.byteOffset + p.length <= size) continue;
          frames[k - chunkStart] = new CorpusCorruptError(`frame reaches past the end of the file (${size} bytes)`, {
            ...where(p, corpusPath),
            reason: "short-read",
          });
        }
      }
      wanted.forEach((k, j) => {
        const bytesOf = read[j]!;
        if (bytesOf instanceof CorpusCorruptError) {
          frames[k - chunkStart] = bytesOf;
          return;
        }
        const declared = declaredContentSize(bytesOf);
        if (declared !== undefined && declared > maxFrameBytes) {
          frames[k - chunkStart] = new CorpusCorruptError(`frame declares ${declared} content bytes, over the limit of ${maxFrameBytes} (maxFrameBytes)`, {
            ...where(pointers[k]!, corpusPath),
            reason: "too-large",
          });
        } else {
          frames[k - chunkStart] = bytesOf;
          // A frame without a declared size is bounded at decode time; count its length here.
          sizes[k - chunkStart] = declared ?? bytesOf.length;
        }
      });
      // ... and split into batches by declared content.
      let from = 0;
      while (from < frames.length) {
        let to = from + 1;
        let content = sizes[from]!;
        while (to < frames.length && content + sizes[to]! <= batchBytes) content += sizes[to++]!;
        yield { start: chunkStart + from, frames: frames.slice(from, to), contentBytes: content };
        from = to;
      }
    }
  } finally {
    await handle.close().catch(() => undefined);
  }
}

const where = (p: FramePointer, path: string) => ({ byteOffset: p.byteOffset, length: p.length, path });

/**
 * Spans up to this size are read with a synchronous `pread`. Through libuv's thread pool a
 * read costs a round trip of tens of microseconds whatever its size; a draw's 1,000
 * scattered frames took 10–25 ms that way and take about 1.5 ms read directly from the page
 * cache (same run). Larger spans — the sweeps of `verify`, `export` and compaction — are
 * read asynchronously, so the event loop never waits on a long transfer.
 */
const SYNC_READ_BYTES = 256 << 10;
/** Synchronous reads hold the event loop at most about this long before yielding to it (a cold disk). */
const SYNC_SLICE_MS = 2;

/**
 * Reads the pointers' bytes, merging nearby ranges into single reads (spans), in file order:
 * small spans synchronously, yielding to the event loop every few milliseconds; large ones
 * asynchronously.
 */
async function readRanges(handle: FileHandle, pointers: FramePointer[], path: string): Promise<Array<Uint8Array | CorpusCorruptError>> {
  const order = pointers.map((_, i) => i).sort((a, b) => pointers[a]!.byteOffset - pointers[b]!.byteOffset);
  // The spans: [first, end) of `order`, covering [start, stop) of the file.
  const spans: Array<{ first: number; end: number; start: number; stop: number }> = [];
  for (let k = 0; k < order.length; ) {
    const p0 = pointers[order[k]!]!;
    const start = p0.byteOffset;
    let stop = p0.byteOffset + p0.length;
    let m = k + 1;
    while (m < order.length) {
      const p = pointers[order[m]!]!;
      if (p.byteOffset - stop > MERGE_GAP || p.byteOffset + p.length - start > CHUNK_BYTES * 2) break;
      stop = Math.max(stop, p.byteOffset + p.length);
      m++;
    }
    spans.push({ first: k, end: m, start, stop });
    k = m;
  }
  const out: Array<Uint8Array | CorpusCorruptError> = new Array(pointers.length);
  const readSpan = async ({ first, end, start, stop }: (typeof spans)[number]): Promise<void> => {
    const span = Buffer.allocUnsafe(stop - start);
    let got = 0;
    try {
      while (got < span.length) {
        const bytesRead =
          span.length <= SYNC_READ_BYTES
            ? readSync(handle.fd, span, got, span.length - got, start + got)
            : (await handle.read(span, got, span.length - got, start + got)).bytesRead;
        if (bytesRead === 0) break;
        got += bytesRead;
      }
    } catch (cause) {
      throw new CorpusIOError(path, "read", cause);
    }
    for (let k = first; k < end; k++) {
      const p = pointers[order[k]!]!;
      const from = p.byteOffset - start;
      // The file shrank under us (a concurrent truncation): the same as a short read.
      out[order[k]!] =
        from + p.length > got
          ? new CorpusCorruptError("short read: the file ended early", { ...where(p, path), reason: "short-read" })
          : span.subarray(from, from + p.length);
    }
  };
  let slice = performance.now();
  for (const span of spans) {
    await readSpan(span);
    if (performance.now() - slice >= SYNC_SLICE_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      slice = performance.now();
    }
  }
  return out;
}

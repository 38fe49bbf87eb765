import { open, stat, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import { fsyncDir } from "./durable.js";
import { CorpusCorruptError, CorpusIOError } from "./errors.js";
import { decodeFrameBatch, encodeFrames, type FrameSource } from "./frame.js";
import type { FramePointer, SectionSnapshot } from "./snapshot.js";

// A read batch: at most this many pointers or bytes are read and decoded together.
const BATCH_POINTERS = 8192;
const BATCH_BYTES = 8 << 20;
// Two wanted ranges closer than this are read with one call (the gap is read and dropped).
const MERGE_GAP = 64 << 10;

/**
 * Appends already-encoded frames to the corpus file with one write and fsyncs it (and, for a
 * new file, its directory) before returning their pointers. On failure the file is truncated
 * back to its previous length and a `CorpusIOError` is thrown. Appends are not serialised
 * here: concurrent writers must hold a lock (as `@replaykit/store` does).
 *
 * @throws {CorpusIOError}
 */
export async function appendFrames(corpusPath: string, frames: readonly Uint8Array[]): Promise<FramePointer[]> {
  if (frames.length === 0) return [];
  const existed = await exists(corpusPath);
  let handle: FileHandle;
  try {
    handle = await open(corpusPath, "a");
  } catch (cause) {
    throw new CorpusIOError(corpusPath, "open for appending", cause);
  }
  let start = -1;
  try {
    start = (await handle.stat()).size;
    const data = frames.length === 1 ? frames[0]! : Buffer.concat(frames);
    let written = 0;
    while (written < data.length) {
      const { bytesWritten } = await handle.write(data, written, data.length - written);
      if (bytesWritten <= 0) throw new Error("write made no progress");
      written += bytesWritten;
    }
    await handle.datasync();
    await handle.close();
  } catch (cause) {
    if (start >= 0) await handle.truncate(start).catch(() => undefined);
    await handle.close().catch(() => undefined);
    throw new CorpusIOError(corpusPath, "append to", cause);
  }
  if (!existed) await fsyncDir(dirname(corpusPath));
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
 * @throws {SnapshotInvalidError} before anything is written, when a snapshot is invalid.
 * @throws {CorpusIOError} when the file cannot be written (nothing is appended).
 */
export async function appendSnapshots(corpusPath: string, snapshots: readonly SectionSnapshot[]): Promise<FramePointer[]> {
  return appendFrames(corpusPath, await encodeFrames(snapshots));
}

/**
 * Reads one snapshot.
 *
 * @throws {CorpusCorruptError} when the pointer is past the end of the file or the frame is bad.
 * @throws {CorpusIOError} when the file cannot be opened for another reason.
 */
export async function readSnapshot(corpusPath: string, at: FramePointer): Promise<SectionSnapshot> {
  for await (const snapshot of readSnapshots(corpusPath, [at])) return snapshot;
  throw new Error("unreachable");
}

/**
 * Reads snapshots in the given order. The file is opened once, nearby frames are read with
 * one call, and frames are decompressed in coalesced runs (one zstd call per few MiB), so a
 * full sweep costs little more than one `decompress` of the whole file.
 * Frames before a damaged one are yielded; then its `CorpusCorruptError` is thrown.
 */
export async function* readSnapshots(corpusPath: string, at: readonly FramePointer[]): AsyncIterable<SectionSnapshot> {
  for await (const batch of readFrameBatches(corpusPath, at)) {
    const results = await decodeFrameBatch(batch.sources);
    for (const result of results) {
      if (result instanceof CorpusCorruptError) throw result;
      yield result;
    }
    if (batch.error !== undefined) throw batch.error;
  }
}

/**
 * Reads the raw bytes of frames, in the given order (for copying frames during compaction
 * and for checksums). Views may share one underlying buffer.
 *
 * @throws {CorpusCorruptError} for a pointer outside the file.
 */
export async function readFrames(corpusPath: string, at: readonly FramePointer[]): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const batch of readFrameBatches(corpusPath, at)) {
    for (const s of batch.sources) out.push(s.bytes);
    if (batch.error !== undefined) throw batch.error;
  }
  return out;
}

interface Batch {
  sources: FrameSource[];
  /** A pointer that could not be read; the sources before it are good. */
  error?: CorpusCorruptError | undefined;
}

async function* readFrameBatches(corpusPath: string, pointers: readonly FramePointer[]): AsyncGenerator<Batch> {
  if (pointers.length === 0) return;
  let handle: FileHandle | undefined;
  let size = 0;
  try {
    handle = await open(corpusPath, "r");
    size = (await handle.stat()).size;
  } catch (cause) {
    await handle?.close().catch(() => undefined);
    if ((cause as { code?: string }).code !== "ENOENT") throw new CorpusIOError(corpusPath, "open", cause);
    const p = pointers[0]!;
    yield {
      sources: [],
      error: new CorpusCorruptError("the corpus file does not exist", {
        byteOffset: p.byteOffset,
        length: p.length,
        path: corpusPath,
        reason: "short-read",
        cause,
      }),
    };
    return;
  }
  try {
    let i = 0;
    while (i < pointers.length) {
      const batch: FramePointer[] = [];
      let bytes = 0;
      let error: CorpusCorruptError | undefined;
      while (i < pointers.length && batch.length < BATCH_POINTERS && (bytes < BATCH_BYTES || batch.length === 0)) {
        const p = pointers[i]!;
        error = pointerProblem(p, size, corpusPath);
        if (error !== undefined) break;
        batch.push(p);
        bytes += p.length;
        i++;
      }
      const sources = await readRanges(handle, batch, corpusPath);
      yield { sources, error };
      if (error !== undefined) return;
    }
  } finally {
    await handle.close().catch(() => undefined);
  }
}

function pointerProblem(p: FramePointer, size: number, path: string): CorpusCorruptError | undefined {
  const offset = p?.byteOffset;
  const length = p?.length;
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length <= 0) {
    return new CorpusCorruptError(`invalid frame pointer ${JSON.stringify(p)}`, {
      byteOffset: Number.isFinite(offset) ? offset : -1,
      length: Number.isFinite(length) ? length : 0,
      path,
      reason: "pointer",
    });
  }
  if (offset + length > size) {
    return new CorpusCorruptError(`frame reaches past the end of the file (${size} bytes)`, {
      byteOffset: offset,
      length,
      path,
      reason: "short-read",
    });
  }
  return undefined;
}

/** Reads the pointers' bytes, merging nearby ranges into single reads. */
async function readRanges(handle: FileHandle, pointers: FramePointer[], path: string): Promise<FrameSource[]> {
  const order = pointers.map((_, i) => i).sort((a, b) => pointers[a]!.byteOffset - pointers[b]!.byteOffset);
  const sources: FrameSource[] = new Array(pointers.length);
  let k = 0;
  while (k < order.length) {
    const first = pointers[order[k]!]!;
    const spanStart = first.byteOffset;
    let spanEnd = first.byteOffset + first.length;
    let m = k + 1;
    while (m < order.length) {
      const p = pointers[order[m]!]!;
      if (p.byteOffset - spanEnd > MERGE_GAP || p.byteOffset + p.length - spanStart > BATCH_BYTES * 2) break;
      spanEnd = Math.max(spanEnd, p.byteOffset + p.length);
      m++;
    }
    const span = Buffer.allocUnsafe(spanEnd - spanStart);
    let got = 0;
    try {
      while (got < span.length) {
        const { bytesRead } = await handle.read(span, got, span.length - got, spanStart + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
    } catch (cause) {
      throw new CorpusIOError(path, "read", cause);
    }
    for (; k < m; k++) {
      const p = pointers[order[k]!]!;
      const from = p.byteOffset - spanStart;
      if (from + p.length > got) {
        // The file shrank under us (a concurrent truncation): the same as a short read.
        throw new CorpusCorruptError("short read: the file ended early", {
          byteOffset: p.byteOffset,
          length: p.length,
          path,
          reason: "short-read",
        });
      }
      sources[order[k]!] = { bytes: span.subarray(from, from + p.length), at: p, path };
    }
  }
  return sources;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

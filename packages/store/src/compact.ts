// Compaction: copy the live frames into a new corpus file, write the re-pointed index beside
// it, and publish both as the next generation (the commit point), then roll forward. A crash
// before the commit leaves the old generation untouched (its temps are removed by the next
// writer); after it, readers read the new pair and the next writer finishes the renames.
//
// A replaykit store is compacted from its journal's columns: the frames to copy, their new
// offsets and the new journal (`withByteOffsets`, exposure included) are typed arrays, with
// no object per entry; the new corpus is one file handle, written batch by batch and synced
// once. A dlm store (index.json) goes the same way from its entry objects.
import { CorpusCorruptError, crc32, type FramePointer, fsyncDir, readFramesBatched } from "@replaykit/corpus";
import { flagsOf, hasCrc, type IndexEntry, type IndexView, withByteOffsets } from "@replaykit/index";
import { randomBytes } from "node:crypto";
import { type FileHandle, open } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { crashPoint } from "./crash.js";
import { isReplaykitError, StoreArgumentError, StoreIOError } from "./errors.js";
import { readGeneration, writeGeneration } from "./generation.js";
import { indexOf, writeIndexFile } from "./index-io.js";
import { layoutOf, type StorePaths } from "./layout.js";
import { rollForward } from "./recover.js";
import { hasIntactFrame } from "./scan.js";
import { sizeOf } from "./view.js";

/** How a compaction runs. */
export interface CompactRun {
  maxFrameBytes: number;
  /** Compact even when the index looks lost (empty index, intact frames in the corpus). */
  force: boolean;
  onProgress?: ((done: number, total: number) => void) | undefined;
}

/** The live entries' frames as columns: offset, length and CRC-32 of entry `i` (recorded where `hasCrc(flags[i])`). */
interface FrameColumns {
  readonly size: number;
  readonly byteOffset: Float64Array;
  readonly length: Uint32Array;
  readonly crc32: Uint32Array;
  readonly flags: Uint8Array;
}

function framesOfColumns(view: IndexView): FrameColumns {
  return {
    size: view.size,
    byteOffset: view.byteOffset,
    length: view.frameLength,
    crc32: view.crc32,
    flags: view.flags,
  };
}

function framesOfEntries(entries: readonly IndexEntry[]): FrameColumns {
  return {
    size: entries.length,
    byteOffset: Float64Array.from(entries, (e) => e.byteOffset),
    length: Uint32Array.from(entries, (e) => e.length),
    crc32: Uint32Array.from(entries, (e) => e.crc32 ?? 0),
    flags: Uint8Array.from(entries, (e) => flagsOf(e)),
  };
}

/**
 * Compacts the store. Call with the writer lock held, after `rollForward`.
 * @throws {StoreArgumentError} (argument "options.force") when the index looks lost and `force` is false.
 * @throws {CorpusCorruptError} when a live frame fails its CRC-32 (nothing is changed).
 */
export async function compactLocked(p: StorePaths, run: CompactRun): Promise<{ bytesBefore: number; bytesAfter: number }> {
  const { state } = await readGeneration(p);
  const generation = state.generation;
  const index = indexOf(p);
  // The writer journal's columns (unchanged until this compaction's roll-forward), or a dlm store's entries.
  const columns = await index.writerColumns();
  const entries = columns === undefined ? await index.load() : undefined;
  const frames = columns !== undefined ? framesOfColumns(columns) : framesOfEntries(entries!);
  const bytesBefore = await sizeOf(p.corpusPath);
  // A replaykit store's new index is a fresh, canonical journal: the same live entries give the same bytes.
  const format = columns !== undefined ? "replaykit" : await index.format(entries!);
  // Lost: no index at all beside the corpus, or an empty dlm index.json not emptied on purpose beside intact frames.
  const lost =
    frames.size === 0 &&
    bytesBefore > 0 &&
    ((await index.isLost()) || (!(await index.emptiedOnPurpose()) && (await hasIntactFrame(p.corpusPath, run.maxFrameBytes))));
  if (!run.force && lost) {
    throw new StoreArgumentError(
      "options.force",
      `is needed: the index ${layoutOf(p).indexFileOf(format)} is missing or holds no entries while the corpus ${p.corpusPath} holds sections (the index looks lost), ` +
        "so compacting would discard every section. Run recover() to rebuild the index, or compact({ force: true }) to discard them",
    );
  }
  const layout = layoutOf(p);
  const temps = layout.compactTemps(format, `${process.pid}-${randomBytes(6).toString("hex")}`);
  try {
    const moved = await copyFrames(p, temps.corpus, frames, run);
    if (columns !== undefined) await writeIndexFile(temps.index, withByteOffsets(columns, moved), format);
    else {
      const repointed = entries!.map((e, i): IndexEntry => ({ ...e, byteOffset: moved[i]! }));
      await writeIndexFile(temps.index, repointed, format);
    }
    crashPoint("compact:temps-written");
  } catch (error) {
    await layout.removeAbandonedTemps().catch(() => undefined);
    throw error;
  }
  const bytesAfter = await sizeOf(temps.corpus);
  // The commit point: from here on the new pair is the store.
  await writeGeneration(p, { generation: generation + 1, pending: { corpus: basename(temps.corpus), index: basename(temps.index) } });
  crashPoint("compact:committed");
  await rollForward(p);
  return { bytesBefore, bytesAfter };
}

/** Distinct frames handed to corpus's batched reader per call: their pointer objects die young. */
const FRAMES_PER_READ = 8192;

/**
 * Copies each distinct frame (offset, length) of `frames` once, in file order (so the new
 * file keeps append order), into a new file at `path`, checking every CRC-32 the index
 * records; syncs it once. Returns each entry's offset in the new file.
 *
 * @throws {CorpusCorruptError} a frame outside the file, over `maxFrameBytes` or failing its CRC-32.
 * @throws {StoreIOError} the new file cannot be written.
 */
async function copyFrames(p: StorePaths, path: string, frames: FrameColumns, run: CompactRun): Promise<Float64Array> {
  const n = frames.size;
  const { byteOffset: off, length: len, crc32: crcs, flags } = frames;
  const order = fileOrder(off, len);
  // Frame f is entries order[starts[f]] .. order[starts[f + 1] - 1] (one frame indexed by several entries is copied once).
  const starts = new Uint32Array(n + 1);
  let count = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    const j = k > 0 ? order[k - 1]! : -1;
    if (j < 0 || off[i] !== off[j] || len[i] !== len[j]) starts[count++] = k;
  }
  starts[count] = n;
  const moved = new Float64Array(n);
  const out = await openNew(path);
  let at = 0;
  try {
    for (let from = 0; from < count; from += FRAMES_PER_READ) {
      const to = Math.min(count, from + FRAMES_PER_READ);
      const pointers: FramePointer[] = new Array(to - from);
      for (let f = from; f < to; f++) {
        const i = order[starts[f]!]!;
        pointers[f - from] = { byteOffset: off[i]!, length: len[i]! };
      }
      // corpus's batched reader: nearby frames merged into few reads, each frame's declared size checked.
      for await (const batch of readFramesBatched(p.corpusPath, pointers, { maxFrameBytes: run.maxFrameBytes })) {
        // Frames that lie back to back in one read buffer (all of them, but where a dead frame
        // was left out) are written as one run: no copy into a joined buffer.
        const runs: Uint8Array[] = [];
        let runOf: ArrayBufferLike | undefined;
        let runStart = 0;
        let runEnd = 0;
        for (let j = 0; j < batch.frames.length; j++) {
          const frame = batch.frames[j]!;
          const f = from + batch.start + j;
          if (frame instanceof CorpusCorruptError) throw frame; // outside the file, or over maxFrameBytes
          // Every entry of this frame that records a CRC-32 is checked against it.
          let actual = -1;
          for (let k = starts[f]!; k < starts[f + 1]!; k++) {
            const i = order[k]!;
            moved[i] = at;
            if (!hasCrc(flags[i]!)) continue;
            if (actual < 0) actual = crc32(frame);
            if (actual !== crcs[i]) throw checksumError(p, pointers[f - from]!, crcs[i]!, actual);
          }
          if (frame.buffer !== runOf || frame.byteOffset !== runEnd) {
            if (runOf !== undefined) runs.push(new Uint8Array(runOf, runStart, runEnd - runStart));
            runOf = frame.buffer;
            runStart = frame.byteOffset;
          }
          runEnd = frame.byteOffset + frame.length;
          at += frame.length;
        }
        if (runOf !== undefined) runs.push(new Uint8Array(runOf, runStart, runEnd - runStart));
        await writeAll(out, path, runs);
        run.onProgress?.(from + batch.start + batch.frames.length, count);
      }
    }
    await out.sync();
  } catch (error) {
    await out.close().catch(() => undefined);
    if (isReplaykitError(error)) throw error; // a damaged frame, a failed read or write: already typed
    throw new StoreIOError(path, "write", error);
  }
  try {
    await out.close();
    await fsyncDir(dirname(path));
  } catch (error) {
    throw new StoreIOError(path, "sync", error);
  }
  return moved;
}

/** Entry numbers ordered by (offset, length): the identity when they already are (the usual case: an append-only corpus). */
function fileOrder(off: Float64Array, len: Uint32Array): Uint32Array {
  const n = off.length;
  const order = new Uint32Array(n);
  let sorted = true;
  for (let i = 0; i < n; i++) {
    order[i] = i;
    if (i > 0 && (off[i]! < off[i - 1]! || (off[i] === off[i - 1] && len[i]! < len[i - 1]!))) sorted = false;
  }
  return sorted ? order : order.sort((a, b) => off[a]! - off[b]! || len[a]! - len[b]! || a - b);
}

function checksumError(p: StorePaths, frame: FramePointer, expected: number, actual: number): CorpusCorruptError {
  return new CorpusCorruptError(
    `CRC-32 mismatch (index ${expected}, frame ${actual}); refusing to compact a damaged store (run verify, or verify({ repair: true }))`,
    { byteOffset: frame.byteOffset, length: frame.length, path: p.corpusPath, reason: "checksum" },
  );
}

/** Creates the new corpus file (it must not exist: a temp name is never reused). */
async function openNew(path: string): Promise<FileHandle> {
  try {
    return await open(path, "wx");
  } catch (error) {
    throw new StoreIOError(path, "create", error);
  }
}

/** Writes `chunks` in order at the end of what was written (writev: one call for many). */
async function writeAll(handle: FileHandle, path: string, chunks: Uint8Array[]): Promise<void> {
  try {
    // At most 1024 buffers a call (IOV_MAX); a short write is finished buffer by buffer.
    for (let from = 0; from < chunks.length; from += 1024) {
      const part = chunks.slice(from, from + 1024);
      const want = part.reduce((n, c) => n + c.length, 0);
      const { bytesWritten } = await handle.writev(part);
      if (bytesWritten < want) await finish(handle, part, bytesWritten);
    }
  } catch (error) {
    throw new StoreIOError(path, "write", error);
  }
}

async function finish(handle: FileHandle, chunks: Uint8Array[], done: number): Promise<void> {
  let skip = done;
  for (const chunk of chunks) {
    let written = Math.min(skip, chunk.length);
    skip -= written;
    while (written < chunk.length) {
      const { bytesWritten } = await handle.write(chunk, written, chunk.length - written);
      if (bytesWritten <= 0) throw new Error("write made no progress");
      written += bytesWritten;
    }
  }
}

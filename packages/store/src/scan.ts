// Finding every intact frame of a corpus without any index: what `recover` rebuilds an
// index from, and how a lost index is told from an emptied one.
import { crc32, decodeFrameBatch, type SectionSnapshot } from "@replaykit/corpus";
import { entryFor, type IndexEntry, type IndexFormat, type JournalSalvage } from "@replaykit/index";
import { open, type FileHandle } from "node:fs/promises";
import { StoreIOError } from "./errors.js";

const MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]); // a zstd frame's first four bytes
const WINDOW = 8 << 20;
// Pieces decoded together: each holds at most maxFrameBytes of content once decoded.
const DECODE_FRAMES = 16;
const MAX_MERGE = 8;

/** A run of corpus bytes that holds no intact frame. */
export interface SkippedRange {
  byteOffset: number;
  length: number;
  reason: string;
}

/**
 * Walks a corpus file from its first byte, finding every intact frame without any index:
 * frames start with zstd's magic number, so the file is cut at each occurrence and each
 * piece decoded (a piece that fails is retried joined with the next few, in case the magic
 * bytes occurred inside a frame). Calls `onFrame` for each intact frame in file order and
 * `onSkip` for each damaged run. `onFrame` returning false stops the walk.
 * Memory: one window of the file plus one decode batch.
 */
export async function scanCorpus(
  corpusFile: string,
  maxFrameBytes: number,
  onFrame: (at: { byteOffset: number; length: number }, frame: Uint8Array, snapshot: SectionSnapshot) => unknown,
  onSkip: (range: SkippedRange) => void,
): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(corpusFile, "r");
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return;
    throw new StoreIOError(corpusFile, "open", error);
  }
  try {
    const size = (await handle.stat()).size;
    let pos = 0;
    let window = WINDOW;
    while (pos < size) {
      const length = Math.min(window, size - pos);
      const buffer = Buffer.allocUnsafe(length);
      let got = 0;
      while (got < length) {
        const { bytesRead } = await handle.read(buffer, got, length - got, pos + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      const bytes = buffer.subarray(0, got);
      const atEnd = pos + got >= size;
      // Cut points: every magic number after the first byte, and the end of what was read.
      const cuts: number[] = [];
      for (let at = bytes.indexOf(MAGIC, 1); at !== -1; at = bytes.indexOf(MAGIC, at + 1)) cuts.push(at);
      cuts.push(got);
      // The last piece of a window that stops short of the file's end may be cut short: it
      // starts the next window, unless it is the only piece (then the window grows).
      const usable = atEnd ? cuts.length : cuts.length - 1;
      if (usable === 0) {
        if (window < maxFrameBytes + (1 << 20)) {
          window *= 2;
          continue;
        }
        onSkip({ byteOffset: pos, length: got, reason: `no frame boundary within ${got} bytes` });
        pos += got;
        continue;
      }
      window = WINDOW;
      const { consumed, stop } = await scanPieces(bytes, pos, cuts, usable, corpusFile, maxFrameBytes, onFrame, onSkip);
      if (stop) return;
      pos += consumed;
    }
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** Decodes the pieces between cuts; returns how many bytes of `bytes` were settled. */
async function scanPieces(
  bytes: Buffer,
  base: number,
  cuts: number[],
  usable: number,
  path: string,
  maxFrameBytes: number,
  onFrame: (at: { byteOffset: number; length: number }, frame: Uint8Array, snapshot: SectionSnapshot) => unknown,
  onSkip: (range: SkippedRange) => void,
): Promise<{ consumed: number; stop: boolean }> {
  let start = 0;
  let k = 0; // index into cuts of the current piece's end
  while (k < usable) {
    // Try the next pieces as they are, in one batch.
    const ends = cuts.slice(k, Math.min(usable, k + DECODE_FRAMES));
    const starts = ends.map((_, j) => (j === 0 ? start : ends[j - 1]!));
    const results = await decodeFrameBatch(
      starts.map((s, j) => ({ bytes: bytes.subarray(s, ends[j]!), at: { byteOffset: base + s, length: ends[j]! - s }, path })),
      { maxFrameBytes },
    );
    let j = 0;
    for (; j < ends.length; j++) {
      const r = results[j]!;
      const s = starts[j]!;
      if (!(r instanceof Error)) {
        if (onFrame({ byteOffset: base + s, length: ends[j]! - s }, bytes.subarray(s, ends[j]!), r) === false) return { consumed: 0, stop: true };
        continue;
      }
      // Perhaps the magic bytes occurred inside this frame: join it with the next pieces.
      let joined = false;
      for (let m = k + j + 1; m < Math.min(usable, k + j + 1 + MAX_MERGE); m++) {
        const end = cuts[m]!;
        const [one] = await decodeFrameBatch([{ bytes: bytes.subarray(s, end), at: { byteOffset: base + s, length: end - s }, path }], { maxFrameBytes });
        if (!(one instanceof Error)) {
          if (onFrame({ byteOffset: base + s, length: end - s }, bytes.subarray(s, end), one!) === false) return { consumed: 0, stop: true };
          k = m + 1;
          start = end;
          joined = true;
          break;
        }
      }
      if (!joined) {
        onSkip({ byteOffset: base + s, length: ends[j]! - s, reason: r.message });
        k = k + j + 1;
        start = ends[j]!;
      }
      break;
    }
    if (j === ends.length) {
      k += ends.length;
      start = ends[ends.length - 1]!;
    }
  }
  return { consumed: start, stop: false };
}

/** What `recover` reports. */
export interface RecoverReport {
  recovered: number;
  skipped: SkippedRange[];
}

/** Every intact frame of the corpus as an index entry in `format`'s shape, in file order. */
export async function entriesFromCorpus(
  corpusFile: string,
  format: IndexFormat,
  maxFrameBytes: number,
): Promise<{ entries: IndexEntry[]; skipped: SkippedRange[] }> {
  const entries: IndexEntry[] = [];
  const skipped: SkippedRange[] = [];
  await scanCorpus(
    corpusFile,
    maxFrameBytes,
    (at, frame, s) => {
      entries.push(
        entryFor(format, { ...at, sectionId: s.sectionId, addedAt: s.lastSeenAt, sectionType: s.sectionType, autoMined: s.autoMined, crc32: crc32(frame) }),
      );
    },
    (range) => skipped.push(range),
  );
  return { entries, skipped };
}

/** True when the corpus holds at least one intact frame (stops at the first). */
export async function hasIntactFrame(corpusFile: string, maxFrameBytes: number): Promise<boolean> {
  let found = false;
  await scanCorpus(
    corpusFile,
    maxFrameBytes,
    () => {
      found = true;
      return false;
    },
    () => undefined,
  );
  return found;
}

/**
 * Recover's entries: every intact frame of the corpus, less those a whole commit of the old
 * journal removed (and did not add again), each with the weight and exposure the journal
 * last recorded for it. Without a journal to salvage, the corpus's frames as they are
 * (weights 1).
 */
export function mergeSalvage(found: readonly IndexEntry[], salvage: JournalSalvage | undefined): IndexEntry[] {
  if (salvage === undefined) return [...found];
  const key = (sectionId: string, byteOffset: number) => `${sectionId}@${byteOffset}`;
  const view = salvage.view;
  const live = new Map<string, number>();
  for (let r = 0; r < view.size; r++) live.set(key(view.sectionId(r), view.byteOffset[r]!), r);
  const removed = new Set(salvage.removed.map((k) => key(k.sectionId, k.byteOffset)));
  const out: IndexEntry[] = [];
  for (const e of found) {
    const k = key(e.sectionId, e.byteOffset);
    const r = live.get(k);
    if (r === undefined) {
      if (!removed.has(k)) out.push(e);
      continue;
    }
    const known = view.entry(r);
    out.push(view.replayCount[r]! > 0 ? { ...e, weight: known.weight, ...view.exposure(r) } : { ...e, weight: known.weight });
  }
  return out;
}

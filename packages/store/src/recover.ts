// Recovery: finishing what a crashed writer committed (roll forward), removing what it
// left before its commit point, and rebuilding a lost index from the corpus alone.
import { crc32, decodeFrameBatch, fsyncDir, type SectionSnapshot } from "@replaykit/corpus";
import { entryFor, type IndexEntry, type IndexFormat } from "@replaykit/index";
import { readdirSync } from "node:fs";
import { open, readFile, rename, unlink, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { StoreIOError } from "./errors.js";
import { pendingPaths, readGeneration, writeGeneration, type StorePaths } from "./generation.js";
import { compactIndexTarget, isIndexTemp, journalPathOf } from "./index-io.js";

/** The infix of a compaction's temp files: `.<corpus>.compact-<tag>`, `.<index>.compact-<tag>`. */
export const COMPACT_INFIX = ".compact-";

/**
 * Test seam for the crash tests: when REPLAYKIT_TEST_CRASH_AT names this point, the process
 * kills itself here with SIGKILL (no cleanup, like a power cut). No effect otherwise.
 */
export function crashPoint(name: string): void {
  if (process.env.REPLAYKIT_TEST_CRASH_AT === name) process.kill(process.pid, "SIGKILL");
}

async function renameIfPresent(from: string, to: string): Promise<boolean> {
  try {
    await rename(from, to);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return false;
    throw new StoreIOError(to, "swap in the compacted file", error);
  }
}

/**
 * Finishes a committed compaction, if the generation file names one: renames the new corpus,
 * then the new index, into place (a missing temp means already moved), then publishes the
 * generation as rolled forward. Writers only, with the lock held.
 */
export async function rollForward(p: StorePaths): Promise<void> {
  const { state } = await readGeneration(p);
  if (state.pending === undefined) return;
  const temps = pendingPaths(p, state.pending);
  if (await renameIfPresent(temps.corpus, p.corpusPath)) crashPoint("compact:corpus-swapped");
  await renameIfPresent(temps.index, compactIndexTarget(p.indexPath, state.pending.index));
  await syncDirs(p);
  await writeGeneration(p, { generation: state.generation });
}

/**
 * Stores compacted by replaykit before generations existed may hold a committed swap under
 * the marker `<index>.compacting` (JSON naming the two temp files by full path). Nothing
 * writes such a marker any more: a store object checks once, at its first write, before `rollForward`.
 */
export async function rollForwardLegacy(p: StorePaths): Promise<void> {
  const marker = `${p.indexPath}.compacting`;
  let text: string;
  try {
    text = await readFile(marker, "utf8");
  } catch {
    return;
  }
  const named = JSON.parse(text) as { corpus?: unknown; index?: unknown };
  if (typeof named.corpus !== "string" || typeof named.index !== "string")
    throw new StoreIOError(marker, "parse the compaction marker", new Error(text.slice(0, 80)));
  // Only files beside the live ones: a marker never names anything else.
  await renameIfPresent(join(dirname(p.corpusPath), basename(named.corpus)), p.corpusPath);
  await renameIfPresent(join(dirname(p.indexPath), basename(named.index)), p.indexPath);
  await syncDirs(p);
  const { state } = await readGeneration(p);
  await writeGeneration(p, { generation: state.generation + 1 });
  await unlink(marker).catch(() => undefined);
}

async function syncDirs(p: StorePaths): Promise<void> {
  await fsyncDir(dirname(p.corpusPath));
  if (dirname(p.indexPath) !== dirname(p.corpusPath)) await fsyncDir(dirname(p.indexPath));
}

/**
 * Removes what interrupted writers left before their commit points: compaction temps and
 * temp files of index and side-file writes. Call with the lock held, after `rollForward`
 * (so no committed temp is still pending).
 */
export async function removeAbandonedTemps(p: StorePaths): Promise<void> {
  const corpusBase = basename(p.corpusPath);
  const indexBase = basename(p.indexPath);
  const journalBase = basename(journalPathOf(p.indexPath));
  const abandoned = (name: string): boolean =>
    // a compaction's temps, and the temp files of their own atomic writes ("..<index>.compact-….tmp")
    name.includes(`.${corpusBase}${COMPACT_INFIX}`) ||
    name.includes(`.${indexBase}${COMPACT_INFIX}`) ||
    name.includes(`.${journalBase}${COMPACT_INFIX}`) ||
    isIndexTemp(name, p.indexPath);
  for (const dir of new Set([dirname(p.corpusPath), dirname(p.indexPath)])) {
    let names: string[];
    try {
      names = readdirSync(dir); // every write: a few entries, faster than a thread-pool round trip
    } catch {
      continue;
    }
    for (const name of names) if (abandoned(name)) await unlink(join(dir, name)).catch(() => undefined);
  }
}

// ---------------------------------------------------------------- scanning the corpus

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

// Consistent views of a store for readers. A view is one generation's (corpus, index) pair
// (see generation.ts): the generation file is read before the index is loaded and again
// after the caller's whole read; if it changed, the read is thrown away and done again in
// the new generation. Readers never rename, never write and never lock, so every read
// works on a read-only mount, whatever state a crash left (a committed but not rolled
// forward compaction is read from the files its commit names).
import {
  CorpusCorruptError,
  crc32,
  decodeFrameBatch,
  readFrames,
  type FramePointer,
  type SectionSnapshot,
} from "@replaykit/corpus";
import type { IndexEntry } from "@replaykit/index";
import { stat } from "node:fs/promises";
import { StoreChangedError, StoreIOError } from "./errors.js";
import { pendingPaths, readGeneration, type GenerationState, type StorePaths } from "./generation.js";
import { loadEntries } from "./index-io.js";

/** Raw frames read together are at most this many bytes (compressed). */
const READ_BUDGET = 16 << 20;
/** Frames decoded together: at most this many (each ≤ maxFrameBytes of content). */
const DECODE_FRAMES = 64;
/** Attempts before a reader gives up on a store that keeps changing under it. */
const MAX_ATTEMPTS = 100;

/** One generation's live entries and the files they point into. */
export class View {
  readonly generation: number;
  readonly entries: IndexEntry[];
  /** The corpus file this view reads frames from. */
  readonly corpusFile: string;
  /** True when a committed compaction was not rolled forward yet (the view reads its new files). */
  readonly pending: boolean;
  readonly #maxFrameBytes: number;

  constructor(generation: number, entries: IndexEntry[], corpusFile: string, pending: boolean, maxFrameBytes: number) {
    this.generation = generation;
    this.entries = entries;
    this.corpusFile = corpusFile;
    this.pending = pending;
    this.#maxFrameBytes = maxFrameBytes;
  }

  /** Size of the corpus file in bytes (0 when it does not exist). */
  async corpusSize(): Promise<number> {
    return sizeOf(this.corpusFile);
  }

  /** The raw bytes of frames, in the given order. @throws {CorpusCorruptError} for a pointer outside the file. */
  async rawFrames(pointers: readonly FramePointer[]): Promise<Uint8Array[]> {
    return pointers.length === 0 ? [] : readFrames(this.corpusFile, pointers);
  }

  /** Decodes frames read from this view; a snapshot or a `CorpusCorruptError` per frame. */
  async decode(frames: readonly Uint8Array[], pointers: readonly FramePointer[]): Promise<Array<SectionSnapshot | CorpusCorruptError>> {
    void this.#maxFrameBytes;
    return decodeFrameBatch(frames.map((bytes, i) => ({ bytes, at: pointers[i]!, path: this.corpusFile })));
  }

  /**
   * Walks `entries` in bounded batches (by bytes read and by frames decoded together),
   * handing each batch's raw frames and decode results to `fn`.
   */
  async forEachBatch<E extends FramePointer>(
    entries: readonly E[],
    fn: (batch: E[], frames: Uint8Array[], results: Array<SectionSnapshot | CorpusCorruptError>) => void | Promise<void>,
  ): Promise<void> {
    let i = 0;
    while (i < entries.length) {
      const batch: E[] = [];
      let bytes = 0;
      while (i < entries.length && batch.length < DECODE_FRAMES && (batch.length === 0 || bytes + entries[i]!.length <= READ_BUDGET)) {
        bytes += entries[i]!.length;
        batch.push(entries[i++]!);
      }
      const frames = await this.rawFrames(batch);
      await fn(batch, frames, await this.decode(frames, batch));
    }
  }

  /**
   * Reads and decodes frames in bounded batches, checking each index entry's CRC-32 (when
   * recorded) and section id. @throws {CorpusCorruptError} for the first damaged frame.
   */
  async readChecked(entries: ReadonlyArray<FramePointer | IndexEntry>): Promise<SectionSnapshot[]> {
    const out: SectionSnapshot[] = [];
    await this.forEachBatch(entries, (batch, frames, results) => {
      results.forEach((r, j) => {
        const problem = frameProblem(batch[j]!, frames[j]!, r, this.corpusFile);
        if (problem !== undefined) throw problem;
        out.push(r as SectionSnapshot);
      });
    });
    return out;
  }
}

/**
 * What is wrong with a frame read for `entry`, or undefined: the decode error, a CRC-32
 * mismatch, or a frame holding another section, type or flag than the entry says.
 */
export function frameProblem(
  entry: FramePointer & Partial<IndexEntry>,
  frame: Uint8Array,
  result: SectionSnapshot | CorpusCorruptError,
  path: string,
): CorpusCorruptError | undefined {
  const corrupt = (reason: "checksum" | "mismatch", message: string) =>
    new CorpusCorruptError(message, { byteOffset: entry.byteOffset, length: entry.length, path, reason });
  if (entry.crc32 !== undefined) {
    const actual = crc32(frame);
    if (actual !== entry.crc32) return corrupt("checksum", `CRC-32 mismatch: the index records ${entry.crc32}, the frame has ${actual}`);
  }
  if (result instanceof CorpusCorruptError) return result;
  if (entry.sectionId !== undefined && result.sectionId !== entry.sectionId) {
    return corrupt("mismatch", `the frame holds section ${result.sectionId}, the index says ${entry.sectionId}`);
  }
  if (entry.sectionType !== undefined && result.sectionType !== entry.sectionType) {
    return corrupt("mismatch", `the frame's type is ${result.sectionType}, the index says ${entry.sectionType}`);
  }
  if (entry.autoMined !== undefined && result.autoMined !== entry.autoMined) {
    return corrupt("mismatch", `the frame's auto_mined is ${result.autoMined}, the index says ${entry.autoMined}`);
  }
  return undefined;
}

/**
 * Runs `fn` in a consistent view of the store: the generation file is read before the
 * index and after `fn`; a change means a compaction happened in between, and `fn` runs
 * again in the new generation. (`fn` must only read.)
 *
 * @throws {StoreChangedError} when the store changed under every one of many attempts.
 */
export async function inView<T>(p: StorePaths, maxFrameBytes: number, fn: (view: View) => Promise<T>): Promise<T> {
  let lastGeneration = -1;
  for (let attempt = 1; ; attempt++) {
    const before = await readGeneration(p);
    const view = await openView(p, before.state, maxFrameBytes);
    let result: T | undefined;
    let failure: unknown;
    let failed = false;
    try {
      result = await fn(view);
    } catch (error) {
      failed = true;
      failure = error;
    }
    const after = await readGeneration(p);
    if (after.text === before.text) {
      if (!failed) return result as T;
      // A roll-forward renames the pending files before it rewrites the generation file, so
      // a read of a pending view can fail on a file that just moved: look again a few times.
      if (!view.pending || attempt >= 5) throw failure;
    } else if (attempt >= MAX_ATTEMPTS) {
      throw new StoreChangedError(p.indexPath, lastGeneration, after.state.generation);
    }
    lastGeneration = before.state.generation;
    await new Promise((r) => setTimeout(r, Math.min(attempt, 20)));
  }
}

async function openView(p: StorePaths, state: GenerationState, maxFrameBytes: number): Promise<View> {
  if (state.pending === undefined) {
    return new View(state.generation, await loadEntries(p.indexPath), p.corpusPath, false, maxFrameBytes);
  }
  // Committed, maybe partly rolled forward: each new file is under its temp name or, once
  // renamed (renames are atomic and a temp name is never reused), under the live name.
  const temps = pendingPaths(p, state.pending);
  let entries = await loadEntries(temps.index);
  if (entries.length === 0 && !(await exists(temps.index))) entries = await loadEntries(p.indexPath);
  const corpusFile = (await exists(temps.corpus)) ? temps.corpus : p.corpusPath;
  return new View(state.generation, entries, corpusFile, true, maxFrameBytes);
}

/** Checks that entries handed back by a caller come from the view's generation. */
export function assertGeneration(p: StorePaths, view: View, generations: Iterable<number>): void {
  for (const g of generations) if (g !== view.generation) throw new StoreChangedError(p.indexPath, g, view.generation);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return false;
    throw new StoreIOError(path, "stat", error);
  }
}

export async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return 0;
    throw new StoreIOError(path, "stat", error);
  }
}

/**
 * The live generation as a writer sees it: with the lock held and after `rollForward`,
 * nothing is pending, so the live paths are the generation.
 */
export async function writerView(p: StorePaths, maxFrameBytes: number): Promise<View> {
  const { state } = await readGeneration(p);
  return new View(state.generation, await loadEntries(p.indexPath), p.corpusPath, false, maxFrameBytes);
}

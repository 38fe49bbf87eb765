// Consistent views of a store for readers. A view is one generation's (corpus, index) pair
// (see generation.ts): the generation file is read before the index is loaded and again
// after the caller's whole read; if it changed, the read is thrown away and done again in
// the new generation. Readers never rename, never write and never lock, so every read
// works on a read-only mount, whatever state a crash left (a committed but not rolled
// forward compaction is read from the files its commit names).
import {
  checkFrames,
  CorpusCorruptError,
  decodeFrameBatch,
  readFramesBatched,
  type FrameEntry,
  type FramePointer,
  type SectionSnapshot,
} from "@replaykit/corpus";
import type { IndexEntry } from "@replaykit/index";
import { stat } from "node:fs/promises";
import { StoreChangedError, StoreIOError } from "./errors.js";
import { pendingPaths, readGeneration, type GenerationState, type StorePaths } from "./generation.js";
import { loadEntries } from "./index-io.js";

/** Attempts before a reader gives up on a store that keeps changing under it. */
const MAX_ATTEMPTS = 100;

/** One batch of a view's sweep: entries from `start` on, each with its frame's bytes or why it has none. */
export interface ViewBatch<E> {
  start: number;
  entries: E[];
  frames: Array<Uint8Array | CorpusCorruptError>;
}

/** One generation's live entries and the files they point into. */
export class View {
  readonly generation: number;
  readonly entries: IndexEntry[];
  /** The corpus file this view reads frames from. */
  readonly corpusFile: string;
  /** True when a committed compaction was not rolled forward yet (the view reads its new files). */
  readonly pending: boolean;
  readonly maxFrameBytes: number;

  constructor(generation: number, entries: IndexEntry[], corpusFile: string, pending: boolean, maxFrameBytes: number) {
    this.generation = generation;
    this.entries = entries;
    this.corpusFile = corpusFile;
    this.pending = pending;
    this.maxFrameBytes = maxFrameBytes;
  }

  /** Size of the corpus file in bytes (0 when it does not exist). */
  async corpusSize(): Promise<number> {
    return sizeOf(this.corpusFile);
  }

  /**
   * Sweeps `entries` in batches sized by the content their frames declare (corpus's
   * `readFramesBatched`), so memory stays bounded whatever the store holds. Never throws
   * for damage: a frame outside the file or over `maxFrameBytes` is an error in its slot.
   */
  async *batches<E extends FramePointer>(entries: readonly E[]): AsyncGenerator<ViewBatch<E>> {
    for await (const batch of readFramesBatched(this.corpusFile, entries, { maxFrameBytes: this.maxFrameBytes })) {
      yield { start: batch.start, entries: entries.slice(batch.start, batch.start + batch.frames.length), frames: batch.frames };
    }
  }

  /**
   * Decodes a batch's frames, checking each against its entry where it is one (corpus's
   * `checkFrames`: CRC-32, section id, type, flag); bare pointers are only decoded.
   */
  async check(batch: ViewBatch<FramePointer | FrameEntry>): Promise<Array<SectionSnapshot | CorpusCorruptError>> {
    const out: Array<SectionSnapshot | CorpusCorruptError> = new Array(batch.entries.length);
    const withId: number[] = [];
    const bare: number[] = [];
    batch.entries.forEach((e, i) => (typeof (e as Partial<FrameEntry>).sectionId === "string" ? withId : bare).push(i));
    const options = { maxFrameBytes: this.maxFrameBytes, path: this.corpusFile };
    const checked = await checkFrames(
      withId.map((i) => batch.entries[i] as FrameEntry),
      withId.map((i) => batch.frames[i]!),
      options,
    );
    withId.forEach((i, j) => (out[i] = checked[j]!));
    const sources = bare.flatMap((i) => {
      const frame = batch.frames[i]!;
      if (frame instanceof CorpusCorruptError) {
        out[i] = frame;
        return [];
      }
      return [{ bytes: frame, at: batch.entries[i]!, path: this.corpusFile, slot: i }];
    });
    const decoded = await decodeFrameBatch(sources, { maxFrameBytes: this.maxFrameBytes });
    sources.forEach((s, j) => (out[s.slot] = decoded[j]!));
    return out;
  }

  /**
   * Reads and checks frames in bounded batches, in the given order.
   * @throws {CorpusCorruptError} for the first damaged frame.
   */
  async readChecked(entries: ReadonlyArray<FramePointer | IndexEntry>): Promise<SectionSnapshot[]> {
    const out: SectionSnapshot[] = [];
    for await (const batch of this.batches(entries)) {
      for (const r of await this.check(batch)) {
        if (r instanceof CorpusCorruptError) throw r;
        out.push(r);
      }
    }
    return out;
  }
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

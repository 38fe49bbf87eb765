// Consistent views of a store for readers. A view is one generation's (corpus, index) pair
// (see generation.ts): the generation file is read before the index is loaded and again
// after the caller's whole read; if it changed, the read is thrown away and done again in
// the new generation. Readers never rename, never write and never lock, so every read
// works on a read-only mount, whatever state a crash left (a committed but not rolled
// forward compaction is read from the files its commit names).
import {
  checkFrames,
  CorpusCorruptError,
  CorpusIOError,
  decodeFrameBatch,
  readFramesBatched,
  type FrameEntry,
  type FramePointer,
  type SectionSnapshot,
} from "@replaykit/corpus";
import type { IndexEntry, IndexView } from "@replaykit/index";
import { statSync } from "node:fs";
import { open, stat, type FileHandle } from "node:fs/promises";
import { StoreChangedError, StoreIOError } from "./errors.js";
import { readGeneration, type GenerationState } from "./generation.js";
import { entriesWithIds, indexOf, readIndexAt, type IndexRead } from "./index-io.js";
import { layoutOf, type StorePaths } from "./layout.js";
import { hasIntactFrame } from "./scan.js";

/**
 * Where a view's frames come from when they are not in a local corpus file: a store in
 * object storage (remote/remote.ts `RemoteFrames`). Its bytes never change under a view.
 */
export interface FrameSource {
  /** The corpus as messages name it (`s3://bucket/prefix/corpus.zst`). */
  readonly label: string;
  size(): Promise<number>;
  batches(pointers: readonly FramePointer[]): AsyncGenerator<{ start: number; frames: Array<Uint8Array | CorpusCorruptError> }>;
}

/** Attempts before a reader gives up on a store that keeps changing under it. */
const MAX_ATTEMPTS = 100;

/** One batch of a view's sweep: entries from `start` on, each with its frame's bytes or why it has none. */
export interface ViewBatch<E> {
  start: number;
  entries: E[];
  frames: Array<Uint8Array | CorpusCorruptError>;
}

/**
 * One generation's live entries and the files they point into. A replaykit store's view
 * holds the journal's columns (`columns`) and makes `IndexEntry` objects only when asked
 * (`entries`, made once per view); a dlm store's view holds index.json's entries.
 */
export class View {
  readonly generation: number;
  /** True when a committed compaction was not rolled forward yet (the view reads its new files). */
  readonly pending: boolean;
  readonly maxFrameBytes: number;
  #handle: FileHandle | undefined;
  #path: string;
  #index: IndexRead;
  #entries: IndexEntry[] | undefined;
  #source: FrameSource | undefined;

  constructor(generation: number, index: IndexRead, corpusFile: string, pending: boolean, maxFrameBytes: number) {
    this.generation = generation;
    this.#index = index;
    this.#entries = index.entries;
    this.#path = corpusFile;
    this.pending = pending;
    this.maxFrameBytes = maxFrameBytes;
  }

  /**
   * The live entries as columns (a replaykit store's v2 index), undefined for a dlm store.
   * Unchanged while the view is open (until `close`); hot paths read these, not `entries`.
   */
  get columns(): IndexView | undefined {
    return this.#index.columns;
  }

  /** The live entries as objects, in index order (made from the columns on first use). */
  get entries(): IndexEntry[] {
    this.#entries ??= this.#index.columns?.toEntries() ?? [];
    return this.#entries;
  }

  /** The live entries whose section id is in `ids` (from the columns: objects only for the matches). */
  entriesOf(ids: ReadonlySet<unknown>): IndexEntry[] {
    const columns = this.#index.columns;
    return columns !== undefined ? entriesWithIds(columns, ids) : this.entries.filter((e) => ids.has(e.sectionId));
  }

  /** Damage in the middle of the journal with whole commits after it (see index-io.ts), when the read found any. */
  get damage(): IndexRead["damage"] {
    return this.#index.damage;
  }

  /** The journal's whole commits when read (a replaykit store), else undefined. */
  get commits(): number | undefined {
    return this.#index.commits;
  }

  /** Number of live entries (without making objects). */
  get size(): number {
    return this.#index.columns?.size ?? this.entries.length;
  }

  /**
   * True when the store's index looks lost: there is no index file at all beside a
   * non-empty corpus, or the index holds no entries beside intact frames while no writer
   * marked it emptied on purpose (the sidecar, layout.ts). A first append creates the index
   * and its mark before any frame, so one cut short leaves dead bytes, not a lost index.
   */
  async looksLost(): Promise<boolean> {
    // A store in object storage has its index in its commits: never lost, at worst empty.
    if (this.size > 0 || this.#source !== undefined) return false;
    const bytes = await this.corpusSize();
    if (bytes === 0) return false;
    if (this.#index.missing === true) return true;
    if (await this.#emptiedOnPurpose()) return false;
    if (!(await hasIntactFrame(this.corpusFile, this.maxFrameBytes))) return false;
    // A first append commits and then drops the "emptied on purpose" mark: a journal that grew
    // since this view read it holds those entries (this view is only early), it is not lost.
    return this.#index.grown?.() !== true;
  }

  #emptiedOnPurpose: () => Promise<boolean> = async () => false;

  /** @internal How `looksLost` learns that a dlm index was emptied on purpose (its sidecar). */
  withSidecar(check: () => Promise<boolean>): this {
    this.#emptiedOnPurpose = check;
    return this;
  }

  /** @internal Reads frames from `source` (a store in object storage), not from a corpus file. */
  withFrames(source: FrameSource): this {
    this.#source = source;
    this.#path = source.label;
    return this;
  }

  /** The corpus file this view reads frames from (its descriptor's name when pinned). */
  get corpusFile(): string {
    return this.#handle !== undefined && this.#fdDir !== undefined ? `${this.#fdDir}/${this.#handle.fd}` : this.#path;
  }

  /** The corpus path the view was opened from (for messages). */
  get corpusPath(): string {
    return this.#path;
  }

  /** True when reads go through the open descriptor: the view cannot change under them. */
  get pinned(): boolean {
    if (this.#source !== undefined) return true;
    return this.#handle !== undefined && this.#fdDir !== undefined;
  }

  #fdDir: string | undefined;

  /** @internal Binds the view to an open corpus file (none: the file does not exist). */
  pinTo(path: string, handle: FileHandle | undefined, fdDir: string | undefined): this {
    this.#path = path;
    this.#handle = handle;
    this.#fdDir = fdDir;
    return this;
  }

  /** Closes the pinned descriptor and lets go of the index (its columns may change after this). */
  async close(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close().catch(() => undefined);
    const index = this.#index;
    this.#index = { release: async () => undefined };
    await index.release();
  }

  /** Size of the corpus file in bytes (0 when it does not exist). */
  async corpusSize(): Promise<number> {
    if (this.#source !== undefined) return this.#source.size();
    return sizeOf(this.corpusFile);
  }

  /**
   * Sweeps `entries` in batches sized by the content their frames declare (corpus's
   * `readFramesBatched`), so memory stays bounded whatever the store holds. Never throws
   * for damage: a frame outside the file or over `maxFrameBytes` is an error in its slot.
   */
  async *batches<E extends FramePointer>(entries: readonly E[]): AsyncGenerator<ViewBatch<E>> {
    if (this.#source !== undefined) {
      for await (const batch of this.#source.batches(entries))
        yield { start: batch.start, entries: entries.slice(batch.start, batch.start + batch.frames.length), frames: batch.frames };
      return;
    }
    try {
      for await (const batch of readFramesBatched(this.corpusFile, entries, { maxFrameBytes: this.maxFrameBytes })) {
        const frames = batch.frames.map((f) => (f instanceof CorpusCorruptError ? this.#named(f) : f));
        yield { start: batch.start, entries: entries.slice(batch.start, batch.start + batch.frames.length), frames };
      }
    } catch (error) {
      throw this.#named(error);
    }
  }

  /** An error of corpus's readers naming the pinned descriptor, renamed to name the corpus file. */
  #named<E>(error: E): E {
    const fdPath = this.corpusFile;
    if (fdPath === this.#path) return error;
    if (CorpusCorruptError.isInstance(error) && error.path === fdPath) {
      const prefix = `corpus: ${fdPath} at byte ${error.byteOffset} (+${error.length}): `;
      const message = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
      const where = { byteOffset: error.byteOffset, length: error.length, path: this.#path, reason: error.reason, cause: error.cause };
      return new CorpusCorruptError(message, where) as E;
    }
    if (CorpusIOError.isInstance(error) && error.path === fdPath) return new CorpusIOError(this.#path, error.action, error.cause) as E;
    return error;
  }

  /**
   * Decodes a batch's frames, checking each against its entry where it is one (corpus's
   * `checkFrames`: CRC-32, section id, type, flag); bare pointers are only decoded.
   */
  async check(batch: ViewBatch<FramePointer | FrameEntry>): Promise<Array<SectionSnapshot | CorpusCorruptError>> {
    const out: Array<SectionSnapshot | CorpusCorruptError> = new Array(batch.entries.length);
    const withId: number[] = [];
    const bare: number[] = [];
    batch.entries.forEach((e, i) => {
      (typeof (e as Partial<FrameEntry>).sectionId === "string" ? withId : bare).push(i);
    });
    const options = { maxFrameBytes: this.maxFrameBytes, path: this.corpusFile };
    const checked = await checkFrames(
      withId.map((i) => batch.entries[i] as FrameEntry),
      withId.map((i) => batch.frames[i]!),
      options,
    );
    withId.forEach((i, j) => {
      out[i] = this.#named(checked[j]!);
    });
    const sources = bare.flatMap((i) => {
      const frame = batch.frames[i]!;
      if (frame instanceof CorpusCorruptError) {
        out[i] = frame;
        return [];
      }
      return [{ bytes: frame, at: batch.entries[i]!, path: this.corpusFile, slot: i }];
    });
    const decoded = await decodeFrameBatch(sources, { maxFrameBytes: this.maxFrameBytes });
    sources.forEach((s, j) => {
      out[s.slot] = this.#named(decoded[j]!);
    });
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

// Where an open file can be named by its descriptor: opening `<dir>/<fd>` opens the file the
// descriptor holds, even after it was renamed over or unlinked (Linux: /proc/self/fd; macOS
// and the BSDs: /dev/fd). A view opens its corpus once and reads it through that name, so
// every read of the view — however long, however many compactions meanwhile — reads the
// same file, through corpus's own readers.
const FD_DIR = ["/proc/self/fd", "/dev/fd"].find((dir) => {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
});

/**
 * Runs `fn` in a consistent view of the store: the generation file is read, the index
 * loaded and the corpus opened, and the generation file read again; if it changed, a
 * compaction was publishing meanwhile and the view is opened again. Once open, the view's
 * corpus is pinned by its descriptor (see FD_DIR), so `fn` reads one generation however long
 * it runs. (Where descriptors cannot be named, the generation file is also checked after
 * `fn`, and `fn` runs again if it changed.) `fn` must only read.
 *
 * @throws {StoreChangedError} when the store changed under every one of many attempts.
 */
export async function inView<T>(p: StorePaths, maxFrameBytes: number, fn: (view: View) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const { view, text } = await openConsistentView(p, maxFrameBytes);
    try {
      const result = await fn(view);
      if (view.pinned || (await readGeneration(p)).text === text) return result;
    } catch (error) {
      // Unpinned, a read of a file a compaction just moved fails: look again while it changes.
      if (view.pinned || (await readGeneration(p)).text === text) throw error;
    } finally {
      await view.close();
    }
    if (attempt >= MAX_ATTEMPTS) throw new StoreChangedError(p.indexPath, view.generation, (await readGeneration(p)).state.generation);
    await new Promise((r) => setTimeout(r, Math.min(attempt, 20)));
  }
}

/**
 * Opens a view whose index and corpus are of one generation (the generation file read the
 * same before and after opening them). The caller closes it.
 * @throws {StoreChangedError} when the store changed under every one of many attempts.
 */
export async function openConsistentView(p: StorePaths, maxFrameBytes: number): Promise<{ view: View; text: string }> {
  for (let attempt = 1; ; attempt++) {
    const before = await readGeneration(p);
    const view = await openView(p, before.state, maxFrameBytes);
    const after = await readGeneration(p);
    if (after.text === before.text) return { view, text: before.text };
    await view.close();
    if (attempt >= MAX_ATTEMPTS) throw new StoreChangedError(p.indexPath, before.state.generation, after.state.generation);
    await new Promise((r) => setTimeout(r, Math.min(attempt, 20)));
  }
}

async function openView(p: StorePaths, state: GenerationState, maxFrameBytes: number): Promise<View> {
  const layout = layoutOf(p);
  // A FIFO or a device in a store file's place would hang an open: refused first.
  layout.assertRegularFiles();
  const index = indexOf(p);
  const sidecar = () => index.emptiedOnPurpose();
  if (state.pending === undefined) {
    const read = await index.read();
    return pin(new View(state.generation, read, p.corpusPath, false, maxFrameBytes).withSidecar(sidecar), [p.corpusPath]);
  }
  // Committed, maybe partly rolled forward: each new file is under its temp name or, once
  // renamed (renames are atomic and a temp name is never reused), under the live name.
  const temps = layout.pendingPaths(state.pending);
  const read = (await readIndexAt(temps.index, temps.liveIndex === layout.journalPath)) ?? (await index.read());
  return pin(new View(state.generation, read, temps.corpus, true, maxFrameBytes).withSidecar(sidecar), [temps.corpus, p.corpusPath]);
}

/** Opens the first of `candidates` that exists and pins the view to it. */
async function pin(view: View, candidates: string[]): Promise<View> {
  for (const path of candidates) {
    let handle: FileHandle;
    try {
      handle = await open(path, "r");
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") continue;
      await view.close();
      throw new StoreIOError(path, "open", error);
    }
    return view.pinTo(path, handle, FD_DIR);
  }
  // No corpus file at all: an empty store (or a damaged one; reads say so).
  return view.pinTo(candidates.at(-1)!, undefined, FD_DIR);
}

/** Checks that entries handed back by a caller come from the view's generation. */
export function assertGeneration(p: StorePaths, view: View, generations: Iterable<number>): void {
  for (const g of generations) if (g !== view.generation) throw new StoreChangedError(p.indexPath, g, view.generation);
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
  const entries = await indexOf(p).load();
  return new View(state.generation, { entries, release: async () => undefined }, p.corpusPath, false, maxFrameBytes);
}

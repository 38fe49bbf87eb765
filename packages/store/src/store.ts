// The facade: each public method checks its arguments, takes a consistent view (reads) or
// the writer lock (writes), and hands the work to the module that does it.
import type { FramePointer, SectionSnapshot } from "@replaykit/corpus";
import { indexFormatOf, type IndexEntry, type IndexFormat } from "@replaykit/index";
import { defaultExpanders, type Row, type RowExpander } from "@replaykit/parsers";
import { dirname, join, resolve } from "node:path";
import type { StoreContext } from "./context.js";
import { drawRows, redrawRows, type DrawOptions } from "./draw.js";
import { StoreArgumentError, StoreIndexLostError, StoreIOError, StoreNotFoundError, StoreUnsupportedError } from "./errors.js";
import type { EvictResult } from "./evict.js";
import { migrateGeneration } from "./generation.js";
import { indexOf } from "./index-io.js";
import { ingestSnapshots, removeIdsOf, type AppendOptions, type IngestResult } from "./ingest.js";
import { StoreLayout } from "./layout.js";
import {
  AppendOptionsSchema,
  CompactOptionsSchema,
  checked,
  EvictOptionsSchema,
  RemoveOptionsSchema,
  resolveStoreOptions,
  SamplePreferenceRowsOptionsSchema,
  RecordNumberSchema,
  RecordNumbersSchema,
  SampleRowsOptionsSchema,
  VerifyOptionsSchema,
  type CompactOptions,
  type SamplePreferenceRowsOptions,
  type SampleRowsOptions,
  type StoreOptions,
  type VerifyOptions,
} from "./options.js";
import type { QuarantineRecord } from "./quarantine.js";
import type { DrawReceipt } from "./receipt.js";
import { drawSource, exportView, pickOptions, samplePreferenceRows, sampleRows } from "./sample.js";
import { entriesFromCorpus, mergeSalvage, type RecoverReport } from "./scan.js";
import type { StoreStats } from "./stats.js";
import type { VerifyReport } from "./verify.js";
import { type IndexRead, readIndexAt } from "./index-io.js";
import { isS3Location } from "./remote/location.js";
import type { PinnedState, RemoteCounters, RemoteStore, RemoteWrite } from "./remote/remote.js";
import { assertGeneration, inView, openConsistentView, View, writerView } from "./view.js";

// The generation each entry returned by `load()` came from (readMany checks it).
const loadedIn = new WeakMap<object, number>();

/**
 * A replay store: a corpus file of zstd frames and the index that points into it, bound
 * together. Mutating calls hold a cross-process lock; readers take none and never mix an
 * old index with a new corpus.
 *
 * @example
 * ```ts
 * const store = await ReplayStore.open("./replay");
 * await store.append(createSnapshot({ sectionType: "prose", content: "Old but important." }));
 * const rows = await store.sampleRows({ k: 32, now: new Date(), seed: 7 });
 * ```
 */
export class ReplayStore {
  /** What `open` was given, normalised: an absolute directory, or `s3://bucket/prefix`. */
  readonly location: string;
  readonly corpusPath: string;
  readonly indexPath: string;
  readonly #ctx: StoreContext;
  readonly #lock: boolean;
  readonly #lockTimeoutMs: number;
  readonly #create: boolean;
  /** Set by the first write of this object: its directories exist, and a legacy compaction marker was rolled forward. */
  #started = false;
  /** A store in object storage: the objects, and the commit this object reads. */
  #remote: RemoteStore<ReplayStore> | undefined;
  #pinned: PinnedState | undefined;
  /** The commit last read or written (a directory's journal: its commit count as last seen). */
  #commit = 0;
  /** The pinned commit's journal, open (a store in object storage). */
  #pinnedIndex: { commit: number; read: Promise<IndexRead | undefined> } | undefined;

  private constructor(corpusPath: string, indexPath: string, options: StoreOptions, location = dirname(corpusPath)) {
    this.location = location;
    this.corpusPath = corpusPath;
    this.indexPath = indexPath;
    const o = resolveStoreOptions(options);
    // Null prototype: section type names are plain keys ("constructor" is a type like any other).
    const expanders: Record<string, RowExpander> = Object.assign(Object.create(null) as Record<string, RowExpander>, defaultExpanders);
    for (const [type, expander] of Object.entries(o.expanders)) {
      if (expander === undefined) delete expanders[type];
      else expanders[type] = expander;
    }
    this.#ctx = { paths: this, layout: new StoreLayout(this), expanders: Object.freeze(expanders), maxFrameBytes: o.maxFrameBytes };
    this.#lock = o.lock;
    this.#lockTimeoutMs = o.lockTimeoutMs;
    this.#create = o.create;
  }

  /**
   * A store whose corpus and index live at the given paths. Creates nothing: the first
   * write creates the directories (unless `options.create` is false).
   * @throws {StoreNotFoundError} with `create: false`, when a directory is missing.
   * @throws {StoreArgumentError} for bad options.
   */
  static async at(corpusPath: string, indexPath: string, options: StoreOptions = {}): Promise<ReplayStore> {
    if (typeof corpusPath !== "string" || corpusPath === "") throw new StoreArgumentError("corpusPath", "must be a non-empty path");
    if (typeof indexPath !== "string" || indexPath === "") throw new StoreArgumentError("indexPath", "must be a non-empty path");
    const store = new ReplayStore(resolve(corpusPath), resolve(indexPath), options);
    if (options.create === false) await store.#assertExists();
    return store;
  }

  /**
   * The store in directory `dir` (`<dir>/corpus.zst` and its index, `<dir>/index.rkx` or a
   * dlm store's `<dir>/index.json`), or in object storage at `s3://bucket/prefix` (pinned to
   * the latest commit, or `options.commit`; see docs/DESIGN.md §11).
   * @throws {StoreArgumentError} for a malformed location or bad options.
   * @throws {StoreUnsupportedError} for an s3:// location when `@replaykit/object-store` is not installed.
   */
  static async open(dir: string, options: StoreOptions = {}): Promise<ReplayStore> {
    if (typeof dir !== "string" || dir === "") throw new StoreArgumentError("dir", "must be a non-empty path");
    if (isS3Location(dir)) return ReplayStore.#openRemote(dir, options);
    return ReplayStore.at(join(dir, "corpus.zst"), join(dir, "index.json"), options);
  }

  static async #openRemote(location: string, options: StoreOptions): Promise<ReplayStore> {
    const o = resolveStoreOptions(options);
    const { connectRemote } = await import("./remote/connect.js");
    const local = { expanders: options.expanders ?? {}, maxFrameBytes: o.maxFrameBytes, lock: false };
    const remote = await connectRemote(location, o, (dir) => ReplayStore.open(dir, local));
    const url = remote.location.url;
    const store = new ReplayStore(`${url}/corpus.zst`, `${url}/index.json`, options, url);
    store.#remote = remote;
    store.#pinned = await remote.state(o.commit);
    store.#commit = store.#pinned.commit;
    if (o.create === false && store.#pinned.commit === 0) throw new StoreNotFoundError(url, "it has no commits, and create is false");
    return store;
  }

  /** The commit this object reads: in object storage the pinned one; in a directory the journal's commit count as last read or written. */
  get commit(): number {
    return this.#commit;
  }

  /** Moves to the latest commit (in object storage; a directory is always read as it is now) and returns it. */
  async refresh(): Promise<number> {
    if (this.#remote === undefined) {
      await this.#read(async () => undefined, "allow-lost");
      return this.#commit;
    }
    this.#pinned = await this.#remote.state();
    this.#commit = this.#pinned.commit;
    return this.#commit;
  }

  /** @internal The object store's requests and bytes so far (benchmarks); undefined for a directory. */
  get remoteCounters(): Readonly<RemoteCounters> | undefined {
    return this.#remote === undefined ? undefined : { ...this.#remote.counters };
  }

  /** Where a replaykit store keeps its index, the journal (FORMAT.md of @replaykit/index): `<dir>/index.rkx`. A dlm store's index is `indexPath`. */
  get journalPath(): string {
    return this.#ctx.layout.journalPath;
  }

  /** The lock file writers hold: `<dir>/index.rkx.lock` (see the store README, "Files"). */
  get lockPath(): string {
    return this.#ctx.layout.lockPath;
  }

  /** Every file of the store, by name (see layout.ts). */
  get layout(): StoreLayout {
    return this.#ctx.layout;
  }

  // ---------------------------------------------------------------- reading

  /**
   * The current index entries, from one generation of the store.
   * @throws {StoreNotFoundError} when the store's directory does not exist.
   * @throws {StoreIndexLostError} when the index looks lost (recover rebuilds it).
   */
  async load(): Promise<IndexEntry[]> {
    return this.#read(async (view) => {
      const entries = view.entries;
      for (const e of entries) loadedIn.set(e, view.generation);
      return entries;
    });
  }

  /**
   * Reads one frame; a full index entry's checksum (if recorded) and section id are checked too.
   * @throws {CorpusCorruptError} for a damaged frame.
   * @throws {StoreChangedError} when `entry` came from a `load()` before a compaction: load again.
   */
  async read(entry: FramePointer | IndexEntry): Promise<SectionSnapshot> {
    if (typeof entry !== "object" || entry === null) throw new StoreArgumentError("entry", "must be a frame pointer or an index entry");
    const [snapshot] = await this.readMany([entry]);
    return snapshot!;
  }

  /**
   * Reads many frames in the given order, in bounded batches, checking each index entry.
   * Entries from `load()` are read from the generation they came from, or not at all.
   * @throws {CorpusCorruptError} for the first damaged frame.
   * @throws {StoreChangedError} when the entries came from a `load()` before a compaction: load again.
   */
  async readMany(entries: ReadonlyArray<FramePointer | IndexEntry>): Promise<SectionSnapshot[]> {
    if (!Array.isArray(entries)) throw new StoreArgumentError("entries", "must be an array of frame pointers or index entries");
    return this.#read(async (view) => {
      const generations = new Set<number>();
      for (const e of entries) {
        const g = typeof e === "object" && e !== null ? loadedIn.get(e) : undefined;
        if (g !== undefined) generations.add(g);
      }
      assertGeneration(this, view, generations);
      return view.readChecked(entries);
    }, "allow-lost");
  }

  /**
   * Every live entry with its snapshot, in file (append) order, from one generation (the
   * view holds its corpus open, so a compaction meanwhile does not disturb it): an export.
   * @throws {CorpusCorruptError} for a damaged frame, after the ones before it were yielded.
   * @throws {StoreIndexLostError} when the index looks lost.
   */
  async *exportSnapshots(): AsyncGenerator<{ entry: IndexEntry; snapshot: SectionSnapshot }> {
    if (this.#remote !== undefined) {
      const view = await this.#remoteView();
      try {
        yield* exportView(view);
      } finally {
        await view.close();
      }
      return;
    }
    await this.#assertExists();
    const { view } = await openConsistentView(this, this.#ctx.maxFrameBytes);
    try {
      await this.#refuseLost(view);
      // Unpinned (no way to name a descriptor on this platform): read it all in one checked view.
      yield* view.pinned ? exportView(view) : await this.#read(async (v) => collect(exportView(v)));
    } finally {
      await view.close();
    }
  }

  /**
   * Samples `k` entries (see `@replaykit/sampler`), reads their frames and expands each with
   * its type's expander, in sample order.
   * @throws {StoreArgumentError} for bad options.
   * @throws {UnknownSectionTypeError} when a picked section's type has no expander.
   */
  async sampleRows(options: SampleRowsOptions): Promise<Row[]> {
    const o = checked(SampleRowsOptionsSchema, options, "options");
    return this.#read((view) => sampleRows(this.#ctx, view, pickOptions(o)));
  }

  /** Samples among preference sections only (and, with `includeAutoMined: false`, only those not mined automatically). */
  async samplePreferenceRows(options: SamplePreferenceRowsOptions): Promise<Row[]> {
    const o = checked(SamplePreferenceRowsOptionsSchema, options, "options");
    return this.#read((view) => samplePreferenceRows(this.#ctx, view, pickOptions(o), o.includeAutoMined ?? true));
  }

  /**
   * Draws training rows within a budget (`k` sections, `rows`, or `maxTokens`), optionally
   * split by section type (`mix`), in one consistent view, with a receipt that `redraw`
   * repeats. With `recordExposure`, the picks are then counted as replayed under the lock.
   * @throws {StoreArgumentError} for bad options.
   * @throws {UnknownSectionTypeError} when a picked section's type has no expander.
   */
  async draw(options: DrawOptions): Promise<{ rows: Row[]; receipt: DrawReceipt }> {
    let exposed: readonly IndexEntry[] | undefined;
    const drawn = await this.#read(async (view) => {
      exposed = undefined; // a view that starts over draws again
      // A replaykit store can record exposure (a legacy index.json migrates to the journal on the write).
      const canRecord = options?.recordExposure === true && (await this.#formatOf(view)) === "replaykit";
      const record = canRecord
        ? (picks: readonly IndexEntry[]) => {
            exposed = picks;
          }
        : undefined;
      return drawRows(drawSource(this.#ctx, view, record), options);
    });
    const picks = exposed;
    if (picks !== undefined) {
      if (this.#remote !== undefined)
        await this.#remoteWrite({
          name: "recordExposure",
          corpus: "sparse",
          run: (local) => local.#write(() => indexOf(local).commitExposure(picks, options.now)),
        });
      else await this.#write(() => indexOf(this).commitExposure(picks, options.now));
    }
    drawn.receipt.store.commit = this.#commit;
    return drawn;
  }

  /**
   * The rows of a receipt's picks, byte for byte as drawn, while the picks are in the store.
   * @throws {DrawReceiptError} for a malformed receipt, picks that are gone or now hold other content (named).
   */
  async redraw(receipt: DrawReceipt): Promise<{ rows: Row[] }> {
    const commit = (receipt as { store?: { commit?: unknown } } | null)?.store?.commit;
    if (this.#remote !== undefined && typeof commit === "number" && Number.isSafeInteger(commit) && commit > 0)
      return this.#remoteRead((view) => redrawRows(drawSource(this.#ctx, view), receipt), commit);
    return this.#read((view) => redrawRows(drawSource(this.#ctx, view), receipt));
  }

  /** Counts, sizes, types and dates of the live entries, and the quarantine's size. @throws {StoreIndexLostError} when the index looks lost. */
  async stats(): Promise<StoreStats> {
    const [{ statsOf }, { quarantineSummary }] = await Promise.all([import("./stats.js"), import("./quarantine.js")]);
    return this.#read(async (view) => statsOf(view, await this.#formatOf(view), quarantineSummary(this.#ctx.layout)));
  }

  /**
   * Checks every entry in one view (pointer, decode, id/type/flag, CRC-32), and flags a lost
   * index. Never throws for damage. With `repair: true` (a write) each damaged entry's bytes
   * move into the quarantine and the entry leaves the live index.
   * @throws {StoreNotFoundError} when the store's directory does not exist.
   */
  async verify(options: VerifyOptions = {}): Promise<VerifyReport> {
    const { repair = false, onProgress } = checked(VerifyOptionsSchema, options, "options");
    const layout = this.#ctx.layout;
    const [{ verifyView }, { readQuarantine, repairView }] = await Promise.all([import("./verify.js"), import("./quarantine.js")]);
    if (!repair)
      return this.#read(async (view) => (await verifyView(view, await this.#formatOf(view), readQuarantine(layout), onProgress)).report, "allow-lost");
    this.#localOnly("verify({ repair: true })");
    await this.#assertExists();
    return this.#write(async () => {
      const view = await writerView(this, this.#ctx.maxFrameBytes);
      return repairView(this.#ctx, view, await this.#formatOf(view), onProgress);
    }, "allow-lost");
  }

  /** The entries `verify({ repair: true })` set aside, oldest first ([] when none). */
  async quarantined(): Promise<QuarantineRecord[]> {
    if (this.#remote !== undefined) return []; // repair, which quarantines, runs on directories only
    await this.#assertExists();
    const { readQuarantine } = await import("./quarantine.js");
    return readQuarantine(this.#ctx.layout);
  }

  /**
   * The damaged bytes quarantine record `id` keeps (checked against their CRC-32), for inspection.
   * @throws {StoreArgumentError} when no record has that number or its bytes were not kept.
   */
  async quarantinedBytes(id: number): Promise<Uint8Array> {
    const n = checked(RecordNumberSchema, id, "id");
    this.#localOnly("quarantinedBytes");
    await this.#assertExists();
    const { quarantinedBytes } = await import("./quarantine.js");
    return quarantinedBytes(this.#ctx.layout, n);
  }

  /** Drops quarantine records by number (or all of them), with the bytes they keep. Returns the records dropped. */
  async dropQuarantined(ids: Iterable<number> | "all"): Promise<QuarantineRecord[]> {
    const wanted = ids === "all" ? "all" : new Set(checked(RecordNumbersSchema, ids === null || typeof ids !== "object" ? ids : [...ids], "ids"));
    this.#localOnly("dropQuarantined");
    await this.#assertExists();
    const { dropQuarantined } = await import("./quarantine.js");
    return this.#write(() => dropQuarantined(this.#ctx.layout, wanted), "allow-lost");
  }

  /**
   * Rebuilds the index from the corpus: every intact frame, in file order, replacing the
   * index. What the old journal's whole commits still tell (after damage in its middle too)
   * is kept: weights, exposure, and removals (removed sections stay out); with no index left,
   * weights start at 1. The answer to a lost, damaged or unreadable index.
   * @throws {StoreNotFoundError} when the store's directory does not exist.
   */
  async recover(): Promise<RecoverReport> {
    if (this.#remote !== undefined) return this.#remoteWrite({ name: "recover", corpus: "full", run: (local) => local.recover() });
    await this.#assertExists();
    return this.#write(async () => {
      const index = indexOf(this);
      // An index that cannot even be read is a reason to recover, not an obstacle.
      const current = await index.load().catch(() => [] as IndexEntry[]);
      const format = await index.format(current);
      const { entries: found, skipped } = await entriesFromCorpus(this.corpusPath, format, this.#ctx.maxFrameBytes);
      // What the journal's whole commits still tell (after damage in its middle too): weights,
      // exposure, and which frames were removed on purpose.
      const entries = mergeSalvage(found, await index.salvage());
      await index.replaceFresh(entries, format);
      return { recovered: entries.length, skipped };
    }, "allow-lost");
  }

  // ---------------------------------------------------------------- writing

  /** Appends one snapshot; its entry's `addedAt` is the snapshot's `lastSeenAt`. */
  async append(snapshot: SectionSnapshot): Promise<IndexEntry> {
    const [entry] = await this.appendMany([snapshot]);
    return entry!;
  }

  /**
   * Appends snapshots with one corpus write (fsynced) and then one index commit; durable
   * when it returns. Bodies are validated first and duplicates handled as `options` says.
   * @returns one live entry per snapshot (the existing one when skipped as a duplicate).
   * @throws {SectionParseError} the parser's error (section id, line) when a body does not expand; nothing is written.
   * @throws {StoreArgumentError} for bad arguments.
   * @throws {StoreIndexLostError} when the store's index looks lost (recover first).
   */
  async appendMany(snapshots: readonly SectionSnapshot[], options?: AppendOptions): Promise<IndexEntry[]> {
    return (await this.ingest(snapshots, options)).entries;
  }

  /** `appendMany` with a report: which snapshots were written, skipped as duplicates, or superseded. */
  async ingest(snapshots: readonly SectionSnapshot[], options?: AppendOptions): Promise<IngestResult> {
    if (!Array.isArray(snapshots)) throw new StoreArgumentError("snapshots", "must be an array of snapshots");
    const { validate = true, onDuplicate, onProgress } = checked(AppendOptionsSchema, options, "options");
    snapshots.forEach((s, i) => {
      if (typeof s !== "object" || s === null) throw new StoreArgumentError(`snapshots[${i}]`, "must be a snapshot (see createSnapshot)");
    });
    if (this.#remote !== undefined)
      return this.#remoteWrite({ name: "append", corpus: "sparse", run: (local) => local.ingest(snapshots, { validate, onDuplicate, onProgress }) });
    const access = { read: <T>(fn: (view: View) => Promise<T>) => this.#read(fn), write: <T>(fn: () => Promise<T>) => this.#write(fn, "allow-lost") };
    return ingestSnapshots(this.#ctx, access, snapshots, { validate, onDuplicate, onProgress });
  }

  /**
   * Removes every entry of the given section ids (a deletion request). With `purge`, the
   * store is then compacted, so the removed sections' bytes leave the store's files.
   * @throws {StoreArgumentError} when `ids` is not an iterable of section ids, or options are bad.
   */
  async remove(ids: Iterable<string>, options?: { purge?: boolean }): Promise<{ removed: IndexEntry[] }> {
    const wanted = removeIdsOf(ids);
    const { purge = false } = checked(RemoveOptionsSchema, options, "options");
    if (this.#remote !== undefined)
      return this.#remoteWrite({ name: "remove", corpus: purge ? "full" : "sparse", purge, run: (local) => local.remove([...wanted], { purge }) });
    const { removeLocked } = await import("./evict.js");
    return this.#write(async () => {
      const removed = await removeLocked(this.#ctx, wanted);
      if (purge) await this.#compactLocked({ force: true });
      return { removed };
    });
  }

  /** Replaces the index with `entries` (atomically, under the lock). */
  async save(entries: readonly IndexEntry[]): Promise<void> {
    if (!Array.isArray(entries)) throw new StoreArgumentError("entries", "must be an array of index entries");
    if (this.#remote !== undefined) return this.#remoteWrite({ name: "save", corpus: "sparse", run: (local) => local.save(entries) });
    await this.#write(async () => {
      const index = indexOf(this);
      await index.replace(entries, indexFormatOf(entries) ?? (await index.format(await index.load())));
    }, "allow-lost");
  }

  /**
   * Drops entries oldest first until the live bytes fit `maxBytes` (protected ids are never
   * dropped), commits, and with `compact` rewrites the corpus. `kept` is made on first
   * access; `keptCount` counts without making objects.
   * @throws {StoreArgumentError} when options are not an object with `maxBytes` a non-negative integer, or `protectIds` not an iterable of ids.
   */
  async evict(options: { maxBytes: number; protectIds?: Iterable<string>; compact?: boolean }): Promise<EvictResult> {
    const o = checked(EvictOptionsSchema, options, "options");
    if (this.#remote !== undefined) return this.#remoteWrite({ name: "evict", corpus: o.compact === true ? "full" : "sparse", run: (local) => local.evict(o) });
    const { evictLocked } = await import("./evict.js");
    return this.#write(async () => {
      const result = await evictLocked(this.#ctx, o);
      if (o.compact === true) await this.#compactLocked({ force: true });
      return result;
    });
  }

  /**
   * Rewrites the live frames into a new corpus file and swaps it (and the re-pointed index)
   * in. A crash at any point leaves the old store or the new one, both valid.
   * @throws {StoreArgumentError} (argument "options.force") when the index looks lost and `force` is not set.
   */
  async compact(options: CompactOptions = {}): Promise<{ bytesBefore: number; bytesAfter: number }> {
    const { force = false, onProgress } = checked(CompactOptionsSchema, options, "options");
    if (this.#remote !== undefined) return this.#remoteWrite({ name: "compact", corpus: "full", run: (local) => local.compact({ force, onProgress }) });
    return this.#write(() => this.#compactLocked({ force, onProgress }), "allow-lost");
  }

  /** Converts a dlm store's index to replaykit's (decoding each frame once). Returns the number of entries converted (0 when already replaykit). */
  async upgrade(): Promise<{ converted: number; format: IndexFormat }> {
    this.#localOnly("upgrade");
    const { upgradeLocked } = await import("./convert.js");
    return this.#write(() => upgradeLocked(this.#ctx));
  }

  /**
   * Converts a replaykit store into a dlm store (index.json as the reference writes it).
   * A crash before it returns leaves the replaykit store as it was.
   */
  async downgrade(): Promise<{ converted: number }> {
    this.#localOnly("downgrade");
    await this.#assertExists();
    const { downgradeLocked } = await import("./convert.js");
    return this.#write(() => downgradeLocked(this.#ctx));
  }

  // ---------------------------------------------------------------- internals

  async #formatOf(view: View): Promise<IndexFormat> {
    return view.columns !== undefined || this.#remote !== undefined ? "replaykit" : indexOf(this).format(view.entries);
  }

  /** A view of commit `commit` (default: the pinned one) of a store in object storage. The caller closes it. */
  async #remoteView(commit?: number): Promise<View> {
    const remote = this.#remote!;
    const pinned = commit === undefined || commit === this.#pinned!.commit;
    let index: IndexRead;
    let state = pinned ? this.#pinned! : await remote.state(commit);
    if (pinned && this.#pinnedIndex?.commit === state.commit) {
      // The pinned commit's journal never changes: opened once, kept for every read until the pin moves.
      const read = await this.#pinnedIndex.read;
      index = { ...(read ?? { entries: [] }), release: async () => undefined };
    } else {
      // (readable: the journal file again when another process's cache trim deleted it)
      state = await remote.readable(state);
      const journalPath = state.journalPath;
      const opened = (async () => {
        if (journalPath === undefined) return undefined;
        // Trimmed away between the check and the read: assembled again (never read as an empty store).
        const read = (await readIndexAt(journalPath, true)) ?? (await readIndexAt((await remote.readable(state)).journalPath!, true));
        if (read === undefined) throw new StoreIOError(journalPath, "read the journal of the pinned commit from the cache", undefined);
        return read;
      })();
      if (pinned) {
        const previous = this.#pinnedIndex;
        this.#pinnedIndex = { commit: state.commit, read: opened };
        opened.catch(() => {
          if (this.#pinnedIndex?.read === opened) this.#pinnedIndex = undefined;
        });
        void previous?.read.then((r) => r?.release()).catch(() => undefined);
        const read = await opened;
        index = { ...(read ?? { entries: [] }), release: async () => undefined };
      } else index = (await opened) ?? { entries: [], release: async () => undefined };
    }
    return new View(state.generation, index, this.corpusPath, false, this.#ctx.maxFrameBytes).withFrames(remote.frames(state));
  }

  async #remoteRead<T>(fn: (view: View) => Promise<T>, commit?: number): Promise<T> {
    const view = await this.#remoteView(commit);
    try {
      return await fn(view);
    } finally {
      await view.close();
    }
  }

  /** Runs a write of a store in object storage on a working copy and publishes it (remote/remote.ts); this object then reads the new commit. */
  async #remoteWrite<T>(w: RemoteWrite<ReplayStore, T>): Promise<T> {
    const { result, state } = await this.#remote!.write(w);
    this.#pinned = state;
    this.#commit = state.commit;
    return result;
  }

  #localOnly(operation: string): void {
    if (this.#remote !== undefined)
      throw new StoreUnsupportedError(
        operation,
        `works on a store in a directory, not in object storage (${this.location}): pull it, run it there, and push the result to a new prefix`,
      );
  }

  async #compactLocked(run: { force: boolean; onProgress?: ((done: number, total: number) => void) | undefined }) {
    const { compactLocked } = await import("./compact.js");
    return compactLocked(this, { maxFrameBytes: this.#ctx.maxFrameBytes, ...run });
  }

  /**
   * Runs a read in one consistent view of the store (one generation's index and corpus; see
   * view.ts). A store whose index looks lost is a `StoreIndexLostError`, unless the read
   * reports it itself (`"allow-lost"`: verify, readMany of explicit pointers).
   */
  async #read<T>(fn: (view: View) => Promise<T>, lost: "refuse" | "allow-lost" = "refuse"): Promise<T> {
    if (this.#remote !== undefined) return this.#remoteRead(fn);
    await this.#assertExists();
    return inView(this, this.#ctx.maxFrameBytes, async (view) => {
      if (lost === "refuse") await this.#refuseLost(view);
      this.#commit = view.commits ?? this.#commit;
      return fn(view);
    });
  }

  async #refuseLost(view: View): Promise<void> {
    if (view.size === 0 && (await view.looksLost())) throw new StoreIndexLostError(this.journalPath, this.corpusPath);
  }

  /**
   * Runs a write: creates the directories if allowed, takes the writer lock, finishes a
   * committed compaction a crashed writer left, removes its uncommitted temps, migrates old
   * names and formats; refuses a store whose index is lost unless the write handles it.
   */
  async #write<T>(fn: () => Promise<T>, lost: "refuse" | "allow-lost" = "refuse"): Promise<T> {
    // Once per store object: a directory removed later fails the write that needs it anyway.
    if (!this.#started) await this.#ctx.layout.ensureDirs(this.#create);
    // Loaded by the first write: a read-only process never needs them.
    const [{ rollForward, rollForwardLegacy }, { withStoreLock }] = await Promise.all([import("./recover.js"), import("./lock.js")]);
    const run = async () => {
      this.#ctx.layout.assertRegularFiles();
      if (!this.#started) await rollForwardLegacy(this);
      await rollForward(this);
      // Every write: a compaction that died leaves temps as large as the corpus.
      await this.#ctx.layout.removeAbandonedTemps();
      await migrateGeneration(this);
      this.#started = true;
      const index = indexOf(this);
      try {
        await index.migrate();
        if (lost === "refuse" && (await index.isLost())) throw new StoreIndexLostError(this.journalPath, this.corpusPath);
        return await fn();
      } finally {
        index.endWrite();
      }
    };
    return this.#lock ? withStoreLock(this.#ctx.layout, this.#lockTimeoutMs, run) : run();
  }

  /** Reads need an existing store: its directories must exist. Creates nothing. */
  async #assertExists(): Promise<void> {
    await this.#ctx.layout.assertDirs();
  }
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

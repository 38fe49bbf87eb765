import { appendFrames, CorpusCorruptError, crc32, encodeFrames, type FramePointer, type SectionSnapshot } from "@replaykit/corpus";
import { evictIndices, evictUntil } from "@replaykit/eviction";
import { entryFor, indexFormatOf, type IndexEntry, type IndexFormat, type RemoveReasonName } from "@replaykit/index";
import { defaultExpanders, replayRowId, type Row, type RowExpander } from "@replaykit/parsers";
import type { Scheme } from "@replaykit/sampler";
import { AsyncLocalStorage } from "node:async_hooks";
import { mkdir, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { compactLocked } from "./compact.js";
import { StoreArgumentError, StoreIOError, StoreNotFoundError, UnknownSectionTypeError } from "./errors.js";
import { drawRows, pickEntries, pickOfType, redrawRows, type DrawOptions, type DrawSource } from "./draw.js";
import type { DrawReceipt } from "./receipt.js";
import {
  appendOptionsOf,
  applyAppend,
  assertBodies,
  planAppend,
  planRemove,
  removeIdsOf,
  removeOptionsOf,
  type AppendOptions,
  type DuplicatePolicy,
  type IngestResult,
} from "./ingest.js";
import { entriesOfRows, indexOf, journalPathOf, rowsWithIds } from "./index-io.js";
import { withLock } from "./lock.js";
import { resolveStoreOptions } from "./options.js";
import { crashPoint, entriesFromCorpus, removeAbandonedTemps, rollForward, rollForwardLegacy, type RecoverReport } from "./recover.js";
import { addToQuarantine, readQuarantine, unreferencedBytes, verifyView, type QuarantineRecord, type VerifyReport } from "./verify.js";
import { assertGeneration, inView, openConsistentView, writerView, type View } from "./view.js";

export type { QuarantineRecord, VerifyProblem, VerifyReport } from "./verify.js";
export type { RecoverReport, SkippedRange } from "./recover.js";

/** Options of `ReplayStore.open` / `ReplayStore.at`. */
export interface StoreOptions {
  /** Replace or add how a section type becomes rows (merged over `defaultExpanders`). */
  expanders?: Partial<Record<string, RowExpander>>;
  /** Default true: mutating calls hold a lock file next to the index, across processes. */
  lock?: boolean;
  /** Default 10 000: how long a mutating call waits for another writer before `StoreLockedError`. */
  lockTimeoutMs?: number;
  /**
   * Default true: the first write creates the store's directory if it is missing; false
   * makes that write a `StoreNotFoundError`. Reads (load, sample…, verify, stats) of a
   * store whose directory is missing are a `StoreNotFoundError` either way and create nothing.
   */
  create?: boolean;
  /**
   * Default 64 MiB: a frame declaring more content than this is a `CorpusCorruptError`
   * before anything is allocated for it, and batch reads are bounded by it.
   */
  maxFrameBytes?: number;
}

/** Options of `verify`. */
export interface VerifyOptions extends ProgressOptions {
  /**
   * Default false. True: move every damaged entry out of the live index into the store's
   * quarantine record (id, offset, length, reason), under the writer lock, so sampling and
   * export work again. Nothing is deleted from the corpus.
   */
  repair?: boolean;
}

/** Options of `compact`. */
export interface CompactOptions extends ProgressOptions {
  /**
   * Default false: when the index looks lost (no entries, intact frames in the corpus)
   * `compact` refuses with `StoreArgumentError`, because it would discard every section.
   */
  force?: boolean;
}

/** Options of `sampleRows`. */
export interface SampleRowsOptions {
  k: number;
  now: Date;
  seed?: number;
  random?: () => number;
  scheme?: Scheme;
}

/** Options of `samplePreferenceRows`. */
export interface SamplePreferenceRowsOptions extends SampleRowsOptions {
  /** Default true. */
  includeAutoMined?: boolean;
}

/** Options of the long calls (`verify`, `compact`). */
export interface ProgressOptions {
  /** Called after each batch of frames with how many are done and how many there are in all. */
  onProgress?: (done: number, total: number) => void;
}

/** What `stats` reports. */
export interface StoreStats {
  entries: number;
  liveBytes: number;
  fileBytes: number;
  byType: Record<string, number>;
  oldest?: Date;
  newest?: Date;
  /** fileBytes − liveBytes (frames no entry points at, and torn tails). */
  deadBytes: number;
  autoMined: number;
  format: IndexFormat;
  /** Exposure recorded by draws with `recordExposure`: sections replayed at least once, and the sum of their replay counts (0s for a dlm store). */
  replayed: { sections: number; total: number };
}

// The view a read runs in, so helpers called inside it (e.g. by draw.ts) read the same pair.
const activeView = new AsyncLocalStorage<{ store: ReplayStore; view: View }>();
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
  readonly corpusPath: string;
  readonly indexPath: string;
  readonly #expanders: Readonly<Record<string, RowExpander>>;
  readonly #lock: boolean;
  readonly #lockTimeoutMs: number;
  readonly #create: boolean;
  readonly #maxFrameBytes: number;
  /** Set by the first write of this object: its directories exist, and a legacy compaction marker was rolled forward. */
  #started = false;

  private constructor(corpusPath: string, indexPath: string, options: StoreOptions) {
    this.corpusPath = corpusPath;
    this.indexPath = indexPath;
    const o = resolveStoreOptions(options);
    const merged: Record<string, RowExpander> = { ...defaultExpanders };
    for (const [type, expander] of Object.entries(o.expanders)) {
      if (expander === undefined) delete merged[type];
      else merged[type] = expander;
    }
    this.#expanders = Object.freeze(merged);
    this.#lock = o.lock;
    this.#lockTimeoutMs = o.lockTimeoutMs;
    this.#create = o.create;
    this.#maxFrameBytes = o.maxFrameBytes;
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

  /** The store in directory `dir`: `<dir>/corpus.zst` and `<dir>/index.json`. */
  static async open(dir: string, options: StoreOptions = {}): Promise<ReplayStore> {
    if (typeof dir !== "string" || dir === "") throw new StoreArgumentError("dir", "must be a non-empty path");
    return ReplayStore.at(join(dir, "corpus.zst"), join(dir, "index.json"), options);
  }

  /**
   * Where a replaykit store keeps its index (the v2 journal, format in @replaykit/index's
   * FORMAT.md): `indexPath` with `.json` replaced by `.rkx` (`<dir>/index.rkx`). A dlm store
   * has none: its index is `indexPath`.
   */
  get journalPath(): string {
    return journalPathOf(this.indexPath);
  }

  /** The lock file writers hold: `<index>.lock`. */
  get lockPath(): string {
    return `${this.indexPath}.lock`;
  }

  // ---------------------------------------------------------------- reading

  /**
   * The current index entries, from one generation of the store (a consistent view, even
   * during a compaction by another process).
   * @throws {StoreNotFoundError} when the store's directory does not exist.
   */
  async load(): Promise<IndexEntry[]> {
    return this.#view(async (entries, view) => {
      for (const e of entries) loadedIn.set(e, view.generation);
      return entries;
    });
  }

  /**
   * Reads one frame. When `entry` is a full index entry, its checksum (if recorded) and
   * section id are checked too.
   * @throws {CorpusCorruptError} for a damaged frame.
   * @throws {StoreChangedError} when `entry` came from a `load()` before a compaction: load again.
   */
  async read(entry: FramePointer | IndexEntry): Promise<SectionSnapshot> {
    if (typeof entry !== "object" || entry === null) throw new StoreArgumentError("entry", "must be a frame pointer or an index entry");
    const [snapshot] = await this.readMany([entry]);
    return snapshot!;
  }

  /**
   * Reads many frames in the given order, in bounded batches; each index entry's checksum
   * (if recorded) and section id are checked. Entries from `load()` are read from the
   * generation they came from, or, if a compaction moved their frames since, not at all.
   * @throws {CorpusCorruptError} for the first damaged frame.
   * @throws {StoreChangedError} when the entries came from a `load()` before a compaction: load again.
   */
  async readMany(entries: ReadonlyArray<FramePointer | IndexEntry>): Promise<SectionSnapshot[]> {
    if (!Array.isArray(entries)) throw new StoreArgumentError("entries", "must be an array of frame pointers or index entries");
    return this.#columnsView(async (view) => {
      const generations = new Set<number>();
      for (const e of entries) {
        const g = typeof e === "object" && e !== null ? loadedIn.get(e) : undefined;
        if (g !== undefined) generations.add(g);
      }
      assertGeneration(this, view, generations);
      return view.readChecked(entries);
    });
  }

  /**
   * Every live entry with its snapshot, in file (append) order, read in batches bounded by
   * declared content from one generation of the store: an export. A compaction meanwhile
   * does not disturb it (the view holds its corpus open).
   * @throws {CorpusCorruptError} for a damaged frame, after the ones before it were yielded.
   * @throws {StoreNotFoundError} when the store's directory does not exist.
   */
  async *exportSnapshots(): AsyncGenerator<{ entry: IndexEntry; snapshot: SectionSnapshot }> {
    await this.#assertExists();
    const inFileOrder = (entries: readonly IndexEntry[]) =>
      entries
        .map((entry, i) => ({ entry, i }))
        .sort((a, b) => a.entry.byteOffset - b.entry.byteOffset || a.i - b.i)
        .map((x) => x.entry);
    const { view } = await openConsistentView(this, this.#maxFrameBytes);
    try {
      if (!view.pinned) {
        // No way to pin the corpus on this platform: read it all in one checked view.
        const all = await this.#view(async (entries, v) => {
          const order = inFileOrder(entries);
          return { order, snapshots: await v.readChecked(order) };
        });
        for (let i = 0; i < all.order.length; i++) yield { entry: all.order[i]!, snapshot: all.snapshots[i]! };
        return;
      }
      for await (const batch of view.batches(inFileOrder(view.entries))) {
        const results = await view.check(batch);
        for (let j = 0; j < results.length; j++) {
          const r = results[j]!;
          if (r instanceof CorpusCorruptError) throw r;
          yield { entry: batch.entries[j]!, snapshot: r };
        }
      }
    } finally {
      await view.close();
    }
  }

  /**
   * Samples `k` entries (see `@replaykit/sampler`), reads their frames in one batched read
   * and expands each with the expander registered for its type, in sample order.
   * @throws {UnknownSectionTypeError} when a picked section's type has no expander.
   */
  async sampleRows(options: SampleRowsOptions): Promise<Row[]> {
    return this.#columnsView(async (view) => {
      // Over a v2 index's columns (objects only for the picks), else over the entries: the same picks as `sample`.
      const picked = pickEntries(this.#drawSource(view), undefined, sampleOptions(options));
      return this.#expand(picked, await this.#readChecked(picked));
    });
  }

  /**
   * Samples among preference sections only (and, with `includeAutoMined: false`, only
   * those not mined automatically). The type and flag come from the index; entries of a
   * dlm store (no types in the index) are decoded to learn theirs.
   */
  async samplePreferenceRows(options: SamplePreferenceRowsOptions): Promise<Row[]> {
    const drawOptions = sampleOptions(options); // also checks that options is an object
    const includeAutoMined = options.includeAutoMined ?? true;
    if (typeof includeAutoMined !== "boolean") throw new StoreArgumentError("includeAutoMined", "must be a boolean");
    return this.#columnsView(async (view) => {
      if (view.columns !== undefined) {
        // Types and flags are in the columns: pick among them, read the picks only.
        const picked = await pickOfType(this.#drawSource(view), "preference", includeAutoMined, drawOptions);
        return this.#expand(picked, await this.#readChecked(picked));
      }
      // Keep the decoded snapshots (dlm stores) of the eligible sections only.
      const known = await this.#withTypes(view.entries, (s) => s.sectionType === "preference");
      const eligible: IndexEntry[] = [];
      const snapshotOf = new Map<IndexEntry, SectionSnapshot>();
      for (const { entry, sectionType, autoMined, snapshot } of known) {
        if (sectionType !== "preference" || (!includeAutoMined && autoMined)) continue;
        eligible.push(entry);
        if (snapshot !== undefined) snapshotOf.set(entry, snapshot);
      }
      const picked = pickEntries({ ...this.#drawSource(view), entries: eligible, columns: undefined }, undefined, drawOptions);
      const missing = picked.filter((e) => !snapshotOf.has(e));
      const read = await this.#readChecked(missing);
      missing.forEach((e, i) => {
        snapshotOf.set(e, read[i]!);
      });
      return this.#expand(
        picked,
        picked.map((e) => snapshotOf.get(e)!),
      );
    });
  }

  /**
   * Draws training rows within a budget (`k` sections, `rows`, or `maxTokens`), optionally
   * split by section type (`mix`), in one consistent view, with a receipt that `redraw`
   * repeats. See `drawRows` in draw.ts for the rules and costs.
   * @throws {StoreArgumentError} for bad options.
   * @throws {UnknownSectionTypeError} when a picked section's type has no expander.
   */
  async draw(options: DrawOptions): Promise<{ rows: Row[]; receipt: DrawReceipt }> {
    let exposed: readonly IndexEntry[] | undefined;
    const drawn = await this.#columnsView(async (view) => {
      exposed = undefined; // a view that starts over draws again
      // A replaykit store can record exposure (a legacy index.json migrates to the journal on the write).
      const canRecord = options?.recordExposure === true && (view.columns !== undefined || (await this.#formatOf(view.entries)) === "replaykit");
      const record = canRecord
        ? (picks: readonly IndexEntry[]) => {
            exposed = picks;
          }
        : undefined;
      return drawRows(this.#drawSource(view, record), options);
    });
    // Outside the read: the one write of a draw, under the writer lock.
    const picks = exposed;
    if (picks !== undefined) await this.#mutate(() => indexOf(this).commitExposure(picks, options.now));
    return drawn;
  }

  /**
   * The rows of a receipt's picks, byte for byte as drawn, while they are in the store
   * (appends and compactions since do not matter).
   * @throws {DrawReceiptError} for a malformed receipt or picks that are gone (named).
   */
  async redraw(receipt: DrawReceipt): Promise<{ rows: Row[] }> {
    return this.#columnsView((view) => redrawRows(this.#drawSource(view), receipt));
  }

  /** What draw.ts reads of `view`: its columns (v2), its entries only when asked, frames; `record` notes the picks to count as replayed. */
  #drawSource(view: View, record?: (picks: readonly IndexEntry[]) => void): DrawSource {
    const source: DrawSource = {
      get entries() {
        return view.entries;
      },
      columns: view.columns,
      read: (es) => this.#readChecked(es),
      rowsOf: (e, s) => this.#expand([e], [s]),
      classify: (es) => this.#withTypes(es),
    };
    return record === undefined ? source : { ...source, entries: view.entries, recordExposure: async (picks) => record(picks) };
  }

  /** Counts, sizes, types and dates of the live entries. */
  async stats(): Promise<StoreStats> {
    return this.#view(async (entries, view) => {
      const fileBytes = await view.corpusSize();
      const byType: Record<string, number> = {};
      let autoMined = 0;
      let oldest: number | undefined;
      let newest: number | undefined;
      for (const { entry, sectionType, autoMined: mined } of await this.#withTypes(entries)) {
        byType[sectionType] = (byType[sectionType] ?? 0) + 1;
        if (mined) autoMined++;
        const t = entry.addedAt.getTime();
        if (oldest === undefined || t < oldest) oldest = t;
        if (newest === undefined || t > newest) newest = t;
      }
      const deadBytes = unreferencedBytes(entries, fileBytes);
      const stats: StoreStats = {
        entries: entries.length,
        // The bytes some entry points at, each once: entries may share a frame.
        liveBytes: fileBytes - deadBytes,
        fileBytes,
        byType,
        deadBytes,
        autoMined,
        format: await this.#formatOf(entries),
        replayed: replayedIn(view),
      };
      if (oldest !== undefined) stats.oldest = new Date(oldest);
      if (newest !== undefined) stats.newest = new Date(newest);
      return stats;
    });
  }

  /**
   * Checks every entry in one view: pointer inside the file, frame decodes, fields valid,
   * section id, type and flag match the index, CRC-32 when recorded. Flags a lost index
   * (no entries, intact frames in the corpus) and points at `recover`. Reports problems;
   * never throws for damage. With `repair: true` (a write: it takes the lock) the damaged
   * entries move to the quarantine record (see `quarantined()`) and leave the live index.
   * @throws {StoreNotFoundError} when the store's directory does not exist.
   */
  async verify(options: VerifyOptions = {}): Promise<VerifyReport> {
    const onProgress = progressCallback(options);
    const repair = options.repair ?? false;
    if (typeof repair !== "boolean") throw new StoreArgumentError("options.repair", "must be a boolean");
    if (!repair) {
      return this.#view(
        async (entries, view) => (await verifyView(this.indexPath, view, await this.#formatOf(entries), this.#maxFrameBytes, onProgress)).report,
      );
    }
    await this.#assertExists();
    return this.#mutate(async () => {
      const view = await writerView(this, this.#maxFrameBytes);
      const format = await this.#formatOf(view.entries);
      const { report, damaged } = await verifyView(this.indexPath, view, format, this.#maxFrameBytes, onProgress);
      if (damaged.length === 0) return report;
      // Recorded first: a crash in between leaves an entry both live and recorded, never neither.
      await addToQuarantine(this.indexPath, damaged, new Date());
      const bad = new Set(damaged.map((d) => d.entry));
      await indexOf(this).removeFrom(
        view.entries.filter((e) => !bad.has(e)),
        [...bad],
        format,
        "quarantined",
      );
      return { ...report, quarantined: damaged.map((d) => d.problem) };
    });
  }

  /** The entries `verify({ repair: true })` set aside, oldest first ([] when none). */
  async quarantined(): Promise<QuarantineRecord[]> {
    await this.#assertExists();
    return readQuarantine(this.indexPath);
  }

  /**
   * Rebuilds the index from the corpus alone: every intact frame, in file order (each frame
   * carries its id, type, flag and dates; weights start at 1), replacing the index. The
   * answer to a lost or unreadable index. Entries evicted or removed earlier whose frames
   * are still in the corpus come back. Reports what it found and what it skipped.
   * @throws {StoreNotFoundError} when the store's directory does not exist.
   */
  async recover(): Promise<RecoverReport> {
    await this.#assertExists();
    return this.#mutate(async () => {
      // An index that cannot even be read is a reason to recover, not an obstacle.
      const current = await indexOf(this)
        .load()
        .catch(() => [] as IndexEntry[]);
      const format = await this.#formatOf(current);
      const { entries, skipped } = await entriesFromCorpus(this.corpusPath, format, this.#maxFrameBytes);
      await indexOf(this).replaceFresh(entries, format);
      return { recovered: entries.length, skipped };
    });
  }

  // ---------------------------------------------------------------- writing

  /** Appends one snapshot; its entry's `addedAt` is the snapshot's `lastSeenAt`. */
  async append(snapshot: SectionSnapshot): Promise<IndexEntry> {
    const [entry] = await this.appendMany([snapshot]);
    return entry!;
  }

  /**
   * Appends snapshots with one corpus write (fsynced) and then one atomic index write.
   * When it returns, the snapshots are durable. On failure the previous index stays in
   * force (frames already written become dead space). Bodies are validated first and
   * duplicates handled as `options` says (see `ingest`).
   *
   * @returns one live entry per snapshot (the existing one when skipped as a duplicate).
   * @throws {SectionParseError} the parser's error (section id, line) when a body does not expand; nothing is written.
   * @throws {UnknownSectionTypeError} when a snapshot's type has no expander (and `validate` is not false).
   * @throws {StoreArgumentError} for bad arguments.
   */
  async appendMany(snapshots: readonly SectionSnapshot[], options?: AppendOptions): Promise<IndexEntry[]> {
    return (await this.ingest(snapshots, options)).entries;
  }

  /**
   * `appendMany` with a report: which snapshots were written, which were skipped as
   * duplicates of live entries (same section id and last-seen time), and which entries a
   * newer snapshot superseded. Duplicate policy: `options.onDuplicate`, default "skip" on
   * replaykit stores and "keep" (dlm's behaviour) on dlm stores.
   *
   * @throws {SectionParseError} the parser's error when a body does not expand; nothing is written.
   * @throws {UnknownSectionTypeError} when a snapshot's type has no expander (and `validate` is not false).
   * @throws {StoreArgumentError} for bad arguments.
   */
  async ingest(snapshots: readonly SectionSnapshot[], options?: AppendOptions): Promise<IngestResult> {
    if (!Array.isArray(snapshots)) throw new StoreArgumentError("snapshots", "must be an array of snapshots");
    const { validate, onDuplicate, onProgress } = appendOptionsOf(options);
    if (snapshots.length === 0) return { entries: [], added: [], skipped: [], superseded: [] };
    snapshots.forEach((s, i) => {
      if (typeof s !== "object" || s === null) throw new StoreArgumentError(`snapshots[${i}]`, "must be a snapshot (see createSnapshot)");
    });
    // Compress, outside the lock, only what the index does not hold already, so re-ingesting
    // a file compresses nothing. The plan made under the lock decides; what it needs beyond
    // this guess (the index changed in between) is compressed there. encodeFrames validates
    // every snapshot it is given before any write; a snapshot never compressed is one equal
    // to a live entry, which is not written.
    const policyOf = (format: IndexFormat): DuplicatePolicy => onDuplicate ?? (format === "dlm" ? "keep" : "skip");
    // Only the live entries of the snapshots' section ids matter to the plan: found in the
    // index's columns without making an object per entry.
    const ids = new Set(snapshots.map((s) => s.sectionId));
    // A small append compresses all of its snapshots up front instead: reading the index
    // twice (here and under the lock) would cost more than compressing a few frames.
    const guess =
      snapshots.length <= PLAN_BEFORE_LOCK_ABOVE
        ? snapshots.map((_, i) => i)
        : await this.#columnsView(async (view) => {
            const format = view.columns !== undefined ? "replaykit" : await this.#formatOf(view.entries);
            return planAppend(view.entriesOf(ids), snapshots, policyOf(format)).write;
          }).catch((error: unknown) => {
            if (StoreNotFoundError.isInstance(error)) return snapshots.map((_, i) => i);
            throw error;
          });
    const frames = new Map<number, Uint8Array>();
    const encode = async (indices: number[]) => {
      // In slices, so a large append can report progress.
      const SLICE = 4096;
      for (let at = 0; at < indices.length; at += SLICE) {
        const slice = indices.slice(at, at + SLICE);
        (await encodeFrames(slice.map((i) => snapshots[i]!))).forEach((f, j) => {
          frames.set(slice[j]!, f);
        });
        onProgress?.(frames.size, Math.max(frames.size, guess.length));
      }
    };
    await encode(guess);
    // After encoding: every snapshot is then known to be well-formed (or was matched to a live entry).
    if (validate) assertBodies(snapshots, this.#expanders);
    return this.#mutate(async () => {
      // A journal gives the live entries of these ids only (all of index.json's otherwise).
      const { entries, all } = await indexOf(this).loadOf(ids);
      const dlm = (await this.#formatOf(entries)) === "dlm";
      const plan = planAppend(entries, snapshots, policyOf(dlm ? "dlm" : "replaykit"));
      await encode(plan.write.filter((i) => !frames.has(i)));
      if (plan.write.length === 0 && plan.superseded.size === 0) return applyAppend(entries, plan, []).result;
      const pointers =
        plan.write.length === 0
          ? []
          : await appendFrames(
              this.corpusPath,
              plan.write.map((i) => frames.get(i)!),
            );
      crashPoint("append:frames-written");
      const added = plan.write.map((i, j): IndexEntry => {
        const s = snapshots[i]!;
        const p = pointers[j]!;
        return entryFor(dlm ? "dlm" : "replaykit", {
          sectionId: s.sectionId,
          byteOffset: p.byteOffset,
          length: p.length,
          addedAt: s.lastSeenAt,
          sectionType: s.sectionType,
          autoMined: s.autoMined,
          crc32: crc32(frames.get(i)!),
        });
      });
      const { index, result } = applyAppend(entries, plan, added);
      // A plain append commits only what it adds; a supersede rewrites the index.
      if (plan.superseded.size === 0) await indexOf(this).append(entries, added, dlm ? "dlm" : "replaykit");
      else if (!all) await indexOf(this).supersede([...plan.superseded], added);
      else await this.#saveIndex(index, dlm ? "dlm" : "replaykit", "superseded");
      return result;
    });
  }

  /**
   * Removes every entry of the given section ids (a deletion request). With `purge`, the
   * store is then compacted, so the removed sections' bytes (and any dead space) leave the
   * store's files.
   *
   * @returns the entries that left the index (ids with no live entry are ignored).
   * @throws {StoreArgumentError} when `ids` is not an iterable of section ids, or options are bad.
   */
  async remove(ids: Iterable<string>, options?: { purge?: boolean }): Promise<{ removed: IndexEntry[] }> {
    const wanted = removeIdsOf(ids);
    const { purge } = removeOptionsOf(options);
    return this.#mutate(async () => {
      const index = indexOf(this);
      const columns = await index.writerColumns();
      let removed: IndexEntry[];
      if (columns !== undefined) {
        // A journal: planned on its columns (objects only for the removed), committed by row.
        const rows = rowsWithIds(columns, wanted);
        removed = entriesOfRows(columns, rows);
        if (rows.length > 0) await index.removeRows(rows, "removed");
      } else {
        const entries = await index.load();
        const plan = planRemove(entries, wanted);
        removed = plan.removed;
        if (removed.length > 0) await index.removeFrom(plan.kept, removed, await this.#formatOf(entries), "removed");
      }
      if (purge) await this.#compactLocked();
      return { removed };
    });
  }

  /** Replaces the index with `entries` (atomically, under the lock). */
  async save(entries: readonly IndexEntry[]): Promise<void> {
    if (!Array.isArray(entries)) throw new StoreArgumentError("entries", "must be an array of index entries");
    await this.#mutate(async () => this.#saveIndex(entries, indexFormatOf(entries) ?? (await this.#formatOf(await indexOf(this).load()))));
  }

  /**
   * Drops entries oldest first until the live bytes fit `maxBytes` (protected ids are
   * never dropped), saves the index, and with `compact` rewrites the corpus.
   *
   * On a replaykit store the plan is made on the index's columns and committed as removal
   * records: its cost is a sort of the times plus what leaves. `evicted` (oldest first) is
   * made up front; `kept` (index order) is made on first access and then kept — a million
   * entry objects cost more than the eviction itself, and most callers only count them.
   * @throws {StoreArgumentError} when `options` is not an object (before the lock is taken).
   * @throws {EvictionError} when `maxBytes` is not a non-negative integer or `protectIds` not an iterable of ids.
   */
  async evict(options: { maxBytes: number; protectIds?: Iterable<string>; compact?: boolean }): Promise<{ evicted: IndexEntry[]; kept: IndexEntry[] }> {
    if (typeof options !== "object" || options === null) throw new StoreArgumentError("options", "must be an object with maxBytes");
    return this.#mutate(async () => {
      const evictOptions = options.protectIds === undefined ? { maxBytes: options.maxBytes } : { maxBytes: options.maxBytes, protectIds: options.protectIds };
      const index = indexOf(this);
      const columns = await index.writerColumns();
      let result: { evicted: IndexEntry[]; kept: IndexEntry[] };
      if (columns !== undefined) {
        const rows = evictIndices(
          {
            length: columns.size,
            addedAt: columns.addedAt,
            lengths: columns.frameLength,
            sectionId: (i) => columns.sectionId(i),
            hexIds: { hi: columns.idHi, lo: columns.idLo },
          },
          evictOptions,
        );
        const evicted = entriesOfRows(columns, rows);
        // The live entries after the commit are exactly the kept ones, in index order.
        // letGo: no later write changes them, so `kept` can be made from them later.
        const live = rows.length > 0 ? await index.removeRows(rows, "evicted") : columns;
        await index.letGo(live);
        let kept: IndexEntry[] | undefined;
        result = {
          evicted,
          get kept(): IndexEntry[] {
            kept ??= entriesOfRows(live);
            return kept;
          },
        };
      } else {
        const entries = await index.load();
        const { kept, evicted } = evictUntil(entries, evictOptions);
        if (evicted.length > 0) await index.removeFrom(kept, evicted, await this.#formatOf(entries), "evicted");
        result = { evicted, kept };
      }
      crashPoint("evict:index-saved");
      if (options.compact === true) await this.#compactLocked();
      return result;
    });
  }

  /**
   * Rewrites the live frames into a new corpus file and swaps it (and the re-pointed
   * index) in. A crash at any point leaves the old store or the new one, both valid.
   */
  async compact(options: CompactOptions = {}): Promise<{ bytesBefore: number; bytesAfter: number }> {
    const onProgress = progressCallback(options);
    const force = options.force ?? false;
    if (typeof force !== "boolean") throw new StoreArgumentError("options.force", "must be a boolean");
    return this.#mutate(() => this.#compactLocked(onProgress, force));
  }

  /**
   * Converts a dlm store's index to replaykit's (adds `section_type`, `auto_mined` and
   * `crc32` to every entry, decoding each frame once). dlm cannot open the store afterwards.
   * Returns the number of entries converted (0 when the store already has replaykit's index).
   */
  async upgrade(): Promise<{ converted: number; format: IndexFormat }> {
    return this.#mutate(async () => {
      const entries = await indexOf(this).load();
      if ((await this.#formatOf(entries)) !== "dlm") return { converted: 0, format: "replaykit" as const };
      const upgraded: IndexEntry[] = [];
      const view = await writerView(this, this.#maxFrameBytes);
      for await (const batch of view.batches(entries)) {
        (await view.check(batch)).forEach((r, j) => {
          if (r instanceof CorpusCorruptError) throw r;
          upgraded.push({ ...batch.entries[j]!, sectionType: r.sectionType, autoMined: r.autoMined, crc32: crc32(batch.frames[j] as Uint8Array) });
        });
      }
      await this.#saveIndex(upgraded, "replaykit");
      return { converted: upgraded.length, format: "replaykit" as const };
    });
  }

  /**
   * Converts a replaykit store into a dlm store: `index.json` as the reference writes it
   * (only dlm's keys, sorted by section id), which dlm's `load_index` and `loadIndex`
   * accept; section types, auto-mined flags, CRC-32s and exposure counts are dropped (dlm
   * has no place for them). A crash before it returns leaves the replaykit store as it was.
   * Returns the number of entries converted (0 when the store already is a dlm store).
   * @throws {StoreLockedError} when another writer holds the lock past `lockTimeoutMs`.
   */
  async downgrade(): Promise<{ converted: number }> {
    await this.#assertExists();
    return this.#mutate(async () => ({ converted: await indexOf(this).downgrade() }));
  }

  // ---------------------------------------------------------------- internals

  /** The store's format (see index-io.ts: from the entries' keys, or the dlm sidecar). */
  async #formatOf(entries: readonly IndexEntry[]): Promise<IndexFormat> {
    return indexOf(this).format(entries);
  }

  /** Replaces the live index (writers only). */
  async #saveIndex(entries: readonly IndexEntry[], format: IndexFormat, reason?: RemoveReasonName): Promise<void> {
    await indexOf(this).replace(entries, format, reason);
  }

  /**
   * Runs a write: creates the directories if allowed, takes the writer lock, finishes a
   * committed compaction a crashed writer left, and removes its uncommitted temps.
   */
  async #mutate<T>(fn: () => Promise<T>): Promise<T> {
    // Once per store object: a directory removed later fails the write that needs it anyway.
    if (!this.#started) for (const dir of new Set([dirname(this.corpusPath), dirname(this.indexPath)])) await ensureDir(dir, this.#create);
    const run = async () => {
      if (!this.#started) await rollForwardLegacy(this);
      await rollForward(this);
      // Every write: a compaction that died leaves temps as large as the corpus.
      await removeAbandonedTemps(this);
      this.#started = true;
      try {
        await indexOf(this).migrate();
        return await fn();
      } finally {
        indexOf(this).endWrite();
      }
    };
    return this.#lock ? withLock(this.lockPath, this.#lockTimeoutMs, run) : run();
  }

  /** Reads need an existing store: its directories must exist. Creates nothing. */
  async #assertExists(): Promise<void> {
    for (const dir of new Set([dirname(this.corpusPath), dirname(this.indexPath)])) {
      try {
        if (!(await stat(dir)).isDirectory()) throw new StoreIOError(dir, "use as the store directory", new Error("not a directory"));
      } catch (error) {
        if (StoreIOError.isInstance(error)) throw error;
        const code = (error as { code?: string }).code;
        if (code === "ENOENT" || code === "ENOTDIR") throw new StoreNotFoundError(dir);
        throw new StoreIOError(dir, "open the store directory", error);
      }
    }
  }

  /** Compacts with the lock held. Internal callers (evict, remove) have just emptied the index on purpose: forced. */
  async #compactLocked(onProgress?: (done: number, total: number) => void, force = true): Promise<{ bytesBefore: number; bytesAfter: number }> {
    return compactLocked(this, { maxFrameBytes: this.#maxFrameBytes, force, onProgress });
  }

  /**
   * Runs a read in one consistent view of the store (one generation's index and corpus; see
   * view.ts). A compaction by another process in the middle makes the read start over.
   */
  async #view<T>(fn: (entries: IndexEntry[], view: View) => Promise<T>): Promise<T> {
    return this.#columnsView((view) => fn(view.entries, view));
  }

  /** `#view` for reads that work on the view's columns: entry objects are made only if `fn` asks `view.entries`. */
  async #columnsView<T>(fn: (view: View) => Promise<T>): Promise<T> {
    await this.#assertExists();
    return inView(this, this.#maxFrameBytes, (view) => activeView.run({ store: this, view }, () => fn(view)));
  }

  /** Reads and decodes frames in the active view (or a new one), checking CRC-32, ids, types and flags when known. */
  async #readChecked(entries: ReadonlyArray<FramePointer | IndexEntry>): Promise<SectionSnapshot[]> {
    const active = activeView.getStore();
    if (active?.store === this) return active.view.readChecked(entries);
    return this.#columnsView((view) => view.readChecked(entries));
  }

  /**
   * Each entry with its type and auto-mined flag: from the index, or by decoding (dlm
   * stores) in bounded batches. Decoded snapshots that `keep` accepts are returned too, so
   * they are not read twice; the others are dropped as the walk goes.
   */
  async #withTypes(entries: readonly IndexEntry[], keep: (snapshot: SectionSnapshot) => boolean = () => false) {
    const out = entries.map((entry) => ({
      entry,
      sectionType: entry.sectionType!,
      autoMined: entry.autoMined ?? false,
      snapshot: undefined as SectionSnapshot | undefined,
    }));
    const unknown = out.filter((x) => x.entry.sectionType === undefined || x.entry.autoMined === undefined);
    if (unknown.length === 0) return out;
    const decodeIn = async (view: View) => {
      for await (const batch of view.batches(unknown.map((x) => x.entry))) {
        (await view.check(batch)).forEach((r, j) => {
          if (r instanceof CorpusCorruptError) throw r;
          const x = unknown[batch.start + j]!;
          if (keep(r)) x.snapshot = r;
          x.sectionType = r.sectionType;
          x.autoMined = r.autoMined;
        });
      }
    };
    const active = activeView.getStore();
    await (active?.store === this ? decodeIn(active.view) : this.#columnsView(async (view) => decodeIn(view)));
    return out;
  }

  #expand(picked: readonly IndexEntry[], snapshots: readonly SectionSnapshot[]): Row[] {
    const rows: Row[] = [];
    snapshots.forEach((s, i) => {
      const expander = this.#expanders[s.sectionType];
      if (expander === undefined) throw new UnknownSectionTypeError(s.sectionType, picked[i]?.sectionId ?? s.sectionId);
      const rowId = replayRowId(s.sectionId, s.lastSeenAt);
      const source = { sectionId: s.sectionId, sectionType: s.sectionType, content: s.content, lastSeenAt: s.lastSeenAt, autoMined: s.autoMined };
      for (const row of expander(source, rowId)) rows.push(row);
    });
    return rows;
  }
}

function progressCallback(options: ProgressOptions): ((done: number, total: number) => void) | undefined {
  if (typeof options !== "object" || options === null) throw new StoreArgumentError("options", "must be an object");
  const { onProgress } = options;
  if (onProgress !== undefined && typeof onProgress !== "function") throw new StoreArgumentError("options.onProgress", "must be a function");
  return onProgress;
}

/** The exposure recorded in a view: sections with a replay count > 0 and the counts' sum (none without columns). */
function replayedIn(view: View): { sections: number; total: number } {
  const counts = view.columns?.replayCount;
  let sections = 0;
  let total = 0;
  if (counts !== undefined) {
    for (let i = 0; i < counts.length; i++) {
      const c = counts[i]!;
      if (c > 0) {
        sections++;
        total += c;
      }
    }
  }
  return { sections, total };
}

function sampleOptions(o: SampleRowsOptions) {
  if (typeof o !== "object" || o === null) throw new StoreArgumentError("options", "must be an object with k and now");
  const out: { k: number; now: Date; seed?: number; random?: () => number; scheme?: Scheme } = { k: o.k, now: o.now };
  if (o.seed !== undefined) out.seed = o.seed;
  if (o.random !== undefined) out.random = o.random;
  if (o.scheme !== undefined) out.scheme = o.scheme;
  return out;
}

/** Appends of more snapshots than this plan once before taking the lock, to compress only what the index lacks outside it. */
const PLAN_BEFORE_LOCK_ABOVE = 16;

async function ensureDir(dir: string, create: boolean): Promise<void> {
  try {
    const s = await stat(dir);
    if (!s.isDirectory()) throw new StoreIOError(dir, "use as the store directory", new Error("not a directory"));
    return;
  } catch (error) {
    if (StoreIOError.isInstance(error)) throw error;
    if ((error as { code?: string }).code !== "ENOENT") throw new StoreIOError(dir, "open the store directory", error);
  }
  if (!create) throw new StoreNotFoundError(dir);
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new StoreIOError(dir, "create the store directory", error);
  }
}

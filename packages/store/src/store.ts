import {
  appendFrames,
  CorpusCorruptError,
  CorpusIOError,
  crc32,
  decodeFrameBatch,
  encodeFrames,
  readFrames,
  type FramePointer,
  type SectionSnapshot,
} from "@replaykit/corpus";
import { evictUntil } from "@replaykit/eviction";
import { indexFormatOf, loadIndex, saveIndex, type IndexEntry, type IndexFormat } from "@replaykit/index";
import { defaultExpanders, replayRowId, type Row, type RowExpander } from "@replaykit/parsers";
import { sample, type Scheme } from "@replaykit/sampler";
import { mkdir, open, readFile, stat, unlink, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { StoreArgumentError, StoreIOError, StoreNotFoundError, UnknownSectionTypeError } from "./errors.js";
import { drawRows, redrawRows, type DrawOptions, type DrawSource } from "./draw.js";
import type { DrawReceipt } from "./receipt.js";
import { appendOptionsOf, applyAppend, assertBodies, planAppend, planRemove, removeIdsOf, removeOptionsOf, type AppendOptions, type IngestResult } from "./ingest.js";
import { withLock } from "./lock.js";
import { commitSwap, removeAbandonedTemps, rollForward, swapTempPaths } from "./swap.js";

/** Options of `ReplayStore.open` / `ReplayStore.at`. */
export interface StoreOptions {
  /** Replace or add how a section type becomes rows (merged over `defaultExpanders`). */
  expanders?: Partial<Record<string, RowExpander>>;
  /** Default true: mutating calls hold a lock file next to the index, across processes. */
  lock?: boolean;
  /** Default 10 000: how long a mutating call waits for another writer before `StoreLockedError`. */
  lockTimeoutMs?: number;
  /** Default true: create the store's directory if it is missing; false gives `StoreNotFoundError`. */
  create?: boolean;
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

/** One thing `verify` found wrong. */
export interface VerifyProblem {
  sectionId?: string;
  byteOffset?: number;
  message: string;
}

/** What `verify` reports. */
export interface VerifyReport {
  ok: boolean;
  entries: number;
  problems: VerifyProblem[];
  /** Index format: "dlm" (reference keys only) or "replaykit". */
  format: IndexFormat;
  /** How frames were checked: CRC-32 from the index, or decoding alone (dlm stores). */
  integrity: "crc32" | "decode-only" | "mixed";
  /** Bytes of the corpus file no entry points at (reclaimable by `compact`). */
  reclaimableBytes: number;
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
}

const DEFAULT_LOCK_TIMEOUT_MS = 10_000;

/**
 * Test seam for the crash tests: when REPLAYKIT_TEST_CRASH_AT names this point, the process
 * kills itself here with SIGKILL (no cleanup, like a power cut). No effect otherwise.
 */
function crashPoint(name: string): void {
  if (process.env.REPLAYKIT_TEST_CRASH_AT === name) process.kill(process.pid, "SIGKILL");
}

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

  private constructor(corpusPath: string, indexPath: string, options: StoreOptions) {
    this.corpusPath = corpusPath;
    this.indexPath = indexPath;
    const merged: Record<string, RowExpander> = { ...defaultExpanders };
    for (const [type, expander] of Object.entries(options.expanders ?? {})) {
      if (expander === undefined) delete merged[type];
      else if (typeof expander !== "function") throw new StoreArgumentError(`options.expanders.${type}`, "must be a function");
      else merged[type] = expander;
    }
    this.#expanders = Object.freeze(merged);
    this.#lock = options.lock ?? true;
    const timeout = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    if (!Number.isFinite(timeout) || timeout < 0) throw new StoreArgumentError("options.lockTimeoutMs", "must be a non-negative number");
    this.#lockTimeoutMs = timeout;
  }

  /**
   * A store whose corpus and index live at the given paths. Creates their parent
   * directories (unless `options.create` is false).
   */
  static async at(corpusPath: string, indexPath: string, options: StoreOptions = {}): Promise<ReplayStore> {
    const corpus = resolve(corpusPath);
    const index = resolve(indexPath);
    for (const dir of new Set([dirname(corpus), dirname(index)])) await ensureDir(dir, options.create ?? true);
    return new ReplayStore(corpus, index, options);
  }

  /** The store in directory `dir`: `<dir>/corpus.zst` and `<dir>/index.json`. */
  static async open(dir: string, options: StoreOptions = {}): Promise<ReplayStore> {
    return ReplayStore.at(join(dir, "corpus.zst"), join(dir, "index.json"), options);
  }

  /** The lock file writers hold: `<index>.lock`. */
  get lockPath(): string {
    return `${this.indexPath}.lock`;
  }

  // ---------------------------------------------------------------- reading

  /** The current index entries (a consistent view, even during a compaction by another process). */
  async load(): Promise<IndexEntry[]> {
    return this.#view(async (entries) => entries);
  }

  /**
   * Reads one frame. When `entry` is a full index entry, its checksum (if recorded) and
   * section id are checked too.
   * @throws {CorpusCorruptError}
   */
  async read(entry: FramePointer | IndexEntry): Promise<SectionSnapshot> {
    const [snapshot] = await this.#readChecked([entry]);
    return snapshot!;
  }

  /**
   * Reads many frames with one open and coalesced reads and zstd calls, in the given order;
   * each index entry's checksum (if recorded) and section id are checked.
   * @throws {CorpusCorruptError} for the first damaged frame.
   */
  async readMany(entries: ReadonlyArray<FramePointer | IndexEntry>): Promise<SectionSnapshot[]> {
    if (!Array.isArray(entries)) throw new StoreArgumentError("entries", "must be an array of frame pointers or index entries");
    return this.#readChecked(entries);
  }

  /**
   * Samples `k` entries (see `@replaykit/sampler`), reads their frames in one batched read
   * and expands each with the expander registered for its type, in sample order.
   * @throws {UnknownSectionTypeError} when a picked section's type has no expander.
   */
  async sampleRows(options: SampleRowsOptions): Promise<Row[]> {
    return this.#view(async (entries) => {
      const picked = sample(entries, sampleOptions(options));
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
    return this.#view(async (entries) => {
      // Keep the decoded snapshots (dlm stores) of the eligible sections only.
      const known = await this.#withTypes(entries, (s) => s.sectionType === "preference");
      const eligible: IndexEntry[] = [];
      const snapshotOf = new Map<IndexEntry, SectionSnapshot>();
      for (const { entry, sectionType, autoMined, snapshot } of known) {
        if (sectionType !== "preference" || (!includeAutoMined && autoMined)) continue;
        eligible.push(entry);
        if (snapshot !== undefined) snapshotOf.set(entry, snapshot);
      }
      const picked = sample(eligible, drawOptions);
      const missing = picked.filter((e) => !snapshotOf.has(e));
      const read = await this.#readChecked(missing);
      missing.forEach((e, i) => snapshotOf.set(e, read[i]!));
      return this.#expand(picked, picked.map((e) => snapshotOf.get(e)!));
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
    return this.#view((entries) => drawRows(this.#drawSource(entries), options));
  }

  /**
   * The rows of a receipt's picks, byte for byte as drawn, while they are in the store
   * (appends and compactions since do not matter).
   * @throws {DrawReceiptError} for a malformed receipt or picks that are gone (named).
   */
  async redraw(receipt: DrawReceipt): Promise<{ rows: Row[] }> {
    return this.#view((entries) => redrawRows(this.#drawSource(entries), receipt));
  }

  #drawSource(entries: readonly IndexEntry[]): DrawSource {
    return { entries, read: (es) => this.#readChecked(es), rowsOf: (e, s) => this.#expand([e], [s]), classify: (es) => this.#withTypes(es) };
  }

  /** Counts, sizes, types and dates of the live entries. */
  async stats(): Promise<StoreStats> {
    return this.#view(async (entries) => {
      const fileBytes = await this.#corpusSize();
      const byType: Record<string, number> = {};
      let liveBytes = 0;
      let autoMined = 0;
      let oldest: number | undefined;
      let newest: number | undefined;
      for (const { entry, sectionType, autoMined: mined } of await this.#withTypes(entries)) {
        byType[sectionType] = (byType[sectionType] ?? 0) + 1;
        if (mined) autoMined++;
        liveBytes += entry.length;
        const t = entry.addedAt.getTime();
        if (oldest === undefined || t < oldest) oldest = t;
        if (newest === undefined || t > newest) newest = t;
      }
      const stats: StoreStats = {
        entries: entries.length,
        liveBytes,
        fileBytes,
        byType,
        deadBytes: unreferencedBytes(entries, fileBytes),
        autoMined,
        format: await this.#formatOf(entries),
      };
      if (oldest !== undefined) stats.oldest = new Date(oldest);
      if (newest !== undefined) stats.newest = new Date(newest);
      return stats;
    });
  }

  /**
   * Checks every entry: pointer inside the file, frame decodes, fields valid, section id
   * matches the index, CRC-32 when recorded. Reports problems; never throws for damage.
   */
  async verify(options: ProgressOptions = {}): Promise<VerifyReport> {
    const onProgress = progressCallback(options);
    return this.#view(async (entries) => {
      const problems: VerifyProblem[] = [];
      const fileBytes = await this.#corpusSize();
      const inFile: IndexEntry[] = [];
      for (const e of entries) {
        if (e.byteOffset + e.length > fileBytes) {
          problems.push({ sectionId: e.sectionId, byteOffset: e.byteOffset, message: `frame (+${e.length}) reaches past the end of the corpus (${fileBytes} bytes)` });
        } else inFile.push(e);
      }
      const BATCH = 4096;
      for (let i = 0; i < inFile.length; i += BATCH) {
        const batch = inFile.slice(i, i + BATCH);
        const frames = await this.#rawFrames(batch);
        const results = await decodeFrameBatch(frames.map((bytes, j) => ({ bytes, at: batch[j]!, path: this.corpusPath })));
        results.forEach((result, j) => {
          const e = batch[j]!;
          const problem = checkFrame(e, frames[j]!, result);
          if (problem !== undefined) problems.push({ sectionId: e.sectionId, byteOffset: e.byteOffset, message: problem });
        });
        onProgress?.(Math.min(i + BATCH, inFile.length), inFile.length);
      }
      const withCrc = entries.filter((e) => e.crc32 !== undefined).length;
      return {
        ok: problems.length === 0,
        entries: entries.length,
        problems,
        format: await this.#formatOf(entries),
        integrity: withCrc === entries.length ? "crc32" : withCrc === 0 ? "decode-only" : "mixed",
        reclaimableBytes: unreferencedBytes(entries, fileBytes),
      };
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
    const { validate, onDuplicate } = appendOptionsOf(options);
    if (snapshots.length === 0) return { entries: [], added: [], skipped: [], superseded: [] };
    const frames = await encodeFrames(snapshots); // validates every snapshot before any write
    if (validate) assertBodies(snapshots, this.#expanders);
    return this.#mutate(async () => {
      const entries = await loadIndex(this.indexPath);
      const dlm = (await this.#formatOf(entries)) === "dlm";
      const plan = planAppend(entries, snapshots, onDuplicate ?? (dlm ? "keep" : "skip"));
      if (plan.write.length === 0 && plan.superseded.size === 0) return applyAppend(entries, plan, []).result;
      const pointers = plan.write.length === 0 ? [] : await appendFrames(this.corpusPath, plan.write.map((i) => frames[i]!));
      crashPoint("append:frames-written");
      const added = plan.write.map((i, j): IndexEntry => {
        const s = snapshots[i]!;
        const p = pointers[j]!;
        const base = { sectionId: s.sectionId, byteOffset: p.byteOffset, length: p.length, addedAt: s.lastSeenAt, weight: 1 };
        return dlm ? base : { ...base, sectionType: s.sectionType, autoMined: s.autoMined, crc32: crc32(frames[i]!) };
      });
      const { index, result } = applyAppend(entries, plan, added);
      await this.#saveIndex(index, dlm ? "dlm" : "replaykit");
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
      const entries = await loadIndex(this.indexPath);
      const { kept, removed } = planRemove(entries, wanted);
      if (removed.length > 0) await this.#saveIndex(kept, await this.#formatOf(entries));
      if (purge) await this.#compactLocked();
      return { removed };
    });
  }

  /** Replaces the index with `entries` (atomically, under the lock). */
  async save(entries: readonly IndexEntry[]): Promise<void> {
    if (!Array.isArray(entries)) throw new StoreArgumentError("entries", "must be an array of index entries");
    await this.#mutate(async () => this.#saveIndex(entries, indexFormatOf(entries) ?? (await this.#formatOf(await loadIndex(this.indexPath)))));
  }

  /**
   * Drops entries oldest first until the live bytes fit `maxBytes` (protected ids are
   * never dropped), saves the index, and with `compact` rewrites the corpus.
   */
  async evict(options: { maxBytes: number; protectIds?: Iterable<string>; compact?: boolean }): Promise<{ evicted: IndexEntry[]; kept: IndexEntry[] }> {
    return this.#mutate(async () => {
      const entries = await loadIndex(this.indexPath);
      const evictOptions = options.protectIds === undefined ? { maxBytes: options.maxBytes } : { maxBytes: options.maxBytes, protectIds: options.protectIds };
      const { kept, evicted } = evictUntil(entries, evictOptions);
      if (evicted.length > 0) await this.#saveIndex(kept, await this.#formatOf(entries));
      crashPoint("evict:index-saved");
      if (options.compact === true) await this.#compactLocked();
      return { evicted, kept };
    });
  }

  /**
   * Rewrites the live frames into a new corpus file and swaps it (and the re-pointed
   * index) in. A crash at any point leaves the old store or the new one, both valid.
   */
  async compact(options: ProgressOptions = {}): Promise<{ bytesBefore: number; bytesAfter: number }> {
    const onProgress = progressCallback(options);
    return this.#mutate(() => this.#compactLocked(onProgress));
  }

  /**
   * Converts a dlm store's index to replaykit's (adds `section_type`, `auto_mined` and
   * `crc32` to every entry, decoding each frame once). dlm cannot open the store afterwards.
   * Returns the number of entries converted (0 when the store already has replaykit's index).
   */
  async upgrade(): Promise<{ converted: number; format: IndexFormat }> {
    return this.#mutate(async () => {
      const entries = await loadIndex(this.indexPath);
      if ((await this.#formatOf(entries)) !== "dlm") return { converted: 0, format: "replaykit" as const };
      const upgraded: IndexEntry[] = [];
      const BATCH = 4096;
      for (let i = 0; i < entries.length; i += BATCH) {
        const batch = entries.slice(i, i + BATCH);
        const frames = await this.#rawFrames(batch);
        const results = await decodeFrameBatch(frames.map((bytes, j) => ({ bytes, at: batch[j]!, path: this.corpusPath })));
        results.forEach((r, j) => {
          if (r instanceof CorpusCorruptError) throw r;
          upgraded.push({ ...batch[j]!, sectionType: r.sectionType, autoMined: r.autoMined, crc32: crc32(frames[j]!) });
        });
      }
      await this.#saveIndex(upgraded, "replaykit");
      return { converted: upgraded.length, format: "replaykit" as const };
    });
  }

  // ---------------------------------------------------------------- internals

  /**
   * The format of the store: from the entries' keys, or — for an empty index, which looks
   * the same in both formats — from the sidecar `<index>.format` that remembers an emptied
   * dlm store (so the next append still writes dlm's keys). No index, no sidecar: replaykit.
   */
  async #formatOf(entries: readonly IndexEntry[]): Promise<IndexFormat> {
    const fromKeys = indexFormatOf(entries);
    if (fromKeys !== undefined) return fromKeys;
    try {
      return (await readFile(this.#formatPath, "utf8")).trim() === "dlm" ? "dlm" : "replaykit";
    } catch {
      return "replaykit";
    }
  }

  get #formatPath(): string {
    return `${this.indexPath}.format`;
  }

  /** Saves the index, keeping the format sidecar in step (present only for an empty dlm index). */
  async #saveIndex(entries: readonly IndexEntry[], format: IndexFormat): Promise<void> {
    if (entries.length === 0 && format === "dlm") {
      // Written before the empty index, so no crash leaves an empty dlm index unmarked.
      try {
        await writeFile(this.#formatPath, "dlm\n");
      } catch (error) {
        throw new StoreIOError(this.#formatPath, "write", error);
      }
    }
    await saveIndex(this.indexPath, entries);
    if (entries.length > 0 || format !== "dlm") await unlink(this.#formatPath).catch(() => undefined);
  }

  async #mutate<T>(fn: () => Promise<T>): Promise<T> {
    const run = async () => {
      await rollForward(this, true);
      await removeAbandonedTemps(this);
      return fn();
    };
    return this.#lock ? withLock(this.lockPath, this.#lockTimeoutMs, run) : run();
  }

  async #compactLocked(onProgress?: (done: number, total: number) => void): Promise<{ bytesBefore: number; bytesAfter: number }> {
    const entries = await loadIndex(this.indexPath);
    const bytesBefore = await this.#corpusSize();
    const temps = swapTempPaths(this);
    // Copy each distinct frame once, in file order, so the new file keeps append order.
    const byOffset = [...new Map(entries.map((e) => [`${e.byteOffset}:${e.length}`, e])).values()].sort((a, b) => a.byteOffset - b.byteOffset);
    const moved = new Map<string, number>();
    const BATCH = 4096;
    try {
      for (let i = 0; i < byOffset.length; i += BATCH) {
        const batch = byOffset.slice(i, i + BATCH);
        const frames = await this.#rawFrames(batch);
        frames.forEach((frame, j) => {
          const e = batch[j]!;
          if (e.crc32 !== undefined && crc32(frame) !== e.crc32) {
            throw new CorpusCorruptError(`CRC-32 mismatch (index ${e.crc32}, frame ${crc32(frame)}); refusing to compact a damaged store (run verify)`, { byteOffset: e.byteOffset, length: e.length, path: this.corpusPath, reason: "checksum" });
          }
        });
        const pointers = await appendFrames(temps.corpus, frames);
        batch.forEach((e, j) => moved.set(`${e.byteOffset}:${e.length}`, pointers[j]!.byteOffset));
        onProgress?.(Math.min(i + BATCH, byOffset.length), byOffset.length);
      }
      if (byOffset.length === 0) await createEmpty(temps.corpus);
      const repointed = entries.map((e) => ({ ...e, byteOffset: moved.get(`${e.byteOffset}:${e.length}`)! }));
      await saveIndex(temps.index, repointed);
      crashPoint("compact:temps-written");
    } catch (error) {
      await removeAbandonedTemps(this).catch(() => undefined);
      throw error;
    }
    const bytesAfter = await sizeOf(temps.corpus);
    await commitSwap(this, temps);
    crashPoint("compact:committed");
    await rollForward(this, true);
    return { bytesBefore, bytesAfter };
  }

  /**
   * Runs a read against a consistent (index, corpus) pair: the corpus file's identity is
   * taken before the index is read and checked after the work; a compaction swapping files
   * in between makes the read start over.
   */
  async #view<T>(fn: (entries: IndexEntry[]) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const before = await identity(this.corpusPath);
      const state = await rollForward(this, false);
      if (state === "moved") continue;
      const entries = await loadIndex(this.indexPath);
      let result: T;
      try {
        result = await fn(entries);
      } catch (error) {
        if (attempt < 5 && (CorpusCorruptError.isInstance(error) || CorpusIOError.isInstance(error)) && (await identity(this.corpusPath)) !== before) continue;
        throw error;
      }
      if ((await identity(this.corpusPath)) === before || attempt >= 5) return result;
    }
  }

  async #corpusSize(): Promise<number> {
    return sizeOf(this.corpusPath);
  }

  async #rawFrames(entries: readonly FramePointer[]): Promise<Uint8Array[]> {
    return entries.length === 0 ? [] : readFrames(this.corpusPath, entries);
  }

  /** Reads and decodes frames (one batched read), checking CRC-32 and section ids when known. */
  async #readChecked(entries: ReadonlyArray<FramePointer | IndexEntry>): Promise<SectionSnapshot[]> {
    const frames = await this.#rawFrames(entries);
    const results = await decodeFrameBatch(frames.map((bytes, i) => ({ bytes, at: entries[i]!, path: this.corpusPath })));
    return results.map((r, i) => {
      const e = entries[i]! as Partial<IndexEntry> & FramePointer;
      if (r instanceof CorpusCorruptError) throw r;
      if (e.crc32 !== undefined && crc32(frames[i]!) !== e.crc32) {
        throw new CorpusCorruptError(`CRC-32 mismatch: the index records ${e.crc32}, the frame has ${crc32(frames[i]!)}`, { byteOffset: e.byteOffset, length: e.length, path: this.corpusPath, reason: "checksum" });
      }
      if (e.sectionId !== undefined && r.sectionId !== e.sectionId) {
        throw new CorpusCorruptError(`the frame holds section ${r.sectionId}, the index says ${e.sectionId}`, { byteOffset: e.byteOffset, length: e.length, path: this.corpusPath, reason: "mismatch" });
      }
      return r;
    });
  }

  /**
   * Each entry with its type and auto-mined flag: from the index, or by decoding (dlm
   * stores). Decoded snapshots that `keep` accepts are returned too, so they are not read twice.
   */
  async #withTypes(entries: readonly IndexEntry[], keep: (snapshot: SectionSnapshot) => boolean = () => false) {
    const out = entries.map((entry) => ({ entry, sectionType: entry.sectionType!, autoMined: entry.autoMined ?? false, snapshot: undefined as SectionSnapshot | undefined }));
    const unknown = out.filter((x) => x.entry.sectionType === undefined || x.entry.autoMined === undefined);
    const BATCH = 4096;
    for (let i = 0; i < unknown.length; i += BATCH) {
      const batch = unknown.slice(i, i + BATCH);
      const snapshots = await this.#readChecked(batch.map((x) => x.entry));
      batch.forEach((x, j) => {
        if (keep(snapshots[j]!)) x.snapshot = snapshots[j]!;
        x.sectionType = snapshots[j]!.sectionType;
        x.autoMined = snapshots[j]!.autoMined;
      });
    }
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

function sampleOptions(o: SampleRowsOptions) {
  if (typeof o !== "object" || o === null) throw new StoreArgumentError("options", "must be an object with k and now");
  const out: { k: number; now: Date; seed?: number; random?: () => number; scheme?: Scheme } = { k: o.k, now: o.now };
  if (o.seed !== undefined) out.seed = o.seed;
  if (o.random !== undefined) out.random = o.random;
  if (o.scheme !== undefined) out.scheme = o.scheme;
  return out;
}

function checkFrame(e: IndexEntry, frame: Uint8Array, result: SectionSnapshot | CorpusCorruptError): string | undefined {
  if (e.crc32 !== undefined) {
    const actual = crc32(frame);
    if (actual !== e.crc32) return `CRC-32 mismatch: the index records ${e.crc32}, the frame has ${actual}`;
  }
  if (result instanceof CorpusCorruptError) return result.message;
  if (result.sectionId !== e.sectionId) return `the frame holds section ${result.sectionId}, the index says ${e.sectionId}`;
  if (e.sectionType !== undefined && result.sectionType !== e.sectionType) return `the frame's type is ${result.sectionType}, the index says ${e.sectionType}`;
  if (e.autoMined !== undefined && result.autoMined !== e.autoMined) return `the frame's auto_mined is ${result.autoMined}, the index says ${e.autoMined}`;
  return undefined;
}

/** Bytes of the corpus file that no entry points at (entries may share or overlap frames). */
function unreferencedBytes(entries: readonly IndexEntry[], fileBytes: number): number {
  const ranges = entries
    .map((e) => [e.byteOffset, Math.min(e.byteOffset + e.length, fileBytes)] as const)
    .filter(([from, to]) => to > from)
    .sort((a, b) => a[0] - b[0]);
  let covered = 0;
  let end = 0;
  for (const [from, to] of ranges) {
    if (to <= end) continue;
    covered += to - Math.max(from, end);
    end = to;
  }
  return fileBytes - covered;
}

async function identity(path: string): Promise<string> {
  try {
    const s = await stat(path);
    return `${s.dev}:${s.ino}`;
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return "absent";
    throw new StoreIOError(path, "stat", error);
  }
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return 0;
    throw new StoreIOError(path, "stat", error);
  }
}

async function createEmpty(path: string): Promise<void> {
  try {
    const handle = await open(path, "a");
    await handle.sync();
    await handle.close();
  } catch (error) {
    throw new StoreIOError(path, "create", error);
  }
}

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

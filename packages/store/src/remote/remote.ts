// A store in object storage (docs/DESIGN.md §11, docs/FORMAT.md "A store in object
// storage"). Readers pin a commit: the newest checkpoint at or below it plus the commits
// after it give the journal (assembled into a file in the machine's cache) and the corpus's
// segments; frames are fetched by range GETs. Writers run the local store's own code on a
// working copy of the pinned commit (the journal, and the corpus as a sparse file or, for a
// compaction, downloaded), then publish what changed as commit n+1 with a create-if-absent
// PUT. A writer that loses re-reads and runs its operation again; one that was fenced (a
// purge or collection deleted the commits below a checkpoint it was not part of) finds out
// from that checkpoint's list of writers.
import { CorpusCorruptError, crc32, type FramePointer } from "@replaykit/corpus";
import type { ObjectStore } from "@replaykit/object-store";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { copyFile, open, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { StoreArgumentError, StoreChangedError, StoreConflictError, StoreObjectCorruptError, StoreUnsupportedError } from "../errors.js";
import { crashPoint } from "../crash.js";
import { ObjectCache } from "./cache.js";
import type { S3Location } from "./location.js";
import {
  type CheckpointHead,
  type StoreAt,
  decodeCheckpoint,
  decodeCommit,
  encodeCheckpoint,
  encodeCommit,
  newToken,
  type SegmentRef,
  StoreKeys,
} from "./objects.js";

/** Corpus bytes a commit carries inline (more go to segment objects). */
export const INLINE_MAX_BYTES = 4 << 20;
/** The largest segment object a writer makes (one PUT each). */
export const SEGMENT_BYTES = 64 << 20;
/** A checkpoint after this many commits since the last one. */
export const CHECKPOINT_EVERY = 32;
/** How long objects a newer generation retired stay readable: readers pinned within it keep working. */
export const DEFAULT_GRACE_PERIOD_MS = 60 * 60 * 1000;
/** How many times a writer that lost runs its operation again before `StoreConflictError`. */
const MAX_WRITE_ATTEMPTS = 12;
/**
 * Neighbouring frames closer than this are fetched in one range GET (at most
 * `MAX_RANGE_BYTES`). A draw is bound by round trips, not bytes: on Ceph RGW here (about
 * 50 ms a GET) a 1M-entry draw of 1,000 frames took 1.84 s with 32 KiB (794 GETs, 1.9 MiB),
 * 1.50 s with 128 KiB (638 GETs, 8.7 MiB), 1.16 s with 512 KiB (387 GETs, 54 MiB), 64 in
 * flight. 64 KiB keeps the bytes within a few times the frames'; `s3.maxConcurrency` is the lever.
 */
const MERGE_GAP_BYTES = 64 << 10;
const MAX_RANGE_BYTES = 4 << 20;
/**
 * Bytes a view keeps once fetched: a draw reads its picks in several calls (types, then
 * rows, in batches), whose merged ranges overlap; later calls are served from these.
 */
const VIEW_MEMO_BYTES = 64 << 20;
const CHUNK_FRAMES = 1024;

/** A store's state as of one commit. */
export interface PinnedState extends StoreAt {
  /** The newest checkpoint at or below `commit` (0: none); `writers` names the commits after it. */
  readonly checkpoint: number;
  /** The writer token of `commit` ("" for none): the next commit names it as `previous`. */
  readonly lastWriter: string;
  /** The size of commit `commit`'s object (0: read from a checkpoint): a cached state is checked against the listing with it. */
  readonly commitSize: number;
  /** The journal as of `commit`, in the cache (undefined when the store is empty). */
  readonly journalPath: string | undefined;
  /** CRC-32 of the journal: a cached journal file is used only when it matches. */
  readonly journalCrc32?: number;
}

/** Requests and bytes of one remote store object (what the benchmarks print). */
export interface RemoteCounters {
  gets: number;
  rangeGets: number;
  heads: number;
  puts: number;
  lists: number;
  deletes: number;
  bytesFetched: number;
  bytesSent: number;
}

export interface RemoteSettings {
  readonly cacheDir: string;
  readonly cacheMaxBytes: number;
  readonly gracePeriodMs: number;
  readonly maxConcurrency: number;
  /** The endpoint, for the cache's namespace and messages (never credentials). */
  readonly endpoint: string;
}

/** What a write does on its working copy, and how much of the corpus it needs there. */
export interface RemoteWrite<L, T> {
  readonly name: string;
  /** "sparse": the corpus's bytes are not read (appends, removals, exposure); "full": they are (compaction, recovery). */
  readonly corpus: "sparse" | "full";
  /** Delete what the old generations held at once, not after the grace period (a purge). */
  readonly purge?: boolean;
  readonly run: (local: L) => Promise<T>;
}

export class RemoteStore<L> {
  readonly location: S3Location;
  readonly keys: StoreKeys;
  readonly objects: ObjectStore;
  readonly cache: ObjectCache;
  readonly settings: RemoteSettings;
  readonly counters: RemoteCounters = { gets: 0, rangeGets: 0, heads: 0, puts: 0, lists: 0, deletes: 0, bytesFetched: 0, bytesSent: 0 };
  readonly #openLocal: (dir: string) => Promise<L>;
  readonly #namespace: string;
  #checked: Promise<void> | undefined;
  /** Cached objects checked whole in this process (their copies are trusted from then on). */
  readonly #verified = new Set<string>();

  constructor(location: S3Location, objects: ObjectStore, settings: RemoteSettings, openLocal: (dir: string) => Promise<L>) {
    this.location = location;
    this.keys = new StoreKeys(location.prefix);
    this.objects = counting(objects, this.counters);
    this.settings = settings;
    this.#namespace = `${settings.endpoint}\0${location.bucket}`;
    this.cache = new ObjectCache(settings.cacheDir, settings.cacheMaxBytes, this.#namespace);
    this.#openLocal = openLocal;
  }

  get bucket(): string {
    return this.location.bucket;
  }

  // ------------------------------------------------------------------ reading

  /** The latest commit (0 for an empty store). */
  async latest(): Promise<number> {
    const checkpoints = await this.#checkpoints();
    const after = checkpoints.at(-1) ?? 0;
    let latest = after;
    for await (const e of this.#list(this.keys.commits, after === 0 ? undefined : this.keys.commit(after))) {
      const n = this.keys.commitOf(e.key);
      if (n !== undefined && n > latest) latest = n;
    }
    return latest;
  }

  /**
   * The store as of `commit` (default: the latest). Fetches the newest checkpoint at or
   * below it and the commits after, unless this machine's cache has them.
   * @throws {StoreArgumentError} (options.commit) for a commit the store does not have.
   */
  async state(commit?: number): Promise<PinnedState> {
    try {
      return await this.#state(commit, true);
    } catch (error) {
      if (!(error instanceof ChainError)) throw error;
    }
    // The chain broke: a cached object or state is from another history of this prefix. Again, from the bucket only.
    try {
      return await this.#state(commit, false);
    } catch (error) {
      throw error instanceof ChainError ? error.error : error;
    }
  }

  async #state(commit: number | undefined, useCache: boolean): Promise<PinnedState> {
    const cached = useCache ? await this.#cachedState(commit) : undefined;
    // With a cached state, its commits are listed while the checkpoints are: one round trip, not two.
    const fromCached = cached === undefined ? undefined : this.#listCommits(cached.commit > 1 ? this.keys.commit(cached.commit - 1) : undefined, commit);
    fromCached?.catch(() => undefined);
    const checkpoints = await this.#checkpoints();
    const cp = checkpoints.filter((c) => commit === undefined || c <= commit).at(-1) ?? 0;
    const base = cached !== undefined && cached.commit >= cp ? cached.commit : cp;
    // A cached state is trusted only while the bucket still holds its commit, of the same size.
    const fromCache = cached !== undefined && base === cached.commit && base > 0;
    const listed = fromCache ? await fromCached! : await this.#listCommits(base === 0 ? undefined : this.keys.commit(base), commit);
    if (fromCache) {
      const first = listed.shift();
      if (first === undefined)
        throw new ChainError(new StoreObjectCorruptError(this.bucket, this.keys.commit(base), "the cache's state names a commit the bucket does not hold"));
      if (first.n !== base || (cached.commitSize !== 0 && first.size !== cached.commitSize))
        throw new ChainError(new StoreObjectCorruptError(this.bucket, this.keys.commit(first.n), "the cache's state does not match the bucket"));
    }
    const numbers = listed.map((e) => e.n);
    const target = commit ?? numbers.at(-1) ?? base;
    if (commit !== undefined && target !== (numbers.at(-1) ?? base)) {
      const latest = await this.latest();
      throw new StoreArgumentError(
        "options.commit",
        commit > latest
          ? `${this.location.url} has no commit ${commit} (its latest is ${latest})`
          : `commit ${commit} of ${this.location.url} is no longer in the store (collected after the grace period; the oldest readable is checkpoint ${cp})`,
      );
    }
    if (cached !== undefined && cached.commit === target) return cached;
    numbers.forEach((n, i) => {
      // Below a later checkpoint, commits may have been collected (and a fenced writer's late create may sit among them).
      if (n !== base + i + 1 && commit !== undefined && checkpoints.some((c) => c > commit))
        throw new StoreArgumentError(
          "options.commit",
          `commit ${commit} of ${this.location.url} is no longer in the store (collected after the grace period; the oldest readable is checkpoint ${checkpoints.find((c) => c > commit)})`,
        );
      if (n !== base + i + 1)
        throw new StoreObjectCorruptError(
          this.bucket,
          this.keys.commit(base + i + 1),
          `commit ${base + i + 1} is missing (commit ${n} follows commit ${base + i})`,
        );
    });
    let s: Building;
    if (base === 0) s = emptyBuilding();
    else if (cached !== undefined && cached.commit === base)
      s = { ...cached, segments: [...cached.segments], writers: [...cached.writers], journal: await readFile(cached.journalPath!) };
    else {
      const key = this.keys.checkpoint(base);
      const { head, journal } = await this.#immutable(key, (bytes) => decodeCheckpoint(bytes, this.bucket, key, base), useCache);
      s = fromCheckpoint(head, journal);
    }
    for (const n of numbers) {
      const key = this.keys.commit(n);
      const { c, size } = await this.#immutable(key, (bytes) => ({ c: decodeCommit(bytes, this.bucket, key, n), size: bytes.length }), useCache);
      s = this.#apply(s, c, size);
    }
    if (!useCache) {
      // Another history of this prefix was cached: drop its copies of the commits this state reads inline frames from and did not just fetch.
      const fetched = new Set(numbers.map((n) => this.keys.commit(n)));
      const stale = [...new Set(s.segments.map((seg) => seg.key))].filter((k) => !fetched.has(k) && this.keys.commitOf(k) !== undefined);
      for (const k of stale) this.#verified.delete(k);
      await this.cache.forget(stale);
    }
    return this.#settle(s);
  }

  /** The journal file and state of `s`, written into the cache. */
  async #settle(s: Building): Promise<PinnedState> {
    let journalPath: string | undefined;
    const journalCrc32 = crc32(s.journal);
    if (s.journal.length > 0) {
      const id = `${this.location.prefix}\0${s.commit}`;
      journalPath = this.cache.pathOf(id, "journals");
      // A file already there is used only when it holds these bytes (a damaged one is replaced).
      const there = await readFile(journalPath).catch(() => undefined);
      if (there === undefined || Buffer.compare(there, s.journal) !== 0) journalPath = await this.cache.write(id, s.journal, "journals");
    }
    const { journal: _, ...rest } = s;
    const state: PinnedState = { ...rest, journalPath, journalCrc32 };
    await this.cache.write(`${this.location.prefix}\0${s.commit}.state`, new TextEncoder().encode(JSON.stringify(state)), "journals").catch(() => undefined);
    await this.cache.write(`${this.location.prefix}\0latest`, new TextEncoder().encode(String(s.commit)), "journals").catch(() => undefined);
    return state;
  }

  /** The newest state this machine's cache holds (at or below `commit`), when its journal is still there. */
  async #cachedState(commit: number | undefined): Promise<PinnedState | undefined> {
    const latestBytes = await this.cache.read(`${this.location.prefix}\0latest`, "journals").catch(() => undefined);
    const latest = latestBytes === undefined ? undefined : Number(new TextDecoder().decode(latestBytes));
    const want = commit !== undefined && latest !== undefined && latest > commit ? commit : latest;
    if (want === undefined || !Number.isSafeInteger(want) || want <= 0) return undefined;
    const bytes = await this.cache.read(`${this.location.prefix}\0${want}.state`, "journals").catch(() => undefined);
    if (bytes === undefined) return undefined;
    try {
      const state = JSON.parse(new TextDecoder().decode(bytes)) as PinnedState;
      if (state.commit !== want || !(await this.#journalIntact(state))) return undefined;
      return state;
    } catch {
      return undefined;
    }
  }

  /** True when the state's journal file is in the cache and holds its bytes (size and CRC-32). */
  async #journalIntact(state: PinnedState): Promise<boolean> {
    if (state.journalPath === undefined) return state.journalBytes === 0;
    const bytes = await readFile(state.journalPath).catch(() => undefined);
    return bytes !== undefined && bytes.length === state.journalBytes && state.journalCrc32 !== undefined && crc32(bytes) === state.journalCrc32;
  }

  /**
   * `state` with its journal file in the cache: as it is when the file is there whole, else
   * assembled again (another process's trim may have deleted it, or it was damaged).
   */
  async readable(state: PinnedState): Promise<PinnedState> {
    if (state.journalPath === undefined) return state;
    const size = (await stat(state.journalPath).catch(() => undefined))?.size;
    if (size === state.journalBytes) return state;
    return this.state(state.commit);
  }

  #apply(s: Building, c: ReturnType<typeof decodeCommit>, size: number): Building {
    const { head } = c;
    const key = this.keys.commit(head.commit);
    const bad = (why: string) => new StoreObjectCorruptError(this.bucket, key, why);
    const fresh = head.generation !== s.generation;
    if (head.previous !== s.lastWriter)
      throw new ChainError(
        bad(`it follows writer ${JSON.stringify(head.previous)} but commit ${head.commit - 1} was written by ${JSON.stringify(s.lastWriter)}`),
      );
    if (fresh && head.kind !== "replace") throw bad(`a delta commit starts generation ${head.generation} (the store is at ${s.generation})`);
    const segments = fresh ? [] : [...s.segments];
    let end = fresh ? 0 : s.corpusBytes;
    for (const seg of c.segments) {
      if (seg.offset !== end) throw bad(`its corpus bytes start at ${seg.offset}, expected ${end}`);
      segments.push(seg);
      end += seg.length;
    }
    if (end !== head.corpusBytes) throw bad(`its segments end at ${end} but its head says corpusBytes ${head.corpusBytes}`);
    let journal: Uint8Array;
    if (head.kind === "replace") journal = c.journal;
    else {
      journal = new Uint8Array(s.journal.length + c.journal.length);
      journal.set(s.journal, 0);
      journal.set(c.journal, s.journal.length);
    }
    if (journal.length !== head.journalBytes) throw bad(`the journal is ${journal.length} bytes after it but its head says ${head.journalBytes}`);
    return {
      commit: head.commit,
      generation: head.generation,
      generationCommit: fresh ? head.commit : s.generationCommit,
      generationTime: fresh ? head.time : s.generationTime,
      corpusBytes: end,
      journalBytes: journal.length,
      segments,
      checkpoint: s.checkpoint,
      writers: [...s.writers, head.writer],
      lastWriter: head.writer,
      commitSize: size,
      journal,
    };
  }

  /** The frames of `state`, read by range GETs (or from cached objects). */
  frames(state: PinnedState): RemoteFrames {
    return new RemoteFrames(this, state);
  }

  /** Bytes `[offset, offset + length)` of the corpus of `state` (across segments when they span several). */
  async corpusRange(state: PinnedState, offset: number, length: number): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    const segs = state.segments;
    let lo = 0;
    let hi = segs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (segs[mid]!.offset <= offset) lo = mid;
      else hi = mid - 1;
    }
    let done = 0;
    for (let i = lo; done < length && i < segs.length; i++) {
      const seg = segs[i]!;
      const from = offset + done - seg.offset;
      const n = Math.min(seg.length - from, length - done);
      const at = seg.at + from;
      let bytes = await this.#cachedRange(seg.key, at, n);
      if (bytes === undefined) {
        try {
          bytes = await this.objects.get(seg.key, { offset: at, length: n });
        } catch (error) {
          if ((error as { code?: string }).code === "OBJECT_STORE_NOT_FOUND")
            throw new StoreChangedError(`${this.location.url} (commit ${state.commit})`, state.generation, state.generation + 1);
          throw error;
        }
      }
      out.set(bytes, done);
      done += n;
    }
    return out;
  }

  // ------------------------------------------------------------------ writing

  /**
   * Runs `w` on a working copy of the latest commit and publishes what it changed as the
   * next commit; runs it again on the new latest when another writer committed first.
   * @returns the operation's result and the commit that holds it (the pinned one when nothing changed).
   * @throws {StoreConflictError} when it lost every attempt.
   * @throws {UnsafeEndpointError} before anything is written, when the endpoint ignores conditional writes.
   */
  async write<T>(w: RemoteWrite<L, T>): Promise<{ result: T; state: PinnedState }> {
    await this.assertSafe();
    let tried = 0;
    for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
      const started = performance.now();
      const state = await this.state();
      tried = state.commit + 1;
      const dir = await this.cache.workDir();
      try {
        await this.#materialize(state, dir, w.corpus);
        const result = await w.run(await this.#openLocal(dir));
        crashPoint("remote:operation-done");
        const plan = await this.#plan(state, dir);
        if (plan === undefined) return { result, state };
        const committed = await this.#commit(state, plan, w.purge === true);
        if (committed !== undefined) return { result, state: committed };
      } finally {
        await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      }
      // Lost: someone else committed first. Back off (jittered, growing, and at least about as long
      // as an attempt takes, so writers racing on the same commit spread out) and run it again.
      const backoff = Math.min(2000, Math.max(10 * 2 ** attempt, performance.now() - started));
      await new Promise((r) => setTimeout(r, backoff * (0.5 + Math.random())));
    }
    throw new StoreConflictError(this.location.url, tried, MAX_WRITE_ATTEMPTS, `${w.name}: another writer committed first every time`);
  }

  /** Checks once per store object that the endpoint enforces conditional writes (before the first write). */
  assertSafe(): Promise<void> {
    this.#checked ??= (async () => {
      const { checkConditionalWrites } = await loadObjectStore();
      await checkConditionalWrites(this.objects, this.keys.probe(newToken()));
    })().catch((error: unknown) => {
      this.#checked = undefined;
      throw error;
    });
    return this.#checked;
  }

  async #materialize(state: PinnedState, dir: string, corpus: "sparse" | "full"): Promise<void> {
    if (state.journalPath !== undefined) await copyFile(state.journalPath, join(dir, "index.rkx"));
    if (state.corpusBytes === 0) return;
    const handle = await open(join(dir, "corpus.zst"), "w");
    try {
      if (corpus === "sparse") await handle.truncate(state.corpusBytes);
      else
        for (const seg of state.segments) {
          const bytes = (await this.#cachedRange(seg.key, seg.at, seg.length)) ?? (await this.objects.get(seg.key, { offset: seg.at, length: seg.length }));
          await handle.write(bytes, 0, bytes.length, seg.offset);
        }
    } finally {
      await handle.close();
    }
  }

  /** What the operation changed in the working copy, as a commit to make (undefined: nothing). */
  async #plan(state: PinnedState, dir: string): Promise<Plan | undefined> {
    const journal = await readFile(join(dir, "index.rkx")).catch((e: { code?: string }) => {
      if (e.code === "ENOENT") return new Uint8Array(0);
      throw e;
    });
    const corpusPath = join(dir, "corpus.zst");
    const corpusBytes = (await stat(corpusPath).catch(() => undefined))?.size ?? 0;
    const rewritten = existsSync(join(dir, "index.rkx.generation")) || corpusBytes < state.corpusBytes;
    const old = state.journalPath === undefined ? new Uint8Array(0) : await readFile(state.journalPath);
    const prefixSame = journal.length >= old.length && Buffer.compare(journal.subarray(0, old.length), old) === 0;
    if (!rewritten && corpusBytes === state.corpusBytes && prefixSame && journal.length === old.length) return undefined;
    const from = rewritten ? 0 : state.corpusBytes;
    const added = corpusBytes - from;
    const read = async (offset: number, length: number) => {
      const handle = await open(corpusPath, "r");
      try {
        const out = new Uint8Array(length);
        await handle.read(out, 0, length, offset);
        return out;
      } finally {
        await handle.close();
      }
    };
    const replace = rewritten || !prefixSame || state.generation === 0;
    return {
      kind: replace ? "replace" : "delta",
      generation: rewritten || state.generation === 0 ? state.generation + 1 : state.generation,
      corpusFrom: from,
      corpusBytes,
      journal: replace ? journal : journal.subarray(old.length),
      journalBytes: journal.length,
      old,
      inline: added > 0 && added <= INLINE_MAX_BYTES ? await read(from, added) : undefined,
      readCorpus: read,
    };
  }

  /** Publishes `plan` as commit `state.commit + 1`; the new state, or undefined when another writer got there first. */
  async #commit(state: PinnedState, plan: Plan, purge: boolean): Promise<PinnedState | undefined> {
    const n = state.commit + 1;
    const writer = newToken();
    const segments: Array<{ offset: number; length: number; key?: string }> = [];
    if (plan.inline !== undefined) segments.push({ offset: plan.corpusFrom, length: plan.inline.length });
    else
      for (let offset = plan.corpusFrom; offset < plan.corpusBytes; offset += SEGMENT_BYTES) {
        const length = Math.min(SEGMENT_BYTES, plan.corpusBytes - offset);
        const key = this.keys.segment(plan.generation, offset, writer);
        await this.objects.put(key, await plan.readCorpus(offset, length), { kind: "overwrite" });
        segments.push({ offset, length, key });
      }
    const head = {
      commit: n,
      kind: plan.kind,
      generation: plan.generation,
      writer,
      previous: state.lastWriter,
      time: new Date().toISOString(),
      corpusBytes: plan.corpusBytes,
      journalBytes: plan.journalBytes,
      segments,
    };
    const key = this.keys.commit(n);
    const body = encodeCommit(head, plan.inline === undefined ? [] : [plan.inline], plan.journal);
    crashPoint("remote:segments-uploaded");
    if (!(await this.#create(key, body, writer, n))) {
      await this.#deleteAll(segments.flatMap((s) => (s.key === undefined ? [] : [s.key])));
      return undefined;
    }
    crashPoint("remote:committed");
    if (!(await this.#stillOurs(n, writer))) return undefined;
    // Committed. The new state: the pinned one plus this commit (nothing to fetch).
    await this.cache.write(key, body).then(
      () => this.#verified.add(key),
      () => undefined,
    );
    const base: Building = {
      ...state,
      segments: [...state.segments],
      writers: [...state.writers],
      journal: plan.old,
    };
    let next = this.#apply(base, decodeCommit(body, this.bucket, key, n), body.length);
    if (plan.kind === "replace" || next.writers.length >= CHECKPOINT_EVERY) next = await this.#checkpoint(next, purge);
    crashPoint("remote:checkpointed");
    const settled = await this.#settle(next);
    if (purge) await this.#collect(settled, "now");
    else await this.#collect(settled, "after-grace").catch(() => undefined); // best effort: the next writer tries again
    return settled;
  }

  /**
   * A create-if-absent PUT whose outcome is settled: true when the object is ours (also
   * when the answer was lost and reading it back shows our writer token), false when
   * another writer's object is there.
   */
  async #create(key: string, body: Uint8Array, writer: string, n: number): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.objects.put(key, body, { kind: "create" });
        return true;
      } catch (error) {
        const code = (error as { code?: string }).code;
        // After an ambiguous attempt, the object there may be that attempt's, landed late: look.
        if (code === "OBJECT_STORE_PRECONDITION") return attempt > 1 && decodeCommit(await this.objects.get(key), this.bucket, key, n).head.writer === writer;
        if (code !== "OBJECT_STORE_AMBIGUOUS" || attempt >= 5) throw error;
      }
      // The PUT may or may not have landed: read the key back, never guess.
      let existing: Uint8Array | undefined;
      try {
        existing = await this.objects.get(key);
      } catch (error) {
        if ((error as { code?: string }).code !== "OBJECT_STORE_NOT_FOUND") throw error;
      }
      if (existing !== undefined) return decodeCommit(existing, this.bucket, key, n).head.writer === writer;
    }
  }

  /**
   * After creating commit n: true unless a checkpoint at or above n exists that does not
   * list this writer — then the commits below it had been deleted (a purge or a collection)
   * and this commit re-used a freed number below the live chain: it is not part of the store.
   */
  async #stillOurs(n: number, writer: string): Promise<boolean> {
    for await (const e of this.#list(this.keys.checkpoints, this.keys.checkpoint(n - 1))) {
      const c = this.keys.checkpointOf(e.key);
      if (c === undefined) continue;
      const { head } = await this.#immutable(e.key, (bytes) => decodeCheckpoint(bytes, this.bucket, e.key, c));
      const mine = head.writers[n - head.previous - 1] === writer;
      if (!mine) await this.objects.delete(this.keys.commit(n)).catch(() => undefined);
      return mine;
    }
    return true;
  }

  async #checkpoint(s: Building, required = false): Promise<Building> {
    const head: Omit<CheckpointHead, "format" | "crc32"> = {
      commit: s.commit,
      previous: s.checkpoint,
      writers: s.writers,
      generation: s.generation,
      generationCommit: s.generationCommit,
      generationTime: s.generationTime,
      corpusBytes: s.corpusBytes,
      journalBytes: s.journal.length,
      segments: s.segments,
    };
    const key = this.keys.checkpoint(s.commit);
    const body = encodeCheckpoint(head, s.journal);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.objects.put(key, body, { kind: "create" });
        break;
      } catch (error) {
        const code = (error as { code?: string }).code;
        // Written already (by another writer that read this commit, or by an attempt of ours that landed).
        if (code === "OBJECT_STORE_PRECONDITION") break;
        // Unknown whether it landed: look, and write it again when it did not.
        if (code === "OBJECT_STORE_AMBIGUOUS" && attempt < 5 && (await this.objects.head(key).catch(() => undefined)) !== undefined) break;
        if (code === "OBJECT_STORE_AMBIGUOUS" && attempt < 5) continue;
        // A purge must not return before its old objects are gone, which needs this checkpoint; otherwise the next writer writes it.
        if (required) throw error;
        return s;
      }
    }
    await this.cache.write(key, body).catch(() => undefined);
    return { ...s, checkpoint: s.commit, writers: [] };
  }

  /**
   * Deletes what the generations before `state`'s hold and the commits and checkpoints
   * before the one that started it: at once (`"now"`, a purge), or once the generation is
   * older than the grace period (readers pinned since then keep working).
   */
  async #collect(state: PinnedState, when: "now" | "after-grace"): Promise<void> {
    const since = Date.parse(state.generationTime);
    if (when === "after-grace" && !(Date.now() - since >= this.settings.gracePeriodMs)) return;
    const floor = state.generationCommit;
    if (floor <= 1) return;
    if (when === "after-grace") {
      // Anything left below the generation? Its oldest commit tells (segments go first, commits after),
      // so a writer pays one listing, not three, once the old generation is gone.
      let oldest: number | undefined;
      for await (const e of this.#list(this.keys.commits)) {
        oldest = this.keys.commitOf(e.key);
        break;
      }
      if (oldest === undefined || oldest >= floor) return;
    }
    // The generation's checkpoint must exist before anything below it goes (stale writers are fenced by it).
    if ((await this.objects.head(this.keys.checkpoint(floor))) === undefined) {
      if (when === "now")
        throw new StoreObjectCorruptError(
          this.bucket,
          this.keys.checkpoint(floor),
          "is missing, so the objects of the older generations could not be deleted yet: run the purge again",
        );
      // The writer that started the generation died before writing its checkpoint: a later writer writes it.
      if (state.commit === floor) return;
      await this.#repairCheckpoint(floor);
      if ((await this.objects.head(this.keys.checkpoint(floor))) === undefined) return;
    }
    const doomed: string[] = [];
    for await (const e of this.#list(this.keys.commits)) {
      const n = this.keys.commitOf(e.key);
      if (n === undefined || n >= floor) break;
      doomed.push(e.key);
    }
    for await (const e of this.#list(this.keys.checkpoints)) {
      const n = this.keys.checkpointOf(e.key);
      if (n === undefined || n >= floor) break;
      doomed.push(e.key);
    }
    for await (const e of this.#list(this.keys.segments)) {
      const g = this.keys.generationOf(e.key);
      if (g === undefined || g >= state.generation) break;
      doomed.push(e.key);
    }
    if (doomed.length === 0) return;
    // Segments first, then commits and checkpoints oldest first: a reader never finds a commit whose bytes are gone... except through a pinned view.
    doomed.sort((a, b) => Number(this.keys.generationOf(b) !== undefined) - Number(this.keys.generationOf(a) !== undefined));
    // Half of it, then the rest: a writer killed in the middle leaves the rest to the next one.
    const half = Math.ceil(doomed.length / 2);
    await this.#deleteAll(doomed.slice(0, half));
    crashPoint("remote:collecting");
    await this.#deleteAll(doomed.slice(half));
    await this.cache.forget(doomed);
  }

  /** Writes the missing checkpoint of commit `n` (which started a generation), from the store as of `n`. */
  async #repairCheckpoint(n: number): Promise<void> {
    const at = await this.state(n);
    if (at.checkpoint >= n) return;
    const journal = at.journalPath === undefined ? new Uint8Array(0) : await readFile(at.journalPath);
    await this.#checkpoint({ ...at, segments: [...at.segments], writers: [...at.writers], journal });
  }

  async #deleteAll(keys: readonly string[]): Promise<void> {
    const limit = Math.max(1, this.settings.maxConcurrency);
    for (let i = 0; i < keys.length; i += limit) await Promise.all(keys.slice(i, i + limit).map((k) => this.objects.delete(k)));
  }

  // ------------------------------------------------------------------ helpers

  /** The commits listed after `startAfter`, up to `commit` (all when undefined), with their objects' sizes. */
  async #listCommits(startAfter: string | undefined, commit: number | undefined): Promise<Array<{ n: number; size: number }>> {
    const out: Array<{ n: number; size: number }> = [];
    for await (const e of this.#list(this.keys.commits, startAfter)) {
      const n = this.keys.commitOf(e.key);
      if (n === undefined) continue;
      if (commit !== undefined && n > commit) break;
      out.push({ n, size: e.size });
    }
    return out;
  }

  async #checkpoints(): Promise<number[]> {
    const out: number[] = [];
    for await (const e of this.#list(this.keys.checkpoints)) {
      const n = this.keys.checkpointOf(e.key);
      if (n !== undefined) out.push(n);
    }
    return out;
  }

  #list(prefix: string, startAfter?: string) {
    return this.objects.list(prefix, startAfter);
  }

  /**
   * An immutable object, decoded (and so checked) by `decode`: from the cache when its copy
   * there passes, else fetched (and cached). A cached copy that fails is deleted, never used.
   */
  async #immutable<T>(key: string, decode: (bytes: Uint8Array) => T, useCache = true): Promise<T> {
    const cached = useCache ? await this.cache.read(key).catch(() => undefined) : undefined;
    if (cached !== undefined) {
      try {
        const decoded = decode(cached);
        this.#verified.add(key);
        return decoded;
      } catch {
        await this.cache.forget([key]);
      }
    }
    const bytes = await this.objects.get(key);
    const decoded = decode(bytes);
    await this.cache.write(key, bytes).catch(() => undefined);
    this.#verified.add(key);
    return decoded;
  }

  /**
   * Bytes `[at, at + length)` of object `key` from the cache, or undefined when it is not
   * there. The cached copy of a commit is checked whole (its CRC-32) once per process before
   * any of it is used; one that fails is deleted (the caller fetches the range).
   */
  async #cachedRange(key: string, at: number, length: number): Promise<Uint8Array | undefined> {
    if (!this.#verified.has(key)) {
      const n = this.keys.commitOf(key);
      if (n === undefined) return undefined; // segment objects are not cached
      const whole = await this.cache.read(key).catch(() => undefined);
      if (whole === undefined) return undefined;
      try {
        decodeCommit(whole, this.bucket, key, n);
      } catch {
        await this.cache.forget([key]);
        return undefined;
      }
      this.#verified.add(key);
      return at + length <= whole.length ? whole.slice(at, at + length) : undefined;
    }
    return this.cache.readRange(key, at, length);
  }
}

/** A commit that does not follow the one before it: a stale cached object (a prefix deleted and re-created), or damage. */
class ChainError extends Error {
  readonly error: StoreObjectCorruptError;
  constructor(error: StoreObjectCorruptError) {
    super(error.message);
    this.error = error;
  }
}

interface Plan {
  kind: "delta" | "replace";
  generation: number;
  corpusFrom: number;
  corpusBytes: number;
  journal: Uint8Array;
  journalBytes: number;
  /** The pinned state's journal (what a delta follows), read once before the commit. */
  old: Uint8Array;
  inline: Uint8Array | undefined;
  readCorpus: (offset: number, length: number) => Promise<Uint8Array>;
}

type Building = Omit<PinnedState, "journalPath" | "segments" | "writers"> & { segments: SegmentRef[]; writers: string[]; journal: Uint8Array };

function emptyBuilding(): Building {
  return {
    commit: 0,
    generation: 0,
    generationCommit: 0,
    generationTime: new Date(0).toISOString(),
    corpusBytes: 0,
    journalBytes: 0,
    segments: [],
    checkpoint: 0,
    writers: [],
    lastWriter: "",
    commitSize: 0,
    journal: new Uint8Array(0),
  };
}

function fromCheckpoint(head: CheckpointHead, journal: Uint8Array): Building {
  return {
    commit: head.commit,
    generation: head.generation,
    generationCommit: head.generationCommit,
    generationTime: head.generationTime,
    corpusBytes: head.corpusBytes,
    journalBytes: head.journalBytes,
    segments: [...head.segments],
    checkpoint: head.commit,
    writers: [],
    lastWriter: head.writers.at(-1) ?? "",
    commitSize: 0,
    journal,
  };
}

/** The frames of one pinned state, as a view reads them (see view.ts `FrameSource`). */
export class RemoteFrames {
  readonly #remote: RemoteStore<unknown>;
  readonly #state: PinnedState;
  readonly label: string;
  /** Ranges of the corpus fetched by this view, sorted by `from` (at most VIEW_MEMO_BYTES). */
  readonly #memo: Array<{ from: number; bytes: Uint8Array }> = [];
  #memoBytes = 0;

  /** The bytes of `p` when a fetched range holds them. */
  #remembered(p: FramePointer): Uint8Array | undefined {
    const m = this.#memo;
    let lo = 0;
    let hi = m.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (m[mid]!.from <= p.byteOffset) lo = mid + 1;
      else hi = mid - 1;
    }
    // Ranges may overlap: look back from the last one starting at or before the pointer.
    for (let i = hi; i >= 0 && i > hi - 8; i--) {
      const r = m[i]!;
      if (p.byteOffset + p.length <= r.from + r.bytes.length) return r.bytes.subarray(p.byteOffset - r.from, p.byteOffset - r.from + p.length);
    }
    return undefined;
  }

  #remember(from: number, bytes: Uint8Array): void {
    if (this.#memoBytes + bytes.length > VIEW_MEMO_BYTES) return;
    this.#memoBytes += bytes.length;
    let i = this.#memo.length;
    while (i > 0 && this.#memo[i - 1]!.from > from) i--;
    this.#memo.splice(i, 0, { from, bytes });
  }

  constructor(remote: RemoteStore<unknown>, state: PinnedState) {
    this.#remote = remote;
    this.#state = state;
    this.label = `${remote.location.url}/corpus.zst`;
  }

  async size(): Promise<number> {
    return this.#state.corpusBytes;
  }

  /**
   * The frames of `pointers` in order, in batches: neighbours merged into one range GET,
   * a bounded number in flight. A pointer past the corpus's end is an error in its slot.
   */
  async *batches(pointers: readonly FramePointer[]): AsyncGenerator<{ start: number; frames: Array<Uint8Array | CorpusCorruptError> }> {
    const size = this.#state.corpusBytes;
    const limit = Math.max(1, this.#remote.settings.maxConcurrency);
    for (let start = 0; start < pointers.length; start += CHUNK_FRAMES) {
      const chunk = pointers.slice(start, start + CHUNK_FRAMES);
      const frames: Array<Uint8Array | CorpusCorruptError> = new Array(chunk.length);
      const order: number[] = [];
      chunk.forEach((p, i) => {
        const memo = this.#remembered(p);
        if (memo !== undefined) frames[i] = memo.slice();
        else if (p.byteOffset + p.length > size)
          frames[i] = new CorpusCorruptError(`frame reaches past the end of the corpus (${size} bytes)`, {
            byteOffset: p.byteOffset,
            length: p.length,
            path: this.label,
            reason: "short-read",
          });
        else order.push(i);
      });
      order.sort((a, b) => chunk[a]!.byteOffset - chunk[b]!.byteOffset);
      const ranges: Array<{ from: number; to: number; members: number[] }> = [];
      for (const i of order) {
        const p = chunk[i]!;
        const last = ranges.at(-1);
        const end = p.byteOffset + p.length;
        if (last !== undefined && p.byteOffset - last.to <= MERGE_GAP_BYTES && Math.max(end, last.to) - last.from <= MAX_RANGE_BYTES) {
          last.to = Math.max(last.to, end);
          last.members.push(i);
        } else ranges.push({ from: p.byteOffset, to: end, members: [i] });
      }
      let next = 0;
      const worker = async () => {
        while (next < ranges.length) {
          const r = ranges[next++]!;
          const bytes = await this.#remote.corpusRange(this.#state, r.from, r.to - r.from);
          this.#remember(r.from, bytes);
          for (const i of r.members) {
            const p = chunk[i]!;
            frames[i] = bytes.slice(p.byteOffset - r.from, p.byteOffset - r.from + p.length);
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(limit, ranges.length) }, worker));
      yield { start, frames };
    }
  }
}

/** Loads `@replaykit/object-store` (an optional dependency: only `s3://` locations need it). */
export async function loadObjectStore(): Promise<typeof import("@replaykit/object-store")> {
  try {
    return await import("@replaykit/object-store");
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND")
      throw new StoreUnsupportedError(
        "opening an s3:// location",
        "needs the package @replaykit/object-store, which is not installed: npm install @replaykit/object-store (it brings the AWS SDK's S3 client)",
      );
    throw error;
  }
}

/** An object store that counts its requests and bytes. */
function counting(objects: ObjectStore, c: RemoteCounters): ObjectStore {
  return {
    async get(key, range) {
      if (range === undefined) c.gets++;
      else c.rangeGets++;
      const bytes = await objects.get(key, range);
      c.bytesFetched += bytes.length;
      return bytes;
    },
    async head(key) {
      c.heads++;
      return objects.head(key);
    },
    async put(key, body, mode) {
      c.puts++;
      c.bytesSent += body.length;
      return objects.put(key, body, mode);
    },
    async *list(prefix, startAfter) {
      c.lists++;
      yield* objects.list(prefix, startAfter);
    },
    async delete(key) {
      c.deletes++;
      return objects.delete(key);
    },
    // checkConditionalWrites names the endpoint and bucket in its error.
    ...("endpoint" in objects ? { endpoint: (objects as { endpoint: string }).endpoint } : {}),
    ...("bucket" in objects ? { bucket: (objects as { bucket: string }).bucket } : {}),
  } as ObjectStore;
}

/** A short stable name of a location, for cache namespaces. */
export function locationId(endpoint: string, location: S3Location): string {
  return createHash("sha256").update(`${endpoint}\0${location.url}`).digest("hex").slice(0, 16);
}

// `push` and `pull`: a store moves between a directory and object storage byte for byte
// (docs/FORMAT.md, "A store in object storage"). A push writes commit 1 ("replace",
// generation 1) holding the directory's journal (`index.rkx`) as it is, its corpus as
// segment objects, and checkpoint 1; a pull writes the corpus and journal files of a
// commit, which for an unchanged pushed store are the source's, byte for byte.
//
// Both resume after an interruption. A push names its segments with a writer token derived
// from what it copies (a SHA-256 of the journal's bytes and the corpus's length), so a
// re-run of the same push finds the segments already there (by key and size) and sends only
// the rest; its commit is create-if-absent, so a re-run after the commit landed reports the
// push done. A pull downloads into `<dir>/.replaykit-pull/` beside a small state file naming
// the location and commit; a re-run for the same ones continues from the partial file's
// length. Every frame is checked by its CRC-32: before a push (the store's `verify`), and
// after a pull's download (a `verify` of the downloaded pair), before anything is renamed
// into place (the journal last).
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { copyFile, mkdir, open, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { StoreArgumentError, StoreDamagedError, StoreNotEmptyError, StoreNotFoundError, StoreObjectCorruptError, StoreUnsupportedError } from "../errors.js";
import { StoreLayout } from "../layout.js";
import { withStoreLock } from "../lock.js";
import { resolveStoreOptions, type StoreOptions } from "../options.js";
import { rollForward } from "../recover.js";
import { ReplayStore } from "../store.js";
import { isS3Location } from "./location.js";
import { type DecodedCommit, decodeCommit, encodeCheckpoint, encodeCommit, type SegmentRef } from "./objects.js";
import { type PinnedState, type RemoteStore, SEGMENT_BYTES } from "./remote.js";

/** One step of a push or pull: `done` of `total` in its phase (frames for "check" and "verify", bytes for "upload" and "download"). */
export interface TransferProgress {
  readonly phase: "check" | "upload" | "download" | "verify";
  readonly done: number;
  readonly total: number;
}

/** Options of {@link pushStore}: where the object store is (`s3`, `objectStore`, …) and the local store's (`lockTimeoutMs`, …). */
export interface PushOptions extends StoreOptions {
  /** Called after each checked batch of frames and each uploaded segment. */
  onProgress?: (progress: TransferProgress) => void;
  /** @internal The largest segment object (default 64 MiB; tests make it small). */
  segmentBytes?: number;
}

/** Options of {@link pullStore}; `commit` picks the commit to pull (default the latest). */
export interface PullOptions extends StoreOptions {
  /** Called after each downloaded chunk and each checked batch of frames. */
  onProgress?: (progress: TransferProgress) => void;
  /** @internal Bytes per range GET of the download (default 8 MiB; tests make it small). */
  chunkBytes?: number;
}

export interface PushResult {
  /** The commit that holds the store (1). */
  readonly commit: number;
  /** The corpus's and the journal's bytes together. */
  readonly bytes: number;
  /** Segment objects the corpus is in. */
  readonly segments: number;
  /** True when an earlier run of this same push had done some or all of it. */
  readonly resumed: boolean;
}

export interface PullResult {
  /** The commit pulled. */
  readonly commit: number;
  /** The corpus's and the journal's bytes together. */
  readonly bytes: number;
  /** True when this run continued an interrupted pull of the same location and commit. */
  readonly resumed: boolean;
}

const DOWNLOAD_CHUNK_BYTES = 8 << 20;
/** Segments a push uploads at once (each up to 64 MiB in memory). */
const UPLOADS_IN_FLIGHT = 4;
/** Where a pull keeps its partial files, inside the target directory. */
const PULL_DIR = ".replaykit-pull";
/** A store directory's files, by name (layout.ts names them). */
const layoutIn = (dir: string) => new StoreLayout({ corpusPath: join(dir, "corpus.zst"), indexPath: join(dir, "index.json") });

const openLocal = (dir: string) => ReplayStore.open(dir, { lock: false });

/**
 * Copies the store in directory `dir` into the empty object-storage location `location`
 * (`s3://bucket/prefix`) as commit 1, byte for byte, holding the store's writer lock so
 * the copy is one consistent snapshot. Checks the endpoint's conditional writes first and
 * every live frame's CRC-32 before uploading anything. Resumable: run it again after an
 * interruption and it sends only the segments not yet there.
 *
 * @example
 * ```ts
 * const { commit, bytes } = await pushStore("./replay", "s3://team-bucket/replay");
 * ```
 * @throws {StoreNotEmptyError} when the location already holds commits (not of this push).
 * @throws {StoreDamagedError} when the store has damaged frames (nothing is uploaded).
 * @throws {StoreUnsupportedError} for a dlm store (`index.json`: run `replaykit upgrade` first).
 * @throws {StoreNotFoundError} when `dir` does not exist.
 * @throws {UnsafeEndpointError} when the endpoint ignores conditional writes (nothing is written).
 */
export async function pushStore(dir: string, location: string, options: PushOptions = {}): Promise<PushResult> {
  const { onProgress, size, o, root } = transferArguments(dir, options, "segmentBytes", "push copies a store in a directory into object storage");
  const segmentBytes = size ?? SEGMENT_BYTES;
  await assertDirectory(root);
  const local = await ReplayStore.open(root, { create: false, lock: false, maxFrameBytes: o.maxFrameBytes, expanders: o.expanders });
  const layout = local.layout;
  const refuseDlm = () => {
    if (!existsSync(layout.journalPath) && existsSync(layout.indexPath))
      throw new StoreUnsupportedError(
        `push of ${root}`,
        `needs a replaykit store (index.rkx); this one has an index.json (a dlm store, or one written before index.rkx): run \`replaykit upgrade ${dir}\` first, then push`,
      );
  };
  refuseDlm();
  const { connectRemote } = await import("./connect.js");
  const remote = await connectRemote(location, o, openLocal);
  // Before anything is written (and before the lock): an endpoint that ignores If-None-Match is refused.
  await remote.assertSafe();
  const copy = async (): Promise<PushResult> => {
    await rollForward(local); // a compaction that committed but did not finish: its files go into place first
    refuseDlm();
    const journal = existsSync(layout.journalPath) ? new Uint8Array(await readFile(layout.journalPath)) : new Uint8Array(0);
    const corpusBytes = existsSync(layout.corpusPath) ? (await stat(layout.corpusPath)).size : 0;
    const writer = createHash("sha256").update(journal).update(`\0corpus ${corpusBytes}`).digest("hex").slice(0, 16);
    const bytes = corpusBytes + journal.length;

    const first = await firstCommit(remote);
    if (first !== undefined) {
      if (first.head.writer !== writer) throw notEmpty(remote);
      await checkpointOf(remote, first);
      return { commit: 1, bytes, segments: first.segments.length, resumed: true };
    }

    const report = await local.verify({ onProgress: (done, total) => onProgress?.({ phase: "check", done, total }) });
    if (!report.ok || report.indexLooksLost)
      throw new StoreDamagedError(
        root,
        report.problems,
        report.indexLooksLost
          ? `its index looks lost (no entries while the corpus holds sections): run \`replaykit recover ${dir}\`; nothing was pushed`
          : `has damaged frames: run \`replaykit verify ${dir} --repair\` to set them aside, then push; nothing was pushed`,
      );

    // The segments, named by this push's token: a re-run finds the ones already there (one
    // listing) and sends the rest, a few at a time (each one PUT of at most `segmentBytes`).
    const segments: Array<{ offset: number; length: number; key: string }> = [];
    for (let offset = 0; offset < corpusBytes; offset += segmentBytes)
      segments.push({ offset, length: Math.min(segmentBytes, corpusBytes - offset), key: remote.keys.segment(1, offset, writer) });
    const there = new Map<string, number>();
    if (segments.length > 0) for await (const e of remote.objects.list(remote.keys.generationSegments(1))) there.set(e.key, e.size);
    const missing = segments.filter((s) => there.get(s.key) !== s.length);
    const resumed = missing.length < segments.length;
    let done = corpusBytes - missing.reduce((n, s) => n + s.length, 0);
    onProgress?.({ phase: "upload", done, total: corpusBytes });
    if (missing.length > 0) {
      const handle = await open(layout.corpusPath, "r");
      try {
        let next = 0;
        const worker = async () => {
          while (next < missing.length) {
            const s = missing[next++]!;
            const body = new Uint8Array(s.length);
            const { bytesRead } = await handle.read(body, 0, s.length, s.offset);
            if (bytesRead !== s.length)
              throw new StoreDamagedError(root, [], `its corpus ended at ${s.offset + bytesRead} while being copied (expected ${corpusBytes} bytes)`);
            await remote.objects.put(s.key, body, { kind: "overwrite" });
            done += s.length;
            onProgress?.({ phase: "upload", done, total: corpusBytes });
          }
        };
        const workers = Array.from({ length: Math.min(UPLOADS_IN_FLIGHT, remote.settings.maxConcurrency, missing.length) }, worker);
        // Every worker stops at its next segment once one has failed; the first failure is the error.
        const stopOthers = (w: Promise<void>) =>
          w.catch((error: unknown) => {
            next = missing.length;
            throw error;
          });
        const settled = await Promise.allSettled(workers.map(stopOthers));
        const failed = settled.find((r) => r.status === "rejected");
        if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
      } finally {
        await handle.close();
      }
    }

    const head = {
      commit: 1,
      kind: "replace" as const,
      generation: 1,
      writer,
      previous: "",
      time: new Date().toISOString(),
      corpusBytes,
      journalBytes: journal.length,
      segments,
    };
    const key = remote.keys.commit(1);
    const body = encodeCommit(head, [], journal);
    const landed = await createCommit(remote, key, body, writer);
    if (landed === "theirs") throw notEmpty(remote);
    await checkpointOf(remote, decodeCommit(landed === "ours" ? body : landed, remote.bucket, key, 1));
    return { commit: 1, bytes, segments: segments.length, resumed: resumed || landed !== "ours" };
  };
  return o.lock ? withStoreLock(layout, o.lockTimeoutMs, copy) : copy();
}

/**
 * Writes commit `options.commit` (default the latest) of the store at `location` into the
 * directory `dir` as `corpus.zst` and `index.rkx`: for an unchanged pushed store, the
 * source's files byte for byte. Checks every frame's CRC-32 before renaming the files into
 * place (the index last). Resumable: a re-run for the same location and commit continues the
 * download where it stopped.
 *
 * @example
 * ```ts
 * const { commit } = await pullStore("s3://team-bucket/replay", "./replay-copy");
 * ```
 * @throws {StoreNotEmptyError} when `dir` already holds a store (nothing is written).
 * @throws {StoreNotFoundError} when the location holds no commits.
 * @throws {StoreObjectCorruptError} naming the object of a damaged frame (the downloaded
 *   files are left beside the target as `corpus.zst.damaged` and `index.rkx.damaged`).
 * @throws {StoreArgumentError} (options.commit) for a commit the store does not have.
 */
export async function pullStore(location: string, dir: string, options: PullOptions = {}): Promise<PullResult> {
  const { onProgress, size, o, root } = transferArguments(dir, options, "chunkBytes", "pull copies a store in object storage into a directory");
  const chunkBytes = size ?? DOWNLOAD_CHUNK_BYTES;
  if (existsSync(root) && !(await stat(root)).isDirectory()) throw new StoreArgumentError("dir", `is not a directory: ${root}`);
  const work = join(root, PULL_DIR);
  const paths = {
    state: join(work, "pull.json"),
    corpus: layoutIn(work).corpusPath,
    journal: layoutIn(work).journalPath,
    liveCorpus: layoutIn(root).corpusPath,
    liveJournal: layoutIn(root).journalPath,
    liveIndex: layoutIn(root).indexPath,
  };
  const { connectRemote } = await import("./connect.js");
  const remote = await connectRemote(location, o, openLocal);
  const url = remote.location.url;
  const previous = await readPullState(paths.state);

  // An earlier run that checked everything and stopped between its two renames: finish it.
  if (
    previous?.verified === true &&
    previous.location === url &&
    (o.commit === undefined || o.commit === previous.commit) &&
    existsSync(paths.liveCorpus) &&
    !existsSync(paths.liveJournal) &&
    !existsSync(paths.liveIndex) &&
    (await stat(paths.liveCorpus)).size === previous.corpusBytes
  ) {
    if (existsSync(paths.journal)) await rename(paths.journal, paths.liveJournal);
    await rm(work, { recursive: true, force: true });
    return { commit: previous.commit, bytes: previous.corpusBytes + previous.journalBytes, resumed: true };
  }
  // The files that make a directory a store: a pull never overwrites one.
  for (const path of [paths.liveCorpus, paths.liveJournal, paths.liveIndex])
    if (existsSync(path))
      throw new StoreNotEmptyError(root, `already holds a store (${basename(path)}): pull into a new or empty directory; nothing was written`);

  const state = await remote.state(o.commit);
  if (state.commit === 0) throw new StoreNotFoundError(url, "it has no commits: nothing to pull");
  const want: PullState = {
    location: url,
    commit: state.commit,
    generation: state.generation,
    corpusBytes: state.corpusBytes,
    journalBytes: state.journalBytes,
    verified: false,
  };
  await mkdir(work, { recursive: true });
  let have = 0;
  if (previous !== undefined && sameSource(previous, want) && existsSync(paths.corpus)) {
    have = (await stat(paths.corpus)).size;
    if (have > want.corpusBytes) have = 0;
  }
  const resumed = have > 0;
  if (!resumed) {
    await rm(paths.corpus, { force: true });
    await rm(paths.journal, { force: true });
    await writeDurably(paths.state, JSON.stringify(want));
  }

  // The corpus: chunks in order, a few fetched ahead; each written where it belongs.
  const total = want.corpusBytes;
  onProgress?.({ phase: "download", done: have, total });
  const handle = await open(paths.corpus, resumed ? "r+" : "w");
  try {
    await handle.truncate(have);
    const ahead = Math.max(1, Math.min(4, remote.settings.maxConcurrency));
    const offsets: number[] = [];
    for (let offset = have; offset < total; offset += chunkBytes) offsets.push(offset);
    const inFlight: Array<Promise<Uint8Array>> = [];
    let next = 0;
    const fetchChunk = (offset: number) => {
      const p = remote.corpusRange(state, offset, Math.min(chunkBytes, total - offset));
      p.catch(() => undefined); // awaited in order below; a failure ahead of its turn is not unhandled
      return p;
    };
    for (const offset of offsets) {
      while (inFlight.length < ahead && next < offsets.length) inFlight.push(fetchChunk(offsets[next++]!));
      const bytes = await inFlight.shift()!;
      await handle.write(bytes, 0, bytes.length, offset);
      onProgress?.({ phase: "download", done: offset + bytes.length, total });
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  // The journal, assembled from the commits (in the cache). An empty store has none (as a directory that was never written).
  const hasJournal = state.journalPath !== undefined;
  if (hasJournal) {
    await copyFile(state.journalPath!, paths.journal);
    const size = (await stat(paths.journal)).size;
    if (size !== want.journalBytes)
      throw new StoreObjectCorruptError(
        remote.bucket,
        remote.keys.commit(state.commit),
        `its journal came to ${size} bytes in the cache, expected ${want.journalBytes}`,
      );
    await syncFile(paths.journal);
  }

  // Every frame, checked before anything goes into place.
  const check = await ReplayStore.open(work, { create: false, lock: false, maxFrameBytes: o.maxFrameBytes, expanders: o.expanders });
  const report = await check.verify({ onProgress: (done, all) => onProgress?.({ phase: "verify", done, total: all }) });
  if (!report.ok || report.indexLooksLost) {
    const aside = { corpus: `${paths.liveCorpus}.damaged`, journal: `${paths.liveJournal}.damaged` };
    await rename(paths.corpus, aside.corpus);
    if (hasJournal) await rename(paths.journal, aside.journal);
    await rm(work, { recursive: true, force: true });
    const first = report.problems[0];
    const key =
      first?.byteOffset === undefined ? remote.keys.commit(state.commit) : (segmentAt(state, first.byteOffset)?.key ?? remote.keys.commit(state.commit));
    const what =
      first === undefined
        ? "the pulled index holds no entries while the corpus holds sections"
        : `the frame at corpus offset ${first.byteOffset ?? "?"}${first.sectionId === undefined ? "" : ` (section ${first.sectionId})`} is damaged: ${first.message}`;
    throw new StoreObjectCorruptError(
      remote.bucket,
      key,
      `pull of commit ${state.commit} into ${root}: ${what} (${report.problems.length} problem${report.problems.length === 1 ? "" : "s"} in all); the downloaded files are set aside as ${aside.corpus} and ${aside.journal}`,
    );
  }

  await writeDurably(paths.state, JSON.stringify({ ...want, verified: true }));
  await rename(paths.corpus, paths.liveCorpus);
  if (hasJournal) await rename(paths.journal, paths.liveJournal);
  await syncDir(root);
  await rm(work, { recursive: true, force: true });
  return { commit: state.commit, bytes: want.corpusBytes + want.journalBytes, resumed };
}

// ------------------------------------------------------------------ helpers

/** The transfer's own options apart from the store's (which `resolveStoreOptions` checks, refusing unknown keys). */
function splitOptions(
  options: unknown,
  internal: "segmentBytes" | "chunkBytes",
): { onProgress: ((p: TransferProgress) => void) | undefined; size: number | undefined; rest: StoreOptions } {
  if (typeof options !== "object" || options === null || Array.isArray(options)) throw new StoreArgumentError("options", "must be an object");
  const { onProgress, [internal]: size, ...rest } = options as Record<string, unknown>;
  if (onProgress !== undefined && typeof onProgress !== "function") throw new StoreArgumentError("options.onProgress", "must be a function");
  if (size !== undefined && (typeof size !== "number" || !Number.isSafeInteger(size) || size <= 0))
    throw new StoreArgumentError(`options.${internal}`, "must be a positive integer");
  return { onProgress: onProgress as ((p: TransferProgress) => void) | undefined, size: size as number | undefined, rest: rest as StoreOptions };
}

/** The checked arguments of a push or pull: its options split, the store options resolved, the directory absolute. */
function transferArguments(dir: unknown, options: unknown, internal: "segmentBytes" | "chunkBytes", what: string) {
  const split = splitOptions(options, internal);
  if (typeof dir !== "string" || dir === "") throw new StoreArgumentError("dir", "must be a non-empty directory path");
  if (isS3Location(dir)) throw new StoreArgumentError("dir", `must be a directory (${what}), got ${dir}`);
  return { ...split, o: resolveStoreOptions(split.rest), root: resolve(dir) };
}

async function assertDirectory(root: string): Promise<void> {
  let isDir: boolean;
  try {
    isDir = (await stat(root)).isDirectory();
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") throw new StoreNotFoundError(root);
    throw error;
  }
  if (!isDir) throw new StoreArgumentError("dir", `is not a directory: ${root}`);
}

function notEmpty(remote: RemoteStore<unknown>): StoreNotEmptyError {
  return new StoreNotEmptyError(
    remote.location.url,
    "already holds a store (it has commits not written by this push): push into a new prefix, or write to it with the store's own calls; nothing was written",
  );
}

/** Commit 1 of the location, when it has any commit or checkpoint; refuses a location whose history does not start there. */
async function firstCommit(remote: RemoteStore<unknown>): Promise<DecodedCommit | undefined> {
  let any: string | undefined;
  for await (const e of remote.objects.list(remote.keys.commits)) {
    any = e.key;
    break;
  }
  if (any === undefined)
    for await (const e of remote.objects.list(remote.keys.checkpoints)) {
      any = e.key;
      break;
    }
  if (any === undefined) return undefined;
  if (any !== remote.keys.commit(1)) throw notEmpty(remote);
  const bytes = await remote.objects.get(any);
  return decodeCommit(bytes, remote.bucket, any, 1);
}

/**
 * Creates commit 1 if absent: "ours" when it is, the bytes of what is there when a PUT of
 * ours had already landed (an earlier run, or an answer lost), "theirs" when another
 * writer's commit is there.
 */
async function createCommit(remote: RemoteStore<unknown>, key: string, body: Uint8Array, writer: string): Promise<"ours" | "theirs" | Uint8Array> {
  for (let attempt = 1; ; attempt++) {
    try {
      await remote.objects.put(key, body, { kind: "create" });
      return "ours";
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== "OBJECT_STORE_PRECONDITION" && (code !== "OBJECT_STORE_AMBIGUOUS" || attempt >= 5)) throw error;
    }
    // There, or maybe there: read it back, never guess.
    let existing: Uint8Array | undefined;
    try {
      existing = await remote.objects.get(key);
    } catch (error) {
      if ((error as { code?: string }).code !== "OBJECT_STORE_NOT_FOUND") throw error;
    }
    if (existing === undefined) continue;
    if (Buffer.compare(existing, body) === 0) return "ours"; // this PUT landed; its answer was lost
    return decodeCommit(existing, remote.bucket, key, 1).head.writer === writer ? existing : "theirs";
  }
}

/** Writes checkpoint 1 for commit 1 (a store's first commit is a "replace"), unless it is there. */
async function checkpointOf(remote: RemoteStore<unknown>, c: DecodedCommit): Promise<void> {
  const key = remote.keys.checkpoint(1);
  if ((await remote.objects.head(key)) !== undefined) return;
  const { head } = c;
  const body = encodeCheckpoint(
    {
      commit: 1,
      previous: 0,
      writers: [head.writer],
      generation: head.generation,
      generationCommit: 1,
      generationTime: head.time,
      corpusBytes: head.corpusBytes,
      journalBytes: head.journalBytes,
      segments: c.segments,
    },
    c.journal,
  );
  try {
    await remote.objects.put(key, body, { kind: "create" });
  } catch (error) {
    if ((error as { code?: string }).code !== "OBJECT_STORE_PRECONDITION") throw error;
  }
}

interface PullState {
  location: string;
  commit: number;
  generation: number;
  corpusBytes: number;
  journalBytes: number;
  /** Every frame checked; the files are being renamed into place. */
  verified: boolean;
}

async function readPullState(path: string): Promise<PullState | undefined> {
  try {
    const s = JSON.parse(await readFile(path, "utf8")) as Partial<PullState>;
    const num = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
    if (typeof s.location !== "string" || !num(s.commit) || !num(s.generation) || !num(s.corpusBytes) || !num(s.journalBytes)) return undefined;
    return {
      location: s.location,
      commit: s.commit,
      generation: s.generation,
      corpusBytes: s.corpusBytes,
      journalBytes: s.journalBytes,
      verified: s.verified === true,
    };
  } catch {
    return undefined; // none, or not ours: start over
  }
}

function sameSource(a: PullState, b: PullState): boolean {
  return (
    a.location === b.location && a.commit === b.commit && a.generation === b.generation && a.corpusBytes === b.corpusBytes && a.journalBytes === b.journalBytes
  );
}

/** The segment holding corpus byte `offset` of `state`. */
function segmentAt(state: PinnedState, offset: number): SegmentRef | undefined {
  return state.segments.find((s) => offset >= s.offset && offset < s.offset + s.length);
}

async function writeDurably(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp`;
  await writeFile(tmp, text);
  await syncFile(tmp);
  await rename(tmp, path);
}

async function syncFile(path: string): Promise<void> {
  const h = await open(path, "r+");
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  try {
    const h = await open(dir, "r");
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  } catch {
    // Some platforms cannot fsync a directory; the renames are still atomic.
  }
}

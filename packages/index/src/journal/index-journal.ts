import { fstatSync, ftruncateSync, statSync, writeSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { crc32 } from "@replaykit/corpus";
import type { IndexEntry } from "../entry.js";
import { IndexArgumentError, IndexCorruptError, IndexReadError, IndexWriteError, type IndexWriteStep } from "../errors.js";
import { writeIndexFile } from "../write-file.js";
import { Columns, type IndexView } from "./columns.js";
import { CommitBuilder, type RawEntry, rawEntry, splitSectionId } from "./encode-commit.js";
import { ENTRY_BYTES, encodeHeader, HEADER_BYTES, IO_CHUNK, NO_TYPE, RemoveReason, type RemoveReasonName } from "./format.js";
import { type ApplyResult, applyCommits, checkHeader } from "./apply.js";
import { readCommits, scanTail, sizeOf } from "./read-commits.js";
import { encodeJournal } from "./encode-journal.js";

/** Names one entry: its section id and frame offset (stable across commits and rewrites). */
export interface EntryKey {
  readonly sectionId: string;
  readonly byteOffset: number;
}

/** One commit: everything in it becomes durable together, or (after a crash) not at all. */
export interface IndexChange {
  /** Entries to add, in this order. */
  readonly append?: readonly IndexEntry[];
  /** Live entries to drop (every live entry with that id and offset). */
  readonly remove?: readonly EntryKey[];
  /**
   * Live entries to drop by their row in {@link IndexJournal.view} as it is when `commit` is
   * called (exactly those entries, even where another entry has the same key): what a
   * writer planning on the columns removes, without an object per entry. Rows are pinned
   * to their entries at the call, so commits another writer appended meanwhile do not move
   * them; an entry such a commit removed already is skipped.
   */
  readonly removeRows?: ArrayLike<number>;
  /** Why they go (recorded in the file; default `"removed"`). */
  readonly reason?: RemoveReasonName;
  /** Absolute exposure values to set on live entries (every entry with that id and offset). */
  readonly exposure?: ReadonlyArray<EntryKey & { readonly replayCount: number; readonly lastReplayAt: Date }>;
}

/** `IndexChange.removeRows` pinned to entries: the file state they were read from, and their ordinals. */
interface PinnedRows {
  readonly loaded: object;
  readonly ordinals: readonly number[];
}

/** One item of an exposure record. */
interface ExposureItem {
  ordinal: number;
  replayCount: number;
  lastReplayAt: number;
}

/** What a commit did. */
export interface CommitResult {
  appended: number;
  removed: number;
  exposed: number;
  /** Keys of `remove` / `exposure` that matched no live entry (nothing was done for them). */
  missing: EntryKey[];
  /** Bytes the commit added to the file (0 for an empty change: nothing is written). */
  bytes: number;
}

/** What a catch-up found. */
export interface CatchUpResult {
  /** The file was replaced (a rewrite by another process): the view was read afresh. */
  replaced: boolean;
  /** Live entries now. */
  size: number;
  /** Entries appended by the commits read (0 when `replaced`). */
  appended: number;
  removed: number;
  exposed: number;
}

/** Options of {@link IndexJournal.open}. */
export interface OpenIndexOptions {
  /** Create an empty index when the file does not exist (default false: a missing file is an `IndexReadError`, `systemCode` `"ENOENT"`). */
  readonly create?: boolean;
}

/** Node's system error code of a failed fs call. */
function errnoOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

interface Loaded {
  /** Undefined once closed. */
  fd: FileHandle | undefined;
  writable: boolean;
  cols: Columns;
  end: number;
  ignoredBytes: number;
  commits: number;
  /** Whole commits after the first bad one (damage, not a torn tail), when the last read found any. */
  damage: JournalDamage | undefined;
  /** The file's size at the last read. */
  seen: number;
}

/**
 * Damage in the middle of a journal: a commit that fails its checksum (or cannot be read) with
 * whole, checksummed commits after it. A crash only ever tears the last commit, so this is
 * the disk or an editor, never a crash; the commits after it were acknowledged, and no write
 * may cut them (`commit`, `replaceWith` and `rewrite` refuse: run the store's recover).
 */
export interface JournalDamage {
  /** File offset of the first bad commit: the view holds the commits before it. */
  readonly byteOffset: number;
  /** Bytes from there to the first whole commit after it (to the end of the file when `commitsAfter` is unknown). */
  readonly length: number;
  /** Whole, checksummed commits found after it (`salvageJournal` reads them). */
  readonly commitsAfter: number;
}

/** Commits after which {@link IndexJournal.needsRewrite} says yes: each costs a few microseconds at every open. */
const REWRITE_AFTER_COMMITS = 1000;

/** The damage after the last whole commit at `end` (a tail of `size` − `end` bytes), or undefined for a torn tail. */
async function damageAfter(fd: FileHandle, path: string, end: number, size: number): Promise<JournalDamage | undefined> {
  const scan = await scanTail(fd, path, end, size);
  if (scan.firstWhole === undefined && !scan.gaveUp) return undefined;
  // A scan that gave up (crafted bytes) is treated as damage too: unknown is never cut.
  return { byteOffset: end, length: (scan.firstWhole ?? size) - end, commitsAfter: scan.commits };
}

/** The error of a write refused because whole commits follow damage. */
function damagedError(path: string, damage: JournalDamage, fn: string): IndexCorruptError {
  return new IndexCorruptError(
    `corrupt index ${path}: byte ${damage.byteOffset}: ${damage.length} damaged bytes with ${damage.commitsAfter} whole commit(s) after them; ` +
      `${fn} refuses to write (it would cut or drop those acknowledged commits): run recover`,
    { path, byteOffset: damage.byteOffset },
  );
}

/**
 * Opens `path` and reads it whole into fresh columns. `written`: the bytes this process
 * has just written there (a rewrite, under the writer lock); they are used instead of
 * reading the file back when its size agrees.
 */
async function load(path: string, written?: Uint8Array): Promise<Loaded> {
  let fd: FileHandle;
  let writable = true;
  try {
    fd = await open(path, "r+");
  } catch (cause) {
    const code = errnoOf(cause);
    if (code !== "EROFS" && code !== "EACCES" && code !== "EPERM") throw new IndexReadError(path, cause);
    // A read-only mount or file: still readable; a commit says why it cannot write.
    try {
      fd = await open(path, "r");
    } catch (again) {
      throw new IndexReadError(path, again);
    }
    writable = false;
  }
  try {
    const size = await sizeOf(fd, path);
    // Grown as checked commits arrive, never sized from the file: a damaged length must not cost memory.
    const cols = new Columns();
    let applied: ApplyResult;
    if (written !== undefined && written.length === size) {
      checkHeader(written, path);
      applied = applyCommits(cols, written.subarray(HEADER_BYTES), HEADER_BYTES, path, written.length - HEADER_BYTES);
    } else {
      const header = new Uint8Array(Math.min(size, HEADER_BYTES));
      let got: number;
      try {
        got = (await fd.read(header, 0, header.length, 0)).bytesRead;
      } catch (cause) {
        throw new IndexReadError(path, cause);
      }
      checkHeader(header.subarray(0, got), path);
      applied = await readCommits(fd, path, cols, HEADER_BYTES, size);
    }
    const damage = applied.ignoredBytes > 0 ? await damageAfter(fd, path, applied.end, size) : undefined;
    return { fd, writable, cols, end: applied.end, ignoredBytes: applied.ignoredBytes, commits: applied.commits, damage, seen: size };
  } catch (error) {
    await fd.close().catch(() => undefined);
    throw error;
  }
}

/**
 * An open journal (index.rkx): the live entries as columns ({@link IndexJournal.view}), kept
 * current by {@link IndexJournal.catchUp}, changed by {@link IndexJournal.commit} (one
 * appended, checksummed record group and one fsync) and compacted by
 * {@link IndexJournal.rewrite}.
 *
 * It takes no lock: a store serialises writers with its own lock and calls `commit` and
 * `rewrite` only while holding it. Readers need no lock — a commit being written is an
 * incomplete tail until its last byte is there, and is not believed before.
 */
export class IndexJournal {
  /** The index file. */
  readonly path: string;
  /** The open file and what has been read of it; replaced whole when the file is read afresh. */
  private s: Loaded;
  /** The tail of the calls made on this handle (see `serial`). */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(path: string, loaded: Loaded) {
    this.path = path;
    this.s = loaded;
  }

  /**
   * Opens the index at `path` and reads its live entries. With `create`, a missing file is
   * created empty (atomically, the directory fsynced) — do that under the store's lock.
   *
   * @throws {IndexArgumentError} `path` is not a non-empty string.
   * @throws {IndexReadError} the file cannot be read (`systemCode` `"ENOENT"` when missing without `create`).
   * @throws {IndexCorruptError} a bad header, or a checksummed commit that breaks the format.
   * @throws {IndexWriteError} creating the file failed.
   */
  static async open(path: string, options: OpenIndexOptions = {}): Promise<IndexJournal> {
    if (typeof path !== "string" || path === "") throw new IndexArgumentError("IndexJournal.open", "path", "a non-empty path", path);
    if (typeof options !== "object" || options === null) throw new IndexArgumentError("IndexJournal.open", "options", "an object", options);
    try {
      return new IndexJournal(path, await load(path));
    } catch (error) {
      if (!(options.create === true && IndexReadError.isInstance(error) && error.systemCode === "ENOENT")) throw error;
    }
    await writeIndexFile(path, encodeHeader(crc32));
    return new IndexJournal(path, await load(path));
  }

  /**
   * The live entries. Read it again after a commit, catch-up or rewrite: those change it
   * in place, or (a replaced file) put a new view here; arrays taken from it are valid only
   * until then.
   */
  get view(): IndexView {
    return this.s.cols;
  }

  /** File offset just after the last whole commit (the bytes this view believes). */
  get end(): number {
    return this.s.end;
  }

  /**
   * Whole commits in the file. Each small commit costs a few microseconds at every open and
   * 17 bytes beyond its entries: a store may `rewrite()` when this grows large (say past
   * 1,000), which leaves one.
   */
  get commits(): number {
    return this.s.commits;
  }

  /**
   * Bytes after the last whole commit that were ignored: a torn tail (the next commit cuts it
   * off), or damage with whole commits after it ({@link IndexJournal.damage}, never cut).
   */
  get ignoredBytes(): number {
    return this.s.ignoredBytes;
  }

  /**
   * Damage in the middle of the file as of the last read: a bad commit with whole,
   * checksummed commits after it (undefined when the file is whole or only its tail is torn).
   * While it is set, `commit`, `replaceWith` and `rewrite` refuse with `IndexCorruptError`;
   * `salvageJournal(path)` reads the commits after it.
   */
  get damage(): JournalDamage | undefined {
    return this.s.damage;
  }

  /**
   * Whether a store should `rewrite()` now (FORMAT.md, "When to rewrite"): the file holds
   * more than 1,000 commits, or more dead bytes (removed entries, commit and record heads)
   * than live ones, past 64 KiB.
   */
  get needsRewrite(): boolean {
    const liveBytes = HEADER_BYTES + ENTRY_BYTES * this.s.cols.size;
    return this.s.commits > REWRITE_AFTER_COMMITS || this.s.end > 2 * liveBytes + 64 * 1024;
  }

  private handle(fn: string): FileHandle {
    if (this.s.fd === undefined) throw new IndexArgumentError(fn, "this", "an open index (close() was called)", "closed");
    return this.s.fd;
  }

  /** Runs `task` after every call made before it on this handle has settled: one operation at a time. */
  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Brings the view up to date with commits other processes appended, reading only the
   * bytes added since the last read. When the file was replaced (another process's
   * rewrite: `path` now names a different file than the one held open), it is read afresh.
   * Calls on one handle run one at a time, in call order.
   *
   * @throws {IndexReadError} the file cannot be read or no longer exists.
   * @throws {IndexCorruptError} as for `open`; the view is then unusable (reopen).
   * @throws {IndexArgumentError} the handle is closed.
   */
  catchUp(): Promise<CatchUpResult> {
    return this.serial(() => this.catchUpNow());
  }

  /**
   * Catches up, then appends `change` as one commit and fsyncs it once: `append` entries,
   * `remove` every live entry with one of the given (section id, offset) keys, set
   * `exposure`. Entries appended by this commit cannot be named by its `remove` or
   * `exposure`. Everything is checked before anything is written; an empty change writes
   * nothing. On failure the file is cut back to where it was and the view is unchanged.
   * Call it holding the store's writer lock.
   *
   * @throws {IndexArgumentError} `change` is not an object, or a key / exposure value is malformed.
   * @throws {IndexEntryInvalidError} an entry of `append` cannot be written (position and field named).
   * @throws {IndexWriteError} the file is read-only or the write / fsync failed.
   * @throws {IndexReadError} / {IndexCorruptError} from the catch-up.
   */
  commit(change: IndexChange): Promise<CommitResult> {
    let pinned: PinnedRows | undefined;
    try {
      pinned = this.pinRows(change);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.serial(() => this.commitNow(change, pinned));
  }

  /**
   * `change.removeRows` as ordinals (which stay with their entries within one file), taken
   * now: rows name the view as the caller saw it, before any queued call or the catch-up.
   */
  private pinRows(change: IndexChange): PinnedRows | undefined {
    const rows = typeof change === "object" && change !== null ? change.removeRows : undefined;
    if (rows === undefined) return undefined;
    const fn = "IndexJournal.commit";
    if (typeof rows !== "object" || rows === null || typeof rows.length !== "number") {
      throw new IndexArgumentError(fn, "change.removeRows", "an array of row numbers", rows);
    }
    const cols = this.s.cols;
    const ordinals = new Array<number>(rows.length);
    for (let k = 0; k < rows.length; k++) {
      const row = rows[k];
      if (typeof row !== "number" || !Number.isInteger(row) || row < 0 || row >= cols.size) {
        throw new IndexArgumentError(fn, `change.removeRows[${k}]`, `a row number in 0..${cols.size - 1}`, row);
      }
      ordinals[k] = cols.ordinalOf(row);
    }
    return { loaded: this.s, ordinals };
  }

  /**
   * Makes the live index exactly `entries` (as a multiset, exposure aside) with one commit
   * of the difference: live entries equal to a wanted one stay (with their exposure), the
   * other live entries are removed, the wanted ones not yet live are appended in the given
   * order. The whole-index replacement of an `index.json` store at the cost of the change
   * (plus one pass to compare). Call it holding the store's writer lock.
   *
   * @throws as {@link IndexJournal.commit}.
   */
  replaceWith(entries: readonly IndexEntry[], options: { readonly reason?: RemoveReasonName } = {}): Promise<CommitResult> {
    return this.serial(() => this.replaceWithNow(entries, options));
  }

  /**
   * Compaction: catches up, then replaces the file (atomically: temp file, fsync, rename,
   * directory fsync) with a minimal one holding exactly the live entries, exposure
   * included, in canonical order, so the same live entries always give the same bytes.
   * The handle then follows the new file. Call it holding the store's writer lock.
   *
   * @throws {IndexWriteError} the new file could not be written; the old one is untouched.
   */
  rewrite(): Promise<{ bytesBefore: number; bytesAfter: number }> {
    return this.serial(() => this.rewriteNow());
  }

  /** Closes the file (after the calls already made). The view stays readable; other calls throw `IndexArgumentError`. */
  close(): Promise<void> {
    return this.serial(() => this.closeNow());
  }

  private async catchUpNow(): Promise<CatchUpResult> {
    const fd = this.handle("IndexJournal.catchUp");
    let same: boolean;
    let size: number;
    try {
      // The held descriptor pins the old file's inode, so a new file at `path` cannot reuse
      // its number: comparing the two is a sound "was it replaced?" test.
      // Synchronous: every commit catches up first, and each stat takes microseconds.
      const named = statSync(this.path);
      const held = fstatSync(fd.fd);
      same = named.ino === held.ino && named.dev === held.dev;
      size = held.size;
    } catch (cause) {
      throw new IndexReadError(this.path, cause);
    }
    if (!same || size < this.s.end) {
      await this.reload();
      return { replaced: true, size: this.s.cols.size, appended: 0, removed: 0, exposed: 0 };
    }
    // Unchanged since the last read: nothing new (damage is never cut, so its bytes stay as they were).
    if ((size === this.s.end && this.s.ignoredBytes === 0) || (this.s.damage !== undefined && size === this.s.seen)) {
      return { replaced: false, size: this.s.cols.size, appended: 0, removed: 0, exposed: 0 };
    }
    const applied = await readCommits(fd, this.path, this.s.cols, this.s.end, size);
    this.s.end = applied.end;
    this.s.ignoredBytes = applied.ignoredBytes;
    this.s.commits += applied.commits;
    this.s.damage = applied.ignoredBytes > 0 ? await damageAfter(fd, this.path, applied.end, size) : undefined;
    this.s.seen = size;
    return { replaced: false, size: this.s.cols.size, appended: applied.appended, removed: applied.removed, exposed: applied.exposed };
  }

  /** Reads the file at `path` afresh (a replacement was noticed, or our own rewrite) and closes the old descriptor. */
  private async reload(written?: Uint8Array): Promise<void> {
    const old = this.s.fd;
    this.s = await load(this.path, written);
    await old?.close().catch(() => undefined);
  }

  private async commitNow(change: IndexChange, pinned?: PinnedRows): Promise<CommitResult> {
    const fn = "IndexJournal.commit";
    if (typeof change !== "object" || change === null) throw new IndexArgumentError(fn, "change", "an object", change);
    const append = change.append ?? [];
    const remove = change.remove ?? [];
    const exposure = change.exposure ?? [];
    if (!Array.isArray(append)) throw new IndexArgumentError(fn, "change.append", "an array of entries", append);
    if (!Array.isArray(remove)) throw new IndexArgumentError(fn, "change.remove", "an array of { sectionId, byteOffset }", remove);
    if (!Array.isArray(exposure)) throw new IndexArgumentError(fn, "change.exposure", "an array", exposure);
    const reason = change.reason ?? "removed";
    if (!Object.hasOwn(RemoveReason, reason)) throw new IndexArgumentError(fn, "change.reason", `one of ${Object.keys(RemoveReason).join(", ")}`, reason);
    const raws = append.map((entry, i) => rawEntry(entry, i, fn));
    for (const [i, item] of exposure.entries()) {
      if (typeof item !== "object" || item === null) throw new IndexArgumentError(fn, `change.exposure[${i}]`, "an object", item);
      if (!Number.isInteger(item.replayCount) || item.replayCount < 1 || item.replayCount > 0xffff_ffff) {
        throw new IndexArgumentError(fn, `change.exposure[${i}].replayCount`, "an integer in 1..2^32-1", item.replayCount);
      }
      if (!(item.lastReplayAt instanceof Date) || !(item.lastReplayAt.getTime() >= 0)) {
        throw new IndexArgumentError(fn, `change.exposure[${i}].lastReplayAt`, "a valid Date not before 1970", item.lastReplayAt);
      }
    }
    this.handle(fn);
    await this.catchUpNow();
    const fd = this.handle(fn); // after the catch-up: a replaced file means a new descriptor
    const cols = this.s.cols;

    // Which live rows the keys name (entries appended by this commit cannot be named yet).
    const missing: EntryKey[] = [];
    let removeRows: number[] = this.rowsOf(remove, "change.remove", missing);
    if (pinned !== undefined && pinned.ordinals.length > 0) {
      if (this.s !== pinned.loaded) {
        // Another writer replaced the file (a rewrite): ordinals of the old one mean nothing here.
        throw new IndexArgumentError(fn, "change.removeRows", "rows of the file as it is (it was replaced since: plan again)", "rows of a replaced file");
      }
      // Ascending and unique (a typed-array sort is numeric), then their rows now.
      const ordinals = Float64Array.from(pinned.ordinals).sort();
      const pinnedRows: number[] = [];
      for (let k = 0; k < ordinals.length; k++) {
        if (k > 0 && ordinals[k] === ordinals[k - 1]) continue;
        const row = cols.rowOf(ordinals[k]!);
        if (row >= 0) pinnedRows.push(row);
      }
      removeRows = removeRows.length === 0 ? pinnedRows : [...new Set([...removeRows, ...pinnedRows])];
    }
    const gone = new Set(exposure.length > 0 ? removeRows : []);
    const exposeRows = this.rowsOf(exposure, "change.exposure", missing);

    const items: ExposureItem[] = [];
    for (const [row, k] of exposeRows.pairs) {
      if (gone.has(row)) continue;
      const item = exposure[k]!;
      items.push({ ordinal: cols.ordinalOf(row), replayCount: item.replayCount, lastReplayAt: item.lastReplayAt.getTime() / 1000 });
    }
    return { ...(await this.write(fd, raws, removeRows, RemoveReason[reason], items)), missing };
  }

  private async replaceWithNow(entries: readonly IndexEntry[], options: { readonly reason?: RemoveReasonName }): Promise<CommitResult> {
    const fn = "IndexJournal.replaceWith";
    if (!Array.isArray(entries)) throw new IndexArgumentError(fn, "entries", "an array of entries", entries);
    if (typeof options !== "object" || options === null) throw new IndexArgumentError(fn, "options", "an object", options);
    const reason = options.reason ?? "removed";
    if (!Object.hasOwn(RemoveReason, reason)) throw new IndexArgumentError(fn, "options.reason", `one of ${Object.keys(RemoveReason).join(", ")}`, reason);
    const raws = entries.map((entry, i) => rawEntry(entry, i, fn));
    this.handle(fn);
    await this.catchUpNow();
    const fd = this.handle(fn); // after the catch-up: a replaced file means a new descriptor
    const cols = this.s.cols;
    const byOffset = new Map<number, number[]>();
    for (let row = 0; row < cols.size; row++) {
      const list = byOffset.get(cols.off[row]!);
      if (list === undefined) byOffset.set(cols.off[row]!, [row]);
      else list.push(row);
    }
    const kept = new Uint8Array(cols.size);
    const added: RawEntry[] = [];
    for (const raw of raws) {
      const type = raw.sectionType === undefined ? NO_TYPE : cols.typeCodes.get(raw.sectionType);
      const row = byOffset
        .get(raw.byteOffset)
        ?.find(
          (r) =>
            kept[r] === 0 &&
            cols.hi[r] === raw.hi &&
            cols.lo[r] === raw.lo &&
            cols.len[r] === raw.length &&
            cols.at[r] === raw.addedAt &&
            cols.w[r] === raw.weight &&
            cols.crc[r] === raw.crc32 &&
            cols.flag[r] === raw.flags &&
            cols.type[r] === type,
        );
      if (row === undefined) added.push(raw);
      else kept[row] = 1;
    }
    const removeRows: number[] = [];
    for (let row = 0; row < cols.size; row++) if (kept[row] === 0) removeRows.push(row);
    return { ...(await this.write(fd, added, removeRows, RemoveReason[reason], [])), missing: [] };
  }

  /** Builds one commit (types, entries, remove, exposure), appends it durably and applies it. */
  private async write(
    fd: FileHandle,
    raws: readonly RawEntry[],
    removeRows: readonly number[],
    reason: number,
    exposure: readonly ExposureItem[],
  ): Promise<Omit<CommitResult, "missing">> {
    const cols = this.s.cols;
    const builder = new CommitBuilder(64 + raws.length * ENTRY_BYTES + removeRows.length * 4 + exposure.length * 16);
    const newTypes: string[] = [];
    const newCodes = new Map<string, number>();
    for (const raw of raws) {
      const t = raw.sectionType;
      if (t !== undefined && !cols.typeCodes.has(t) && !newCodes.has(t)) {
        newCodes.set(t, cols.typeNames.length + newTypes.length);
        newTypes.push(t);
      }
    }
    builder.types(newTypes);
    const fresh = new Columns(raws.length);
    for (const raw of raws) {
      const t = raw.sectionType;
      const type = t === undefined ? NO_TYPE : (cols.typeCodes.get(t) ?? newCodes.get(t)!);
      fresh.push(raw.hi, raw.lo, raw.byteOffset, raw.length, raw.addedAt, raw.weight, type, raw.flags, raw.crc32, 0, 0);
    }
    builder.entries(fresh, 0, fresh.size);
    builder.remove(
      reason,
      removeRows.map((row) => cols.ordinalOf(row)).sort((a, b) => a - b),
    );
    builder.exposure(exposure);
    if (builder.empty) return { appended: 0, removed: 0, exposed: 0, bytes: 0 };
    const bytes = builder.finish();

    if (this.s.damage !== undefined) throw damagedError(this.path, this.s.damage, "commit");
    if (!this.s.writable) throw new IndexWriteError(this.path, "open", new Error("the index file is read-only"));
    const at = this.s.end;
    let step: IndexWriteStep = "write";
    try {
      // The write goes to the page cache (synchronous: a commit is usually tens of bytes; a
      // thread-pool round trip would cost more); the fsync waits for the disk, asynchronously.
      if (this.s.ignoredBytes > 0) ftruncateSync(fd.fd, at); // a crashed writer's torn tail: new commits must follow the last whole one
      this.s.ignoredBytes = 0;
      let done = 0;
      while (done < bytes.length) done += writeSync(fd.fd, bytes, done, Math.min(IO_CHUNK, bytes.length - done), at + done);
      step = "fsync";
      await fd.sync();
    } catch (cause) {
      // Leave the file as the view believes it; whatever part was written is a tail no reader believes anyway.
      try {
        ftruncateSync(fd.fd, at);
      } catch {
        // The tail is not believed either way.
      }
      throw new IndexWriteError(this.path, step, cause);
    }
    // The view changes by decoding the very bytes a reader will decode.
    const applied = applyCommits(cols, bytes, at, this.path, bytes.length);
    this.s.end = applied.end;
    this.s.commits += applied.commits;
    return { appended: applied.appended, removed: applied.removed, exposed: applied.exposed, bytes: bytes.length };
  }

  /** Rows of live entries matching `keys` (every match), one pass over the offsets. */
  private rowsOf(keys: readonly EntryKey[], argument: string, missing: EntryKey[]): number[] & { pairs: Array<[number, number]> } {
    const rows = [] as unknown as number[] & { pairs: Array<[number, number]> };
    rows.pairs = [];
    if (keys.length === 0) return rows;
    // Each key's rows come from the view's id hash: the cost is the keys', not the index's.
    const cols = this.s.cols;
    const found = new Uint8Array(keys.length);
    const matched = new Set<number>();
    keys.forEach((key, k) => {
      const id = typeof key === "object" && key !== null ? splitSectionId(key.sectionId) : undefined;
      if (id === undefined || !Number.isSafeInteger(key.byteOffset) || key.byteOffset < 0) {
        throw new IndexArgumentError("IndexJournal.commit", `${argument}[${k}]`, "{ sectionId: 16 hex, byteOffset: integer ≥ 0 }", key);
      }
      for (const row of cols.rowsWithId(key.sectionId)) {
        if (cols.off[row] !== key.byteOffset) continue;
        matched.add(row);
        found[k] = 1;
        rows.pairs.push([row, k]);
      }
    });
    for (const row of [...matched].sort((a, b) => a - b)) rows.push(row);
    rows.pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    keys.forEach((key, k) => {
      if (found[k] === 0) missing.push({ sectionId: key.sectionId, byteOffset: key.byteOffset });
    });
    return rows;
  }

  private async rewriteNow(): Promise<{ bytesBefore: number; bytesAfter: number }> {
    this.handle("IndexJournal.rewrite");
    await this.catchUpNow();
    if (this.s.damage !== undefined) throw damagedError(this.path, this.s.damage, "rewrite");
    const bytesBefore = this.s.end + this.s.ignoredBytes;
    const bytes = encodeJournal(this.s.cols);
    await writeIndexFile(this.path, bytes);
    await this.reload(bytes);
    return { bytesBefore, bytesAfter: bytes.length };
  }

  private async closeNow(): Promise<void> {
    const fd = this.s.fd;
    this.s.fd = undefined;
    await fd?.close();
  }
}

/**
 * Writes a fresh journal (index.rkx) at `path` holding `entries` (atomically and durably; the same
 * entries in any order give the same bytes). The migration from an `index.json`:
 * `await writeJournal(rkxPath, await loadIndex(jsonPath))`.
 *
 * @throws {IndexArgumentError} `path` is not a non-empty string or `entries` not an array.
 * @throws {IndexEntryInvalidError} an entry cannot be written; nothing was touched.
 * @throws {IndexWriteError} the write failed; any previous file is untouched.
 */
export async function writeJournal(path: string, entries: readonly IndexEntry[] | IndexView): Promise<void> {
  if (typeof path !== "string" || path === "") throw new IndexArgumentError("writeJournal", "path", "a non-empty path", path);
  await writeIndexFile(path, encodeJournal(entries));
}

/**
 * Reading a journal (index.rkx) into columns: the commits are streamed through a small
 * window and applied as each one is found whole and checksummed. A commit longer than the
 * window is checked first (its CRC-32 taken as it streams through the window) and only then
 * read into place — its entries record straight into the columns, one read per column — so
 * nothing is allocated for a commit before its checksum holds (unless it has no more entries
 * than the commits before it, checked already: it is then read into place once and checked
 * there, so a bad one costs at most what they hold), and opening an index of n
 * entries touches the memory of its columns and a window of a few MiB, never a second copy
 * of the file. After the last whole commit, the rest of the file is scanned for further whole
 * commits ({@link scanTail}): damage in the middle is told apart from a torn tail.
 *
 * @internal
 * @module
 */

import type { FileHandle } from "node:fs/promises";
import { crc32 as zlibCrc32 } from "node:zlib";
import { IndexReadError } from "../errors.js";
import type { Column, Columns } from "./columns.js";
import { COMMIT_HEAD_BYTES, ENTRY_BYTES, ENTRY_COLUMNS, IO_CHUNK, RecordKind } from "./format.js";
import { type ApplyResult, applyPayload, commitLength, publishRows } from "./apply.js";

/** Bytes of the window commits are read through; a longer commit is read by its parts. */
export const WINDOW_BYTES = 4 << 20;

/**
 * Bytes read ahead for a commit's head, and for the record heads of a commit too long for
 * the window: a long commit's columns are read into place, so reading a whole window from
 * its start would read megabytes twice.
 */
const HEAD_BYTES = 64 << 10;

/**
 * Reads `dest.length` bytes at file offset `at` into `dest`; returns how many arrived (fewer
 * only when the file ended first: it shrank under us).
 */
export async function readFully(fd: FileHandle, path: string, dest: Uint8Array, at: number): Promise<number> {
  let done = 0;
  try {
    while (done < dest.length) {
      const { bytesRead } = await fd.read(dest, done, Math.min(IO_CHUNK, dest.length - done), at + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
  } catch (cause) {
    throw new IndexReadError(path, cause);
  }
  return done;
}

/** The file's size now. @throws {IndexReadError} when it cannot be read. */
export async function sizeOf(fd: FileHandle, path: string): Promise<number> {
  try {
    return (await fd.stat()).size;
  } catch (cause) {
    throw new IndexReadError(path, cause);
  }
}

/** Bytes `start`..`end` of the file in a reused buffer: `view` position p is file offset `start` + p. */
class Window {
  readonly buf: Uint8Array;
  readonly view: DataView;
  start = 0;
  end = 0;

  constructor(
    private readonly fd: FileHandle,
    private readonly path: string,
    private readonly size: number,
    bytes: number,
  ) {
    this.buf = new Uint8Array(bytes);
    this.view = new DataView(this.buf.buffer);
  }

  /**
   * Makes file bytes `pos`..`pos + n` (n ≤ the window) available, reading up to `ahead`
   * bytes from `pos` (at most the window); false when the file ends before them.
   */
  async ensure(pos: number, n: number, ahead = this.buf.length): Promise<boolean> {
    if (pos >= this.start && pos + n <= this.end) return true;
    if (pos >= this.start && pos < this.end) this.buf.copyWithin(0, pos - this.start, this.end - this.start);
    const kept = pos >= this.start && pos < this.end ? this.end - pos : 0;
    this.start = pos;
    this.end = pos + kept;
    const want = Math.min(this.size, pos + Math.max(n, Math.min(ahead, this.buf.length))) - this.end;
    if (want > 0) this.end += await readFully(this.fd, this.path, this.buf.subarray(kept, kept + want), this.end);
    return pos + n <= this.end;
  }
}

/** What the commit readers share: the file, the columns applied to, the window, the running result. */
interface Reading {
  readonly fd: FileHandle;
  readonly path: string;
  readonly cols: Columns;
  readonly win: Window;
  readonly result: ApplyResult;
  /** The file's size: room after a long commit for the rows of the small ones that follow it. */
  readonly size: number;
}

/** A commit too long for the window: its head at `pos`, its end, its stored checksum. */
interface LongCommit {
  readonly pos: number;
  readonly commitEnd: number;
  readonly stored: number;
}

/** Where a large commit's entries record is: its head at file offset `head`, `count` entries, the items from `head` + 8. */
interface EntriesAt {
  readonly head: number;
  readonly count: number;
}

/**
 * The layout of a commit (head at `pos`, ending at `commitEnd`) too long for the window, as
 * far as the window shows it: the entries record, when only types records come before it
 * (how writers lay a commit out) and its head is well formed. Undefined otherwise — the
 * commit is then read whole, and applying it reports whatever is wrong.
 */
function entriesRecordOf(win: Window, pos: number, commitEnd: number): EntriesAt | undefined {
  const view = win.view;
  const end = Math.min(win.end, commitEnd);
  let q = pos + COMMIT_HEAD_BYTES;
  for (;;) {
    if (q + 8 > end) return undefined;
    const at = q - win.start;
    const kind = view.getUint8(at);
    const count = view.getUint32(at + 4, true);
    if (view.getUint8(at + 1) !== 0 || view.getUint16(at + 2, true) !== 0 || count === 0) return undefined;
    if (kind === RecordKind.entries) {
      const items = q + 8 + count * ENTRY_BYTES;
      return items + ((8 - (items % 8)) % 8) <= commitEnd ? { head: q, count } : undefined;
    }
    if (kind !== RecordKind.types) return undefined;
    let r = q + 8;
    for (let i = 0; i < count; i++) {
      if (r >= end) return undefined;
      r += 1 + view.getUint8(r - win.start);
    }
    q += Math.ceil((r - q) / 8) * 8;
  }
}

/**
 * Reads the commits of an open index file from file offset `from` (a commit boundary) up to
 * `size`, applying each whole, checksummed one to `cols` in order. It stops at the first
 * commit that is incomplete, has an impossible length or fails its checksum: that commit
 * and everything after it are the tail, reported in `ignoredBytes` and never applied (whether
 * the tail is torn or hides whole commits is {@link scanTail}'s question).
 *
 * A commit that fits the window is checked and applied from it. A longer one (an
 * `appendMany` of many entries, a rewritten index) is first checked as it streams through the
 * window, then read again into place: its entries record column by column into the rows after
 * the live ones (the second read comes from the page cache), anything else whole. When its
 * entries are no more than the live rows (the later commits of a store built by big appends),
 * it is read into place at once and checked there: one read of its bytes instead of two.
 *
 * @throws {IndexReadError} a read failed.
 * @throws {IndexCorruptError} a checksummed commit breaks the format (`cols` must then be discarded).
 */
export async function readCommits(
  fd: FileHandle,
  path: string,
  cols: Columns,
  from: number,
  size: number,
  windowBytes = WINDOW_BYTES,
  headBytes = HEAD_BYTES,
  result: ApplyResult = { end: from, ignoredBytes: 0, commits: 0, appended: 0, removed: 0, exposed: 0 },
): Promise<ApplyResult> {
  // No bigger than the bytes to read: a catch-up or a torn tail of a few bytes allocates a few bytes.
  const win = new Window(fd, path, size, Math.max(Math.min(windowBytes, size - from), 64));
  let pos = from;
  for (;;) {
    if (size - pos < COMMIT_HEAD_BYTES || !(await win.ensure(pos, COMMIT_HEAD_BYTES, headBytes))) break;
    const length = commitLength(win.view, pos - win.start, size - pos);
    if (length < 0) break;
    const commitEnd = pos + COMMIT_HEAD_BYTES + length;
    const stored = win.view.getUint32(pos - win.start, true);
    if (commitEnd - pos <= win.buf.length) {
      if (!(await win.ensure(pos, commitEnd - pos))) break;
      const at = pos - win.start;
      if (zlibCrc32(win.buf.subarray(at + 4, at + COMMIT_HEAD_BYTES + length)) >>> 0 !== stored) break;
      applyPayload(cols, win.view, at + COMMIT_HEAD_BYTES, at + COMMIT_HEAD_BYTES + length, win.start, path, result);
    } else {
      const reading: Reading = { fd, path, cols, win, result, size };
      const commit: LongCommit = { pos, commitEnd, stored };
      let entries = entriesRecordOf(win, pos, commitEnd);
      if (entries !== undefined && entries.count <= cols.size) {
        // No more rows than checked commits hold already: read into place and checked there
        // (one read of the bytes, not two), since a bad checksum can at most double the memory.
        if (!(await readLarge(reading, commit, entries, true))) break;
      } else {
        // Checked before anything is allocated for it: a damaged or crafted length costs a pass, not memory.
        if ((await checksumOf(win, pos, commitEnd)) !== stored) break;
        await win.ensure(pos, Math.min(headBytes, win.buf.length), headBytes);
        entries = entriesRecordOf(win, pos, commitEnd);
        if (!(await (entries === undefined ? readWhole(reading, commit) : readLarge(reading, commit, entries, false)))) break;
      }
    }
    pos = commitEnd;
    result.commits++;
  }
  result.end = pos;
  result.ignoredBytes = size - pos;
  return result;
}

/**
 * The CRC-32 of the commit at `pos` (its length field and payload, up to `commitEnd`), taken
 * through the window; -1 when the file ends first.
 */
async function checksumOf(win: Window, pos: number, commitEnd: number): Promise<number> {
  let crc = 0;
  for (let at = pos + 4; at < commitEnd; ) {
    const n = Math.min(win.buf.length, commitEnd - at);
    if (!(await win.ensure(at, n))) return -1;
    crc = zlibCrc32(win.buf.subarray(at - win.start, at - win.start + n), crc);
    at += n;
  }
  return crc >>> 0;
}

/** What the scan after the last whole commit found. */
export interface TailScan {
  /** Offset of the first whole, checksummed commit after the tail's start; undefined when none (a torn tail). */
  readonly firstWhole: number | undefined;
  /** Whole, checksummed commits after the tail's start (0 for a torn tail). */
  readonly commits: number;
  /** The runs of bytes that are not whole commits, in file order (the last one may be a torn tail). */
  readonly regions: ReadonlyArray<{ readonly byteOffset: number; readonly length: number }>;
  /** The scan stopped at its hashing budget (only a crafted file gets there): what follows is unknown. */
  readonly gaveUp: boolean;
}

/**
 * Looks for whole, checksummed commits after `from` (where the reader stopped), up to `size`:
 * at every 8-aligned offset, a commit head with a possible length, a plausible first record
 * head, and a matching CRC-32. A crash tears only the last commit (each commit is fsynced
 * before the next is written), so a whole commit after a bad one means the bad one was
 * damaged, not torn. The hashing is budgeted (twice the tail's bytes plus 64 MiB) so crafted
 * bytes cannot make it quadratic; memory is the window's. `visit` is called for each whole
 * commit found (head offset, payload length), in file order, after its checksum held.
 *
 * @throws {IndexReadError} a read failed.
 */
export async function scanTail(
  fd: FileHandle,
  path: string,
  from: number,
  size: number,
  visit?: (pos: number, length: number) => Promise<void>,
  windowBytes = WINDOW_BYTES,
): Promise<TailScan> {
  // No bigger than the bytes to read: a catch-up or a torn tail of a few bytes allocates a few bytes.
  const win = new Window(fd, path, size, Math.max(Math.min(windowBytes, size - from), 64));
  let budget = 2 * (size - from) + (64 << 20);
  let firstWhole: number | undefined;
  let commits = 0;
  const regions: Array<{ byteOffset: number; length: number }> = [];
  let gapStart: number | undefined = from;
  let pos = from + 8;
  let gaveUp = false;
  while (size - pos >= COMMIT_HEAD_BYTES + 8) {
    if (!(await win.ensure(pos, COMMIT_HEAD_BYTES + 8))) break;
    // A synchronous sweep over what the window holds to the next candidate: most offsets of
    // damaged bytes (zeros above all) fail the length or record-head test at once.
    const last = win.end - (COMMIT_HEAD_BYTES + 8);
    let length = -1;
    for (; pos <= last; pos += 8) {
      const at = pos - win.start;
      length = commitLength(win.view, at, size - pos);
      if (length >= 8 && plausibleRecordHead(win.view, at + COMMIT_HEAD_BYTES)) break;
      gapStart ??= pos;
      length = -1;
    }
    if (length < 0) continue;
    const at = pos - win.start;
    budget -= length;
    if (budget < 0) {
      gaveUp = true;
      break;
    }
    const stored = win.view.getUint32(at, true);
    if ((await checksumOf(win, pos, pos + COMMIT_HEAD_BYTES + length)) === stored) {
      if (gapStart !== undefined) regions.push({ byteOffset: gapStart, length: pos - gapStart });
      gapStart = undefined;
      firstWhole ??= pos;
      commits++;
      await visit?.(pos, length);
      pos += COMMIT_HEAD_BYTES + length;
      continue;
    }
    gapStart ??= pos;
    pos += 8;
  }
  if (gapStart === undefined && pos < size) gapStart = pos;
  if (gapStart !== undefined) regions.push({ byteOffset: gapStart, length: size - gapStart });
  return { firstWhole, commits, regions, gaveUp };
}

/** Whether 8 bytes at `p` can start a record (kind, argument, reserved bytes, count): a cheap filter before hashing. */
function plausibleRecordHead(view: DataView, p: number): boolean {
  const kind = view.getUint8(p);
  const arg = view.getUint8(p + 1);
  if (kind < RecordKind.types || kind > RecordKind.exposure || view.getUint16(p + 2, true) !== 0 || view.getUint32(p + 4, true) === 0) return false;
  return kind === RecordKind.remove ? arg <= 3 : arg === 0;
}

/** A long commit (checked already) read into a buffer of its own and applied from it; false when the file ended first (it shrank). */
async function readWhole({ fd, path, cols, win, result }: Reading, { pos, commitEnd }: LongCommit): Promise<boolean> {
  const bytes = new Uint8Array(commitEnd - pos);
  const have = Math.max(0, Math.min(win.end, commitEnd) - pos);
  if (have > 0 && pos >= win.start) bytes.set(win.buf.subarray(pos - win.start, pos - win.start + have));
  if (have + (await readFully(fd, path, bytes.subarray(have), pos + have)) < bytes.length) return false;
  applyPayload(cols, new DataView(bytes.buffer), COMMIT_HEAD_BYTES, bytes.length, pos, path, result);
  return true;
}

/**
 * A long commit (checked already, or checked here when `check`) whose entries record is read
 * column by column into the rows after the live ones (their room reserved first, with room
 * for as many rows as the rest of the file could hold, so a run of long commits grows the
 * columns once); false when the file ended first or, with `check`, the checksum fails (the
 * rows read are then not live, and nothing of the commit is applied).
 */
async function readLarge(
  { fd, path, cols, win, result, size }: Reading,
  { pos, commitEnd, stored }: LongCommit,
  entries: EntriesAt,
  check: boolean,
): Promise<boolean> {
  const { head, count } = entries;
  const items = head + 8;
  // Room for as many more rows as the rest of the file could hold: a store built by big
  // appends is a run of long commits, and growing the columns at each one copied every row
  // read so far (at 1M entries in ten commits, ~250 MB copied: a quarter of a cold open).
  // Bounded by real bytes on disk; rows never written stay untouched (no resident memory).
  const headroom = Math.floor((size - commitEnd) / ENTRY_BYTES);
  cols.reserve(cols.size + count + headroom);
  const row = cols.size;
  const parts: Uint8Array[] = ENTRY_COLUMNS.map(([name, width]) => {
    const column: Column = cols[name];
    return new Uint8Array(column.buffer, column.byteOffset + row * width, count * width);
  });
  const suffixAt = items + count * ENTRY_BYTES;
  const suffix = new Uint8Array(commitEnd - suffixAt);
  parts.push(suffix);
  // The parts are read at once (the thread pool copies several while this thread checks the
  // ones that have arrived), and with `check` the commit's bytes are hashed in file order as
  // they arrive: its head and the records before the entries (in the window since
  // entriesRecordOf found them there), then the parts. Every read is waited for before this
  // returns, whatever happens: none may still be writing into the columns afterwards.
  const reads: Array<Promise<number>> = [];
  let at = items;
  for (const part of parts) {
    reads.push(readFully(fd, path, part, at));
    at += part.length;
  }
  const settled = Promise.allSettled(reads);
  let crc = check ? zlibCrc32(win.buf.subarray(pos + 4 - win.start, items - win.start)) : 0;
  for (let k = 0; k < parts.length; k++) {
    const got = await reads[k]!.catch(() => -1);
    if (got < parts[k]!.length) break;
    if (check) crc = zlibCrc32(parts[k]!, crc);
  }
  // As when they were read one after another: the first part (in file order) that failed to
  // read is the error, or else the first that came short (the file shrank) stops the reader.
  const outcomes = await settled;
  for (const [k, r] of outcomes.entries()) {
    if (r.status === "rejected") throw r.reason;
    if (r.value < parts[k]!.length) return false;
  }
  if (check && crc >>> 0 !== stored) return false;
  // The records in file order — the types before, the entries, the rest (the window still holds the commit's head).
  await win.ensure(pos, Math.min(head - pos, win.buf.length));
  applyPayload(cols, win.view, pos + COMMIT_HEAD_BYTES - win.start, head - win.start, win.start, path, result);
  publishRows(cols, row, count, items, path);
  result.appended += count;
  const padding = (8 - (suffixAt % 8)) % 8;
  const rest = new DataView(suffix.buffer, suffix.byteOffset, suffix.byteLength);
  applyPayload(cols, rest, 0, suffix.length, suffixAt, path, result, padding);
  return true;
}

/**
 * Reading an index file into columns: the commits are streamed through a small window and
 * applied as each one is found whole and checksummed, and a large entries record is read
 * straight into the columns (one read per column), so opening an index of n entries touches
 * the memory of its columns and a window of a few MiB — not the whole file a second time.
 *
 * @internal
 * @module
 */

import type { FileHandle } from "node:fs/promises";
import { crc32 as zlibCrc32 } from "node:zlib";
import { IndexReadError } from "../errors.js";
import type { Column, Columns } from "./columns.js";
import { COMMIT_HEAD_BYTES, ENTRY_BYTES, ENTRY_COLUMNS, IO_CHUNK, RecordKind } from "./format.js";
import { type ApplyResult, applyCommits, applyPayload, commitLength, publishRows } from "./journal.js";

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
async function readFully(fd: FileHandle, path: string, dest: Uint8Array, at: number): Promise<number> {
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
 * and everything after it are the tail, reported in `ignoredBytes` and never applied.
 *
 * A commit that fits the window is checked and applied from it. A longer one (an
 * `appendMany` of many entries, a rewritten index) has its entries record read column by
 * column into the rows after the live ones — each column's checksum taken while the next is
 * being read — and its rows become live only once the commit's checksum holds.
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
): Promise<ApplyResult> {
  const result: ApplyResult = { end: from, ignoredBytes: 0, commits: 0, appended: 0, removed: 0, exposed: 0 };
  const win = new Window(fd, path, size, Math.max(windowBytes, 64));
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
      await win.ensure(pos, Math.min(headBytes, win.buf.length));
      const reading: Reading = { fd, path, cols, win, result };
      const commit: LongCommit = { pos, commitEnd, stored };
      const entries = entriesRecordOf(win, pos, commitEnd);
      if (!(await (entries === undefined ? readWhole(reading, commit) : readLarge(reading, commit, entries)))) break;
    }
    pos = commitEnd;
    result.commits++;
  }
  result.end = pos;
  result.ignoredBytes = size - pos;
  return result;
}

/** A long commit read into a buffer of its own and applied from it; false when it is not whole or fails its checksum. */
async function readWhole({ fd, path, cols, win, result }: Reading, { pos, commitEnd, stored }: LongCommit): Promise<boolean> {
  const bytes = new Uint8Array(commitEnd - pos);
  const have = Math.min(win.end, commitEnd) - pos;
  bytes.set(win.buf.subarray(pos - win.start, pos - win.start + have));
  if (have + (await readFully(fd, path, bytes.subarray(have), pos + have)) < bytes.length) return false;
  if (zlibCrc32(bytes.subarray(4)) >>> 0 !== stored) return false;
  const applied = applyCommits(cols, bytes, pos, path, bytes.length);
  result.appended += applied.appended;
  result.removed += applied.removed;
  result.exposed += applied.exposed;
  return true;
}

/**
 * A long commit whose entries record is read column by column into the rows after the live
 * ones (their room reserved first); false when it is not whole or fails its checksum (the
 * rows read are then not live).
 */
async function readLarge({ fd, path, cols, win, result }: Reading, { pos, commitEnd, stored }: LongCommit, entries: EntriesAt): Promise<boolean> {
  const { head, count } = entries;
  const items = head + 8;
  cols.reserve(cols.size + count);
  const row = cols.size;
  // The commit's bytes in file order: the window's part up to the items, each column, the rest.
  let running = zlibCrc32(win.buf.subarray(pos + 4 - win.start, items - win.start));
  const parts: Uint8Array[] = ENTRY_COLUMNS.map(([name, width]) => {
    const column: Column = cols[name];
    return new Uint8Array(column.buffer, column.byteOffset + row * width, count * width);
  });
  const suffixAt = items + count * ENTRY_BYTES;
  const suffix = new Uint8Array(commitEnd - suffixAt);
  parts.push(suffix);
  let at = items;
  let pending = readFully(fd, path, parts[0]!, at);
  for (let k = 0; k < parts.length; k++) {
    const part = parts[k]!;
    const got = await pending;
    at += part.length;
    if (k + 1 < parts.length) pending = readFully(fd, path, parts[k + 1]!, at);
    if (got < part.length) {
      if (k + 1 < parts.length) await pending.catch(() => undefined);
      return false;
    }
    running = zlibCrc32(part, running);
  }
  if (running >>> 0 !== stored) return false;
  // Whole and checksummed: the records in file order — the types before, the entries, the rest.
  applyPayload(cols, win.view, pos + COMMIT_HEAD_BYTES - win.start, head - win.start, win.start, path, result);
  publishRows(cols, row, count, items, path);
  result.appended += count;
  const padding = (8 - (suffixAt % 8)) % 8;
  const rest = new DataView(suffix.buffer, suffix.byteOffset, suffix.byteLength);
  applyPayload(cols, rest, 0, suffix.length, suffixAt, path, result, padding);
  return true;
}

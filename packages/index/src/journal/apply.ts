import { crc32 as zlibCrc32 } from "node:zlib";
import { crc32, isSectionType } from "@replaykit/corpus";
import { IndexCorruptError } from "../errors.js";
import type { Column, Columns, EntryArrays } from "./columns.js";
import {
  COMMIT_HEAD_BYTES,
  ENTRY_BYTES,
  ENTRY_COLUMNS,
  EXPOSURE_BYTES,
  HEADER_BYTES,
  KNOWN_FLAGS,
  LITTLE_ENDIAN,
  FLAG_AUTO_MINED,
  FLAG_HAS_AUTO_MINED,
  FLAG_HAS_CRC,
  MAGIC,
  MAX_COMMIT_PAYLOAD,
  NO_TYPE,
  RecordKind,
  REVISION,
} from "./format.js";

/** What applying a run of commits did. */
export interface ApplyResult {
  /** File offset just after the last whole commit: where the next commit goes. */
  end: number;
  /** Bytes after `end` that do not form a whole, checksummed commit (a torn or damaged tail): ignored. */
  ignoredBytes: number;
  /** Whole commits applied. */
  commits: number;
  appended: number;
  removed: number;
  exposed: number;
  /** Called with the rows a remove record names (ascending) and its reason, before they leave (salvage collects their keys). */
  onRemove?: (rows: readonly number[], reason: number) => void;
}

/** The largest |seconds| a JavaScript `Date` holds (±8.64e15 ms): times beyond it are corrupt. */
const MAX_SECONDS = 8.64e12;

export function corrupt(path: string | undefined, at: number, what: string): IndexCorruptError {
  const where = path === undefined ? "corrupt index" : `corrupt index ${path}`;
  return new IndexCorruptError(`${where}: byte ${at}: ${what}`, path === undefined ? { byteOffset: at } : { path, byteOffset: at });
}

/**
 * Checks the 16-byte file header at the start of `bytes`.
 *
 * @throws {IndexCorruptError} too short, wrong magic, unknown revision or flags, bad CRC.
 */
export function checkHeader(bytes: Uint8Array, path: string | undefined): void {
  if (bytes.length < HEADER_BYTES) throw corrupt(path, 0, `file of ${bytes.length} bytes is shorter than the ${HEADER_BYTES}-byte header`);
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) throw corrupt(path, i, "not a replaykit journal (index.rkx): wrong magic bytes");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  if (view.getUint32(12, true) !== crc32(bytes.subarray(0, 12))) throw corrupt(path, 12, "header checksum mismatch");
  const revision = view.getUint16(8, true);
  if (revision !== REVISION) throw corrupt(path, 8, `unsupported format revision ${revision} (this code reads ${REVISION})`);
  const flags = view.getUint16(10, true);
  if (flags !== 0) throw corrupt(path, 10, `unknown header flags 0x${flags.toString(16)}`);
}

/**
 * The payload length of the commit whose head is at `p` in `view` (`available` bytes from
 * `p` on, `room` bytes before the end of the file), or -1 when no commit can start there: fewer
 * than 8 bytes, a length of 0, not a multiple of 8, above the limit, or running past the end
 * of the file. Checked before anything is hashed, so a damaged length never makes a reader
 * hash (or wait for) gigabytes.
 */
export function commitLength(view: DataView, p: number, room: number): number {
  if (room < COMMIT_HEAD_BYTES) return -1;
  const length = view.getUint32(p + 4, true);
  if (length === 0 || length % 8 !== 0 || length > MAX_COMMIT_PAYLOAD || COMMIT_HEAD_BYTES + length > room) return -1;
  return length;
}

/**
 * Applies every whole commit in `bytes` to `cols`, stopping at the first commit that is
 * incomplete or fails its checksum: that commit and everything after it are a torn tail
 * and are not believed. `bytes[0]` must be at file offset `base`, a commit boundary.
 * (Files are read by `readCommits`, which streams them; this is for bytes already in
 * memory: a commit this process has just written, a rewrite it has just made.)
 *
 * A commit whose checksum holds but whose records break the format is damage no crash can
 * cause (or a writer bug) and is an error, not a tail.
 *
 * `verified`: how many leading bytes are known to be whole, checksummed commits (bytes this
 * process has just written); they are not hashed again.
 *
 * @throws {IndexCorruptError} naming the byte offset of the bad record. `cols` is then
 *   partly updated and must be discarded.
 */
export function applyCommits(cols: Columns, bytes: Uint8Array, base: number, path: string | undefined, verified = 0): ApplyResult {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const result: ApplyResult = { end: base, ignoredBytes: 0, commits: 0, appended: 0, removed: 0, exposed: 0 };
  let p = 0;
  for (;;) {
    const length = commitLength(view, p, bytes.length - p);
    if (length < 0) break;
    const end = p + COMMIT_HEAD_BYTES + length;
    if (end > verified && zlibCrc32(bytes.subarray(p + 4, end)) >>> 0 !== view.getUint32(p, true)) break;
    applyPayload(cols, view, p + COMMIT_HEAD_BYTES, end, base, path, result);
    p = end;
    result.commits++;
  }
  result.end = base + p;
  result.ignoredBytes = bytes.length - p;
  return result;
}

/**
 * Applies the records of one checksummed commit payload, `view` bytes `start`..`end` (file
 * offset = `base` + position), to `cols` in file order.
 *
 * @throws {IndexCorruptError} naming the byte offset of the first record that breaks the format.
 */
export function applyPayload(
  cols: Columns,
  view: DataView,
  start: number,
  end: number,
  base: number,
  path: string | undefined,
  result: ApplyResult,
  padding = 0,
): void {
  // `padding`: the view starts inside a record (its items were read elsewhere), with this many bytes of its padding.
  for (let k = start; k < start + padding; k++) if (view.getUint8(k) !== 0) throw corrupt(path, base + k, "record padding is not zero");
  let q = start + padding;
  while (q < end) {
    const record = q;
    const at = (pos: number) => base + pos;
    const kind = view.getUint8(q);
    const arg = view.getUint8(q + 1);
    if (view.getUint16(q + 2, true) !== 0) throw corrupt(path, at(q + 2), "reserved record bytes are not zero");
    const count = view.getUint32(q + 4, true);
    if (count === 0) throw corrupt(path, at(q + 4), "record with a count of 0");
    q += 8;
    if (kind !== RecordKind.remove && arg !== 0) throw corrupt(path, at(record + 1), `record argument ${arg} must be 0`);
    switch (kind) {
      case RecordKind.types: {
        for (let i = 0; i < count; i++) {
          if (q >= end) throw corrupt(path, at(q), "types record runs past its commit");
          const n = view.getUint8(q);
          if (n === 0 || q + 1 + n > end) throw corrupt(path, at(q), `type name of ${n} bytes does not fit its commit`);
          let name = "";
          for (let k = 0; k < n; k++) name += String.fromCharCode(view.getUint8(q + 1 + k));
          if (!isSectionType(name)) throw corrupt(path, at(q + 1), `invalid section type name ${JSON.stringify(name)}`);
          if (cols.typeCodes.has(name)) throw corrupt(path, at(q + 1), `section type ${JSON.stringify(name)} defined twice`);
          if (cols.typeNames.length >= NO_TYPE) throw corrupt(path, at(q), "more than 65535 section types");
          cols.typeCodes.set(name, cols.typeNames.length);
          cols.typeNames.push(name);
          q += 1 + n;
        }
        q = skipPadding(view, record, q, end, base, path);
        break;
      }
      case RecordKind.entries: {
        if (count > (end - q) / ENTRY_BYTES) throw corrupt(path, at(record + 4), `${count} entries do not fit their commit`);
        readEntries(cols, view, q, count, base, path);
        q = skipPadding(view, record, q + count * ENTRY_BYTES, end, base, path);
        result.appended += count;
        break;
      }
      case RecordKind.remove: {
        if (arg > 3) throw corrupt(path, at(record + 1), `unknown remove reason ${arg}`);
        if (count > (end - q) / 4) throw corrupt(path, at(record + 4), `${count} ordinals do not fit their commit`);
        const rows: number[] = [];
        let previous = -1;
        for (let i = 0; i < count; i++, q += 4) {
          const ordinal = view.getUint32(q, true);
          if (ordinal <= previous) throw corrupt(path, at(q), "remove ordinals are not strictly ascending");
          previous = ordinal;
          const row = cols.rowOf(ordinal);
          if (row < 0) throw corrupt(path, at(q), `remove of entry ordinal ${ordinal}, which is not live`);
          rows.push(row);
        }
        result.onRemove?.(rows, arg);
        cols.removeRows(rows);
        result.removed += count;
        q = skipPadding(view, record, q, end, base, path);
        break;
      }
      case RecordKind.exposure: {
        if (count > (end - q) / EXPOSURE_BYTES) throw corrupt(path, at(record + 4), `${count} exposure items do not fit their commit`);
        for (let i = 0; i < count; i++, q += EXPOSURE_BYTES) {
          const ordinal = view.getUint32(q, true);
          const replayCount = view.getUint32(q + 4, true);
          const last = view.getFloat64(q + 8, true);
          const row = cols.rowOf(ordinal);
          if (row < 0) throw corrupt(path, at(q), `exposure of entry ordinal ${ordinal}, which is not live`);
          if (!validExposure(replayCount, last)) throw corrupt(path, at(q + 4), "exposure: last replay time must be ≥ 0 and 0 exactly when the count is 0");
          cols.count[row] = replayCount;
          cols.last[row] = last;
        }
        result.exposed += count;
        break;
      }
      default:
        throw corrupt(path, at(record), `unknown record kind ${kind}`);
    }
  }
}

/** Exposure values a file may hold: a last replay time ≥ 0, and 0 exactly when never replayed. */
export function validExposure(replayCount: number, last: number): boolean {
  return replayCount === 0 ? last === 0 : last >= 0 && last <= MAX_SECONDS;
}

/** Records are padded with zero bytes to a multiple of 8, so every commit stays 8-aligned. */
export function skipPadding(view: DataView, record: number, q: number, end: number, base: number, path: string | undefined): number {
  const padded = record + Math.ceil((q - record) / 8) * 8;
  if (padded > end) throw corrupt(path, base + q, "record padding runs past its commit");
  for (let k = q; k < padded; k++) if (view.getUint8(k) !== 0) throw corrupt(path, base + k, "record padding is not zero");
  return padded;
}

/**
 * Reads an entries record of `count` entries whose columns start at `q` in `view` into the
 * rows after the live ones ({@link stageEntries}), then checks and publishes them ({@link publishRows}).
 */
function readEntries(cols: Columns, view: DataView, q: number, count: number, base: number, path: string | undefined): void {
  const row = stageEntries(cols, view, q, count);
  publishRows(cols, row, count, base + q, path);
}

/**
 * Copies the columns of an entries record of `count` entries starting at `q` in `view` into
 * the rows after the live ones, each with a single `set` (a view of the bytes when this
 * machine is little-endian and the column aligned, as the format keeps it; else value by
 * value); returns the first row. The rows are not live until {@link publishRows}.
 */
export function stageEntries(cols: Columns, view: DataView, q: number, count: number): number {
  cols.reserve(cols.size + count);
  const row = cols.size;
  let pos = q;
  for (const [name, width] of ENTRY_COLUMNS) {
    const column = cols[name];
    const at = view.byteOffset + pos;
    if (LITTLE_ENDIAN && at % width === 0) {
      column.set(new (column.constructor as new (b: ArrayBufferLike, o: number, n: number) => Column)(view.buffer, at, count) as never, row);
    } else {
      for (let k = 0; k < count; k++) {
        const p = pos + width * k;
        column[row + k] =
          width === 8 ? view.getFloat64(p, true) : width === 4 ? view.getUint32(p, true) : width === 2 ? view.getUint16(p, true) : view.getUint8(p);
      }
    }
    pos += count * width;
  }
  return row;
}

/**
 * Checks the `count` entries an entries record put in rows `row`.. of `cols` (beyond the
 * live ones) and makes them live, with the next ordinals. `where`: the file offset of the
 * record's items, for errors.
 *
 * @throws {IndexCorruptError} for the first entry that breaks a rule of the format; the rows
 *   are then not live.
 */
export function publishRows(cols: Columns, row: number, count: number, where: number, path: string | undefined): void {
  // Locals, so the loop's loads are monomorphic typed-array reads.
  const offs = cols.off;
  const ats = cols.at;
  const ws = cols.w;
  const lens = cols.len;
  const crcs = cols.crc;
  const counts = cols.count;
  const lasts = cols.last;
  const typeCodes = cols.type;
  const flagBytes = cols.flag;
  const types = cols.typeNames.length;
  const end = row + count;
  for (let r = row; r < end; r++) {
    const off = offs[r]!;
    const at = ats[r]!;
    const w = ws[r]!;
    const flags = flagBytes[r]!;
    const type = typeCodes[r]!;
    // One combined test keeps the loop short; the slow path says which field is wrong.
    if (
      !(off >= 0 && off <= Number.MAX_SAFE_INTEGER && Math.floor(off) === off) ||
      !(at >= -MAX_SECONDS && at <= MAX_SECONDS) ||
      !(w >= 0 && w < Infinity) ||
      lens[r] === 0 ||
      (type !== NO_TYPE && type >= types) ||
      (flags & ~KNOWN_FLAGS) !== 0 ||
      ((flags & FLAG_HAS_CRC) === 0 && crcs[r] !== 0) ||
      ((flags & FLAG_HAS_AUTO_MINED) === 0 && (flags & FLAG_AUTO_MINED) !== 0) ||
      (counts[r] === 0 ? lasts[r] !== 0 : !(lasts[r]! >= 0 && lasts[r]! <= MAX_SECONDS))
    ) {
      const k = r - row;
      throw corrupt(path, where, `entries record, entry ${k} (ordinal ${cols.nextOrdinal + k}): ${whatIsWrong(cols, r, types)}`);
    }
  }
  if (row !== cols.size) throw new Error(`publishRows: rows staged at ${row}, the columns end at ${cols.size}`); // a bug, never data
  cols.appended(count);
}

function whatIsWrong(e: EntryArrays, k: number, types: number): string {
  const off = e.off[k]!;
  const flags = e.flag[k]!;
  const type = e.type[k]!;
  if (!(off >= 0 && off <= Number.MAX_SAFE_INTEGER && Math.floor(off) === off)) return `byte offset ${off} is not a safe integer ≥ 0`;
  if (!(e.at[k]! >= -MAX_SECONDS && e.at[k]! <= MAX_SECONDS)) return `addedAt ${e.at[k]} is outside the range of a Date`;
  if (!(e.w[k]! >= 0 && e.w[k]! < Infinity)) return `weight ${e.w[k]} is not finite and ≥ 0`;
  if (e.len[k] === 0) return "frame length 0";
  if (type !== NO_TYPE && type >= types) return `type code ${type} is not defined (${types} types)`;
  if ((flags & ~KNOWN_FLAGS) !== 0) return `unknown flag bits 0x${flags.toString(16)}`;
  if ((flags & FLAG_HAS_CRC) === 0 && e.crc[k] !== 0) return "a CRC-32 without the CRC flag";
  if ((flags & FLAG_HAS_AUTO_MINED) === 0 && (flags & FLAG_AUTO_MINED) !== 0) return "auto-mined set without the auto-mined-known flag";
  return `exposure count ${e.count[k]} with last replay time ${e.last[k]}`;
}

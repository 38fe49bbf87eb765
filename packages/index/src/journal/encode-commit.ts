import { crc32, isSectionType } from "@replaykit/corpus";
import type { IndexEntry } from "../entry.js";
import { IndexEntryInvalidError } from "../errors.js";
import type { EntryArrays } from "./columns.js";
import { flagsOf } from "./flags.js";
import { COMMIT_HEAD_BYTES, ENTRY_BYTES, ENTRY_COLUMNS, EXPOSURE_BYTES, LITTLE_ENDIAN, RecordKind } from "./format.js";

/** Rounds up to the 8-byte record alignment. */
const pad8 = (n: number) => Math.ceil(n / 8) * 8;

/** An entry checked and reduced to the fields the file stores (type as a name; the writer interns it). */
export interface RawEntry {
  hi: number;
  lo: number;
  byteOffset: number;
  length: number;
  addedAt: number; // seconds
  weight: number;
  sectionType: string | undefined;
  flags: number;
  crc32: number;
}

function invalid(fn: string, i: number, field: string, what: string): IndexEntryInvalidError {
  return new IndexEntryInvalidError(`index: ${fn}: entry ${i} (0-based): ${field} ${what}`, { entry: i, field });
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** The two u32 halves of a 16-hex-digit section id, or undefined when it is not one. */
export function splitSectionId(id: unknown): [number, number] | undefined {
  if (typeof id !== "string" || id.length !== 16) return undefined;
  let hi = 0;
  let lo = 0;
  for (let k = 0; k < 16; k++) {
    const v = hexValue(id.charCodeAt(k));
    if (v < 0) return undefined;
    if (k < 8) hi = hi * 16 + v;
    else lo = lo * 16 + v;
  }
  return [hi, lo];
}

/**
 * Checks one caller's entry and reduces it to what the file stores.
 *
 * @throws {IndexEntryInvalidError} naming the entry's position and the field.
 */
export function rawEntry(entry: IndexEntry, i: number, fn: string): RawEntry {
  if (typeof entry !== "object" || entry === null) throw invalid(fn, i, "entry", "is not an object");
  const id = splitSectionId(entry.sectionId);
  if (id === undefined) throw invalid(fn, i, "sectionId", "must be 16 lowercase hex characters");
  const { byteOffset, length, addedAt, weight, sectionType, autoMined, crc32: crc } = entry;
  if (!Number.isSafeInteger(byteOffset) || byteOffset < 0) throw invalid(fn, i, "byteOffset", "must be a safe integer ≥ 0");
  if (!Number.isInteger(length) || length < 1 || length > 0xffff_ffff) throw invalid(fn, i, "length", "must be an integer in 1..2^32-1");
  if (!(addedAt instanceof Date) || Number.isNaN(addedAt.getTime())) throw invalid(fn, i, "addedAt", "must be a valid Date");
  if (typeof weight !== "number" || !(weight >= 0 && weight < Infinity)) throw invalid(fn, i, "weight", "must be a finite number ≥ 0");
  if (sectionType !== undefined && (!isSectionType(sectionType) || sectionType.length > 255)) {
    throw invalid(fn, i, "sectionType", "must match /^[a-z][a-z0-9_-]*$/ (at most 255 characters)");
  }
  if (autoMined !== undefined && typeof autoMined !== "boolean") throw invalid(fn, i, "autoMined", "must be a boolean");
  if (crc !== undefined && !(Number.isInteger(crc) && crc >= 0 && crc <= 0xffff_ffff)) throw invalid(fn, i, "crc32", "must be an unsigned 32-bit integer");
  const flags = flagsOf(entry);
  return {
    hi: id[0],
    lo: id[1],
    byteOffset,
    length,
    addedAt: addedAt.getTime() / 1000,
    weight: weight + 0, // +0: -0 is written as 0
    sectionType,
    flags,
    crc32: crc ?? 0,
  };
}

/** Builds one commit's payload record by record, then frames it (CRC + length). */
export class CommitBuilder {
  private bytes: Uint8Array;
  private view: DataView;
  private n = 0;

  /** Where the commit starts in `bytes` (after the prefix). */
  private readonly start: number;

  /**
   * @param capacity payload bytes to allocate up front (it grows when needed)
   * @param prefix bytes placed before the commit in the same buffer (a file header), so a
   *   whole file can be built without a final copy; its length must be a multiple of 8
   */
  constructor(capacity = 256, prefix?: Uint8Array) {
    this.start = prefix?.length ?? 0;
    this.bytes = new Uint8Array(this.start + COMMIT_HEAD_BYTES + pad8(Math.max(capacity, 64)));
    if (prefix !== undefined) this.bytes.set(prefix);
    this.view = new DataView(this.bytes.buffer);
    this.n = this.start + COMMIT_HEAD_BYTES;
  }

  get empty(): boolean {
    return this.n === this.start + COMMIT_HEAD_BYTES;
  }

  /** Pads the record that began at `record` with zero bytes (the buffer is zeroed) to a multiple of 8. */
  private pad(record: number): void {
    this.n = record + pad8(this.n - record);
  }

  private room(extra: number): void {
    if (this.n + extra <= this.bytes.length) return;
    const next = new Uint8Array(Math.max(this.n + extra, this.bytes.length * 2));
    next.set(this.bytes.subarray(0, this.n));
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }

  private head(kind: number, arg: number, count: number): void {
    this.view.setUint8(this.n, kind);
    this.view.setUint8(this.n + 1, arg);
    this.view.setUint16(this.n + 2, 0, true);
    this.view.setUint32(this.n + 4, count, true);
    this.n += 8;
  }

  /** New type names (codes follow the ones already defined, in this order). */
  types(names: readonly string[]): void {
    if (names.length === 0) return;
    let size = 8;
    for (const name of names) size += 1 + name.length;
    this.room(pad8(size));
    const record = this.n;
    this.head(RecordKind.types, 0, names.length);
    for (const name of names) {
      this.bytes[this.n++] = name.length;
      for (let k = 0; k < name.length; k++) this.bytes[this.n++] = name.charCodeAt(k);
    }
    this.pad(record);
  }

  /** An entries record of `src`'s values at positions `from` .. `from + count - 1`, column after column. */
  entries(src: EntryArrays, from: number, count: number): void {
    if (count === 0) return;
    this.room(8 + pad8(count * ENTRY_BYTES));
    const record = this.n;
    this.head(RecordKind.entries, 0, count);
    const view = this.view;
    for (const [name, width] of ENTRY_COLUMNS) {
      const column = src[name].subarray(from, from + count);
      let pos = this.n;
      if (LITTLE_ENDIAN || width === 1) {
        // The file's byte order is this machine's: copy the column as it is (columns start aligned).
        new Uint8Array(this.bytes.buffer, this.bytes.byteOffset + pos, count * width).set(new Uint8Array(column.buffer, column.byteOffset, count * width));
      } else if (width === 8) for (let k = 0; k < count; k++, pos += 8) view.setFloat64(pos, column[k]!, true);
      else if (width === 4) for (let k = 0; k < count; k++, pos += 4) view.setUint32(pos, column[k]!, true);
      else for (let k = 0; k < count; k++, pos += 2) view.setUint16(pos, column[k]!, true);
      this.n += count * width;
    }
    this.pad(record);
  }

  /** A remove record of strictly ascending ordinals. */
  remove(reason: number, ordinals: readonly number[]): void {
    if (ordinals.length === 0) return;
    this.room(8 + pad8(ordinals.length * 4));
    const record = this.n;
    this.head(RecordKind.remove, reason, ordinals.length);
    for (const ordinal of ordinals) {
      this.view.setUint32(this.n, ordinal, true);
      this.n += 4;
    }
    this.pad(record);
  }

  /** An exposure record of absolute values. */
  exposure(items: ReadonlyArray<{ ordinal: number; replayCount: number; lastReplayAt: number }>): void {
    if (items.length === 0) return;
    this.room(8 + items.length * EXPOSURE_BYTES);
    this.head(RecordKind.exposure, 0, items.length);
    for (const item of items) {
      this.view.setUint32(this.n, item.ordinal, true);
      this.view.setUint32(this.n + 4, item.replayCount, true);
      this.view.setFloat64(this.n + 8, item.lastReplayAt, true);
      this.n += EXPOSURE_BYTES;
    }
  }

  /** The prefix and the framed commit: CRC-32 (of length + payload), payload length, payload. */
  finish(): Uint8Array {
    const s = this.start;
    this.view.setUint32(s + 4, this.n - s - COMMIT_HEAD_BYTES, true);
    this.view.setUint32(s, crc32(this.bytes.subarray(s + 4, this.n)), true);
    return this.bytes.subarray(0, this.n);
  }
}

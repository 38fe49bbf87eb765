import type { IndexEntry } from "../entry.js";
import { IndexArgumentError } from "../errors.js";
import { ENTRY_COLUMNS, FLAG_AUTO_MINED, FLAG_HAS_AUTO_MINED, FLAG_HAS_CRC, NO_TYPE } from "./format.js";

/** One column's array. */
export type Column = Float64Array | Uint32Array | Uint16Array | Uint8Array;

/** How often a live entry was replayed by a draw, and when last (issue 15). */
export interface Exposure {
  /** Draws that recorded this entry as replayed. */
  readonly replayCount: number;
  /** The last such draw's time; absent while `replayCount` is 0. */
  readonly lastReplayAt?: Date;
}

/**
 * The live entries of a journal (index.rkx) as columns (typed arrays, one slot per entry), in the
 * order the journal appended them. Read a whole column for passes over every entry (a
 * weight pass reads `addedAt` and `weight` only); call {@link IndexView.entry} to get one
 * entry as an `IndexEntry`. Every array is a view of the first `size` slots and is only
 * valid until the index changes (a commit or catch-up may move the rows or reallocate).
 * A rewritten index is in canonical order (frame offset, then section id).
 */
export interface IndexView {
  /** Number of live entries. */
  readonly size: number;
  /** Section id hex digits 0–7, as an unsigned number. */
  readonly idHi: Uint32Array;
  /** Section id hex digits 8–15, as an unsigned number. */
  readonly idLo: Uint32Array;
  /** Frame offsets in the corpus. */
  readonly byteOffset: Float64Array;
  /** Frame lengths. */
  readonly frameLength: Uint32Array;
  /** `addedAt` in seconds since the Unix epoch (millisecond precision). */
  readonly addedAt: Float64Array;
  /** Sampling weights. */
  readonly weight: Float64Array;
  /** Codes into {@link IndexView.types}; `NO_TYPE_CODE` (0xffff) for an entry without a section type. */
  readonly typeCode: Uint16Array;
  /** The file's flag byte of each entry: read it with `hasCrc(flags[i])` and `autoMinedOf(flags[i])`. */
  readonly flags: Uint8Array;
  /** CRC-32 of each frame (0 where unknown). */
  readonly crc32: Uint32Array;
  /** Replay counts (0 = never replayed). */
  readonly replayCount: Uint32Array;
  /** Last replay time in seconds since the epoch (0 = never). */
  readonly lastReplayAt: Float64Array;
  /** The section type names; a type code is a position in this list. */
  readonly types: readonly string[];
  /**
   * The section id of entry `i`.
   * @throws {IndexArgumentError} `i` is not a row number (an integer in 0..size-1).
   */
  sectionId(i: number): string;
  /**
   * Entry `i` as an `IndexEntry` (a new object each call).
   * @throws {IndexArgumentError} `i` is not a row number.
   */
  entry(i: number): IndexEntry;
  /**
   * The exposure of entry `i`.
   * @throws {IndexArgumentError} `i` is not a row number.
   */
  exposure(i: number): Exposure;
  /** Every live entry as `IndexEntry` objects, in journal order (O(n) objects: for small indexes and migration). */
  toEntries(): IndexEntry[];
  /**
   * The rows holding entries of section id `sectionId` (16 lowercase hex digits), ascending;
   * [] for none or for anything that is not a section id. The first call builds a hash of
   * the id columns (4 bytes per slot, twice the rows); later calls cost what they find,
   * and rows added since are hashed as they are first looked for.
   */
  rowsWithId(sectionId: string): number[];
}

const SECTION_ID = /^[0-9a-f]{16}$/;

/** A slot hash of a section id's two halves (ids are hashes already; the mix guards against chosen ones). */
function idSlot(hi: number, lo: number): number {
  const h = Math.imul(hi ^ Math.imul(lo, 0x9e3779b1), 0x85ebca6b);
  return (h ^ (h >>> 15)) >>> 0;
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));

function hex8(n: number): string {
  return HEX[n >>> 24]! + HEX[(n >>> 16) & 0xff]! + HEX[(n >>> 8) & 0xff]! + HEX[n & 0xff]!;
}

/** A date from seconds since the epoch; rounding recovers the exact millisecond written. */
export function dateOfSeconds(seconds: number): Date {
  return new Date(Math.round(seconds * 1000));
}

/** The stored fields of entries, one typed array per column (names as in `ENTRY_COLUMNS`). */
export interface EntryArrays {
  off: Float64Array;
  at: Float64Array;
  w: Float64Array;
  last: Float64Array;
  hi: Uint32Array;
  lo: Uint32Array;
  len: Uint32Array;
  crc: Uint32Array;
  count: Uint32Array;
  type: Uint16Array;
  flag: Uint8Array;
}

/**
 * The mutable columns behind an {@link IndexView}. Only the journal code mutates them, and
 * only by applying records that are (or are about to be) in the file, so memory never
 * holds what the file does not say.
 */
export class Columns implements IndexView, EntryArrays {
  size = 0;
  /**
   * Ordinal (append number within the file) of each live row, strictly increasing; absent
   * while nothing has been removed, when row i simply holds ordinal i (saves a pass and
   * 4 bytes an entry at open).
   */
  ord: Uint32Array | undefined;
  /** Rows the arrays have room for. */
  capacity = 0;
  hi: Uint32Array = new Uint32Array(0);
  lo: Uint32Array = new Uint32Array(0);
  off: Float64Array = new Float64Array(0);
  len: Uint32Array = new Uint32Array(0);
  at: Float64Array = new Float64Array(0);
  w: Float64Array = new Float64Array(0);
  type: Uint16Array = new Uint16Array(0);
  flag: Uint8Array = new Uint8Array(0);
  crc: Uint32Array = new Uint32Array(0);
  count: Uint32Array = new Uint32Array(0);
  last: Float64Array = new Float64Array(0);
  /** Type names by code, and codes by name (the writer interns through it). */
  readonly typeNames: string[] = [];
  readonly typeCodes = new Map<string, number>();
  /** Entries ever appended to the file: the next entry's ordinal. */
  nextOrdinal = 0;

  /**
   * The id hash of `rowsWithId`: open addressing, slot = row + 1 (0 empty), built on first
   * use; rows below `hashedRows` are in it. Removals move rows, so they drop it.
   */
  private idTable: Int32Array | undefined;
  private hashedRows = 0;

  constructor(capacity = 0) {
    if (capacity > 0) this.reserve(capacity);
  }

  get idHi(): Uint32Array {
    return this.hi.subarray(0, this.size);
  }
  get idLo(): Uint32Array {
    return this.lo.subarray(0, this.size);
  }
  get byteOffset(): Float64Array {
    return this.off.subarray(0, this.size);
  }
  get frameLength(): Uint32Array {
    return this.len.subarray(0, this.size);
  }
  get addedAt(): Float64Array {
    return this.at.subarray(0, this.size);
  }
  get weight(): Float64Array {
    return this.w.subarray(0, this.size);
  }
  get typeCode(): Uint16Array {
    return this.type.subarray(0, this.size);
  }
  get flags(): Uint8Array {
    return this.flag.subarray(0, this.size);
  }
  get crc32(): Uint32Array {
    return this.crc.subarray(0, this.size);
  }
  get replayCount(): Uint32Array {
    return this.count.subarray(0, this.size);
  }
  get lastReplayAt(): Float64Array {
    return this.last.subarray(0, this.size);
  }
  get types(): readonly string[] {
    return this.typeNames;
  }

  /**
   * Room for at least `capacity` rows. Grows by half (amortised O(1) appends without doubling
   * the memory of a 10M-entry index).
   */
  reserve(capacity: number): void {
    if (capacity <= this.capacity) return;
    const n = Math.max(capacity, Math.ceil(this.capacity * 1.5), 16);
    const grow = <T extends Column>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(n);
      b.set(a.subarray(0, this.size) as never);
      return b;
    };
    for (const [name] of ENTRY_COLUMNS) (this as EntryArrays)[name] = grow(this[name]) as never;
    if (this.ord !== undefined) this.ord = grow(this.ord);
    this.capacity = n;
  }

  /** Appends one row (the caller has checked the values); it gets the next ordinal. */
  push(hi: number, lo: number, off: number, len: number, at: number, w: number, type: number, flags: number, crc: number, count: number, last: number): void {
    if (this.size === this.capacity) this.reserve(this.size + 1);
    const i = this.size;
    if (this.ord !== undefined) this.ord[i] = this.nextOrdinal;
    this.nextOrdinal++;
    this.hi[i] = hi;
    this.lo[i] = lo;
    this.off[i] = off;
    this.len[i] = len;
    this.at[i] = at;
    this.w[i] = w;
    this.type[i] = type;
    this.flag[i] = flags;
    this.crc[i] = crc;
    this.count[i] = count;
    this.last[i] = last;
    this.size = i + 1;
  }

  /** The code of a type name, defining it when new (scratch columns only: a file defines types by records). */
  intern(name: string): number {
    let code = this.typeCodes.get(name);
    if (code === undefined) {
      code = this.typeNames.length;
      this.typeCodes.set(name, code);
      this.typeNames.push(name);
    }
    return code;
  }

  /** The ordinal of row `row`. */
  ordinalOf(row: number): number {
    return this.ord === undefined ? row : this.ord[row]!;
  }

  /** Records that rows `from`.. hold the next `count` ordinals (after their values were stored). */
  appended(count: number): void {
    if (this.ord !== undefined) for (let k = 0; k < count; k++) this.ord[this.size + k] = this.nextOrdinal + k;
    this.size += count;
    this.nextOrdinal += count;
  }

  /** The row holding `ordinal`, or -1 (rows are in ordinal order: binary search). */
  rowOf(ordinal: number): number {
    const ord = this.ord;
    if (ord === undefined) return ordinal < this.size ? ordinal : -1;
    let lo = 0;
    let hi = this.size - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = ord[mid]!;
      if (v === ordinal) return mid;
      if (v < ordinal) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Drops the given rows (ascending, unique): each column closes the gaps with one `copyWithin` per kept run. */
  removeRows(rows: readonly number[]): void {
    if (rows.length === 0) return;
    if (this.ord === undefined) {
      // Rows and ordinals part ways from here on: write the ordinals down.
      this.ord = new Uint32Array(this.capacity);
      for (let i = 0; i < this.size; i++) this.ord[i] = i;
    }
    this.idTable = undefined;
    // A leading run of rows (an eviction of the oldest, appended first) goes without moving
    // anything: every column starts later in its buffer.
    let lead = 0;
    while (lead < rows.length && rows[lead] === lead) lead++;
    if (lead > 0) {
      for (const [name] of ENTRY_COLUMNS) (this as EntryArrays)[name] = this[name].subarray(lead) as never;
      this.ord = this.ord.subarray(lead);
      this.capacity -= lead;
      this.size -= lead;
      if (lead === rows.length) return;
      rows = rows.slice(lead).map((r) => r - lead);
    }
    const columns: Column[] = ENTRY_COLUMNS.map(([name]) => this[name]);
    columns.push(this.ord);
    for (const column of columns) {
      let write = rows[0]!;
      for (let r = 0; r < rows.length; r++) {
        const from = rows[r]! + 1;
        const to = r + 1 < rows.length ? rows[r + 1]! : this.size;
        if (to > from) column.copyWithin(write, from, to);
        write += to - from;
      }
    }
    this.size -= rows.length;
  }

  sectionId(i: number): string {
    this.check(i);
    return hex8(this.hi[i]!) + hex8(this.lo[i]!);
  }

  entry(i: number): IndexEntry {
    const sectionId = this.sectionId(i);
    const flags = this.flag[i]!;
    const code = this.type[i]!;
    const entry: { -readonly [K in keyof IndexEntry]: IndexEntry[K] } = {
      sectionId,
      byteOffset: this.off[i]!,
      length: this.len[i]!,
      addedAt: dateOfSeconds(this.at[i]!),
      weight: this.w[i]!,
    };
    if (code !== NO_TYPE) entry.sectionType = this.typeNames[code]!;
    if (flags & FLAG_HAS_AUTO_MINED) entry.autoMined = (flags & FLAG_AUTO_MINED) !== 0;
    if (flags & FLAG_HAS_CRC) entry.crc32 = this.crc[i]!;
    return entry;
  }

  exposure(i: number): Exposure {
    this.check(i);
    const replayCount = this.count[i]!;
    return replayCount === 0 ? { replayCount } : { replayCount, lastReplayAt: dateOfSeconds(this.last[i]!) };
  }

  rowsWithId(sectionId: string): number[] {
    if (typeof sectionId !== "string" || !SECTION_ID.test(sectionId)) return [];
    const hi = Number.parseInt(sectionId.slice(0, 8), 16);
    const lo = Number.parseInt(sectionId.slice(8), 16);
    let table = this.idTable;
    if (table === undefined || table.length < 2 * this.size) {
      // Room for the rows to double before the next rebuild.
      let slots = 1024;
      while (slots < 4 * this.size) slots *= 2;
      table = this.idTable = new Int32Array(slots);
      this.hashedRows = 0;
    }
    const mask = table.length - 1;
    for (let row = this.hashedRows; row < this.size; row++) {
      let slot = idSlot(this.hi[row]!, this.lo[row]!) & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = row + 1;
    }
    this.hashedRows = this.size;
    const rows: number[] = [];
    for (let slot = idSlot(hi, lo) & mask; table[slot] !== 0; slot = (slot + 1) & mask) {
      const row = table[slot]! - 1;
      if (this.hi[row] === hi && this.lo[row] === lo) rows.push(row);
    }
    // Probing meets rows in insertion order except across a wrap of the table.
    return rows.sort((a, b) => a - b);
  }

  toEntries(): IndexEntry[] {
    const out = new Array<IndexEntry>(this.size);
    for (let i = 0; i < this.size; i++) out[i] = this.entry(i);
    return out;
  }

  private check(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.size) {
      throw new IndexArgumentError("IndexView.entry", "i", `a row number in 0..${this.size - 1}`, i);
    }
  }
}

/**
 * The entries of `view` with the frame offsets `byteOffset` instead of their own (entry `i`
 * at `byteOffset[i]`): a compaction's re-pointed index, to write with `writeJournal` /
 * `encodeJournal` — exposure included — without one object per entry. Every other column is
 * shared with `view` (no copy), so the result is valid only as long as `view` is (until its
 * index changes).
 *
 * @example
 * ```ts
 * await writeJournal(tempPath, withByteOffsets(journal.view, newOffsets));
 * ```
 * @throws {IndexArgumentError} `view` is not an index view, or `byteOffset` is not a
 *   `Float64Array` of `view.size` safe integers ≥ 0.
 */
export function withByteOffsets(view: IndexView, byteOffset: Float64Array): IndexView {
  const fn = "withByteOffsets";
  if (!(view instanceof Columns)) throw new IndexArgumentError(fn, "view", "an index view", view);
  const n = view.size;
  if (!(byteOffset instanceof Float64Array) || byteOffset.length !== n) {
    throw new IndexArgumentError(fn, "byteOffset", `a Float64Array of ${n} offsets`, byteOffset);
  }
  for (let i = 0; i < n; i++) {
    const off = byteOffset[i]!;
    if (!(off >= 0 && off <= Number.MAX_SAFE_INTEGER && Math.floor(off) === off)) {
      throw new IndexArgumentError(fn, `byteOffset[${i}]`, "a safe integer ≥ 0", off);
    }
  }
  const out = new Columns();
  for (const [name] of ENTRY_COLUMNS) (out as EntryArrays)[name] = view[name].subarray(0, n) as never;
  out.off = byteOffset;
  out.size = n;
  out.capacity = n; // full: a push would copy into arrays of its own, never write into view's
  out.nextOrdinal = n;
  for (const name of view.typeNames) out.intern(name);
  return out;
}

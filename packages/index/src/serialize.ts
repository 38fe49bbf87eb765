import { Buffer } from "node:buffer";
import { describeValue } from "@replaykit/errors";
import { indexDateLength, isDate, isIndexDateMs, writeIndexDate } from "./date.js";
import { isSectionId, isSectionType } from "@replaykit/corpus";
import type { IndexEntry } from "./entry.js";
import { IndexArgumentError, IndexEntryInvalidError } from "./errors.js";
import { formatPythonFloat } from "./python-float.js";

// The bytes must equal what the reference writes,
//   json.dumps(entries, indent=2, sort_keys=True) + "\n",
// so the layout is spelled out here rather than left to JSON.stringify: keys in code-point
// order (added_at < auto_mined < byte_offset < crc32 < length < section_id < section_type
// < weight), floats as Python's repr, ints as ints. Every string written is validated
// ASCII without quotes or backslashes, so no escaping (and no ensure_ascii) is needed.
//
// The text is written straight into one exactly-sized buffer: saveIndex writes those bytes
// as they are (see serializeIndexBytes for the passes).

function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

const OPEN = ascii('  {\n    "added_at": "');
const AUTO_MINED = ascii('",\n    "auto_mined": ');
const BYTE_OFFSET_AFTER_DATE = ascii('",\n    "byte_offset": ');
const BYTE_OFFSET_AFTER_FLAG = ascii(',\n    "byte_offset": ');
const CRC32 = ascii(',\n    "crc32": ');
const LENGTH = ascii(',\n    "length": ');
const SECTION_ID = ascii(',\n    "section_id": "');
const SECTION_TYPE = ascii('",\n    "section_type": "');
const WEIGHT = ascii('",\n    "weight": ');
const CLOSE = ascii("\n  }");
const TRUE = ascii("true");
const FALSE = ascii("false");
const ONE = ascii("1.0");
const WEIGHT_ONE_CLOSE = ascii('",\n    "weight": 1.0\n  }'); // the common tail in one copy

function invalid(path: string | undefined, entry: number | undefined, field: string | undefined, what: string): IndexEntryInvalidError {
  let where = path === undefined ? "invalid index entry" : `invalid index entry for ${path}`;
  if (entry !== undefined) where += ` ${entry} (0-based)`;
  if (field !== undefined) where += `, ${field}`;
  const details: { entry?: number; field?: string; path?: string } = {};
  if (entry !== undefined) details.entry = entry;
  if (field !== undefined) details.field = field;
  if (path !== undefined) details.path = path;
  return new IndexEntryInvalidError(`${where}: ${what}`, details);
}

/** Decimal digits of a safe non-negative integer. */
function digitCount(n: number): number {
  let d = 1;
  for (let p = 10; n >= p && d < 16; p *= 10) d++;
  return d;
}

/** Copy `bytes` into `out` at `pos`; returns the position after them. */
function put(out: Uint8Array, pos: number, bytes: Uint8Array): number {
  out.set(bytes, pos); // a memcpy: cheaper than a byte loop from about 8 bytes up
  return pos + bytes.length;
}

/** Copy the ASCII `text` into `out` at `pos`; returns the position after it. */
function putAscii(out: Uint8Array, pos: number, text: string): number {
  const n = text.length;
  for (let i = 0; i < n; i++) out[pos + i] = text.charCodeAt(i);
  return pos + n;
}

/** Write the int32 `n` ≥ 0 in decimal, ending just before `end`. */
function putSmall(out: Uint8Array, end: number, n: number): void {
  do {
    const q = (n / 10) | 0;
    out[--end] = 48 + n - q * 10;
    n = q;
  } while (n !== 0);
}

/** Write the safe non-negative integer `n` in decimal at `pos`; returns the position after it. */
function putInt(out: Uint8Array, pos: number, n: number): number {
  const end = pos + digitCount(n);
  if (n < 0x8000_0000) {
    putSmall(out, end, n);
  } else {
    // Two int32 halves: floating-point % is a slow library call.
    let high = Math.floor(n / 1e8);
    let low = n - high * 1e8; // exact: both products stay below 2^53
    // n / 1e8 is rounded, so the floor can be one off near a multiple of 1e8.
    if (low < 0) {
      high--;
      low += 1e8;
    } else if (low >= 1e8) {
      high++;
      low -= 1e8;
    }
    for (let at = end - 1; at >= end - 8; at--) {
      const q = (low / 10) | 0;
      out[at] = 48 + low - q * 10;
      low = q;
    }
    putSmall(out, end - 8, high);
  }
  return end;
}

/** What pass 2 learnt of every entry, in index order, for pass 3 to write. */
class Plan {
  readonly ids: string[];
  readonly dates: Float64Array;
  readonly offsets: Float64Array;
  readonly lengths: Float64Array;
  readonly crcs: Float64Array; // -1: no crc32 key
  readonly flags: Int8Array; // 0: no auto_mined key, 1: false, 2: true
  // Allocated on first use: most indexes have no section types (dlm) and all weights 1.
  types: (string | undefined)[] | undefined;
  weights: (string | undefined)[] | undefined; // Python repr, when not 1
  readonly n: number;

  constructor(n: number) {
    this.ids = new Array<string>(n);
    this.dates = new Float64Array(n);
    this.offsets = new Float64Array(n);
    this.lengths = new Float64Array(n);
    this.crcs = new Float64Array(n);
    this.flags = new Int8Array(n);
    this.n = n;
  }
}

const FIXED_SIZE = OPEN.length + BYTE_OFFSET_AFTER_DATE.length + LENGTH.length + SECTION_ID.length + 16 + WEIGHT.length + CLOSE.length;

/** The section id of entry `i`, checked (and that the entry is an object at all). */
function readId(e: IndexEntry, i: number | undefined, path: string | undefined): string {
  if (typeof e !== "object" || e === null) throw invalid(path, i, undefined, `expected an object, got ${describeValue(e)}`);
  const sectionId = e.sectionId;
  if (!isSectionId(sectionId)) {
    throw invalid(path, i, "sectionId", `expected 16 lowercase hex characters, got ${describeValue(sectionId)}`);
  }
  return sectionId;
}

/**
 * Check the other fields of entry `i` (input position, for errors) and record it in
 * `plan` at slot `k` (index order); returns the size of its block.
 */
function planEntry(plan: Plan, id: string, e: IndexEntry, i: number | undefined, k: number, path: string | undefined): number {
  const { byteOffset, length, addedAt, sectionType, autoMined, crc32 } = e;
  plan.ids[k] = id;
  if (typeof byteOffset !== "number" || !Number.isSafeInteger(byteOffset) || byteOffset < 0) {
    throw invalid(path, i, "byteOffset", `expected an integer ≥ 0, got ${describeValue(byteOffset)}`);
  }
  if (typeof length !== "number" || !Number.isSafeInteger(length) || length <= 0) {
    throw invalid(path, i, "length", `expected an integer > 0, got ${describeValue(length)}`);
  }
  const ms = addedAt instanceof Date ? addedAt.getTime() : isDate(addedAt) ? Date.prototype.getTime.call(addedAt) : Number.NaN;
  if (!isIndexDateMs(ms)) {
    throw invalid(path, i, "addedAt", `expected a valid Date in years 0001–9999, got ${describeValue(addedAt)}`);
  }
  const weight = e.weight === undefined ? 1 : e.weight;
  if (typeof weight !== "number" || !(weight >= 0) || weight === Infinity) {
    throw invalid(path, i, "weight", `expected a finite number ≥ 0, got ${describeValue(weight)}`);
  }
  let size = FIXED_SIZE + indexDateLength(ms) + digitCount(byteOffset) + digitCount(length);
  if (weight === 1) {
    size += ONE.length;
  } else {
    const w = formatPythonFloat(weight);
    plan.weights ??= new Array<string | undefined>(plan.n);
    plan.weights[k] = w;
    size += w.length;
  }
  let flag = 0;
  if (autoMined !== undefined) {
    if (typeof autoMined !== "boolean") throw invalid(path, i, "autoMined", `expected a boolean, got ${describeValue(autoMined)}`);
    flag = autoMined ? 2 : 1;
    size += AUTO_MINED.length + (autoMined ? TRUE.length : FALSE.length) + BYTE_OFFSET_AFTER_FLAG.length - BYTE_OFFSET_AFTER_DATE.length;
  }
  let crc = -1;
  if (crc32 !== undefined) {
    if (typeof crc32 !== "number" || !Number.isInteger(crc32) || crc32 < 0 || crc32 > 0xffff_ffff) {
      throw invalid(path, i, "crc32", `expected an unsigned 32-bit integer, got ${describeValue(crc32)}`);
    }
    crc = crc32;
    size += CRC32.length + digitCount(crc32);
  }
  if (sectionType !== undefined) {
    if (!isSectionType(sectionType)) {
      throw invalid(path, i, "sectionType", `expected a section type matching /^[a-z][a-z0-9_-]*$/, got ${describeValue(sectionType)}`);
    }
    plan.types ??= new Array<string | undefined>(plan.n);
    plan.types[k] = sectionType;
    size += SECTION_TYPE.length + sectionType.length;
  }
  plan.dates[k] = ms;
  plan.offsets[k] = byteOffset;
  plan.lengths[k] = length;
  plan.crcs[k] = crc;
  plan.flags[k] = flag;
  return size;
}

/** Write the block of the entry in slot `i` of `plan` at `pos`; returns the position after it. */
function writeEntry(out: Uint8Array, pos: number, plan: Plan, i: number): number {
  pos = put(out, pos, OPEN);
  pos = writeIndexDate(out, pos, plan.dates[i]!);
  const flag = plan.flags[i]!;
  if (flag !== 0) {
    pos = put(out, pos, AUTO_MINED);
    pos = put(out, pos, flag === 2 ? TRUE : FALSE);
    pos = put(out, pos, BYTE_OFFSET_AFTER_FLAG);
  } else {
    pos = put(out, pos, BYTE_OFFSET_AFTER_DATE);
  }
  pos = putInt(out, pos, plan.offsets[i]!);
  const crc = plan.crcs[i]!;
  if (crc >= 0) {
    pos = put(out, pos, CRC32);
    pos = putInt(out, pos, crc);
  }
  pos = put(out, pos, LENGTH);
  pos = putInt(out, pos, plan.lengths[i]!);
  pos = put(out, pos, SECTION_ID);
  pos = putAscii(out, pos, plan.ids[i]!);
  const type = plan.types?.[i];
  if (type !== undefined) {
    pos = put(out, pos, SECTION_TYPE);
    pos = putAscii(out, pos, type);
  }
  const w = plan.weights?.[i];
  if (w === undefined) return put(out, pos, WEIGHT_ONE_CLOSE);
  pos = put(out, pos, WEIGHT);
  pos = putAscii(out, pos, w);
  return put(out, pos, CLOSE);
}

/**
 * Throws for the first field of `entry` that `serializeIndex` could not write: the same
 * checks, run on one entry (whose errors then name no position).
 *
 * @throws {IndexEntryInvalidError}
 */
export function checkEntry(entry: IndexEntry): void {
  planEntry(new Plan(1), readId(entry, undefined, undefined), entry, undefined, 0, undefined);
}

/** Index order: ascending section id, equal ids in input order (the sort is stable). */
function byId(ids: readonly string[]): (a: number, b: number) => number {
  return (a, b) => {
    const x = ids[a]!;
    const y = ids[b]!;
    return x < y ? -1 : x > y ? 1 : 0;
  };
}

/**
 * The index text for `entries` as ASCII bytes. `path` only names the file in errors,
 * `fn` the function called in argument errors.
 *
 * @throws {IndexArgumentError} `entries` is not an array.
 * @throws {IndexEntryInvalidError}
 */
export function serializeIndexBytes(entries: readonly IndexEntry[], path: string | undefined, fn: string): Buffer {
  if (!Array.isArray(entries)) throw new IndexArgumentError(fn, "entries", "an array of index entries", entries);
  const n = entries.length;
  if (n === 0) return Buffer.from("[]\n", "latin1");

  // Per-entry work lives in small functions: V8 optimizes those as a whole instead of
  // on-stack-replacing one long function over and over. Errors name the entry's position
  // in `entries`.

  // Pass 1, input order: the section ids, to sort by. The native sort is a TimSort, so
  // an index that is sorted but for a tail of new entries costs little more than a scan.
  const ids = new Array<string>(n);
  for (let i = 0; i < n; i++) ids[i] = readId(entries[i]!, i, path);
  const order = new Array<number>(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort(byId(ids));

  // Pass 2, index order: check the other fields, measure, and lay the values out in the
  // order they will be written, so pass 3 reads memory sequentially (gathering from
  // input-ordered arrays there cost more than the writing itself).
  const plan = new Plan(n);
  let size = 2 + 3 + (n - 1) * 2; // "[\n" … "\n]\n", ",\n" between blocks
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    size += planEntry(plan, ids[i]!, entries[i]!, i, k, path);
  }

  // Pass 3: write.
  // Every byte is written below (checked at the end), so no zero-fill is needed.
  const out = Buffer.allocUnsafe(size);
  out[0] = 91; // [
  out[1] = 10;
  let pos = writeEntry(out, 2, plan, 0);
  for (let k = 1; k < n; k++) {
    out[pos] = 44; // ,
    out[pos + 1] = 10;
    pos = writeEntry(out, pos + 2, plan, k);
  }
  out[pos] = 10;
  out[pos + 1] = 93; // ]
  out[pos + 2] = 10;
  if (pos + 3 !== size) throw new Error(`internal error: index size ${pos + 3} ≠ ${size}`);
  return out;
}

/**
 * The text of an `index.json` holding `entries`, byte for byte what the reference writes
 * (`json.dumps(entries, indent=2, sort_keys=True) + "\n"`): entries sorted by section id
 * (stable, so equal ids keep their order), keys sorted, 2-space indent, `weight` as a
 * Python float (`1.0`), `added_at` as naive UTC `YYYY-MM-DDTHH:MM:SS[.ffffff]`, trailing
 * newline. `section_type`, `auto_mined` and `crc32` are written only for entries that
 * carry them. A missing `weight` is written as `1.0`. Same entries → same text.
 *
 * @throws {IndexArgumentError} `entries` is not an array.
 * @throws {IndexEntryInvalidError} an entry has a bad section id, offset, length, date,
 *   weight, section type, flag or checksum.
 */
export function serializeIndex(entries: readonly IndexEntry[]): string {
  return serializeIndexBytes(entries, undefined, "serializeIndex").toString("latin1");
}

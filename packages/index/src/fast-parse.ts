import { parseDateBytes } from "./date.js";
import type { IndexEntry } from "./entry.js";

// A fast path for the one layout that matters: the exact bytes json.dumps(indent=2,
// sort_keys=True) writes, which is also what serializeIndex writes. It reads entries
// straight from the bytes, without JSON.parse's intermediate objects and strings, and so
// roughly halves the cost of a load.
//
// It never reports errors. On the first byte that is not exactly the canonical layout,
// or any value it does not accept, it returns undefined and parseIndex falls back to
// JSON.parse plus the full validator, which accepts any JSON layout and names the
// problem. So for every input it accepts it must return what that general path returns;
// test/fast-parse.test.ts checks this differentially.

/** A fixed run of bytes to match, also as big-endian 32-bit words (4 bytes per compare). */
class Literal {
  readonly bytes: Uint8Array;
  readonly words: Uint32Array;
  readonly length: number;

  constructor(text: string) {
    this.length = text.length;
    this.bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) this.bytes[i] = text.charCodeAt(i);
    this.words = new Uint32Array(text.length >> 2);
    const view = new DataView(this.bytes.buffer);
    for (let i = 0; i < this.words.length; i++) this.words[i] = view.getUint32(i * 4);
  }
}

const FIRST_ENTRY = new Literal('[\n  {\n    "added_at": "');
const NEXT_ENTRY = new Literal(',\n  {\n    "added_at": "');
const KEY_AUTO_MINED = new Literal('",\n    "auto_mined": ');
const KEY_BYTE_OFFSET_AFTER_DATE = new Literal('",\n    "byte_offset": ');
const KEY_BYTE_OFFSET_AFTER_FLAG = new Literal(',\n    "byte_offset": ');
const KEY_CRC32 = new Literal(',\n    "crc32": ');
const KEY_LENGTH = new Literal(',\n    "length": ');
const KEY_SECTION_ID = new Literal(',\n    "section_id": "');
const KEY_SECTION_TYPE = new Literal('",\n    "section_type": "');
const KEY_WEIGHT = new Literal('",\n    "weight": ');
const END_ENTRY = new Literal("\n  }");
const TRUE = new Literal("true");
const FALSE = new Literal("false");

/** Fewer bytes than any canonical entry takes, with its separator. */
const MIN_ENTRY_BYTES =
  NEXT_ENTRY.length + 19 + KEY_BYTE_OFFSET_AFTER_DATE.length + 1 + KEY_LENGTH.length + 1 + KEY_SECTION_ID.length + 16 + KEY_WEIGHT.length + 1 + END_ENTRY.length;

// The bytes being parsed, as a DataView for the word compares (set by fastParseIndex,
// and cleared after, so that it does not keep the last file's bytes alive).
const NO_BYTES: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
let view = NO_BYTES;

/** Does `lit` occur in `b` at `pos`? */
function at(b: Uint8Array, pos: number, lit: Literal): boolean {
  const n = lit.length;
  if (pos + n > b.length) return false;
  const words = lit.words;
  const w = words.length;
  for (let i = 0; i < w; i++) if (view.getUint32(pos + i * 4) !== words[i]) return false;
  const bytes = lit.bytes;
  for (let i = w * 4; i < n; i++) if (b[pos + i] !== bytes[i]) return false;
  return true;
}

// Results of the readers below besides their return value (kept in module variables so
// the readers allocate nothing).
let readEnd = 0;

/**
 * A JSON integer ≥ 0 at `pos` (no sign, no leading zero, no fraction or exponent), as
 * long as it is a safe integer; -1 otherwise. Sets `readEnd`.
 */
function readUint(b: Uint8Array, pos: number): number {
  const first = b[pos]! - 48;
  if (!(first >= 0 && first <= 9)) return -1;
  let value = first;
  let i = pos + 1;
  if (first !== 0) {
    for (; i < b.length; i++) {
      const c = b[i]! - 48;
      if (!(c >= 0 && c <= 9)) break;
      value = value * 10 + c;
      if (i - pos >= 16) return -1; // 17+ digits: not a safe integer
    }
  }
  const c = b[i];
  // A fraction or exponent makes it a float: leave it to the general path.
  if (c === 46 || c === 101 || c === 69) return -1;
  if (!Number.isSafeInteger(value)) return -1;
  readEnd = i;
  return value;
}

/** A JSON number ≥ 0 at `pos`, -1 if there is none or it is not finite. Sets `readEnd`. */
function readWeight(b: Uint8Array, pos: number): number {
  // The case that matters: dlm writes every weight as 1.0.
  if (b[pos] === 49 && b[pos + 1] === 46 && b[pos + 2] === 48 && b[pos + 3] === 10) {
    readEnd = pos + 3;
    return 1;
  }
  // JSON number grammar without the minus sign: (0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
  let i = pos;
  const first = b[i];
  if (first === 48) {
    i++;
  } else if (first !== undefined && first >= 49 && first <= 57) {
    while (isDigit(b[i])) i++;
  } else {
    return -1;
  }
  if (b[i] === 46) {
    i++;
    if (!isDigit(b[i])) return -1;
    while (isDigit(b[i])) i++;
  }
  if (b[i] === 101 || b[i] === 69) {
    i++;
    if (b[i] === 43 || b[i] === 45) i++;
    if (!isDigit(b[i])) return -1;
    while (isDigit(b[i])) i++;
  }
  let text = "";
  for (let k = pos; k < i; k++) text += String.fromCharCode(b[k]!);
  const value = Number(text); // the same correctly rounded conversion JSON.parse does
  if (!(value < Infinity)) return -1;
  readEnd = i;
  return value;
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 48 && c <= 57;
}

/** Section types seen so far in this parse, so 100,000 entries share a handful of strings. */
let typeCache: string[] = [];

/** A section type /[a-z][a-z0-9_-]*​/ at `pos`, ended by `"`; undefined otherwise. Sets `readEnd`. */
function readSectionType(b: Uint8Array, pos: number): string | undefined {
  const first = b[pos];
  if (first === undefined || first < 97 || first > 122) return undefined;
  let i = pos + 1;
  for (;;) {
    const c = b[i];
    if (c === undefined) return undefined;
    if (c === 34) break;
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 45)) return undefined;
    i++;
  }
  readEnd = i;
  const n = i - pos;
  for (const cached of typeCache) {
    if (cached.length !== n) continue;
    let same = true;
    for (let k = 0; k < n; k++) {
      if (cached.charCodeAt(k) !== b[pos + k]) {
        same = false;
        break;
      }
    }
    if (same) return cached;
  }
  let text = "";
  for (let k = pos; k < i; k++) text += String.fromCharCode(b[k]!);
  if (typeCache.length < 32) typeCache.push(text);
  return text;
}

/** 16 lowercase hex characters at `pos`, followed by `"`; undefined otherwise. */
function readSectionId(b: Uint8Array, pos: number): string | undefined {
  if (pos + 16 >= b.length || b[pos + 16] !== 34) return undefined;
  for (let k = pos; k < pos + 16; k++) {
    const c = b[k]!;
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return undefined;
  }
  return String.fromCharCode(
    b[pos]!, b[pos + 1]!, b[pos + 2]!, b[pos + 3]!, b[pos + 4]!, b[pos + 5]!, b[pos + 6]!, b[pos + 7]!,
    b[pos + 8]!, b[pos + 9]!, b[pos + 10]!, b[pos + 11]!, b[pos + 12]!, b[pos + 13]!, b[pos + 14]!, b[pos + 15]!,
  );
}

interface MutableEntry {
  sectionId: string;
  byteOffset: number;
  length: number;
  addedAt: Date;
  weight: number;
  sectionType?: string;
  autoMined?: boolean;
  crc32?: number;
}

/**
 * Read one entry whose `"added_at": "` has just been matched, at `pos`. Returns the
 * entry and sets `readEnd` after its closing `}`, or returns undefined.
 */
function readEntry(b: Uint8Array, pos: number): MutableEntry | undefined {
  // added_at: up to the closing quote (at most 32 characters).
  let q = pos;
  const limit = Math.min(b.length, pos + 33);
  while (q < limit && b[q] !== 34) q++;
  if (q === limit) return undefined;
  const ms = parseDateBytes(b, pos, q);
  if (ms === undefined) return undefined;
  pos = q;

  let autoMined: boolean | undefined;
  if (at(b, pos, KEY_AUTO_MINED)) {
    pos += KEY_AUTO_MINED.length;
    if (at(b, pos, TRUE)) {
      autoMined = true;
      pos += 4;
    } else if (at(b, pos, FALSE)) {
      autoMined = false;
      pos += 5;
    } else {
      return undefined;
    }
    if (!at(b, pos, KEY_BYTE_OFFSET_AFTER_FLAG)) return undefined;
    pos += KEY_BYTE_OFFSET_AFTER_FLAG.length;
  } else if (at(b, pos, KEY_BYTE_OFFSET_AFTER_DATE)) {
    pos += KEY_BYTE_OFFSET_AFTER_DATE.length;
  } else {
    return undefined;
  }

  const byteOffset = readUint(b, pos);
  if (byteOffset < 0) return undefined;
  pos = readEnd;

  let crc32: number | undefined;
  if (at(b, pos, KEY_CRC32)) {
    pos += KEY_CRC32.length;
    crc32 = readUint(b, pos);
    if (crc32 < 0 || crc32 > 0xffff_ffff) return undefined;
    pos = readEnd;
  }

  if (!at(b, pos, KEY_LENGTH)) return undefined;
  pos += KEY_LENGTH.length;
  const length = readUint(b, pos);
  if (length <= 0) return undefined;
  pos = readEnd;

  if (!at(b, pos, KEY_SECTION_ID)) return undefined;
  pos += KEY_SECTION_ID.length;
  const sectionId = readSectionId(b, pos);
  if (sectionId === undefined) return undefined;
  pos += 16;

  let sectionType: string | undefined;
  if (at(b, pos, KEY_SECTION_TYPE)) {
    pos += KEY_SECTION_TYPE.length;
    sectionType = readSectionType(b, pos);
    if (sectionType === undefined) return undefined;
    pos = readEnd;
  }

  if (!at(b, pos, KEY_WEIGHT)) return undefined;
  pos += KEY_WEIGHT.length;
  const weight = readWeight(b, pos);
  if (weight < 0) return undefined;
  pos = readEnd;

  if (!at(b, pos, END_ENTRY)) return undefined;
  readEnd = pos + END_ENTRY.length;

  // Same property order (and so the same object shape) as the general path builds.
  const entry: MutableEntry = { sectionId, byteOffset, length, addedAt: new Date(ms), weight };
  if (sectionType !== undefined) entry.sectionType = sectionType;
  if (autoMined !== undefined) entry.autoMined = autoMined;
  if (crc32 !== undefined) entry.crc32 = crc32;
  return entry;
}

/**
 * Parse index bytes laid out exactly as `json.dumps(entries, indent=2, sort_keys=True)`
 * writes them (a trailing newline optional). Returns undefined for anything else, valid
 * or not: the caller then takes the general path.
 */
export function fastParseIndex(b: Uint8Array): IndexEntry[] | undefined {
  view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  try {
    return readIndex(b);
  } finally {
    view = NO_BYTES;
    typeCache = [];
  }
}

function readIndex(b: Uint8Array): IndexEntry[] | undefined {
  const n = b.length;
  // "[]" — Python's json.dumps([], indent=2) — with an optional newline.
  if (n <= 3 && b[0] === 91 && b[1] === 93 && (n === 2 || b[2] === 10)) return [];
  if (!at(b, 0, FIRST_ENTRY)) return undefined;
  typeCache = [];
  // Sized up front (an entry takes more than MIN_ENTRY_BYTES) and trimmed at the end:
  // growing a 100,000-element array by push costs more than the slack.
  const entries = new Array<IndexEntry>(Math.ceil(n / MIN_ENTRY_BYTES));
  let count = 0;
  let pos = FIRST_ENTRY.length;
  for (;;) {
    const entry = readEntry(b, pos);
    if (entry === undefined) return undefined;
    entries[count++] = entry;
    pos = readEnd;
    if (at(b, pos, NEXT_ENTRY)) {
      pos += NEXT_ENTRY.length;
      continue;
    }
    // "\n]" and an optional final newline, then the end.
    if (b[pos] !== 10 || b[pos + 1] !== 93) return undefined;
    pos += 2;
    if (pos < n && b[pos] === 10) pos++;
    if (pos !== n) return undefined;
    entries.length = count;
    return entries;
  }
}

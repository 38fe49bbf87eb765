import type { Buffer } from "node:buffer";
import { MAX_DATE_LENGTH, parseDateBytes } from "./date.js";
import type { IndexEntry, MutableIndexEntry } from "./entry.js";

// loadIndex's fast path for the one layout that matters: the exact bytes
// json.dumps(indent=2, sort_keys=True) writes, which is also what serializeIndex writes.
// It reads entries straight from the file's bytes, without JSON.parse's intermediate
// objects and strings. It stays because it pays: loadIndex is 1.5–1.9× faster with it at
// 100,000 and 1,000,000 entries (README, "Performance"; bench/run.mjs measures it beside
// the general path in the same run).
//
// It never reports errors. On the first byte that is not exactly the canonical layout,
// or any value it does not accept, it returns undefined and loadIndex falls back to
// parseIndex (JSON.parse plus the full validator), which accepts any JSON layout and
// names the problem. So for every input it accepts it must return what parseIndex
// returns; test/fast-parse.test.ts checks this differentially. All state lives in
// values made per call: nothing is shared between calls.

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
  NEXT_ENTRY.length +
  19 +
  KEY_BYTE_OFFSET_AFTER_DATE.length +
  1 +
  KEY_LENGTH.length +
  1 +
  KEY_SECTION_ID.length +
  16 +
  KEY_WEIGHT.length +
  1 +
  END_ENTRY.length;

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 48 && c <= 57;
}

// The readers below take the bytes, a DataView of them, and `at`, a one-element cursor:
// at[0] is where the last successful read ended. Only values whose shape V8 never drops
// (typed arrays, a plain array) carry the state of a parse: a per-call object's shape (a
// class instance's or an object literal's) is collected with the object, and every
// optimized reader that had seen it was deoptimized at each garbage collection (seen with
// node --trace-deopt; a 1,000,000-entry load took several times as long).

/** Does `lit` occur at the current position? If so, move past it. */
function skip(b: Buffer, view: DataView, at: Int32Array, lit: Literal): boolean {
  const pos = at[0]!;
  const n = lit.length;
  if (pos + n > b.length) return false;
  const words = lit.words;
  const w = words.length;
  for (let i = 0; i < w; i++) if (view.getUint32(pos + i * 4) !== words[i]) return false;
  const bytes = lit.bytes;
  for (let i = w * 4; i < n; i++) if (b[pos + i] !== bytes[i]) return false;
  at[0] = pos + n;
  return true;
}

/**
 * A JSON integer ≥ 0 (no sign, no leading zero, no fraction or exponent), as long as it
 * is a safe integer; -1 otherwise.
 */
function readUint(b: Buffer, at: Int32Array): number {
  const pos = at[0]!;
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
  at[0] = i;
  return value;
}

/** A JSON number ≥ 0, -1 if there is none or it is not finite. */
function readWeight(b: Buffer, at: Int32Array): number {
  const pos = at[0]!;
  // The case that matters: dlm writes every weight as 1.0.
  if (b[pos] === 49 && b[pos + 1] === 46 && b[pos + 2] === 48 && b[pos + 3] === 10) {
    at[0] = pos + 3;
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
  const value = Number(b.toString("latin1", pos, i)); // the same correctly rounded conversion JSON.parse does
  if (!(value < Infinity)) return -1;
  at[0] = i;
  return value;
}

/** The end of the text before the next `"`, at most `max` bytes on; -1 if there is none. */
function quoteAfter(b: Buffer, at: Int32Array, max: number): number {
  const limit = Math.min(b.length, at[0]! + max + 1);
  let q = at[0]!;
  while (q < limit && b[q] !== 34) q++;
  return q === limit ? -1 : q;
}

/** A section type /[a-z][a-z0-9_-]*​/, ended by `"`; undefined otherwise. */
function readSectionType(b: Buffer, at: Int32Array, types: string[]): string | undefined {
  const pos = at[0]!;
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
  at[0] = i;
  const n = i - pos;
  for (const cached of types) {
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
  const text = b.toString("latin1", pos, i);
  if (types.length < 32) types.push(text);
  return text;
}

/** 16 lowercase hex characters, followed by `"`; undefined otherwise. */
function readSectionId(b: Buffer, at: Int32Array): string | undefined {
  const pos = at[0]!;
  if (pos + 16 >= b.length || b[pos + 16] !== 34) return undefined;
  for (let k = pos; k < pos + 16; k++) {
    const c = b[k]!;
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return undefined;
  }
  at[0] = pos + 16;
  // fromCharCode of the 16 codes: a flat string, without a native call per id.
  return String.fromCharCode(
    b[pos]!,
    b[pos + 1]!,
    b[pos + 2]!,
    b[pos + 3]!,
    b[pos + 4]!,
    b[pos + 5]!,
    b[pos + 6]!,
    b[pos + 7]!,
    b[pos + 8]!,
    b[pos + 9]!,
    b[pos + 10]!,
    b[pos + 11]!,
    b[pos + 12]!,
    b[pos + 13]!,
    b[pos + 14]!,
    b[pos + 15]!,
  );
}

/** One entry whose `"added_at": "` has just been matched; the position ends after its `}`. */
function readEntry(b: Buffer, view: DataView, at: Int32Array, types: string[]): MutableIndexEntry | undefined {
  const q = quoteAfter(b, at, MAX_DATE_LENGTH);
  if (q < 0) return undefined;
  const ms = parseDateBytes(b, at[0]!, q);
  if (ms === undefined) return undefined;
  at[0] = q;

  let autoMined: boolean | undefined;
  if (skip(b, view, at, KEY_AUTO_MINED)) {
    if (skip(b, view, at, TRUE)) autoMined = true;
    else if (skip(b, view, at, FALSE)) autoMined = false;
    else return undefined;
    if (!skip(b, view, at, KEY_BYTE_OFFSET_AFTER_FLAG)) return undefined;
  } else if (!skip(b, view, at, KEY_BYTE_OFFSET_AFTER_DATE)) {
    return undefined;
  }

  const byteOffset = readUint(b, at);
  if (byteOffset < 0) return undefined;

  let crc32: number | undefined;
  if (skip(b, view, at, KEY_CRC32)) {
    crc32 = readUint(b, at);
    if (crc32 < 0 || crc32 > 0xffff_ffff) return undefined;
  }

  if (!skip(b, view, at, KEY_LENGTH)) return undefined;
  const length = readUint(b, at);
  if (length <= 0) return undefined;

  if (!skip(b, view, at, KEY_SECTION_ID)) return undefined;
  const sectionId = readSectionId(b, at);
  if (sectionId === undefined) return undefined;

  let sectionType: string | undefined;
  if (skip(b, view, at, KEY_SECTION_TYPE)) {
    sectionType = readSectionType(b, at, types);
    if (sectionType === undefined) return undefined;
  }

  if (!skip(b, view, at, KEY_WEIGHT)) return undefined;
  const weight = readWeight(b, at);
  if (weight < 0) return undefined;

  if (!skip(b, view, at, END_ENTRY)) return undefined;

  // Same property order (and so the same object shape) as parseIndex builds.
  const entry: MutableIndexEntry = { sectionId, byteOffset, length, addedAt: new Date(ms), weight };
  if (sectionType !== undefined) entry.sectionType = sectionType;
  if (autoMined !== undefined) entry.autoMined = autoMined;
  if (crc32 !== undefined) entry.crc32 = crc32;
  return entry;
}

/** The whole index, or undefined at the first byte out of the canonical layout. */
function readIndex(b: Buffer, view: DataView, at: Int32Array, types: string[]): IndexEntry[] | undefined {
  const n = b.length;
  // "[]" — Python's json.dumps([], indent=2) — with an optional newline.
  if (n <= 3 && b[0] === 91 && b[1] === 93 && (n === 2 || b[2] === 10)) return [];
  if (!skip(b, view, at, FIRST_ENTRY)) return undefined;
  // Sized up front (an entry takes more than MIN_ENTRY_BYTES) and trimmed at the end:
  // growing a 100,000-element array by push costs more than the slack.
  const entries = new Array<IndexEntry>(Math.ceil(n / MIN_ENTRY_BYTES));
  let count = 0;
  for (;;) {
    const entry = readEntry(b, view, at, types);
    if (entry === undefined) return undefined;
    entries[count++] = entry;
    if (skip(b, view, at, NEXT_ENTRY)) continue;
    // "\n]" and an optional final newline, then the end.
    let pos = at[0]!;
    if (b[pos] !== 10 || b[pos + 1] !== 93) return undefined;
    pos += 2;
    if (pos < n && b[pos] === 10) pos++;
    if (pos !== n) return undefined;
    entries.length = count;
    return entries;
  }
}

/**
 * Parse index bytes laid out exactly as `json.dumps(entries, indent=2, sort_keys=True)`
 * writes them (a trailing newline optional). Returns undefined for anything else, valid
 * or not: the caller then takes `parseIndex`.
 */
export function fastParseIndex(b: Buffer): IndexEntry[] | undefined {
  // Positions are int32s; a longer file could not be a JSON string for parseIndex either.
  if (b.length > 0x7fff_ffff) return undefined;
  return readIndex(b, new DataView(b.buffer, b.byteOffset, b.byteLength), new Int32Array(1), []);
}

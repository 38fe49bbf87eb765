import type { Buffer } from "node:buffer";
import { parseIndexDateMs } from "./date.js";
import type { IndexEntry } from "./entry.js";

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
// returns; test/fast-parse.test.ts checks this differentially. All state lives in one
// Reader per call: nothing is shared between calls.

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

/** Longest date text the date parser accepts. */
const MAX_DATE_LENGTH = 32;

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 48 && c <= 57;
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

/** One parse: the bytes, the position reached, and the section types seen so far. */
class Reader {
  readonly b: Buffer;
  readonly view: DataView;
  /** Where the last successful read ended. */
  pos = 0;
  /** Section types seen so far, so 100,000 entries share a handful of strings. */
  readonly types: string[] = [];

  constructor(b: Buffer) {
    this.b = b;
    this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }

  /** Does `lit` occur at the current position? If so, move past it. */
  skip(lit: Literal): boolean {
    const pos = this.pos;
    const n = lit.length;
    if (pos + n > this.b.length) return false;
    const words = lit.words;
    const w = words.length;
    for (let i = 0; i < w; i++) if (this.view.getUint32(pos + i * 4) !== words[i]) return false;
    const bytes = lit.bytes;
    for (let i = w * 4; i < n; i++) if (this.b[pos + i] !== bytes[i]) return false;
    this.pos = pos + n;
    return true;
  }

  /**
   * A JSON integer ≥ 0 (no sign, no leading zero, no fraction or exponent), as long as it
   * is a safe integer; -1 otherwise.
   */
  uint(): number {
    const b = this.b;
    const pos = this.pos;
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
    this.pos = i;
    return value;
  }

  /** A JSON number ≥ 0, -1 if there is none or it is not finite. */
  weight(): number {
    const b = this.b;
    const pos = this.pos;
    // The case that matters: dlm writes every weight as 1.0.
    if (b[pos] === 49 && b[pos + 1] === 46 && b[pos + 2] === 48 && b[pos + 3] === 10) {
      this.pos = pos + 3;
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
    this.pos = i;
    return value;
  }

  /** The text up to the next `"` (at most `max` bytes), or undefined. Stops at the quote. */
  quoted(max: number): string | undefined {
    const b = this.b;
    const pos = this.pos;
    const limit = Math.min(b.length, pos + max + 1);
    let q = pos;
    while (q < limit && b[q] !== 34) q++;
    if (q === limit) return undefined;
    this.pos = q;
    return b.toString("latin1", pos, q);
  }

  /** A section type /[a-z][a-z0-9_-]*​/, ended by `"`; undefined otherwise. */
  sectionType(): string | undefined {
    const b = this.b;
    const pos = this.pos;
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
    this.pos = i;
    const n = i - pos;
    for (const cached of this.types) {
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
    if (this.types.length < 32) this.types.push(text);
    return text;
  }

  /** 16 lowercase hex characters, followed by `"`; undefined otherwise. */
  sectionId(): string | undefined {
    const b = this.b;
    const pos = this.pos;
    if (pos + 16 >= b.length || b[pos + 16] !== 34) return undefined;
    for (let k = pos; k < pos + 16; k++) {
      const c = b[k]!;
      if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return undefined;
    }
    this.pos = pos + 16;
    return b.toString("latin1", pos, pos + 16);
  }

  /** One entry whose `"added_at": "` has just been matched; the position ends after its `}`. */
  entry(): MutableEntry | undefined {
    const dateText = this.quoted(MAX_DATE_LENGTH);
    if (dateText === undefined) return undefined;
    const ms = parseIndexDateMs(dateText);
    if (ms === undefined) return undefined;

    let autoMined: boolean | undefined;
    if (this.skip(KEY_AUTO_MINED)) {
      if (this.skip(TRUE)) autoMined = true;
      else if (this.skip(FALSE)) autoMined = false;
      else return undefined;
      if (!this.skip(KEY_BYTE_OFFSET_AFTER_FLAG)) return undefined;
    } else if (!this.skip(KEY_BYTE_OFFSET_AFTER_DATE)) {
      return undefined;
    }

    const byteOffset = this.uint();
    if (byteOffset < 0) return undefined;

    let crc32: number | undefined;
    if (this.skip(KEY_CRC32)) {
      crc32 = this.uint();
      if (crc32 < 0 || crc32 > 0xffff_ffff) return undefined;
    }

    if (!this.skip(KEY_LENGTH)) return undefined;
    const length = this.uint();
    if (length <= 0) return undefined;

    if (!this.skip(KEY_SECTION_ID)) return undefined;
    const sectionId = this.sectionId();
    if (sectionId === undefined) return undefined;

    let sectionType: string | undefined;
    if (this.skip(KEY_SECTION_TYPE)) {
      sectionType = this.sectionType();
      if (sectionType === undefined) return undefined;
    }

    if (!this.skip(KEY_WEIGHT)) return undefined;
    const weight = this.weight();
    if (weight < 0) return undefined;

    if (!this.skip(END_ENTRY)) return undefined;

    // Same property order (and so the same object shape) as parseIndex builds.
    const entry: MutableEntry = { sectionId, byteOffset, length, addedAt: new Date(ms), weight };
    if (sectionType !== undefined) entry.sectionType = sectionType;
    if (autoMined !== undefined) entry.autoMined = autoMined;
    if (crc32 !== undefined) entry.crc32 = crc32;
    return entry;
  }

  /** The whole index, or undefined at the first byte out of the canonical layout. */
  index(): IndexEntry[] | undefined {
    const b = this.b;
    const n = b.length;
    // "[]" — Python's json.dumps([], indent=2) — with an optional newline.
    if (n <= 3 && b[0] === 91 && b[1] === 93 && (n === 2 || b[2] === 10)) return [];
    if (!this.skip(FIRST_ENTRY)) return undefined;
    // Sized up front (an entry takes more than MIN_ENTRY_BYTES) and trimmed at the end:
    // growing a 100,000-element array by push costs more than the slack.
    const entries = new Array<IndexEntry>(Math.ceil(n / MIN_ENTRY_BYTES));
    let count = 0;
    for (;;) {
      const entry = this.entry();
      if (entry === undefined) return undefined;
      entries[count++] = entry;
      if (this.skip(NEXT_ENTRY)) continue;
      // "\n]" and an optional final newline, then the end.
      let pos = this.pos;
      if (b[pos] !== 10 || b[pos + 1] !== 93) return undefined;
      pos += 2;
      if (pos < n && b[pos] === 10) pos++;
      if (pos !== n) return undefined;
      entries.length = count;
      return entries;
    }
  }
}

/**
 * Parse index bytes laid out exactly as `json.dumps(entries, indent=2, sort_keys=True)`
 * writes them (a trailing newline optional). Returns undefined for anything else, valid
 * or not: the caller then takes `parseIndex`.
 */
export function fastParseIndex(b: Buffer): IndexEntry[] | undefined {
  return new Reader(b).index();
}

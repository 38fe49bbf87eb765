import { crc32 } from "@replaykit/corpus";
import type { IndexEntry } from "../entry.js";
import { IndexArgumentError } from "../errors.js";
import { Columns, type EntryArrays, type IndexView } from "./columns.js";
import { CommitBuilder, rawEntry } from "./encode-commit.js";
import { ENTRY_BYTES, encodeHeader, NO_TYPE } from "./format.js";

/**
 * Entries per commit of a rewritten file: one commit up to 32 Mi entries (1.8 GB, under the
 * 2 GiB payload limit), so a compacted index is one entries record, whose columns a reader
 * reads straight into its own (one read per column).
 */
const ENTRIES_PER_COMMIT = 32 << 20;

/** Scratch columns holding `entries` (checked), for encoding. */
function columnsOf(entries: readonly IndexEntry[], fn: string): Columns {
  const cols = new Columns(entries.length);
  entries.forEach((entry, i) => {
    const raw = rawEntry(entry, i, fn);
    const type = raw.sectionType === undefined ? NO_TYPE : cols.intern(raw.sectionType);
    cols.push(raw.hi, raw.lo, raw.byteOffset, raw.length, raw.addedAt, raw.weight, type, raw.flags, raw.crc32, 0, 0);
  });
  return cols;
}

/**
 * Compares two rows field by field in the canonical order of a rewritten file: frame
 * offset, section id, then every other field, so equal entry sets sort identically
 * whatever order they were appended in.
 */
function compareRows(c: Columns, a: number, b: number): number {
  return (
    c.off[a]! - c.off[b]! ||
    c.hi[a]! - c.hi[b]! ||
    c.lo[a]! - c.lo[b]! ||
    c.len[a]! - c.len[b]! ||
    c.at[a]! - c.at[b]! ||
    c.w[a]! - c.w[b]! ||
    c.crc[a]! - c.crc[b]! ||
    c.flag[a]! - c.flag[b]! ||
    compareTypes(c, c.type[a]!, c.type[b]!) ||
    c.count[a]! - c.count[b]! ||
    c.last[a]! - c.last[b]!
  );
}

function compareTypes(c: Columns, x: number, y: number): number {
  if (x === y) return 0;
  if (x === NO_TYPE) return -1;
  if (y === NO_TYPE) return 1;
  return c.typeNames[x]! < c.typeNames[y]! ? -1 : 1;
}

/**
 * Rows in canonical order, or undefined when the journal's own order already is (almost
 * always: the corpus is append-only, so offsets grow with ordinals) — checked in O(n).
 */
function canonicalOrder(c: Columns): Uint32Array | undefined {
  let sorted = true;
  for (let i = 1; i < c.size && sorted; i++) sorted = compareRows(c, i - 1, i) <= 0;
  if (sorted) return undefined;
  const order = new Uint32Array(c.size);
  for (let i = 0; i < c.size; i++) order[i] = i;
  return order.sort((a, b) => compareRows(c, a, b));
}

/** The stored columns of `c` (views, no copy). */
function pick(c: Columns): EntryArrays {
  return { off: c.off, at: c.at, w: c.w, last: c.last, hi: c.hi, lo: c.lo, len: c.len, crc: c.crc, count: c.count, type: c.type, flag: c.flag };
}

/** Copies of the stored columns with rows in `order`. */
function gather(c: Columns, order: Uint32Array): EntryArrays {
  const out = {} as Record<keyof EntryArrays, Float64Array | Uint32Array | Uint16Array | Uint8Array>;
  const from = pick(c);
  for (const key of Object.keys(from) as Array<keyof EntryArrays>) {
    const column = from[key];
    const copy = new (column.constructor as Float64ArrayConstructor)(order.length) as typeof column;
    for (let i = 0; i < order.length; i++) copy[i] = column[order[i]!]!;
    out[key] = copy;
  }
  return out as unknown as EntryArrays;
}

/**
 * The bytes of a minimal journal (index.rkx) holding exactly `entries` (an array, or the view of
 * an open index, exposure included): the header, then commits of up to 2^20 entries in
 * canonical order (frame offset, then section id, …), the section types used defined once,
 * sorted by name. The same entries give the same bytes, whatever their order.
 *
 * @throws {IndexArgumentError} `entries` is neither an array nor an index view.
 * @throws {IndexEntryInvalidError} an array entry cannot be written.
 */
export function encodeJournal(entries: readonly IndexEntry[] | IndexView): Uint8Array {
  let cols: Columns;
  if (Array.isArray(entries)) cols = columnsOf(entries, "encodeJournal");
  else if (entries instanceof Columns) cols = entries;
  else throw new IndexArgumentError("encodeJournal", "entries", "an array of entries or an index view", entries);

  const order = canonicalOrder(cols);
  // Only the types still used, renumbered in name order.
  const used = new Uint8Array(cols.typeNames.length);
  for (let i = 0; i < cols.size; i++) if (cols.type[i] !== NO_TYPE) used[cols.type[i]!] = 1;
  const names = cols.typeNames.filter((_, code) => used[code] === 1).sort();
  const typeMap = new Uint16Array(cols.typeNames.length);
  cols.typeNames.forEach((name, code) => {
    if (used[code] === 1) typeMap[code] = names.indexOf(name);
  });

  // The rows to write, in order, with the new type codes; a plain copy (no gather) when already in order.
  const identity = order === undefined;
  const src: EntryArrays = identity ? { ...pick(cols), type: cols.type.slice(0, cols.size) } : gather(cols, order);
  for (let i = 0; i < cols.size; i++) if (src.type[i] !== NO_TYPE) src.type[i] = typeMap[src.type[i]!]!;

  const header = encodeHeader(crc32);
  if (cols.size === 0) return header;
  const commits: Uint8Array[] = [];
  for (let first = 0; first < cols.size; first += ENTRIES_PER_COMMIT) {
    const count = Math.min(ENTRIES_PER_COMMIT, cols.size - first);
    const builder = new CommitBuilder(64 + names.length * 256 + count * ENTRY_BYTES, first === 0 ? header : undefined);
    if (first === 0) builder.types(names);
    builder.entries(src, first, count);
    commits.push(builder.finish());
  }
  if (commits.length === 1) return commits[0]!;
  const out = new Uint8Array(commits.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of commits) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

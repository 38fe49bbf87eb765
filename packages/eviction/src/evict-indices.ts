/**
 * `evictIndices`: the eviction of `evictUntil` over entries held as columns (typed arrays)
 * instead of one object per entry — a store's v2 index, a database result, Arrow columns —
 * and the one implementation behind both.
 *
 * @module
 */

import { describeValue } from "@replaykit/errors";
import { EvictionError } from "./errors.js";
import { withScratch } from "./scratch.js";
import { timeOrder } from "./time-order.js";
import type { EvictOptions } from "./types.js";

/**
 * Entries as columns: entry `i` is `{ sectionId: sectionId(i), addedAt: addedAt[i], length:
 * lengths[i] }`. `evictIndices` drops exactly the entries `evictUntil` drops for those objects.
 */
export interface EvictColumnSource {
  /** Number of entries. */
  readonly length: number;
  /**
   * When each entry was added: finite numbers in any one unit (epoch milliseconds, seconds, …)
   * — only their order counts. A `Float64Array` is read in place; anything else is copied.
   */
  readonly addedAt: ArrayLike<number>;
  /** Bytes each entry occupies: non-negative safe integers. */
  readonly lengths: ArrayLike<number>;
  /**
   * The section id of entry `i`. Called only for protection (when `protectIds` is given and
   * `hexIds` is not) and to order entries of equal `addedAt` that the walk reaches.
   */
  sectionId(i: number): string;
  /**
   * Optional fast form of ids that are 16 lowercase hex digits: digits 0–7 of entry `i`'s id
   * in `hi[i]`, digits 8–15 in `lo[i]` (the v2 index's `idHi` / `idLo`). Protection and ties
   * are then decided on the numbers (the same order as the strings), without building
   * strings; `sectionId(i)` must still return the same id.
   */
  readonly hexIds?: { readonly hi: Uint32Array; readonly lo: Uint32Array } | undefined;
}

/** Bytes of scratch space an entry needs besides its time: sort work (6 × 4), drop order (4). */
export const SCRATCH_PER_ENTRY = 28;

/** `state` values: an entry is kept unless marked. */
export const DROPPED = 1;
const PROTECTED = 2;

/**
 * The entries `evictUntil` would drop for the entries of `source`, as their indices, oldest
 * first (ties: section id by UTF-16 code units, then index). Nothing is allocated per entry
 * beyond one byte of state and the sort's scratch (reused across calls); no objects.
 *
 * @example
 * ```ts
 * const dropped = evictIndices(
 *   { length: 3, addedAt: new Float64Array([3, 1, 2]), lengths: new Uint32Array([600, 600, 600]), sectionId: (i) => ["a", "b", "c"][i]! },
 *   { maxBytes: 1000, protectIds: ["b"] },
 * ); // Uint32Array [2, 0]
 * ```
 * @throws {EvictionError} when `source` is not an object with a non-negative integer
 *   `length`, `addedAt` and `lengths` covering `length` entries and a `sectionId` function
 *   (and `hexIds.hi` / `.lo` Uint32Arrays covering them when given); when an `addedAt` is not
 *   finite or a length not a non-negative safe integer (the entry is named); or for bad
 *   options (as `evictUntil`).
 */
export function evictIndices(source: EvictColumnSource, options: EvictOptions): Uint32Array {
  const n = checkSource(source);
  const checked = checkOptions(options);
  const { addedAt, lengths } = source;
  const idAt = (i: number) => source.sectionId(i);
  const range = checkTimes(addedAt, n, idAt);
  const total = totalOf(lengths, n, idAt);
  if (total <= checked.maxBytes) return new Uint32Array(0);
  const times = addedAt instanceof Float64Array ? addedAt.subarray(0, n) : Float64Array.from({ length: n }, (_, i) => addedAt[i] as number);
  const state = new Uint8Array(n);
  protect(source, checked.protectIds, state);
  const excess = total - checked.maxBytes;
  const reach = reachable(times, lengths, state, excess, total, range);
  // Scratch for the entries the walk can reach only: 1 % of a million, when 1 % goes.
  const m = reach === undefined ? n : reach.length;
  return withScratch(SCRATCH_PER_ENTRY * m, (buffer) => dropOldest(times, lengths, state, excess, tieOrder(source), buffer, 0, reach).slice());
}

/**
 * The core both entry points share: marks in `state` and lists (in the returned view of
 * `buffer`, valid until the scratch is reused) the unprotected entries dropped oldest first
 * until `excess` bytes are gone or none are left. Only the entries of `reach` are sorted
 * (all of them when undefined): see {@link reachable}. `buffer` holds at least 28 bytes an
 * entry sorted, from `base` (a multiple of 4). Runs of equal times are put in `tie` order
 * only when the walk reaches them.
 *
 * @internal
 */
export function dropOldest(
  times: Float64Array,
  lengths: ArrayLike<number>,
  state: Uint8Array,
  excess: number,
  tie: (a: number, b: number) => number,
  buffer: ArrayBuffer,
  base: number,
  reach: Uint32Array | undefined,
): Uint32Array {
  const n = reach === undefined ? times.length : reach.length;
  const droppedAt = new Uint32Array(buffer, base + 24 * n, n);
  const work: Uint32Array[] = [];
  for (let j = 0; j < 6; j++) work.push(new Uint32Array(buffer, base + 4 * j * n, n));
  const { order, hi, lo } =
    reach === undefined
      ? timeOrder(times, work)
      : timeOrder(
          Float64Array.from(reach, (i) => times[i] as number),
          work,
        );
  if (reach !== undefined) for (let k = 0; k < n; k++) order[k] = reach[order[k] as number] as number;
  let dropped = 0;
  let left = excess;
  const drop = (i: number): void => {
    if (left <= 0 || state[i] === PROTECTED) return;
    state[i] = DROPPED;
    droppedAt[dropped++] = i;
    left -= lengths[i] as number;
  };
  for (let start = 0; start < n && left > 0; ) {
    const h = hi[start] as number;
    const l = lo[start] as number;
    let end = start + 1;
    while (end < n && hi[end] === h && lo[end] === l) end++;
    if (end - start === 1) {
      drop(order[start] as number);
    } else {
      const run = Array.from(order.subarray(start, end)).sort(tie);
      for (const i of run) drop(i);
    }
    start = end;
  }
  return droppedAt.subarray(0, dropped);
}

/** Equal spans of time the entries are counted in to find which ones the walk can reach. */
const SPANS = 4096;

/**
 * The entries the oldest-first walk can reach, in index order: those in the oldest of 4,096
 * equal spans between the oldest and newest time, up to the first span where the unprotected
 * lengths so far reach `excess`. Every later entry is strictly newer than all of these, and
 * the walk is done before it gets there, so sorting these alone gives the same drops — a
 * sort of 1 % instead of all, when 1 % is evicted. Undefined when that is more than a
 * quarter of the entries (sort them all).
 * @internal
 */
export function reachable(
  times: Float64Array,
  lengths: ArrayLike<number>,
  state: Uint8Array,
  excess: number,
  total: number,
  { min, max }: TimeRange,
): Uint32Array | undefined {
  // More than a quarter of the bytes go: most entries will be reached, so skip the counting.
  if (excess * 4 > total) return undefined;
  const n = times.length;
  const width = max - min;
  if (!(width > 0 && width < Number.POSITIVE_INFINITY)) return undefined;
  // floor((t − min) · scale) never decreases as t grows, so equal times share a span and a
  // span's entries are all older than the next span's. (`| 0` is floor here: 0 ≤ value < 4096.)
  const scale = (SPANS - 1) / width;
  const spanOf = new Uint16Array(n);
  const bytes = new Float64Array(SPANS);
  const counts = new Uint32Array(SPANS);
  for (let i = 0; i < n; i++) {
    const f = (((times[i] as number) - min) * scale) | 0;
    const s = f < SPANS ? f : SPANS - 1;
    spanOf[i] = s;
    counts[s] = (counts[s] as number) + 1;
    if (state[i] !== PROTECTED) bytes[s] = (bytes[s] as number) + (lengths[i] as number);
  }
  let last = 0;
  let count = 0;
  let sum = 0;
  for (; last < SPANS; last++) {
    sum += bytes[last] as number;
    count += counts[last] as number;
    if (sum >= excess) break;
  }
  if (count > n / 4) return undefined;
  const out = new Uint32Array(count);
  for (let i = 0, k = 0; i < n; i++) if ((spanOf[i] as number) <= last) out[k++] = i;
  return out;
}

/**
 * Marks the protected entries in `state`, in index order (a lookup in the oldest-first walk
 * would be a cache miss each).
 * @internal
 */
export function protect(source: EvictColumnSource, protectIds: Iterable<string> | undefined, state: Uint8Array): void {
  if (protectIds === undefined) return;
  const n = state.length;
  const hex = source.hexIds;
  if (hex !== undefined) {
    // Ids that are not 16 lowercase hex digits equal no entry's id here.
    const wanted = new Map<number, number[]>();
    for (const id of protectIds) {
      const split = typeof id === "string" ? splitHex(id) : undefined;
      if (split === undefined) continue;
      const los = wanted.get(split[0]);
      if (los === undefined) wanted.set(split[0], [split[1]]);
      else los.push(split[1]);
    }
    if (wanted.size === 0) return;
    // A byte per low 16 bits of the wanted `hi`s turns almost every entry away with one load.
    const filter = new Uint8Array(1 << 16);
    for (const h of wanted.keys()) filter[h & 0xffff] = 1;
    const { hi, lo } = hex;
    for (let i = 0; i < n; i++) {
      if (filter[(hi[i] as number) & 0xffff] === 0) continue;
      if (wanted.get(hi[i] as number)?.includes(lo[i] as number) === true) state[i] = PROTECTED;
    }
    return;
  }
  const p = protection(protectIds);
  if (p === undefined) return;
  for (let i = 0; i < n; i++) {
    const id = source.sectionId(i);
    if (p.mayHave(id) && p.ids.has(id)) state[i] = PROTECTED;
  }
}

/** The two u32 halves of a 16-lowercase-hex-digit id, or undefined. */
function splitHex(id: string): [number, number] | undefined {
  if (!/^[0-9a-f]{16}$/.test(id)) return undefined;
  return [Number.parseInt(id.slice(0, 8), 16), Number.parseInt(id.slice(8), 16)];
}

/**
 * Order of two entries of equal time: section id (numbers when hex, else strings), then index.
 * @internal
 */
export function tieOrder(source: EvictColumnSource): (a: number, b: number) => number {
  const hex = source.hexIds;
  if (hex !== undefined) {
    const { hi, lo } = hex;
    return (a, b) => (hi[a] as number) - (hi[b] as number) || (lo[a] as number) - (lo[b] as number) || a - b;
  }
  return (a, b) => {
    const x = idOf(source, a);
    const y = idOf(source, b);
    return x < y ? -1 : x > y ? 1 : a - b;
  };
}

function idOf(source: EvictColumnSource, i: number): string {
  const id = source.sectionId(i);
  if (typeof id !== "string")
    throw new EvictionError(`sectionId(${i}) must return a string, got ${describeValue(id)}`, { argument: "source.sectionId", index: i });
  return id;
}

function checkSource(source: EvictColumnSource): number {
  if (typeof source !== "object" || source === null)
    throw new EvictionError(`source must be an object of columns, got ${describeValue(source)}`, { argument: "source" });
  const n = source.length;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0 || n >= 2 ** 32) {
    throw new EvictionError(`source.length must be a non-negative integer, got ${describeValue(n)}`, { argument: "source.length" });
  }
  covers("source.addedAt", source.addedAt, n);
  covers("source.lengths", source.lengths, n);
  if (typeof source.sectionId !== "function") {
    throw new EvictionError(`source.sectionId must be a function, got ${describeValue(source.sectionId)}`, { argument: "source.sectionId" });
  }
  const hex = source.hexIds;
  if (hex !== undefined) {
    if (typeof hex !== "object" || hex === null)
      throw new EvictionError(`source.hexIds must be { hi, lo } (Uint32Array), got ${describeValue(hex)}`, { argument: "source.hexIds" });
    for (const key of ["hi", "lo"] as const) {
      if (!(hex[key] instanceof Uint32Array)) {
        throw new EvictionError(`source.hexIds.${key} must be a Uint32Array, got ${describeValue(hex[key])}`, { argument: `source.hexIds.${key}` });
      }
      covers(`source.hexIds.${key}`, hex[key], n);
    }
  }
  return n;
}

function covers(argument: string, column: ArrayLike<number> | undefined, n: number): void {
  if (typeof column !== "object" || column === null || typeof column.length !== "number" || column.length < n) {
    throw new EvictionError(`${argument} must be an array-like of at least ${n} numbers, got ${describeValue(column)}`, { argument });
  }
}

/**
 * Checks `options` as `evictUntil` does.
 * @internal
 */
export function checkOptions(options: EvictOptions): { maxBytes: number; protectIds: Iterable<string> | undefined } {
  if (typeof options !== "object" || options === null) {
    throw new EvictionError(`options must be an object, got ${describeValue(options)}`, { argument: "options" });
  }
  const { maxBytes, protectIds } = options;
  if (typeof maxBytes !== "number" || !Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new EvictionError(`maxBytes must be a non-negative integer, got ${describeValue(maxBytes)}`, { argument: "options.maxBytes" });
  }
  if (protectIds === undefined || protectIds === null) return { maxBytes, protectIds: undefined };
  if (typeof protectIds === "string") {
    throw new EvictionError("protectIds must be an iterable of section ids, not a string", { argument: "options.protectIds" });
  }
  if (typeof (protectIds as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== "function") {
    throw new EvictionError(`protectIds must be an iterable of section ids, got ${describeValue(protectIds)}`, { argument: "options.protectIds" });
  }
  return { maxBytes, protectIds };
}

/** The total of `lengths` (checked; typed arrays of unsigned integers need no check). */
function totalOf(lengths: ArrayLike<number>, n: number, idAt: (i: number) => string): number {
  let total = 0;
  if (lengths instanceof Uint32Array || lengths instanceof Uint16Array || lengths instanceof Uint8Array) {
    for (let i = 0; i < n; i++) total += lengths[i] as number;
    return total;
  }
  for (let i = 0; i < n; i++) {
    const length = lengths[i];
    if (typeof length !== "number" || !Number.isSafeInteger(length) || length < 0) {
      throw new EvictionError(`length must be a non-negative integer, got ${describeValue(length)}`, {
        argument: `source.lengths[${i}]`,
        index: i,
        ...named(idAt, i),
      });
    }
    total += length;
  }
  return total;
}

/** Checks that every time is finite; returns the oldest and newest (for {@link reachable}). */
function checkTimes(times: ArrayLike<number>, n: number, idAt: (i: number) => string): TimeRange {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const t = times[i];
    if (typeof t !== "number" || t - t !== 0) {
      throw new EvictionError(`addedAt must be a finite number, got ${describeValue(t)}`, { argument: `source.addedAt[${i}]`, index: i, ...named(idAt, i) });
    }
    if (t < min) min = t;
    if (t > max) max = t;
  }
  return { min, max };
}

/**
 * The oldest and newest time.
 * @internal
 */
export interface TimeRange {
  min: number;
  max: number;
}

/** The entry's id for an error message, when `sectionId` gives a string. */
function named(idAt: (i: number) => string, i: number): { sectionId?: string } {
  try {
    const id = idAt(i);
    return typeof id === "string" ? { sectionId: id } : {};
  } catch {
    return {};
  }
}

/** The protected ids, with a 1024-bit filter on (length, first and last code unit) in front. */
export interface Protection {
  readonly ids: ReadonlySet<string>;
  mayHave(id: string): boolean;
}

/**
 * The protected ids of (checked) `protectIds`, or undefined when there are none.
 * @internal
 */
export function protection(protectIds: Iterable<string> | undefined): Protection | undefined {
  if (protectIds === undefined) return undefined;
  const ids = new Set<string>();
  const filter = new Int32Array(32);
  for (const id of protectIds) {
    if (typeof id !== "string") continue; // equal to no section id
    ids.add(id);
    const bit = filterBit(id);
    filter[bit >>> 5] = (filter[bit >>> 5] as number) | (1 << (bit & 31));
  }
  if (ids.size === 0) return undefined;
  return {
    ids,
    mayHave(id: string): boolean {
      const bit = filterBit(id);
      return ((filter[bit >>> 5] as number) & (1 << (bit & 31))) !== 0;
    },
  };
}

function filterBit(id: string): number {
  const n = id.length;
  return n === 0 ? 0 : (Math.imul(n, 31) + Math.imul(id.charCodeAt(0), 131) + id.charCodeAt(n - 1) * 7) & 1023;
}

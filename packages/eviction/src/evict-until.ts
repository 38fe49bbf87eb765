import { EvictionError } from "./errors.js";
import { withScratch } from "./scratch.js";
import { timeOrder } from "./time-order.js";
import type { Evictable, EvictOptions, EvictResult } from "./types.js";

/** Bytes of scratch space an entry needs: times and lengths (2 × 8), sort work (6 × 4), drop order (4). */
const SCRATCH_PER_ENTRY = 44;

/**
 * Drops entries, oldest first, until their total `length` fits in `maxBytes`.
 *
 * If the entries already fit, nothing is dropped. Otherwise entries go in order of
 * `addedAt` (ties: section id by UTF-16 code units, then input order), skipping every entry
 * whose section id is in `protectIds`, until the total is within budget — or until only
 * protected entries are left, which may leave it over budget. Each entry counts on its own,
 * so several entries with the same section id are counted and dropped one by one. An entry
 * of length 0 costs nothing, so it goes only if an older one had to.
 *
 * Returns the caller's own objects: `kept` in input order, `evicted` oldest first. The input
 * array is not changed. O(n): a radix sort on the times, plus a sort of the ties among
 * entries with equal times that the walk reaches.
 *
 * @example
 * ```ts
 * const { kept, evicted } = evictUntil(entries, { maxBytes: 64 * 1024 * 1024, protectIds: ["3f2a9c0d1e4b5a69"] });
 * ```
 * @throws {EvictionError} when `maxBytes` is not a non-negative safe integer, `protectIds` is a
 *   string or not iterable, or an entry has no string `sectionId`, an invalid `addedAt` or
 *   a `length` that is not a non-negative integer. Entry errors name the entry.
 */
export function evictUntil<T extends Evictable>(entries: readonly T[], options: EvictOptions): EvictResult<T> {
  if (!Array.isArray(entries)) throw new EvictionError(`entries must be an array, got ${describe(entries)}`, { argument: "entries" });
  if (typeof options !== "object" || options === null) {
    throw new EvictionError(`options must be an object, got ${describe(options)}`, { argument: "options" });
  }
  const { maxBytes } = options;
  if (typeof maxBytes !== "number" || !Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new EvictionError(`maxBytes must be a non-negative integer, got ${describe(maxBytes)}`, { argument: "options.maxBytes" });
  }
  const protect = protection(options.protectIds);
  const n = entries.length;
  return withScratch(SCRATCH_PER_ENTRY * n, (buffer) => {
    const times = new Float64Array(buffer, 0, n);
    const lengths = new Float64Array(buffer, 8 * n, n);
    const state = new Uint8Array(n);
    const total = measure(entries, protect, times, lengths, state);
    if (total <= maxBytes) return { kept: entries.slice(), evicted: [] };

    const work: Uint32Array[] = [];
    for (let j = 0; j < 6; j++) work.push(new Uint32Array(buffer, (16 + 4 * j) * n, n));
    const droppedAt = new Uint32Array(buffer, 40 * n, n);
    const dropped = walk(entries, timeOrder(times, work), lengths, state, total - maxBytes, droppedAt);

    // Exact-size arrays: growing them by push costs three times as much at this size.
    const evicted = new Array<T>(dropped);
    for (let j = 0; j < dropped; j++) evicted[j] = entries[droppedAt[j] as number] as T;
    const kept = new Array<T>(n - dropped);
    for (let i = 0, j = 0; i < n; i++) if (state[i] !== DROPPED) kept[j++] = entries[i] as T;
    return { kept, evicted };
  });
}

/** `state` values: an entry is kept unless marked. */
const DROPPED = 1;
const PROTECTED = 2;

/**
 * Checks every entry and records its time and length; marks protected entries. Returns the
 * total length. Protection is decided here, in input order, rather than when an entry comes
 * up oldest-first: that walk visits entries at random, and a Set lookup there is a cache miss.
 */
function measure(entries: readonly Evictable[], protect: Protection | undefined, times: Float64Array, lengths: Float64Array, state: Uint8Array): number {
  let total = 0;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as Evictable;
    if (typeof entry !== "object" || entry === null || typeof entry.sectionId !== "string") {
      throw new EvictionError(`expected an object with a string sectionId, got ${describe(entry)}`, { argument: `entries[${i}]`, index: i });
    }
    const length = entry.length;
    if (typeof length !== "number" || !Number.isSafeInteger(length) || length < 0) {
      throw new EvictionError(`length must be a non-negative integer, got ${describe(length)}`, {
        argument: `entries[${i}].length`,
        index: i,
        sectionId: entry.sectionId,
      });
    }
    const at = entry.addedAt;
    const t = typeof at === "number" ? at : at instanceof Date ? at.getTime() : otherTimeOf(at);
    if (t - t !== 0) {
      throw new EvictionError(`addedAt must be a valid Date or finite epoch milliseconds, got ${describe(at)}`, {
        argument: `entries[${i}].addedAt`,
        index: i,
        sectionId: entry.sectionId,
      });
    }
    times[i] = t;
    lengths[i] = length;
    total += length;
    if (protect?.mayHave(entry.sectionId) && protect.ids.has(entry.sectionId)) {
      state[i] = PROTECTED;
    }
  }
  return total;
}

/**
 * Drops unprotected entries oldest first until `excess` bytes are gone (or none are left),
 * marking them in `state` and listing them in `droppedAt`; returns how many. Runs of equal
 * times are put in section-id order (then input order) only when the walk reaches them.
 */
function walk(
  entries: readonly Evictable[],
  sorted: { order: Uint32Array; hi: Uint32Array; lo: Uint32Array },
  lengths: Float64Array,
  state: Uint8Array,
  excess: number,
  droppedAt: Uint32Array,
): number {
  const { order, hi, lo } = sorted;
  const n = order.length;
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
      const run = Array.from(order.subarray(start, end)).sort((a, b) => {
        const x = (entries[a] as Evictable).sectionId;
        const y = (entries[b] as Evictable).sectionId;
        return x < y ? -1 : x > y ? 1 : a - b;
      });
      for (const i of run) drop(i);
    }
    start = end;
  }
  return dropped;
}

/** The protected ids, with a 1024-bit filter on (length, first and last code unit) in front. */
interface Protection {
  readonly ids: ReadonlySet<string>;
  mayHave(id: string): boolean;
}

function protection(protectIds: Iterable<string> | undefined): Protection | undefined {
  if (protectIds === undefined || protectIds === null) return undefined;
  if (typeof protectIds === "string") {
    throw new EvictionError("protectIds must be an iterable of section ids, not a string", { argument: "options.protectIds" });
  }
  if (typeof (protectIds as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== "function") {
    throw new EvictionError(`protectIds must be an iterable of section ids, got ${describe(protectIds)}`, { argument: "options.protectIds" });
  }
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

const dateTag = "[object Date]";

/** A Date from another realm (an iframe, a vm context) fails `instanceof`; anything else is NaN. */
function otherTimeOf(value: unknown): number {
  if (typeof value === "object" && value !== null && Object.prototype.toString.call(value) === dateTag) {
    return Date.prototype.getTime.call(value) as number;
  }
  return Number.NaN;
}

/** A short, safe rendering of a bad value for an error message. */
function describe(value: unknown): string {
  if (value === null) return "null";
  if (value instanceof Date) return "Invalid Date";
  switch (typeof value) {
    case "number":
    case "boolean":
    case "bigint":
      return String(value);
    case "string":
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    case "undefined":
      return "undefined";
    case "function":
      return "a function";
    default:
      return Array.isArray(value) ? "an array" : "an object";
  }
}

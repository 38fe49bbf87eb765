import { describeValue } from "@replaykit/errors";
import { checkOptions, DROPPED, dropOldest, type EvictColumnSource, protect, reachable, SCRATCH_PER_ENTRY, type TimeRange, tieOrder } from "./evict-indices.js";
import { EvictionError } from "./errors.js";
import { withScratch } from "./scratch.js";
import type { Evictable, EvictOptions, EvictResult } from "./types.js";

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
  if (!Array.isArray(entries)) throw new EvictionError(`entries must be an array, got ${describeValue(entries)}`, { argument: "entries" });
  const { maxBytes, protectIds } = checkOptions(options);
  const n = entries.length;
  // Times and lengths first (8-byte aligned), then the scratch of evictIndices' core.
  return withScratch((16 + SCRATCH_PER_ENTRY) * n, (buffer) => {
    const times = new Float64Array(buffer, 0, n);
    const lengths = new Float64Array(buffer, 8 * n, n);
    const { total, range } = measure(entries, times, lengths);
    if (total <= maxBytes) return { kept: entries.slice(), evicted: [] };
    // The entries as columns: the one implementation (evict-indices.ts) decides.
    const source: EvictColumnSource = { length: n, addedAt: times, lengths, sectionId: (i) => (entries[i] as T).sectionId };
    const state = new Uint8Array(n);
    protect(source, protectIds, state);
    const excess = total - maxBytes;
    const droppedAt = dropOldest(times, lengths, state, excess, tieOrder(source), buffer, 16 * n, reachable(times, lengths, state, excess, total, range));

    // Exact-size arrays: growing them by push costs three times as much at this size.
    const dropped = droppedAt.length;
    const evicted = new Array<T>(dropped);
    for (let j = 0; j < dropped; j++) evicted[j] = entries[droppedAt[j] as number] as T;
    const kept = new Array<T>(n - dropped);
    for (let i = 0, j = 0; i < n; i++) if (state[i] !== DROPPED) kept[j++] = entries[i] as T;
    return { kept, evicted };
  });
}

/** Checks every entry and records its time and length. Returns the total length and the time range. */
function measure(entries: readonly Evictable[], times: Float64Array, lengths: Float64Array): { total: number; range: TimeRange } {
  let total = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as Evictable;
    if (typeof entry !== "object" || entry === null || typeof entry.sectionId !== "string") {
      throw new EvictionError(`expected an object with a string sectionId, got ${describeValue(entry)}`, { argument: `entries[${i}]`, index: i });
    }
    const length = entry.length;
    if (typeof length !== "number" || !Number.isSafeInteger(length) || length < 0) {
      throw new EvictionError(`length must be a non-negative integer, got ${describeValue(length)}`, {
        argument: `entries[${i}].length`,
        index: i,
        sectionId: entry.sectionId,
      });
    }
    const at = entry.addedAt;
    const t = typeof at === "number" ? at : at instanceof Date ? at.getTime() : otherTimeOf(at);
    if (t - t !== 0) {
      throw new EvictionError(`addedAt must be a valid Date or finite epoch milliseconds, got ${describeValue(at)}`, {
        argument: `entries[${i}].addedAt`,
        index: i,
        sectionId: entry.sectionId,
      });
    }
    times[i] = t;
    lengths[i] = length;
    total += length;
    if (t < min) min = t;
    if (t > max) max = t;
  }
  return { total, range: { min, max } };
}

const dateTag = "[object Date]";

/** A Date from another realm (an iframe, a vm context) fails `instanceof`; anything else is NaN. */
function otherTimeOf(value: unknown): number {
  if (typeof value === "object" && value !== null && Object.prototype.toString.call(value) === dateTag) {
    return Date.prototype.getTime.call(value) as number;
  }
  return Number.NaN;
}

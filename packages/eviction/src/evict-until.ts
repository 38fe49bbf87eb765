import { EvictionError } from "./errors.js";

/** What eviction needs of an entry: an id, when it was added (Date or epoch ms), and its size in bytes. */
export interface Evictable {
  readonly sectionId: string;
  readonly addedAt: Date | number;
  readonly length: number;
}

/** Options of `evictUntil`. */
export interface EvictOptions {
  /** The byte budget: a non-negative integer. 0 drops every unprotected entry. */
  maxBytes: number;
  /** Section ids that are never dropped, even if the store stays over budget. */
  protectIds?: Iterable<string>;
}

const describe = (v: unknown): string => (typeof v === "string" ? JSON.stringify(v) : v instanceof Date ? "Invalid Date" : String(v));

/**
 * Drops entries oldest first (`addedAt`, ties by `sectionId`, then input order) until the
 * total `length` of what is kept fits `maxBytes`, never dropping a protected id. Works per
 * entry: two entries with the same section id are counted, and dropped, separately.
 *
 * @returns `kept` in input order, `evicted` oldest first. Nothing is dropped when the
 *   total already fits.
 * @throws {EvictionError} when `maxBytes` is not a non-negative integer, or an entry has
 *   no string `sectionId`, an invalid `addedAt` or a `length` that is not a non-negative integer.
 * @example
 * ```ts
 * const { kept, evicted } = evictUntil(entries, { maxBytes: 64 * 1024 ** 2, protectIds: ["a1b2c3d4e5f60718"] });
 * ```
 */
export function evictUntil<T extends Evictable>(entries: readonly T[], options: EvictOptions): { kept: T[]; evicted: T[] } {
  if (!Array.isArray(entries)) throw new EvictionError(`entries must be an array, got ${describe(entries)}`);
  const maxBytes = options?.maxBytes;
  if (typeof maxBytes !== "number" || !Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new EvictionError(`maxBytes must be a non-negative integer, got ${describe(maxBytes)}`);
  }
  const n = entries.length;
  const times = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const e = entries[i]!;
    if (typeof e?.sectionId !== "string") throw new EvictionError(`entry ${i} has no string sectionId`);
    const t = typeof e.addedAt === "number" ? e.addedAt : e.addedAt instanceof Date ? e.addedAt.getTime() : NaN;
    if (!Number.isFinite(t)) throw new EvictionError(`entry ${i} (${e.sectionId}) has an invalid addedAt ${describe(e.addedAt)}`);
    if (!Number.isSafeInteger(e.length) || e.length < 0) {
      throw new EvictionError(`entry ${i} (${e.sectionId}) has an invalid length ${describe(e.length)}`);
    }
    times[i] = t;
    total += e.length;
  }
  if (total <= maxBytes) return { kept: entries.slice(), evicted: [] };

  const protectedIds = new Set<string>();
  if (options.protectIds !== undefined) {
    if (typeof (options.protectIds as Iterable<string>)[Symbol.iterator] !== "function" || typeof options.protectIds === "string") {
      throw new EvictionError("protectIds must be an iterable of section ids (not a string)");
    }
    for (const id of options.protectIds) protectedIds.add(id);
  }
  // Candidates: unprotected entries, oldest first (ties: section id, then input order).
  let count = 0;
  const order = new Uint32Array(n);
  if (protectedIds.size === 0) for (let i = 0; i < n; i++) order[count++] = i;
  else for (let i = 0; i < n; i++) if (!protectedIds.has(entries[i]!.sectionId)) order[count++] = i;
  const sorted = oldestFirst(entries, times, order.subarray(0, count));
  const drop = new Uint8Array(n);
  const evicted: T[] = [];
  for (let j = 0; j < sorted.length && total > maxBytes; j++) {
    const i = sorted[j]!;
    drop[i] = 1;
    total -= entries[i]!.length;
    evicted.push(entries[i]!);
  }
  const kept: T[] = [];
  for (let i = 0; i < n; i++) if (drop[i] === 0) kept.push(entries[i]!);
  return { kept, evicted };
}

/**
 * Sorts entry indices by time, then section id, then input order. The fast path packs
 * (time bucket, position) into one exactly representable number per entry and lets the
 * typed array's native sort do the work — about the cost of sorting the timestamps alone —
 * then orders the (usually tiny) runs that share a bucket with the full comparison. The
 * bucket is the millisecond when that keeps the numbers exact, else the second (any
 * realistic span: 2^53 / 1,000,000 entries is 285 years of seconds), else a plain
 * comparator sort.
 */
function oldestFirst(entries: readonly Evictable[], times: Float64Array, candidates: Uint32Array): Uint32Array {
  const count = candidates.length;
  if (count < 2) return candidates;
  const compare = (a: number, b: number): number => times[a]! - times[b]! || compareIds(entries, a, b);
  let min = Infinity;
  let max = -Infinity;
  for (let j = 0; j < count; j++) {
    const t = times[candidates[j]!]!;
    if (t < min) min = t;
    if (t > max) max = t;
  }
  const unit = (max - min + 1) * count < 2 ** 53 ? 1 : ((max - min) / 1000 + 1) * count < 2 ** 53 ? 1000 : 0;
  if (unit === 0) return candidates.slice().sort(compare);
  const keys = new Float64Array(count);
  for (let j = 0; j < count; j++) keys[j] = Math.floor((times[candidates[j]!]! - min) / unit) * count + j;
  keys.sort();
  const out = new Uint32Array(count);
  const bucket = new Float64Array(count);
  for (let j = 0; j < count; j++) {
    const key = keys[j]!;
    const position = key % count;
    out[j] = candidates[position]!;
    bucket[j] = (key - position) / count;
  }
  for (let start = 0; start < count; ) {
    let end = start + 1;
    while (end < count && bucket[end] === bucket[start]) end++;
    if (end - start > 1) out.subarray(start, end).sort(compare);
    start = end;
  }
  return out;
}

function compareIds(entries: readonly Evictable[], a: number, b: number): number {
  const ia = entries[a]!.sectionId;
  const ib = entries[b]!.sectionId;
  return ia < ib ? -1 : ia > ib ? 1 : a - b;
}

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
  // Candidates: unprotected entries, oldest first. Sorting indices by a typed time array
  // keeps this close to the cost of sorting the timestamps themselves.
  let candidates = 0;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) if (!protectedIds.has(entries[i]!.sectionId)) order[candidates++] = i;
  const sorted = order.subarray(0, candidates).sort((a, b) => {
    const d = times[a]! - times[b]!;
    if (d !== 0) return d;
    const ia = entries[a]!.sectionId;
    const ib = entries[b]!.sectionId;
    return ia < ib ? -1 : ia > ib ? 1 : a - b;
  });
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

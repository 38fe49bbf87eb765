import { drawFromSource } from "./draw-from-source.js";
import { checkedTime, describe, nowMsOf } from "./entry-fields.js";
import { SamplerError } from "./errors.js";
import { BUCKETS, entryHash, numberDuplicates, RankKeys, uniformOf } from "./keyed-uniform.js";
import { TopK } from "./top-k.js";
import type { Sampleable, SampleOptions, SchemeFn } from "./types.js";
import { CUSTOM, type Plan, RECENCY, UNIFORM, weightOf } from "./weight.js";

/**
 * Draws `k` of `entries` without replacement, each with probability proportional to its
 * weight (Efraimidis–Spirakis: key = ln(u) / w, the `k` largest keys win), and returns the
 * caller's own objects, largest key first.
 *
 * An entry's weight is the scheme's weight times `entry.weight` (default 1): under
 * `"recency"` (the default) `max(1 / (1 + age_days), 0.01) × weight`, under `"uniform"`
 * `weight`, under a caller's function `fn(entry, now) × weight`. Weight-0 entries are never
 * returned. If `k` is at least the number of entries with weight > 0, all of those come
 * back in stable order (section id, then input order) and nothing is drawn.
 *
 * With `seed`, each entry's `u` is an XXH32-keyed hash of (seed, section id, addedAt, rank),
 * the rank numbering entries that share an id and a millisecond (see keyed-uniform.ts): the
 * same seed and the same entries give the same result in any order, and adding entries
 * changes a draw only by the new entries it picks. One pass weighs and hashes every entry,
 * a bucketed search numbers the rare duplicates, and a pass over those typed arrays feeds a
 * heap of `k`: O(n log k), no sort. With `random`, the entries are sorted by section id
 * (ties: input order) and `random()` is called once per entry with weight > 0 in that order,
 * as the reference does: O(n log n). Equal keys go to the entry earlier in that order. A
 * scheme function is called exactly once per entry.
 *
 * @example
 * ```ts
 * const picked = sample(entries, { k: 100, now: new Date(), seed: 42 });
 * ```
 * @throws {SamplerError} when `entries` is not an array, `options` not an object, `k` not a
 *   non-negative integer, `now` not a valid `Date`, not exactly one of `seed` (a safe
 *   integer) and `random` (a function) is given, `scheme` is unknown, an entry is not an
 *   object or has no string `sectionId`, an invalid `addedAt` or a bad `weight`, a scheme
 *   function throws or returns a negative, NaN or infinite weight, or `random()` throws or
 *   returns a number outside [0, 1). Entry errors name the entry.
 */
export function sample<T extends Sampleable>(entries: readonly T[], options: SampleOptions<T>): T[] {
  if (!Array.isArray(entries)) throw new SamplerError(`entries must be an array, got ${describe(entries)}`);
  if (typeof options !== "object" || options === null) {
    throw new SamplerError(`options must be an object, got ${describe(options)}`);
  }
  const { k, seed, random } = options;
  if (typeof k !== "number" || !Number.isInteger(k) || k < 0) {
    throw new SamplerError(`k must be a non-negative integer, got ${describe(k)}`);
  }
  const now = options.now;
  const nowMs = nowMsOf(now);
  if ((seed === undefined) === (random === undefined)) {
    throw new SamplerError(seed === undefined ? "give a seed or a random source, got neither" : "give a seed or a random source, not both");
  }
  if (seed !== undefined && !Number.isSafeInteger(seed)) {
    throw new SamplerError(`seed must be a safe integer, got ${describe(seed)}`);
  }
  if (random !== undefined && typeof random !== "function") {
    throw new SamplerError(`random must be a function returning numbers in [0, 1), got ${describe(random)}`);
  }
  const scheme = options.scheme ?? "recency";
  let mode: Plan["mode"];
  if (scheme === "recency") mode = RECENCY;
  else if (scheme === "uniform") mode = UNIFORM;
  else if (typeof scheme === "function") mode = CUSTOM;
  else throw new SamplerError(`scheme must be "recency", "uniform" or a function, got ${describe(scheme)}`);
  if (k === 0) return [];

  const plan: Plan = { now, nowMs, mode, fn: mode === CUSTOM ? (scheme as SchemeFn<never>) : undefined };
  const n = entries.length;
  const weights = new Float64Array(n);
  // Hash only when a draw is possible: k < n (k ≥ n means every entry with weight > 0).
  const keys = random === undefined && k < n ? new RankKeys(seed as number) : undefined;
  const hashes = keys === undefined ? undefined : new Int32Array(n);
  const counts = new Int32Array(BUCKETS + 1);
  const positives = weigh(entries, plan, weights, hashes, keys === undefined ? 0 : keys.of(0), counts);

  let picked: number[];
  if (k >= positives) picked = stableOrder(entries, positiveIndices(weights, positives));
  else if (random !== undefined) picked = drawFromSource(entries, weights, stableOrder(entries, positiveIndices(weights, positives)), k, random);
  else {
    numberDuplicates(entries, weights, hashes as Int32Array, counts, keys as RankKeys);
    picked = select(entries, weights, hashes as Int32Array, k);
  }
  const out = new Array<T>(picked.length);
  for (let i = 0; i < picked.length; i++) out[i] = entries[picked[i] as number] as T;
  return out;
}

/**
 * The one pass over the caller's objects: checks every entry, writes its weight, and (when
 * `hashes` is given) the hash at rank 0 of every entry with weight > 0 under `key0`,
 * counting the hashes by bucket in `counts` (see `numberDuplicates`). Returns how many
 * entries have weight > 0. This loop is most of the cost of `sample`: weighing is the limit
 * it is measured against, and hashing reads every unit of every id.
 */
function weigh(entries: readonly Sampleable[], plan: Plan, weights: Float64Array, hashes: Int32Array | undefined, key0: number, counts: Int32Array): number {
  let positives = 0;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as Sampleable;
    const t = checkedTime(entry, i);
    const w = weightOf(entry, i, t, plan);
    weights[i] = w;
    if (w > 0) {
      positives++;
      if (hashes !== undefined) {
        const h = entryHash(entry.sectionId, t, key0);
        hashes[i] = h;
        const b = (h >>> 24) + 1;
        counts[b] = (counts[b] as number) + 1;
      }
    }
  }
  return positives;
}

/**
 * The seeded selection: every entry with weight > 0 is offered to a heap of `k` with its key
 * ln(u) / w. A pass over typed arrays; most entries are turned away without a logarithm.
 */
function select(entries: readonly Sampleable[], weights: Float64Array, hashes: Int32Array, k: number): number[] {
  const heap = new TopK(k, (a, b) => isBefore(entries, a, b));
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i] as number;
    if (w > 0) heap.consider(uniformOf(hashes[i] as number), w, i);
  }
  return heap.drain();
}

/** Indices of the entries with weight > 0, in input order. */
function positiveIndices(weights: Float64Array, positives: number): number[] {
  const out = new Array<number>(positives);
  let at = 0;
  for (let i = 0; i < weights.length; i++) if ((weights[i] as number) > 0) out[at++] = i;
  return out;
}

/** Sorts `indices` in place into the stable order: section id (UTF-16 code units), then input order. */
function stableOrder(entries: readonly Sampleable[], indices: number[]): number[] {
  return indices.sort((a, b) => (isBefore(entries, a, b) ? -1 : 1));
}

/** Whether entry `a` goes before entry `b` in the stable order. */
function isBefore(entries: readonly Sampleable[], a: number, b: number): boolean {
  const x = (entries[a] as Sampleable).sectionId;
  const y = (entries[b] as Sampleable).sectionId;
  return x < y || (x === y && a < b);
}

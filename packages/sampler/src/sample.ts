import { describeValue } from "@replaykit/errors";
import { checkedTime, timeOf } from "./entry-fields.js";
import { SamplerError } from "./errors.js";
import { BUCKETS, entryHash } from "./keyed-uniform.js";
import { checkOptions, pick, rankKeysFor } from "./pick.js";
import type { Rows } from "./rows.js";
import type { Sampleable, SampleOptions } from "./types.js";
import { type Plan, weightOf } from "./weight.js";

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
  if (!Array.isArray(entries)) throw new SamplerError(`entries must be an array, got ${describeValue(entries)}`);
  const checked = checkOptions(options);
  if (checked.k === 0) return [];
  const n = entries.length;
  const weights = new Float64Array(n);
  const keys = rankKeysFor(checked, n);
  const hashes = keys === undefined ? undefined : new Int32Array(n);
  const counts = new Int32Array(BUCKETS + 1);
  const positives = weigh(entries, checked, weights, hashes, keys === undefined ? 0 : keys.of(0), counts);
  const picked = pick(objectRows(entries), weights, hashes, counts, keys, positives, checked);
  const out = new Array<T>(picked.length);
  for (let i = 0; i < picked.length; i++) out[i] = entries[picked[i] as number] as T;
  return out;
}

/** The caller's objects as the shared steps read them (after `weigh` checked every entry). */
function objectRows(entries: readonly Sampleable[]): Rows {
  return {
    length: entries.length,
    id: (i) => (entries[i] as Sampleable).sectionId,
    time: (i) => timeOf((entries[i] as Sampleable).addedAt),
    before: (a, b) => {
      const x = (entries[a] as Sampleable).sectionId;
      const y = (entries[b] as Sampleable).sectionId;
      return x < y || (x === y && a < b);
    },
  };
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

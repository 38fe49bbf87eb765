import { drawFromSource } from "./draw-from-source.js";
import { drawSeeded } from "./draw-seeded.js";
import { describe, nowMsOf } from "./entry-fields.js";
import { SamplerError } from "./errors.js";
import type { Sampleable, SampleOptions, SchemeFn } from "./types.js";
import { CUSTOM, type Plan, positiveIndices, RECENCY, stableOrder, UNIFORM } from "./weigh.js";

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
 * With `seed`, each entry's random number is a keyed hash of (seed, section id, how many
 * earlier entries with weight > 0 share that id), so the same seed and the same entries
 * give the same result in any order; entries that share a section id are told apart by
 * their order among themselves. O(n log k) with no sort: one pass when the entries are
 * sorted by section id (as a store's index is), a few more over typed arrays otherwise.
 * With `random`, the entries are sorted by section id (ties: input order) and `random()`
 * is called once per entry with weight > 0 in that order, as the reference does:
 * O(n log n). Equal keys go to the entry earlier in that order. A scheme function is
 * called exactly once per entry.
 *
 * @example
 * ```ts
 * const picked = sample(entries, { k: 100, now: new Date(), seed: 42 });
 * ```
 * @throws {SamplerError} when `k` is not a non-negative integer, `now` is not a valid
 *   `Date`, not exactly one of `seed` (a safe integer) and `random` (a function) is given,
 *   `scheme` is unknown, an entry has no string `sectionId`, an invalid `addedAt` or a bad
 *   `weight`, a scheme function throws or returns a negative, NaN or infinite weight, or
 *   `random()` throws or returns a number outside [0, 1). Entry errors name the entry.
 */
export function sample<T extends Sampleable>(entries: readonly T[], options: SampleOptions): T[] {
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
    throw new SamplerError(
      seed === undefined ? "give a seed or a random source, got neither" : "give a seed or a random source, not both",
    );
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

  const plan: Plan = { k, now, nowMs, mode, fn: mode === CUSTOM ? (scheme as SchemeFn) : undefined };
  const picked =
    random !== undefined
      ? drawFromSource(entries, plan, random)
      : k >= entries.length
        ? stableOrder(entries, positiveIndices(entries, plan))
        : drawSeeded(entries, plan, seed as number);
  const out = new Array<T>(picked.length);
  for (let i = 0; i < picked.length; i++) out[i] = entries[picked[i] as number] as T;
  return out;
}


/**
 * `sampleAsDlm`: dlm's replay draw, pick for pick, for a caller that must reproduce what a
 * dlm pipeline drew (dlm seeds it with `random.Random(run_seed + adapter_version)`).
 *
 * dlm's `sampler.sample(entries, k, now, rng, scheme)`, as its test vectors pin it down
 * (vectors/dlm-reference/draws.json and sampler.json):
 *
 * 1. `k == 0` gives nothing. The entries are sorted by section id (Python compares strings
 *    by code point; the sort is stable, so entries sharing an id keep their input order).
 *    If `k` ≥ the number of entries, that sorted list is the result: no draws.
 * 2. Each entry's weight: `"uniform"` 1.0 for every entry (its `weight` is not read);
 *    `"recency"` `max(weight × (1 / (1 + age_days)), 0.01)` with
 *    `age_days = (max(now − added_at, 0) in µs / 10^6) / 86 400` — the floor comes after the
 *    weight, so a weight of 0 is still drawn, at 0.01.
 * 3. In sorted order, each entry takes one `u = rng.random()` (a 0 is drawn again once, then
 *    taken as 1e-300) and the key `log(u) / weight`.
 * 4. The k largest (key, position) pairs, largest first: equal keys go to the entry *later*
 *    in sorted order (Python sorts the pairs in reverse).
 *
 * That differs from `sample` in the floor (`sample` floors the recency factor before the
 * weight: weight 0 is never drawn), in the tie order, in the full sweep (every entry, not
 * every entry with weight > 0) and, above all, in where `u` comes from: `sample`'s seeded
 * `u` is a keyed hash of the entry, dlm's is the next number of one stream in sorted order,
 * so dlm's picks change whenever an entry is added ahead of them in id order.
 *
 * @module
 */

import { describeValue as describe } from "@replaykit/errors";
import { checkedTime, nowMsOf } from "./entry-fields.js";
import { SamplerError } from "./errors.js";
import { pythonRandom } from "./python-random.js";
import { TopK } from "./top-k.js";
import type { Sampleable } from "./types.js";

/** Options of {@link sampleAsDlm}: dlm's `sample(entries, k, now, rng=random.Random(seed), scheme)`. */
export interface SampleAsDlmOptions {
  /** How many entries to draw: a non-negative integer. */
  readonly k: number;
  /** The time ages are measured against. */
  readonly now: Date;
  /** The integer dlm gave `random.Random` (`run_seed + adapter_version`): a safe integer, or a bigint of any size; negative ones as CPython takes them (their absolute value). */
  readonly seed: number | bigint;
  /** dlm's two schemes; default `"recency"`. */
  readonly scheme?: "recency" | "uniform" | undefined;
}

/** dlm's recency floor, applied after the entry weight. */
const FLOOR = 0.01;
const US_PER_MS = 1000;
const US_PER_S = 1_000_000;
const S_PER_DAY = 86_400;

/**
 * Draws `k` of `entries` exactly as dlm's replay sampler draws them with
 * `rng = random.Random(seed)`: the same entries in the same order — including its weights
 * (under `"recency"`, `max(weight × 1 / (1 + age_days), 0.01)`: the 0.01 floor after the
 * weight, so weight 0 still draws; under `"uniform"`, 1 for every entry), its ties (equal
 * keys: the entry later in section-id order first) and its full sweep (`k` ≥ the number of
 * entries returns every entry, sorted by section id, entries sharing an id in input order).
 * Returns the caller's own objects.
 *
 * Use it to reproduce or continue a dlm pipeline's replay draws; use {@link sample} for
 * everything else: its seeded draws do not depend on input order and stay stable as the
 * corpus grows, and it scales to millions of entries without a sort. `sampleAsDlm` sorts
 * (O(n log n)) and draws one number per entry, as dlm does.
 *
 * @example
 * ```ts
 * // dlm: sampler.sample(entries, k=2, now=now, rng=random.Random(run_seed + adapter_version))
 * const picked = sampleAsDlm(entries, { k: 2, now: new Date("2026-04-18"), seed: 7 + 3 });
 * ```
 * @throws {SamplerError} when `entries` is not an array, `options` not an object, `k` not a
 *   non-negative integer, `now` not a valid `Date`, `seed` neither a safe integer nor a
 *   bigint, `scheme` not `"recency"` or `"uniform"`, or an entry is not an object or has no
 *   string `sectionId`, an invalid `addedAt` or a `weight` that is not a finite number ≥ 0
 *   (the error names the entry).
 */
export function sampleAsDlm<T extends Sampleable>(entries: readonly T[], options: SampleAsDlmOptions): T[] {
  if (!Array.isArray(entries)) throw new SamplerError(`entries must be an array, got ${describe(entries)}`);
  const plan = planOf(options);
  if (plan.k === 0) return [];
  const random = pythonRandom(plan.seed);
  return drawAsDlm(entries, plan.k, plan.nowMs, plan.uniform, random).map((i) => entries[i] as T);
}

interface DlmPlan {
  readonly k: number;
  readonly nowMs: number;
  readonly seed: number | bigint;
  readonly uniform: boolean;
}

function planOf(options: unknown): DlmPlan {
  if (typeof options !== "object" || options === null) throw new SamplerError(`options must be an object, got ${describe(options)}`);
  const { k, now, seed, scheme = "recency" } = options as Record<string, unknown>;
  if (typeof k !== "number" || !Number.isSafeInteger(k) || k < 0) throw new SamplerError(`k must be a non-negative integer, got ${describe(k)}`);
  const nowMs = nowMsOf(now);
  if (scheme !== "recency" && scheme !== "uniform") {
    throw new SamplerError(`scheme must be "recency" or "uniform" (dlm's two schemes), got ${describe(scheme)}`);
  }
  if (typeof seed !== "bigint" && !(typeof seed === "number" && Number.isSafeInteger(seed))) {
    const hint = typeof seed === "number" && Number.isInteger(seed) ? " (beyond 2^53 − 1 a number is not exact: give a bigint)" : "";
    throw new SamplerError(`seed must be a safe integer or a bigint, got ${describe(seed)}${hint}`);
  }
  return { k, nowMs, seed, uniform: scheme === "uniform" };
}

/**
 * dlm's draw of `k` ≥ 1 of `entries` with uniforms from `random`: entry indices, in dlm's
 * order. Every entry is checked first.
 *
 * @internal
 * @throws {SamplerError} for a bad entry (named) or a `random` that returns something outside [0, 1).
 */
export function drawAsDlm(entries: readonly Sampleable[], k: number, nowMs: number, uniform: boolean, random: () => number): number[] {
  const n = entries.length;
  // Weights in input order, in the one pass that checks the entries: the draw below visits
  // entries in id order, and reading objects in that order is a cache miss each.
  const weights = new Float64Array(n);
  const ids = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const entry = entries[i] as Sampleable;
    const t = checkedTime(entry, i);
    const w = entry.weight;
    if (w !== undefined && (typeof w !== "number" || !(w >= 0) || w === Number.POSITIVE_INFINITY)) {
      throw new SamplerError(`weight must be a finite number >= 0 (or absent), got ${describe(w)}`, { index: i, sectionId: entry.sectionId });
    }
    weights[i] = uniform ? 1 : recencyAsDlm(nowMs - t, w ?? 1);
    ids[i] = entry.sectionId;
  }
  const order = idOrder(ids);
  if (k >= n) return Array.from(order);

  // Ranks in sorted order are the heap's items: on equal keys the later rank goes first.
  const heap = new TopK(k, (a, b) => a > b);
  for (let r = 0; r < n; r++) {
    const i = order[r] as number;
    let u = random();
    if (!(u > 0 && u < 1)) {
      checkUniform(u, entries, i);
      u = random();
      checkUniform(u, entries, i);
      if (u === 0) u = 1e-300;
    }
    heap.consider(u, weights[i] as number, r);
  }
  return heap.drain().map((r) => order[r] as number);
}

/**
 * dlm's recency weight of an entry `ageMs` old (negative: added after `now`) with weight
 * `weight`: the age in whole microseconds (a Python `timedelta`), to seconds and then to
 * days as `total_seconds() / 86400` rounds them, `1 / (1 + days)`, times the weight, floored.
 *
 * @internal
 */
export function recencyAsDlm(ageMs: number, weight: number): number {
  const ageUs = Math.round(ageMs * US_PER_MS);
  const days = ageUs > 0 ? ageUs / US_PER_S / S_PER_DAY : 0;
  return Math.max(weight * (1 / (1 + days)), FLOOR);
}

/** A number from the random source must be in [0, 1); a `SamplerError` naming entry `index` otherwise. */
function checkUniform(u: unknown, entries: readonly Sampleable[], index: number): void {
  if (typeof u !== "number" || !(u >= 0 && u < 1)) {
    throw new SamplerError(`the random source returned ${describe(u)}; expected a number in [0, 1)`, {
      index,
      sectionId: (entries[index] as Sampleable).sectionId,
    });
  }
}

/**
 * Positions of `ids` in Python's order of the strings, a stable sort (equal ids keep their
 * input order). Ids of 16 lowercase hex digits (every store's) are sorted as two 32-bit
 * words by a radix sort, in linear time; others by comparison.
 *
 * @internal
 */
export function idOrder(ids: readonly string[]): Int32Array {
  const n = ids.length;
  const order = new Int32Array(n);
  const hi = new Uint32Array(n);
  const lo = new Uint32Array(n);
  let hex = true;
  for (let i = 0; i < n && hex; i++) hex = hexWords(ids[i] as string, hi, lo, i);
  if (hex) return radixOrder(hi, lo);
  let astral = false;
  for (let i = 0; i < n && !astral; i++) astral = HIGH_UNITS.test(ids[i] as string);
  const indices = Array.from({ length: n }, (_, i) => i);
  // Array.prototype.sort is stable: entries sharing an id keep their input order, as in Python.
  indices.sort(astral ? (a, b) => compareCodePoints(ids[a] as string, ids[b] as string) : (a, b) => compareUnits(ids[a] as string, ids[b] as string));
  order.set(indices);
  return order;
}

/** Whether `id` is 16 lowercase hex digits; if so, writes digits 0–7 to `hi[i]` and 8–15 to `lo[i]` (their order is the strings' order). */
function hexWords(id: string, hi: Uint32Array, lo: Uint32Array, i: number): boolean {
  if (id.length !== 16) return false;
  let word = 0;
  for (let j = 0; j < 16; j++) {
    const u = id.charCodeAt(j);
    const d = u >= 0x30 && u <= 0x39 ? u - 0x30 : u >= 0x61 && u <= 0x66 ? u - 0x57 : -1;
    if (d < 0) return false;
    word = (word << 4) | d;
    if (j === 7) {
      hi[i] = word;
      word = 0;
    }
  }
  lo[i] = word;
  return true;
}

/** Indices sorted by (hi, lo), stable: four counting passes over 16-bit digits, least significant first. */
function radixOrder(hi: Uint32Array, lo: Uint32Array): Int32Array {
  const n = hi.length;
  let from = new Int32Array(n);
  let to = new Int32Array(n);
  for (let i = 0; i < n; i++) from[i] = i;
  const counts = new Int32Array(65_537);
  for (let pass = 0; pass < 4; pass++) {
    const words = pass < 2 ? lo : hi;
    const shift = pass % 2 === 0 ? 0 : 16;
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const d = ((words[i] as number) >>> shift) & 0xffff;
      counts[d + 1] = (counts[d + 1] as number) + 1;
    }
    for (let d = 0; d < 65_536; d++) counts[d + 1] = (counts[d + 1] as number) + (counts[d] as number);
    for (let j = 0; j < n; j++) {
      const i = from[j] as number;
      const d = ((words[i] as number) >>> shift) & 0xffff;
      const at = counts[d] as number;
      counts[d] = at + 1;
      to[at] = i;
    }
    [from, to] = [to, from];
  }
  return from;
}

/** Code units from the surrogates up, where UTF-16 order and code-point order can part. */
const HIGH_UNITS = /[\ud800-\uffff]/;

function compareUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Python's string order (by code point). UTF-16 order differs only where the first
 * differing units are a surrogate and a unit at or above U+E000: compare the code points
 * that start there (a pair's lead unit is shared when only the trail units differ).
 *
 * @internal
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length - b.length;
  const lead = i > 0 ? a.charCodeAt(i - 1) : 0;
  if (lead >= 0xd800 && lead <= 0xdbff) i--;
  return (a.codePointAt(i) as number) - (b.codePointAt(i) as number);
}

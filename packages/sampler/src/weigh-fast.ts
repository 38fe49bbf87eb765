/**
 * The weight of one entry as the seeded loops compute it.
 *
 * @internal
 * @module
 */

import { badAddedAt, badWeight, otherTimeOf, sectionIdOf } from "./entry-fields.js";
import { SamplerError } from "./errors.js";
import { DAY_MS, RECENCY_FLOOR } from "./recency-weight.js";
import type { Sampleable } from "./types.js";
import { customWeight, GIVEN, type Plan, RECENCY, UNIFORM } from "./weigh.js";

/**
 * The checked weight of `entry` (at `index`) — scheme weight × `entry.weight` — as `weightAt`
 * in weigh.ts computes it, kept small so that V8 inlines it into the loops below. Change both
 * together (the tests compare them).
 */
export function weightOf(entry: Sampleable, index: number, plan: Plan, mode: number, nowMs: number): number {
  if (typeof entry !== "object" || entry === null || typeof entry.sectionId !== "string") sectionIdOf(entry, index);
  const at = entry.addedAt;
  const t = typeof at === "number" ? at : at instanceof Date ? at.getTime() : otherTimeOf(at);
  if (t - t !== 0) throw badAddedAt(entry, index); // NaN or ±Infinity
  if (mode === GIVEN) return (plan.weights as Float64Array)[index] as number;
  let w: number;
  if (mode === RECENCY) {
    const age = nowMs - t;
    // recencyFactor (recency-weight.ts) written out. Math.max, not `if (w < FLOOR) w = FLOOR`:
    // assigning the imported constant makes V8 keep `w` boxed.
    w = Math.max(age > 0 ? 1 / (1 + age / DAY_MS) : 1, RECENCY_FLOOR);
  } else {
    w = mode === UNIFORM ? 1 : customWeight(entry, index, plan);
  }
  const extra = entry.weight;
  if (extra !== undefined) {
    if (typeof extra !== "number" || !(extra >= 0) || extra === Number.POSITIVE_INFINITY) throw badWeight(entry, index);
    w *= extra;
    if (!(w < Number.POSITIVE_INFINITY)) throw overflow(entry, index, extra);
  }
  return w;
}

function overflow(entry: Sampleable, index: number, extra: number): SamplerError {
  return new SamplerError(`the scheme weight times weight ${extra} overflows to Infinity`, {
    index,
    sectionId: entry.sectionId,
  });
}


/**
 * Epoch milliseconds of `entry.addedAt`, checked along with the entry and its `sectionId` —
 * the first half of {@link weightOf}, for loops that put off the rest.
 */
export function checkedTime(entry: Sampleable, index: number): number {
  if (typeof entry !== "object" || entry === null || typeof entry.sectionId !== "string") sectionIdOf(entry, index);
  const at = entry.addedAt;
  const t = typeof at === "number" ? at : at instanceof Date ? at.getTime() : otherTimeOf(at);
  if (t - t !== 0) throw badAddedAt(entry, index); // NaN or ±Infinity
  return t;
}

/**
 * `entry.weight ?? 1`, checked: a finite number ≥ 0 — or, under GIVEN, the entry's whole
 * weight (which the other modes' `scaledWeight` then returns as it is).
 */
export function checkedScale(entry: Sampleable, index: number, plan: Plan): number {
  if (plan.mode === GIVEN) return (plan.weights as Float64Array)[index] as number;
  const extra = entry.weight;
  if (extra === undefined) return 1;
  if (typeof extra !== "number" || !(extra >= 0) || extra === Number.POSITIVE_INFINITY) throw badWeight(entry, index);
  return extra;
}

/**
 * The weight under `"recency"` or `"uniform"` of an entry added at `t` whose `weight` is
 * `scale`: bit for bit what {@link weightOf} gives. Never more than `scale`, since the recency
 * factor is at most 1 — so a loop can turn an entry away on `scale` alone and compute this
 * only for the few that might get in.
 */
export function scaledWeight(mode: number, t: number, nowMs: number, scale: number): number {
  if (mode !== RECENCY) return scale;
  const age = nowMs - t;
  return Math.max(age > 0 ? 1 / (1 + age / DAY_MS) : 1, RECENCY_FLOOR) * scale;
}

/**
 * Whether an entry with uniform `u` (or an upper bound on it), added at `t`, with weight scale
 * `scale`, might beat `floor` (< 0): false only when `TopK.consider` would turn it away. It
 * compares u − 1 with floor · weight as `TopK.consider` does, but multiplies where the weight
 * divides: with the recency factor max(1 / (1 + days), 0.01), u − 1 ≤ floor · scale · factor
 * holds when both (u − 1)(1 + days) ≤ floor · scale and u − 1 ≤ floor · scale · 0.01 do. No
 * division, and branches that go the same way for nearly every entry. The margin of 1e-9
 * dwarfs the rounding of either form.
 */
export function mightGetIn(u: number, floor: number, mode: number, t: number, nowMs: number, scale: number): boolean {
  const limit = floor * scale * (1 + 1e-9);
  if (mode !== RECENCY) return !(u - 1 <= limit);
  const days = Math.max(nowMs - t, 0) * (1 / DAY_MS);
  return !((u - 1) * (1 + days) <= limit && u - 1 <= limit * RECENCY_FLOOR);
}

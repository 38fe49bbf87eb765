/**
 * Entry weights: the recency formula and the one function every draw uses to weigh an entry
 * (scheme weight × `entry.weight`, checked). `recencyWeight` is that same function under the
 * `"recency"` scheme, so the exported value and the draws cannot drift apart.
 *
 * @module
 */

import { describeValue } from "@replaykit/errors";
import { badWeight, checkedTime, nowMsOf } from "./entry-fields.js";
import { SamplerError } from "./errors.js";
import type { Sampleable, SchemeFn } from "./types.js";

/** Milliseconds in a day: ages are measured in days. */
export const DAY_MS = 86_400_000;

/** The smallest recency factor, so old entries stay reachable (the reference's floor). */
export const RECENCY_FLOOR = 0.01;

export const RECENCY = 0;
export const UNIFORM = 1;
export const CUSTOM = 2;

/** The checked options of one call, in the form the loops use. @internal */
export interface Plan {
  readonly now: Date;
  readonly nowMs: number;
  readonly mode: typeof RECENCY | typeof UNIFORM | typeof CUSTOM;
  readonly fn: SchemeFn<never> | undefined;
}

/**
 * The weight of `entry` (at position `index` of the caller's array; `undefined` when there
 * is no array) added at `t` epoch ms (already checked): scheme weight × `entry.weight`, a
 * finite number ≥ 0. 0 means never drawn. A caller's scheme is called once per call of this.
 *
 * @internal
 * @throws {SamplerError} for a bad `weight`, a scheme that throws or returns a bad weight, or
 *   a product that overflows; the error names the entry.
 */
export function weightOf(entry: Sampleable, index: number | undefined, t: number, plan: Plan): number {
  const mode = plan.mode;
  let w: number;
  if (mode === RECENCY) {
    w = recencyFactor(plan.nowMs, t);
  } else {
    w = mode === UNIFORM ? 1 : customWeight(entry, index, plan);
  }
  const extra = entry.weight;
  if (extra === undefined) return w;
  if (typeof extra !== "number" || !(extra >= 0) || extra === Number.POSITIVE_INFINITY) throw badWeight(entry, index);
  const product = w * extra;
  if (product < Number.POSITIVE_INFINITY) return product;
  throw new SamplerError(`the scheme weight ${w} times weight ${extra} overflows to Infinity`, {
    index,
    sectionId: entry.sectionId,
  });
}

/** The recency factor `max(1 / (1 + age_days), 0.01)` of an entry added at `t` epoch ms, at `nowMs`. */
export function recencyFactor(nowMs: number, t: number): number {
  const age = nowMs - t;
  // Written as the reference computes it (1 / (1 + days)) so the values agree to the bit;
  // future-dated entries count as age 0.
  return Math.max(age > 0 ? 1 / (1 + age / DAY_MS) : 1, RECENCY_FLOOR);
}

/** The caller's scheme weight of `entry`, checked; a `SamplerError` naming the entry otherwise. */
export function customWeight(entry: Sampleable, index: number | undefined, plan: Plan): number {
  let w: unknown;
  try {
    w = (plan.fn as SchemeFn<Sampleable>)(entry, plan.now);
  } catch (cause) {
    throw new SamplerError("the scheme function threw", { index, sectionId: entry.sectionId, cause });
  }
  if (typeof w !== "number" || !(w >= 0) || w === Number.POSITIVE_INFINITY) {
    throw new SamplerError(`the scheme returned ${describeValue(w)}; a weight must be a finite number >= 0`, {
      index,
      sectionId: entry.sectionId,
    });
  }
  return w;
}

/**
 * The weight `sample` gives `entry` under the default `"recency"` scheme:
 * `max(1 / (1 + age_days), 0.01) × (entry.weight ?? 1)`, where
 * `age_days = max(0, now − addedAt) / 86 400 s`.
 *
 * The floor applies to the recency factor before `entry.weight` multiplies it, so a
 * `weight` of 0 gives 0 (never drawn). Wherever `weight` is 1 this equals the reference's
 * `recency_weight`.
 *
 * Do not pass `recencyWeight` itself as a `scheme`: `sample` multiplies every scheme by
 * `entry.weight`, which would count the weight twice. Use `scheme: "recency"`.
 *
 * @example
 * ```ts
 * recencyWeight({ sectionId: "a", addedAt: new Date("2026-04-17") }, new Date("2026-04-18")); // 0.5
 * ```
 * @throws {SamplerError} when `now` is not a valid `Date`, or the entry is not an object,
 *   has no string `sectionId`, an invalid `addedAt`, or a `weight` that is not a finite
 *   number ≥ 0.
 */
export function recencyWeight(entry: Sampleable, now: Date): number {
  const nowMs = nowMsOf(now);
  const t = checkedTime(entry, undefined);
  return weightOf(entry, undefined, t, { now, nowMs, mode: RECENCY, fn: undefined });
}

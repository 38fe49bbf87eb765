import { badAddedAt, badWeight, nowMsOf, sectionIdOf, timeOf } from "./entry-fields.js";
import type { Sampleable } from "./types.js";

/** Milliseconds in a day: ages are measured in days. */
export const DAY_MS = 86_400_000;

/** The smallest recency factor, so old entries stay reachable (the reference's floor). */
export const RECENCY_FLOOR = 0.01;

/**
 * The recency factor alone: `max(1 / (1 + age_days), 0.01)` with
 * `age_days = max(0, nowMs − addedAtMs) / 86 400 000` (future-dated entries count as age 0).
 * Both times must be finite; the caller checks.
 *
 * @internal
 */
export function recencyFactor(addedAtMs: number, nowMs: number): number {
  const ageMs = nowMs - addedAtMs;
  // Written as the reference computes it (1 / (1 + days)) so the values agree to the bit.
  const factor = ageMs > 0 ? 1 / (1 + ageMs / DAY_MS) : 1;
  return factor > RECENCY_FLOOR ? factor : RECENCY_FLOOR;
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
 * @throws {SamplerError} when `now` is not a valid `Date`, or the entry has no string
 *   `sectionId`, an invalid `addedAt`, or a `weight` that is not a finite number ≥ 0.
 */
export function recencyWeight(entry: Sampleable, now: Date): number {
  const nowMs = nowMsOf(now);
  sectionIdOf(entry, undefined);
  const t = timeOf(entry.addedAt);
  if (!Number.isFinite(t)) throw badAddedAt(entry, undefined);
  const w = entry.weight;
  if (w === undefined) return recencyFactor(t, nowMs);
  if (typeof w !== "number" || !(w >= 0) || w === Infinity) throw badWeight(entry, undefined);
  return recencyFactor(t, nowMs) * w;
}

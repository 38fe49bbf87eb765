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
import { customWeight, type Plan, RECENCY, UNIFORM } from "./weigh.js";

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


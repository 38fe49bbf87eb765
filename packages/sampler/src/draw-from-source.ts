/**
 * The `random` mode: the reference's algorithm, for a caller who brings their own source.
 *
 * @internal
 * @module
 */

import { describeValue } from "@replaykit/errors";
import { SamplerError } from "./errors.js";
import type { Rows } from "./rows.js";
import { TopK } from "./top-k.js";

/**
 * Calls `random()` once per entry in `order` (the entries with weight > 0, in the stable
 * order); a 0 is drawn again once, then taken as 1e-300, as the reference does. Returns
 * entry indices, largest key first (equal keys: the earlier in stable order first).
 */
export function drawFromSource(rows: Rows, weights: Float64Array, order: readonly number[], k: number, random: () => number): number[] {
  // The heap's items are ranks in the stable order, so the order breaks ties by itself.
  const heap = new TopK(k, (a, b) => a < b);
  for (let r = 0; r < order.length; r++) {
    const i = order[r] as number;
    let u = draw(random, rows, i);
    if (u === 0) u = draw(random, rows, i);
    heap.consider(u === 0 ? 1e-300 : u, weights[i] as number, r);
  }
  return heap.drain().map((r) => order[r] as number);
}

function draw(random: () => number, rows: Rows, index: number): number {
  let u: unknown;
  try {
    u = random();
  } catch (cause) {
    throw new SamplerError("the random source threw", { index, sectionId: rows.id(index), cause });
  }
  if (typeof u !== "number" || !(u >= 0 && u < 1)) {
    throw new SamplerError(`the random source returned ${describeValue(u)}; expected a number in [0, 1)`, {
      index,
      sectionId: rows.id(index),
    });
  }
  return u;
}

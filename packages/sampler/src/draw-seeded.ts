/**
 * The `seed` path: order-independent, O(n log k), no sort.
 *
 * Each entry with weight > 0 gets the uniform that keyed-uniform.ts defines: a hash of its
 * id's head (first 8 units) and its rank in its group when the group is pure, a hash of its
 * whole id and its rank among equal ids when the group is mixed. Finding the groups is the
 * only part that is not one look per entry:
 * - entries sorted by section id (as `index.json` and `loadIndex` give them) have every
 *   group side by side, so a single pass ({@link drawSorted}) keys each group as it closes
 *   and feeds the heap at once;
 * - in any other order, draw-any-order.ts keys every entry as the only member of its group
 *   and then finds the groups with more than one member among the entries that share a
 *   number.
 * Both routes give every entry the same number, so both give the same result.
 *
 * The per-entry loops are written out in full — weight, checks, head, hash, heap test —
 * because they are most of the cost of `sample`, and V8 boxes every floating-point value
 * that crosses a call it does not inline.
 *
 * The hash constants of keyed-uniform.ts (`KEY_M1` 0x9e3779b1, `KEY_M2` 0x85ebca77, `WORD_BIAS`
 * 0x80000000, 2^27 and 2^-53) are written as literals in the loops: V8 loads an imported constant
 * on every use, and the last two are not small integers, so each load is a memory read.
 *
 * @internal
 * @module
 */

import { drawAnyOrder } from "./draw-any-order.js";
import {
  fmix32,
  HEAD_UNITS,
  headUniform,
  headWord,
  keyedUniform,
  type Salt,
  saltOf,
} from "./keyed-uniform.js";
import { TopK } from "./top-k.js";
import type { Sampleable } from "./types.js";
import { CUSTOM, GIVEN, isBefore, type Plan, weightAt } from "./weigh.js";
import { checkedScale, checkedTime, mightGetIn, scaledWeight } from "./weigh-fast.js";

/** Entry indices, largest key first; or all entries with weight > 0 in stable order when `k` covers them. */
export function drawSeeded(entries: readonly Sampleable[], plan: Plan, seed: number): number[] {
  const salt = saltOf(seed);
  // A caller's scheme is called once per entry, up front: the routes below may look at an
  // entry twice (the one-pass route starts over when it meets an id out of order, and the
  // bucket route can hand over to the table route).
  if (plan.mode === CUSTOM) plan = { ...plan, mode: GIVEN, weights: customWeights(entries, plan) };
  return drawSorted(entries, plan, salt) ?? drawAnyOrder(entries, plan, salt);
}

/** Every entry's weight under a caller's scheme, checked (entries are checked too, in order). */
function customWeights(entries: readonly Sampleable[], plan: Plan): Float64Array {
  const weights = new Float64Array(entries.length);
  for (let i = 0; i < entries.length; i++) weights[i] = weightAt(entries[i] as Sampleable, i, plan);
  return weights;
}

/**
 * One pass for entries sorted by section id. Returns `undefined` at the first entry with
 * weight > 0 whose id is smaller than the one before it; the caller then starts over with
 * {@link drawAnyOrder} (for input in no order, that happens within the first few entries).
 *
 * Groups arrive whole, one after another. A group is held back until it closes (the next
 * head differs) — nearly always a single entry — and then keyed by its head; the moment a
 * second distinct id shows up under the same head, the group turns mixed and its entries
 * are keyed by their ids from then on.
 */
function drawSorted(entries: readonly Sampleable[], plan: Plan, salt: Salt): number[] | undefined {
  const heap = new TopK(plan.k, (a, b) => isBefore(entries, a, b));
  // The first k + 1 entries with weight > 0: the answer when there are no more than k.
  const first: number[] = [];
  const positive = scanSorted(entries, plan, salt, heap, first);
  if (positive < 0) return undefined;
  // Sorted input is already in the stable order.
  return positive <= plan.k ? first : heap.drain();
}

/**
 * The loop of {@link drawSorted}: returns the number of entries with weight > 0, or -1 at the
 * first one out of order. It runs once past the last entry to close the last group, so that
 * it ends right after the loop: V8 compiles a loop this long on the fly, and code that
 * follows the loop in the same function would be left without type feedback, throwing the
 * compiled loop away at the end of every call.
 */
function scanSorted(entries: readonly Sampleable[], plan: Plan, salt: Salt, heap: TopK, first: number[]): number {
  const { k, mode, nowMs } = plan;
  const { s0, s1, t0, t1, t2 } = salt;
  const n = entries.length;
  let positive = 0;
  // The open group: its head (hl = -1: none yet), its first entry, and whether it is mixed.
  let p0 = 0;
  let p1 = 0;
  let p2 = 0;
  let p3 = 0;
  let phl = -1;
  let lead = -1;
  // The lead's addedAt and weight scale: its weight is only worked out if it might get in.
  // Doubles from the start, so V8 keeps them unboxed.
  let leadT = 0.5;
  let leadX = 0.5;
  let mixed = false;
  // Further entries of a pure group with the lead's id, as (index, weight) pairs.
  let more: number[] | undefined;
  // The id of the group's last entry, and (mixed) how many before it in the group share it.
  let prevId = "";
  let occurrence = 0;
  let floor = heap.floor;
  for (let i = 0; i <= n; i++) {
    let t = 0.5;
    let x = 0.5;
    let id = "";
    let w0 = 0;
    let w1 = 0;
    let w2 = 0;
    let w3 = 0;
    let hl = 0;
    // > 0: a later head (or the end) closes the open group; 0: same head; < 0: out of order.
    let order = 1;
    if (i < n) {
      const entry = entries[i] as Sampleable;
      t = checkedTime(entry, i);
      x = checkedScale(entry, i, plan);
      if (x === 0) continue; // weight 0: the scheme weight is > 0

      id = entry.sectionId;
      if (id.length >= HEAD_UNITS) {
        w0 = ((id.charCodeAt(0) << 16) | id.charCodeAt(1)) ^ 0x80000000;
        w1 = ((id.charCodeAt(2) << 16) | id.charCodeAt(3)) ^ 0x80000000;
        w2 = ((id.charCodeAt(4) << 16) | id.charCodeAt(5)) ^ 0x80000000;
        w3 = ((id.charCodeAt(6) << 16) | id.charCodeAt(7)) ^ 0x80000000;
        hl = HEAD_UNITS;
      } else {
        w0 = headWord(id, 0);
        w1 = headWord(id, 1);
        w2 = headWord(id, 2);
        w3 = headWord(id, 3);
        hl = id.length;
      }
      if (first.length <= k) first.push(i);
      positive++;
      if (phl >= 0) {
        // The sign of the comparison of (w0, w1, w2, w3, hl) with the open group's, without a
        // branch (whether two neighbours first differ in their second word or third is a coin
        // toss the processor would guess wrong half the time): each term, when not 0, is at
        // least 4 times all the terms after it put together, so rounding cannot flip the sign.
        const high = (w0 - p0) * 4_294_967_296 + (w1 - p1);
        const low = (w2 - p2) * 4_294_967_296 + (w3 - p3);
        order = (high * 73_786_976_294_838_206_464 + low) * 16 + (hl - phl);
        if (order < 0) return -1;
      }
    }

    if (order > 0) {
      if (!mixed && phl >= 0) {
        // Close the pure group: headUniform(head, 0) of its lead, written out.
        let h1 = Math.imul(s0 ^ p0, 0x9e3779b1);
        let h2 = Math.imul(s1 ^ p1, 0x85ebca77);
        h1 ^= h2 >>> 15;
        h2 ^= h1 >>> 13;
        h1 = Math.imul(h1 ^ p2, 0x9e3779b1);
        h2 = Math.imul(h2 ^ p3, 0x85ebca77);
        h1 ^= h2 >>> 15;
        h2 ^= h1 >>> 13;
        h2 ^= phl;
        h1 = fmix32((h1 + h2) | 0);
        // TopK.consider, written out, first with a bound: u is below ((h1 >>> 6) + 1) / 2^26
        // (its top 26 bits come from h1), so most leads are turned away before the rest of the
        // hash, and all without the division of the recency factor.
        if (!(floor < 0) || mightGetIn(((h1 >>> 6) + 1) * 1.4901161193847656e-8, floor, mode, leadT, nowMs, leadX)) {
          h2 = fmix32(h2 ^ h1);
          const u = ((h1 >>> 6) * 134_217_728 + (h2 >>> 5) + 0.5) * 1.1102230246251565e-16;
          if (!(floor < 0) || mightGetIn(u, floor, mode, leadT, nowMs, leadX)) {
            const leadW = scaledWeight(mode, leadT, nowMs, leadX);
            const key = Math.log(u) / leadW;
            if (key >= floor) {
              heap.offer(key, lead);
              floor = heap.floor;
            }
          }
        }
        if (more !== undefined) {
          closePure(heap, more, p0, p1, p2, p3, phl, salt);
          floor = heap.floor;
        }
      }
      if (i === n) break;
      p0 = w0;
      p1 = w1;
      p2 = w2;
      p3 = w3;
      phl = hl;
      lead = i;
      leadT = t;
      leadX = x;
      mixed = false;
      more = undefined;
      prevId = id;
      continue;
    }

    // Same head. A head shorter than 8 units is the whole id, so the ids are equal.
    if (hl < HEAD_UNITS || id === prevId) {
      if (mixed) {
        heap.consider(keyedUniform(id, ++occurrence, t0, t1, t2), scaledWeight(mode, t, nowMs, x), i);
        floor = heap.floor;
      } else {
        (more ??= []).push(i, scaledWeight(mode, t, nowMs, x));
      }
      continue;
    }
    if (id < prevId) return -1;
    if (!mixed) {
      // A second id under this head: the group is mixed, and what was held back (all with
      // the lead's id) is keyed by that id.
      mixed = true;
      heap.consider(keyedUniform(prevId, 0, t0, t1, t2), scaledWeight(mode, leadT, nowMs, leadX), lead);
      if (more !== undefined) {
        for (let j = 0; j < more.length; j += 2) {
          heap.consider(keyedUniform(prevId, j / 2 + 1, t0, t1, t2), more[j + 1] as number, more[j] as number);
        }
        more = undefined;
      }
    }
    occurrence = 0;
    prevId = id;
    heap.consider(keyedUniform(id, 0, t0, t1, t2), scaledWeight(mode, t, nowMs, x), i);
    floor = heap.floor;
  }
  return positive;
}

/** Offers the members after the lead of a pure group (`more`: index, weight pairs). */
function closePure(
  heap: TopK,
  more: readonly number[],
  w0: number,
  w1: number,
  w2: number,
  w3: number,
  hl: number,
  { s0, s1, s2 }: Salt,
): void {
  for (let j = 0; j < more.length; j += 2) {
    heap.consider(headUniform(w0, w1, w2, w3, hl, j / 2 + 1, s0, s1, s2), more[j + 1] as number, more[j] as number);
  }
}


/**
 * The `seed` path: order-independent, O(n log k), no sort.
 *
 * Each entry's uniform is `keyedUniform(sectionId, occurrence)` under a salt drawn from the
 * seed, where `occurrence` counts the earlier entries (weight > 0) with the same section id.
 * Counting occurrences is the only part that is not one look per entry:
 * - entries sorted by section id (as `index.json` and `loadIndex` give them) have their
 *   repeats side by side, so a single pass keys each entry and feeds the heap at once;
 * - in any other order, every entry is first keyed as a first occurrence and the repeats are
 *   then found through a bit table ({@link rekeyRepeats}).
 * Both routes give every entry the same number, so both give the same result.
 *
 * The per-entry loop ({@link scan}) is written out in full — weight, checks, hash, heap
 * test — because it is most of the cost of `sample`, and V8 boxes every floating-point
 * value that crosses a call it does not inline.
 *
 * @internal
 * @module
 */

import { badAddedAt, badWeight, otherTimeOf, sectionIdOf } from "./entry-fields.js";
import { SamplerError } from "./errors.js";
import { fmix32, KEY_M1, KEY_M2, keyedUniform, type Salt, saltOf, TWO_POW_27, TWO_POW_M53 } from "./keyed-uniform.js";
import { DAY_MS, RECENCY_FLOOR } from "./recency-weight.js";
import { withScratch } from "./scratch.js";
import { TopK } from "./top-k.js";
import type { Sampleable } from "./types.js";
import { CUSTOM, customWeight, isBefore, type Plan, RECENCY, stableOrder, UNIFORM } from "./weigh.js";

/** Entry indices, largest key first; or all entries with weight > 0 in stable order when `k` covers them. */
export function drawSeeded(entries: readonly Sampleable[], plan: Plan, seed: number): number[] {
  const salt = saltOf(seed);
  // A caller's scheme goes straight to the any-order route, so it is called exactly once per
  // entry (the one-pass route starts over when it meets an id out of order).
  if (plan.mode === CUSTOM) return drawAnyOrder(entries, plan, salt);
  return drawSorted(entries, plan, salt) ?? drawAnyOrder(entries, plan, salt);
}

/**
 * One pass for entries sorted by section id. Returns `undefined` at the first entry whose id
 * is smaller than the one before it; the caller then starts over with {@link drawAnyOrder}
 * (for input in no order, that happens within the first few entries).
 */
function drawSorted(entries: readonly Sampleable[], plan: Plan, salt: Salt): number[] | undefined {
  const heap = new TopK(plan.k, (a, b) => isBefore(entries, a, b));
  const firstPositives: number[] = [];
  const positive = scan(entries, plan, salt, heap, undefined, undefined, firstPositives);
  if (positive < 0) return undefined;
  // Sorted input is already in the stable order.
  return positive <= plan.k ? firstPositives : heap.drain();
}

/**
 * Any order: key every entry as a first occurrence into typed arrays, re-key the repeats
 * ({@link rekeyRepeats}), then keep the k largest keys.
 */
function drawAnyOrder(entries: readonly Sampleable[], plan: Plan, salt: Salt): number[] {
  const n = entries.length;
  const tableBits = bitTableSize(n);
  return withScratch(16 * n + 4 * ((tableBits >>> 5) + 1), (buffer) => {
    // Per entry: its uniform (0 marks weight 0 — a real uniform is never 0) and its weight.
    const us = new Float64Array(buffer, 0, n);
    const ws = new Float64Array(buffer, 8 * n, n);
    // The heap is filled on the way, as if no id repeated; it is rebuilt below if one does.
    let heap = new TopK(plan.k, (a, b) => isBefore(entries, a, b));
    const positive = scan(entries, plan, salt, heap, us, ws, []);
    if (positive <= plan.k) {
      const all: number[] = [];
      for (let i = 0; i < n; i++) if (us[i] !== 0) all.push(i);
      return stableOrder(entries, all);
    }
    const seen = new Int32Array(buffer, 16 * n, (tableBits >>> 5) + 1).fill(0);
    if (rekeyRepeats(entries, us, salt, seen, tableBits) === 0) return heap.drain();
    heap = new TopK(plan.k, (a, b) => isBefore(entries, a, b));
    let floor = heap.floor;
    for (let i = 0; i < n; i++) {
      const u = us[i] as number;
      if (u === 0) continue;
      const w = ws[i] as number;
      if (floor < 0 && u - 1 <= floor * w * (1 + 1e-9)) continue; // see TopK.consider
      const key = Math.log(u) / w;
      if (key < floor) continue;
      heap.offer(key, i);
      floor = heap.floor;
    }
    return heap.drain();
  });
}

/** Bits in the repeat-finding table for `n` entries: about 16 an entry, a power of two. */
function bitTableSize(n: number): number {
  let bits = 1024;
  while (bits < n * 16 && bits < 1 << 28) bits *= 2;
  return bits;
}

/**
 * The per-entry loop. Weighs and checks every entry, gives each with weight > 0 its
 * first-occurrence uniform — an inlined copy of `keyedUniform(id, 0, …)`, kept in step with
 * it (the tests compare them) — and offers it to `heap`. Then either
 * - `us` and `ws` given (any order): stores each entry's uniform and weight (0 for weight
 *   0), for {@link rekeyRepeats}; or
 * - not given (sorted): counts repeats of the id before and re-keys them with
 *   `keyedUniform`; returns -1 as soon as an id is smaller than the one before it; keeps
 *   the first k + 1 indices in `firstPositives`.
 * Returns the number of entries with weight > 0.
 */
function scan(
  entries: readonly Sampleable[],
  plan: Plan,
  { s0, s1, s2 }: Salt,
  heap: TopK,
  us: Float64Array | undefined,
  ws: Float64Array | undefined,
  firstPositives: number[],
): number {
  const { k, mode, nowMs } = plan;
  let floor = Number.NEGATIVE_INFINITY;
  let prev = "";
  let occurrence = 0;
  let positive = 0;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as Sampleable;
    if (typeof entry !== "object" || entry === null) sectionIdOf(entry, i); // throws
    const id = entry.sectionId;
    if (typeof id !== "string") sectionIdOf(entry, i); // throws
    const at = entry.addedAt;
    const t = typeof at === "number" ? at : at instanceof Date ? at.getTime() : otherTimeOf(at);
    if (t - t !== 0) throw badAddedAt(entry, i); // NaN or ±Infinity

    // The weight: recencyFactor (recency-weight.ts) written out, or 1, or the caller's.
    let w: number;
    if (mode === RECENCY) {
      const age = nowMs - t;
      // Math.max, not `if (w < FLOOR) w = FLOOR`: assigning the imported constant makes V8
      // keep `w` boxed, which allocates a heap number per entry.
      w = Math.max(age > 0 ? 1 / (1 + age / DAY_MS) : 1, RECENCY_FLOOR);
    } else {
      w = mode === UNIFORM ? 1 : customWeight(entry, i, plan);
    }
    const extra = entry.weight;
    if (extra !== undefined) {
      if (typeof extra !== "number" || !(extra >= 0) || extra === Number.POSITIVE_INFINITY) throw badWeight(entry, i);
      w *= extra;
      if (!(w < Number.POSITIVE_INFINITY)) throw overflow(entry, i, extra);
    }
    if (w === 0) {
      if (us !== undefined) us[i] = 0; // the scratch buffer is reused: mark it
      continue;
    }

    // keyedUniform(id, 0, s0, s1, s2), written out.
    let h1 = s0;
    let h2 = s1;
    const n = id.length;
    let j = 0;
    for (; j + 3 < n; j += 4) {
      h1 = Math.imul(h1 ^ (id.charCodeAt(j) | (id.charCodeAt(j + 1) << 16)), KEY_M1);
      h2 = Math.imul(h2 ^ (id.charCodeAt(j + 2) | (id.charCodeAt(j + 3) << 16)), KEY_M2);
      h1 ^= h2 >>> 15;
      h2 ^= h1 >>> 13;
    }
    for (; j < n; j++) {
      h1 = Math.imul(h1 ^ id.charCodeAt(j), KEY_M1);
      h2 ^= h1 >>> 15;
    }
    h2 ^= n;
    h1 = fmix32((h1 + h2) | 0);
    h2 = fmix32(h2 ^ h1);
    let u = ((h1 >>> 6) * TWO_POW_27 + (h2 >>> 5) + 0.5) * TWO_POW_M53;

    if (us !== undefined) {
      us[i] = u;
      (ws as Float64Array)[i] = w;
    } else {
      if (positive === 0 || id > prev) {
        occurrence = 0;
      } else if (id === prev) {
        u = keyedUniform(id, ++occurrence, s0, s1, s2);
      } else {
        return -1;
      }
      prev = id;
      if (positive <= k) firstPositives.push(i);
    }
    positive++;
    if (floor < 0 && u - 1 <= floor * w * (1 + 1e-9)) continue; // see TopK.consider
    const key = Math.log(u) / w;
    if (key < floor) continue;
    heap.offer(key, i);
    floor = heap.floor;
  }
  return positive;
}

function overflow(entry: Sampleable, index: number, extra: number): SamplerError {
  return new SamplerError(`the scheme weight times weight ${extra} overflows to Infinity`, {
    index,
    sectionId: entry.sectionId,
  });
}

/**
 * Gives every repeated id's later entries their own uniform, in place, and returns how many
 * it changed. `us[i]` is entry i's first-occurrence uniform (0 for weight 0), so entries with
 * the same id share it, and entries with different ids almost never do.
 *
 * A Map of a million ids would cost more than the whole draw (V8 Maps of strings run at
 * about a microsecond an operation here), so no Map or Set is used on the common path:
 * 1. one pass over `us` with the bit table `seen` (`bits` bits, zeroed; about 16 an entry)
 *    sets aside each entry whose bit
 *    is already set: every repeat, plus about 3% of first occurrences by chance;
 * 2. the set-aside uniforms go in a small open-addressing table (`Float64Array`), with a
 *    bit filter in front of it;
 * 3. one more pass, in input order, finds every entry whose uniform is in that table and
 *    counts them per id: a repeat is an entry whose uniform *and* id match an earlier one.
 *    Two different ids with the same 53-bit uniform are told apart by comparing the ids.
 */
export function rekeyRepeats(
  entries: readonly Sampleable[],
  us: Float64Array,
  { s0, s1, s2 }: Salt,
  seen: Int32Array,
  bits: number,
): number {
  const n = us.length;
  const aside: number[] = [];
  for (let i = 0; i < n; i++) {
    const u = us[i] as number;
    if (u === 0) continue;
    const bit = (u * bits) | 0; // < 2^28: stays on V8's fast int32 truncation
    const word = bit >>> 5;
    const flag = 1 << (bit & 31);
    if (((seen[word] as number) & flag) !== 0) aside.push(i);
    else seen[word] = (seen[word] as number) | flag;
  }
  if (aside.length === 0) return 0;

  // Open addressing on the uniform's top bits (uniform, so no further hashing), load ≤ 1/2.
  let slots = 1024;
  while (slots < aside.length * 2) slots *= 2;
  const filterBits = slots * 8;
  const keys = new Float64Array(slots); // 0 = empty
  const ids = new Array<string | undefined>(slots).fill(undefined);
  const counts = new Int32Array(slots);
  const filter = new Int32Array((filterBits >>> 5) + 1);
  for (const i of aside) {
    const u = us[i] as number;
    let slot = (u * slots) | 0;
    while (keys[slot] !== 0 && keys[slot] !== u) slot = (slot + 1) & (slots - 1);
    keys[slot] = u;
    const bit = (u * filterBits) | 0;
    filter[bit >>> 5] = (filter[bit >>> 5] as number) | (1 << (bit & 31));
  }

  let others: Map<string, number> | undefined; // ids that share a uniform with another id
  let changed = 0;
  const last = aside[aside.length - 1] as number;
  for (let i = 0; i <= last; i++) {
    const u = us[i] as number;
    if (u === 0) continue;
    const bit = (u * filterBits) | 0;
    if (((filter[bit >>> 5] as number) & (1 << (bit & 31))) === 0) continue;
    let slot = (u * slots) | 0;
    while (keys[slot] !== u && keys[slot] !== 0) slot = (slot + 1) & (slots - 1);
    if (keys[slot] !== u) continue;
    const id = (entries[i] as Sampleable).sectionId;
    let occurrence: number;
    const first = ids[slot];
    if (first === undefined) {
      ids[slot] = id;
      counts[slot] = 1;
      occurrence = 0;
    } else if (first === id) {
      occurrence = counts[slot] as number;
      counts[slot] = occurrence + 1;
    } else {
      others ??= new Map();
      occurrence = others.get(id) ?? 0;
      others.set(id, occurrence + 1);
    }
    if (occurrence > 0) {
      us[i] = keyedUniform(id, occurrence, s0, s1, s2);
      changed++;
    }
  }
  return changed;
}

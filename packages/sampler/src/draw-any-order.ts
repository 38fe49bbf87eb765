/**
 * The `seed` path for entries in any order: every entry's number as keyed-uniform.ts defines
 * it, without a sort.
 *
 * Every entry is first keyed as the only member of its group — `headUniform(head, 0)` — and
 * offered to the heap. Members of one group share that number, and entries of different
 * groups almost never do, so the groups with more than one member are the runs of equal
 * numbers. Those are found, and their members re-keyed ({@link resolveGroups}), in one of
 * two ways:
 * - **buckets** (the usual route, {@link drawBucketed}): while keying, each (fingerprint,
 *   entry) is written to one of up to 256 buckets by the number's top bits; then each
 *   bucket, a few thousand entries in input order, is checked for repeated fingerprints with
 *   a hash table small enough to stay in the processor's cache. A table over all entries at once
 *   would miss the cache on nearly every look, which costs more than the rest of the draw.
 * - **tables** ({@link drawWithTables}), when a bucket overflows (many entries share a head,
 *   as with ids like `chapter-0001`, `chapter-0002` …) or many re-keyed entries are among
 *   the best: numbers and weights in input order, a bit table to set aside repeats, then a
 *   pass to collect each repeated number's members.
 * Both give every entry the same number as the one-pass route for sorted input.
 *
 * The hash constants of keyed-uniform.ts (`KEY_M1` 0x9e3779b1, `KEY_M2` 0x85ebca77, `WORD_BIAS`
 * 0x80000000, 2^27 and 2^-53) are written as literals in the loops: V8 loads an imported constant
 * on every use, and the last two are not small integers, so each load is a memory read.
 *
 * @internal
 * @module
 */

import {
  fmix32,
  HEAD_UNITS,
  headUniformOf,
  headWord,
  keyedUniform,
  type Salt,
  sameHead,
} from "./keyed-uniform.js";
import { withScratch } from "./scratch.js";
import { TopK } from "./top-k.js";
import type { Sampleable } from "./types.js";
import { isBefore, type Plan, stableOrder } from "./weigh.js";
import { checkedScale, checkedTime, mightGetIn, scaledWeight, weightOf } from "./weigh-fast.js";

/**
 * Extra places in the bucket route's heap. An entry whose number changes after it was offered
 * may hold a place it should not have; with this many spare places, up to this many such
 * entries can be taken out again and the best k are still known.
 */
const SPARE = 32;

/** Entry indices, largest key first; or all entries with weight > 0 in stable order when `k` covers them. */
export function drawAnyOrder(entries: readonly Sampleable[], plan: Plan, salt: Salt): number[] {
  return drawBucketed(entries, plan, salt) ?? drawWithTables(entries, plan, salt);
}

// ---------------------------------------------------------------------------------------
// Buckets

/** Buckets for `n` entries: a power of two from 2 to 256, about 64 entries each or more. */
function bucketCount(n: number): number {
  let b = 2;
  while (b < 256 && b * 64 < n) b *= 2;
  return b;
}

/**
 * The bucket route. Returns `undefined` when a bucket overflows or more than {@link SPARE}
 * re-keyed entries are in the heap; the caller then uses {@link drawWithTables}.
 */
function drawBucketed(entries: readonly Sampleable[], plan: Plan, salt: Salt): number[] | undefined {
  const n = entries.length;
  const k = plan.k;
  const buckets = bucketCount(n);
  // Bucket sizes are binomial around n / buckets; 25% + 64 over that is many standard
  // deviations, so only entries that share numbers (shared heads) overflow.
  const capacity = Math.ceil((n / buckets) * 1.25) + 64;
  let tableSlots = 16;
  while (tableSlots < capacity * 4) tableSlots *= 2;
  const slots = buckets * capacity;
  return withScratch(8 * slots + 4 * tableSlots + 4 * capacity + 4 * buckets, (buffer) => {
    // Bucket b holds fill[b] pairs (fingerprint of the number, entry index) from pair
    // b · capacity on (see scanIntoBuckets).
    const pairs = new Int32Array(buffer, 0, 2 * slots);
    // The repeat-finding table: all zero between buckets.
    const table = new Int32Array(buffer, 8 * slots, tableSlots).fill(0);
    const slotOf = new Int32Array(buffer, 8 * slots + 4 * tableSlots, capacity);
    const fill = new Int32Array(buffer, 8 * slots + 4 * tableSlots + 4 * capacity, buckets).fill(0);

    const heap = new TopK(k + SPARE, (a, b) => isBefore(entries, a, b));
    const positive = scanIntoBuckets(entries, plan, salt, heap, pairs, fill, buckets, capacity);
    if (positive < 0) return undefined;
    if (positive <= k) {
      const all: number[] = [];
      for (let b = 0; b < buckets; b++) {
        for (let j = b * capacity; j < b * capacity + (fill[b] as number); j++) all.push(pairs[2 * j + 1] as number);
      }
      return stableOrder(entries, all);
    }

    // Each bucket: every entry whose fingerprint is repeated — all members of runs of equal
    // numbers, and now and then an entry whose fingerprint matches by chance.
    const candidates: number[] = [];
    for (let b = 0; b < buckets; b++) {
      const from = b * capacity;
      const to = from + (fill[b] as number);
      if (markRepeats(pairs, from, to, table, slotOf) > 0) collectRepeated(pairs, from, to, table, slotOf, candidates);
      clearSlots(table, slotOf, to - from);
    }
    if (candidates.length === 0) return heap.drain().slice(0, k);

    const values = new Float64Array(candidates.length);
    for (let j = 0; j < candidates.length; j++) {
      values[j] = headUniformOf((entries[candidates[j] as number] as Sampleable).sectionId, 0, salt);
    }
    const fresh = resolveGroups(entries, candidates, values, salt);
    const changed = new Map<number, number>();
    for (let j = 0; j < candidates.length; j++) {
      if (fresh[j] !== values[j]) changed.set(candidates[j] as number, j);
    }
    if (changed.size === 0) return heap.drain().slice(0, k);
    // Take out of the heap the entries whose number changed, then offer their new numbers.
    const kept = heap.drainPairs();
    let wrong = 0;
    for (const item of kept.items) if (changed.has(item)) wrong++;
    if (wrong > SPARE) return undefined;
    const best = new TopK(k, (a, b) => isBefore(entries, a, b));
    for (let r = 0; r < kept.items.length; r++) {
      const item = kept.items[r] as number;
      if (!changed.has(item)) best.offer(kept.keys[r] as number, item);
    }
    for (const [item, j] of changed) {
      const w = weightOf(entries[item] as Sampleable, item, plan, plan.mode, plan.nowMs);
      best.consider(fresh[j] as number, w, item);
    }
    return best.drain();
  });
}

/**
 * Puts the fingerprints of pairs `from … to` in `table` (open addressing: the fingerprint's
 * low bits pick the first slot; a table of four times the bucket's size stays in the processor's
 * cache) and records each pair's slot in `slotOf`. A fingerprint met again is stored negated,
 * to mark it repeated. Returns how many were met again.
 */
function markRepeats(pairs: Int32Array, from: number, to: number, table: Int32Array, slotOf: Int32Array): number {
  const mask = table.length - 1;
  let repeats = 0;
  for (let j = from; j < to; j++) {
    const print = pairs[2 * j] as number;
    let slot = print & mask;
    for (;;) {
      const key = table[slot] as number;
      if (key === 0) {
        table[slot] = print;
        break;
      }
      if (key === print || key === -print) {
        table[slot] = -print;
        repeats++;
        break;
      }
      slot = (slot + 1) & mask;
    }
    slotOf[j - from] = slot;
  }
  return repeats;
}

/** Appends the entry index of every pair `from … to` whose fingerprint is marked repeated. */
function collectRepeated(
  pairs: Int32Array,
  from: number,
  to: number,
  table: Int32Array,
  slotOf: Int32Array,
  candidates: number[],
): void {
  for (let j = from; j < to; j++) {
    if ((table[slotOf[j - from] as number] as number) < 0) candidates.push(pairs[2 * j + 1] as number);
  }
}

/** Zeroes the first `count` slots listed in `slotOf`. */
function clearSlots(table: Int32Array, slotOf: Int32Array, count: number): void {
  for (let j = 0; j < count; j++) table[slotOf[j] as number] = 0;
}

/**
 * The per-entry loop of the bucket route: weighs and checks every entry, keys it as the only
 * member of its group, offers it to `heap`, and appends the pair (fingerprint, index) to the
 * bucket of the number's top bits (one stream of writes a bucket: 256 of them stay in the
 * processor's cache). Returns the number of entries with weight > 0, or -1 when a bucket is full.
 */
function scanIntoBuckets(
  entries: readonly Sampleable[],
  plan: Plan,
  { s0, s1 }: Salt,
  heap: TopK,
  pairs: Int32Array,
  fill: Int32Array,
  buckets: number,
  capacity: number,
): number {
  const { mode, nowMs } = plan;
  const bucketShift = 32 - Math.log2(buckets); // buckets is a power of two, 2 to 256
  let positive = 0;
  let floor = heap.floor;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as Sampleable;
    const t = checkedTime(entry, i);
    const x = checkedScale(entry, i);
    if (x === 0) continue; // weight 0: the scheme weight is > 0
    const id = entry.sectionId;
    // headUniform(head, 0), written out: V8 does not inline a function this long, and a
    // number returned from a call it does not inline is allocated on the heap.
    let w0: number;
    let w1: number;
    let w2: number;
    let w3: number;
    let hl: number;
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
    let h1 = Math.imul(s0 ^ w0, 0x9e3779b1);
    let h2 = Math.imul(s1 ^ w1, 0x85ebca77);
    h1 ^= h2 >>> 15;
    h2 ^= h1 >>> 13;
    h1 = Math.imul(h1 ^ w2, 0x9e3779b1);
    h2 = Math.imul(h2 ^ w3, 0x85ebca77);
    h1 ^= h2 >>> 15;
    h2 ^= h1 >>> 13;
    h2 ^= hl;
    h1 = fmix32((h1 + h2) | 0);
    positive++;
    // u's top 26 bits are h1 >>> 6, so entries with one head share h1: the bucket is its top
    // bits, the fingerprint its low 24 (+ 1: 0 marks an empty table slot).
    const b = h1 >>> bucketShift;
    const f = fill[b] as number;
    if (f === capacity) return -1;
    const at = 2 * (b * capacity + f);
    pairs[at] = (h1 & 0xffffff) + 1;
    pairs[at + 1] = i;
    fill[b] = f + 1;
    // TopK.consider, written out: first with a bound on u from h1 alone, so most entries are
    // turned away before the rest of the hash, and all without a division.
    if (floor < 0 && !mightGetIn(((h1 >>> 6) + 1) * 1.4901161193847656e-8, floor, mode, t, nowMs, x)) continue;
    h2 = fmix32(h2 ^ h1);
    const u = ((h1 >>> 6) * 134_217_728 + (h2 >>> 5) + 0.5) * 1.1102230246251565e-16;
    if (floor < 0 && !mightGetIn(u, floor, mode, t, nowMs, x)) continue;
    const w = scaledWeight(mode, t, nowMs, x);
    const key = Math.log(u) / w;
    if (key < floor) continue;
    heap.offer(key, i);
    floor = heap.floor;
  }
  return positive;
}

// ---------------------------------------------------------------------------------------
// Tables

/** Bits in the bit table for `n` entries: about 16 an entry, a power of two. */
function bitTableSize(n: number): number {
  let bits = 1024;
  while (bits < n * 16 && bits < 1 << 28) bits *= 2;
  return bits;
}

/**
 * The table route: numbers and weights in input order in typed arrays; an entry whose number
 * lands on a bit of the bit table that is already set is set aside (every member of a group
 * after its first is, along with some entries by chance); {@link findRepeated} collects the
 * members of every repeated number; the heap is rebuilt from the arrays if any number changed.
 */
export function drawWithTables(entries: readonly Sampleable[], plan: Plan, salt: Salt): number[] {
  const n = entries.length;
  const k = plan.k;
  const bits = bitTableSize(n);
  return withScratch(16 * n + 4 * ((bits >>> 5) + 1), (buffer) => {
    // Per entry: its number (0 marks weight 0 — a real number is never 0) and its weight.
    const us = new Float64Array(buffer, 0, n);
    const ws = new Float64Array(buffer, 8 * n, n);
    const seen = new Int32Array(buffer, 16 * n, (bits >>> 5) + 1).fill(0);
    const aside: number[] = [];
    let positive = 0;
    const { mode, nowMs } = plan;
    const { s0, s1 } = salt;
    for (let i = 0; i < n; i++) {
      const entry = entries[i] as Sampleable;
      const w = weightOf(entry, i, plan, mode, nowMs);
      if (w === 0) {
        us[i] = 0; // the scratch buffer is reused: mark it
        continue;
      }
      const id = entry.sectionId;
      // headUniform(head, 0), written out: V8 does not inline a function this long, and a
      // number returned from a call it does not inline is allocated on the heap.
      let w0: number;
      let w1: number;
      let w2: number;
      let w3: number;
      let hl: number;
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
      let h1 = Math.imul(s0 ^ w0, 0x9e3779b1);
      let h2 = Math.imul(s1 ^ w1, 0x85ebca77);
      h1 ^= h2 >>> 15;
      h2 ^= h1 >>> 13;
      h1 = Math.imul(h1 ^ w2, 0x9e3779b1);
      h2 = Math.imul(h2 ^ w3, 0x85ebca77);
      h1 ^= h2 >>> 15;
      h2 ^= h1 >>> 13;
      h2 ^= hl;
      h1 = fmix32((h1 + h2) | 0);
      h2 = fmix32(h2 ^ h1);
      const u = ((h1 >>> 6) * 134_217_728 + (h2 >>> 5) + 0.5) * 1.1102230246251565e-16;
      us[i] = u;
      ws[i] = w;
      positive++;
      const bit = (u * bits) | 0; // < 2^28: stays on V8's fast int32 truncation
      const word = bit >>> 5;
      const flag = 1 << (bit & 31);
      const set = seen[word] as number;
      if ((set & flag) !== 0) aside.push(i);
      else seen[word] = set | flag;
    }
    if (positive <= k) {
      const all: number[] = [];
      for (let i = 0; i < n; i++) if (us[i] !== 0) all.push(i);
      return stableOrder(entries, all);
    }
    if (aside.length > 0) {
      const candidates = findRepeated(us, aside);
      const values = new Float64Array(candidates.length);
      for (let j = 0; j < candidates.length; j++) values[j] = us[candidates[j] as number] as number;
      const fresh = resolveGroups(entries, candidates, values, salt);
      for (let j = 0; j < candidates.length; j++) us[candidates[j] as number] = fresh[j] as number;
    }
    const heap = new TopK(k, (a, b) => isBefore(entries, a, b));
    for (let i = 0; i < n; i++) {
      const u = us[i] as number;
      if (u !== 0) heap.consider(u, ws[i] as number, i);
    }
    return heap.drain();
  });
}

/**
 * The entries (in input order) whose number is shared with another entry, given `aside`, a
 * list (in input order) that holds every entry whose number was seen before it. The
 * set-aside numbers go in a small open-addressing table with a bit filter in front of it,
 * and one pass over `us` collects every entry whose number is in it — each group's first
 * member comes back this way, and set-aside entries whose number is not shared drop out.
 */
function findRepeated(us: Float64Array, aside: readonly number[]): number[] {
  let slots = 1024;
  while (slots < aside.length * 2) slots *= 2;
  const filterBits = slots * 8;
  const keys = new Float64Array(slots); // 0 = empty
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
  const last = aside[aside.length - 1] as number;
  const members: number[] = [];
  const memberSlots: number[] = [];
  for (let i = 0; i <= last; i++) {
    const u = us[i] as number;
    if (u === 0) continue;
    const bit = (u * filterBits) | 0;
    if (((filter[bit >>> 5] as number) & (1 << (bit & 31))) === 0) continue;
    let slot = (u * slots) | 0;
    while (keys[slot] !== u && keys[slot] !== 0) slot = (slot + 1) & (slots - 1);
    if (keys[slot] !== u) continue;
    counts[slot] = (counts[slot] as number) + 1;
    members.push(i);
    memberSlots.push(slot);
  }
  return members.filter((_, j) => (counts[memberSlots[j] as number] as number) > 1);
}

// ---------------------------------------------------------------------------------------
// Groups

/**
 * The numbers of `candidates` (entry indices; within each group, in input order), whose
 * numbers so far (`values`) are their groups' `headUniform(head, 0)`: every candidate shares
 * its number with at least one other. Groups them by number and head (two heads with the same
 * 53-bit number are told apart by comparing them); a pure group's r-th member gets
 * `headUniform(head, r)`; every member of a mixed group gets `keyedUniform(id, r)`, r from
 * grouping the members by that number and id.
 *
 * A Map of a million ids would cost more than the whole draw (V8 Maps of strings run at about
 * a microsecond an operation here), so none is used.
 */
export function resolveGroups(
  entries: readonly Sampleable[],
  candidates: readonly number[],
  values: Float64Array,
  salt: Salt,
): Float64Array {
  const idOf = (j: number) => (entries[candidates[j] as number] as Sampleable).sectionId;
  const m = candidates.length;
  const out = Float64Array.from(values);
  const byHead = rankEqual(values, (a, b) => sameHead(idOf(a), idOf(b)));
  // A group is mixed when a member's id differs from its first member's.
  const mixed = new Uint8Array(m);
  for (let j = 0; j < m; j++) {
    const lead = byHead.lead[j] as number;
    if (lead !== j && idOf(j) !== idOf(lead)) mixed[lead] = 1;
  }
  const inMixed: number[] = [];
  for (let j = 0; j < m; j++) {
    if (mixed[byHead.lead[j] as number] === 1) inMixed.push(j);
    else if ((byHead.rank[j] as number) > 0) out[j] = headUniformOf(idOf(j), byHead.rank[j] as number, salt);
  }
  if (inMixed.length > 0) {
    const { t0, t1, t2 } = salt;
    const whole = new Float64Array(inMixed.length);
    for (let x = 0; x < inMixed.length; x++) whole[x] = keyedUniform(idOf(inMixed[x] as number), 0, t0, t1, t2);
    const byId = rankEqual(whole, (a, b) => idOf(inMixed[a] as number) === idOf(inMixed[b] as number));
    for (let x = 0; x < inMixed.length; x++) {
      const j = inMixed[x] as number;
      const r = byId.rank[x] as number;
      out[j] = r === 0 ? (whole[x] as number) : keyedUniform(idOf(j), r, t0, t1, t2);
    }
  }
  return out;
}

/**
 * Groups items 0 … m − 1 (in order) by equal `values[j]` (numbers in (0, 1)) and `same`:
 * `lead[j]` is the first item of j's group, `rank[j]` how many items of the group come before
 * j. Open addressing on the values' top bits; items with equal values that are not `same`
 * probe on, so they form groups of their own.
 */
function rankEqual(values: Float64Array, same: (a: number, b: number) => boolean): { lead: Int32Array; rank: Int32Array } {
  const m = values.length;
  let slots = 16;
  while (slots < m * 2) slots *= 2;
  const slotLead = new Int32Array(slots).fill(-1);
  const slotCount = new Int32Array(slots);
  const lead = new Int32Array(m);
  const rank = new Int32Array(m);
  for (let j = 0; j < m; j++) {
    const v = values[j] as number;
    let slot = (v * slots) | 0;
    for (;;) {
      const l = slotLead[slot] as number;
      if (l === -1) {
        slotLead[slot] = j;
        slotCount[slot] = 1;
        lead[j] = j;
        break;
      }
      if (values[l] === v && same(l, j)) {
        lead[j] = l;
        rank[j] = slotCount[slot] as number;
        slotCount[slot] = (rank[j] as number) + 1;
        break;
      }
      slot = (slot + 1) & (slots - 1);
    }
  }
  return { lead, rank };
}

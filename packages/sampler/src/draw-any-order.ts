/**
 * The `seed` path for entries in any order: every entry's number as keyed-uniform.ts defines
 * it, without a sort.
 *
 * Every entry is first keyed as the only member of its group — `headUniform(head, 0)` — and
 * offered to the heap. Members of one group share that number, and entries of different
 * groups almost never do, so the groups with more than one member are the runs of equal
 * numbers. Those are found, and their members re-keyed ({@link rekeyGroups}), in one of
 * two ways:
 * - **buckets** (the usual route, {@link drawBucketed}): while keying, each (fingerprint,
 *   entry) is written to one of up to 256 buckets by the number's top bits; then each
 *   bucket, a few thousand entries in input order, is checked for repeated fingerprints with
 *   a hash table small enough to stay in the processor's cache. A table over all entries at
 *   once would miss the cache on nearly every look, which costs more than the rest of the
 *   draw.
 * - **tables** ({@link drawWithTables}), for a caller's scheme, when a bucket overflows
 *   (many entries share a head, as with ids like `chapter-0001`, `chapter-0002` …) or when
 *   many re-keyed entries are among the best: one pass puts what is needed of every entry
 *   in typed arrays, and a counting sort on the numbers' top bits brings equal numbers
 *   together.
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
  headUniform,
  headUniformOf,
  headWord,
  readHead,
  keyedUniform,
  type Salt,
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

    const { values, fresh } = rekeyCandidates(entries, candidates, salt);
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
    const x = checkedScale(entry, i, plan);
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

/**
 * The table route. Every entry's number as the only member of its group, its weight, the
 * hash of its whole id and its head go in typed arrays in one pass — the only pass that
 * reads every entry, which may lie anywhere in memory. Then, on typed arrays only:
 * 1. the entries with weight > 0 are sorted by number ({@link sortBy}: a counting sort on the
 *    top 16 bits, then an insertion sort within each run — both stable, both linear here:
 *    the runs are a handful of entries, or a group's many equal numbers), so each group is
 *    a run of equal numbers with its members in input order;
 * 2. a pure group's r-th member gets `headUniform(head, r)`; the members of mixed groups are
 *    sorted the same way by the hash of their whole id, and the r-th entry of each id gets
 *    `keyedUniform(id, r)`.
 * No array or table grows with the number of entries outside the scratch buffer, so a draw
 * over a million entries under one head does not wake the garbage collector. Each loop is a
 * function of its own that returns when the loop ends (see scanSorted in draw-seeded.ts).
 */
export function drawWithTables(entries: readonly Sampleable[], plan: Plan, salt: Salt): number[] {
  const n = entries.length;
  const k = plan.k;
  return withScratch(60 * n + 4 * (TOPS + 1), (buffer) => {
    // Per entry: its number (0 marks weight 0 — a real number is never 0), its weight, the
    // hash of its whole id, its head (4 words and the length); two lists of entries for the
    // sorts, and where each run of the counting sort ends.
    const us = new Float64Array(buffer, 0, n);
    const ws = new Float64Array(buffer, 8 * n, n);
    const wholes = new Float64Array(buffer, 16 * n, n);
    const heads = new Int32Array(buffer, 24 * n, 5 * n);
    const list = new Int32Array(buffer, 44 * n, n);
    const order = new Int32Array(buffer, 48 * n, n);
    const mixed = new Int32Array(buffer, 52 * n, n);
    const ends = new Int32Array(buffer, 56 * n, TOPS + 1);
    const positive = scanIntoTables(entries, plan, salt, us, ws, wholes, heads, list);
    if (positive <= k) return stableOrder(entries, Array.from(list.subarray(0, positive)));
    sortBy(us, list, positive, order, ends);
    rekeyGroups((i) => (entries[i] as Sampleable).sectionId, us, wholes, heads, order, positive, mixed, ends, salt);
    return bestOf(entries, us, ws, k);
  });
}

/** Runs of the table route's counting sort: numbers by their top 16 bits. */
const TOPS = 65_536;

/** Runs for a counting sort of `count` items: a power of two from 16 to {@link TOPS}, about one an item. */
function topsFor(count: number): number {
  let tops = 16;
  while (tops < count && tops < TOPS) tops *= 2;
  return tops;
}

/**
 * The per-entry loop of {@link drawWithTables}: fills its arrays, lists the entries with
 * weight > 0 in `list`, and returns how many there are. A caller's scheme is called here,
 * once per entry.
 */
function scanIntoTables(
  entries: readonly Sampleable[],
  plan: Plan,
  { s0, s1, t0, t1, t2 }: Salt,
  us: Float64Array,
  ws: Float64Array,
  wholes: Float64Array,
  heads: Int32Array,
  list: Int32Array,
): number {
  const { mode, nowMs } = plan;
  let positive = 0;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as Sampleable;
    const w = weightOf(entry, i, plan, mode, nowMs);
    if (w === 0) {
      us[i] = 0; // the scratch buffer is reused: mark it
      continue;
    }
    const id = entry.sectionId;
    const h = 5 * i;
    readHead(id, heads, h);
    us[i] = headUniform(
      heads[h] as number,
      heads[h + 1] as number,
      heads[h + 2] as number,
      heads[h + 3] as number,
      heads[h + 4] as number,
      0,
      s0,
      s1,
      0,
    );
    ws[i] = w;
    wholes[i] = keyedUniform(id, 0, t0, t1, t2);
    list[positive++] = i;
  }
  return positive;
}

/**
 * Sorts the `count` items of `list` by `values[item]` (numbers in (0, 1)) into `order`,
 * keeping list order among equal values: a counting sort on the top bits (`ends` is scratch;
 * its length less 1, a power of two, is the number of runs), then an insertion sort within
 * each run.
 */
function sortBy(values: Float64Array, list: Int32Array, count: number, order: Int32Array, ends: Int32Array): void {
  ends.fill(0);
  countTops(values, list, count, ends);
  sumCounts(ends);
  placeByTop(values, list, count, order, ends);
  sortRuns(values, order, ends);
}

/** Counts the values of the listed items by their top bits into `counts[top + 1]`. */
function countTops(values: Float64Array, list: Int32Array, count: number, counts: Int32Array): void {
  const tops = counts.length - 1;
  for (let j = 0; j < count; j++) {
    const top = ((values[list[j] as number] as number) * tops) | 0;
    counts[top + 1] = (counts[top + 1] as number) + 1;
  }
}

/** Turns counts into starts: `starts[t]` becomes the sum of the counts before it. */
function sumCounts(starts: Int32Array): void {
  for (let t = 1; t < starts.length; t++) starts[t] = (starts[t] as number) + (starts[t - 1] as number);
}

/**
 * Writes each listed item into `order` at its run's next place, in list order. `starts[t]`
 * moves to the end of run t: run t is then `starts[t − 1] … starts[t]`.
 */
function placeByTop(values: Float64Array, list: Int32Array, count: number, order: Int32Array, starts: Int32Array): void {
  const tops = starts.length - 1;
  for (let j = 0; j < count; j++) {
    const i = list[j] as number;
    const top = ((values[i] as number) * tops) | 0;
    const at = starts[top] as number;
    order[at] = i;
    starts[top] = at + 1;
  }
}

/** Sorts each run of `order` by value, keeping list order among equal values. */
function sortRuns(values: Float64Array, order: Int32Array, ends: Int32Array): void {
  const tops = ends.length - 1;
  for (let top = 0; top < tops; top++) {
    const from = top === 0 ? 0 : (ends[top - 1] as number);
    const to = ends[top] as number;
    for (let j = from + 1; j < to; j++) {
      const i = order[j] as number;
      const u = values[i] as number;
      let at = j;
      while (at > from && (values[order[at - 1] as number] as number) > u) {
        order[at] = order[at - 1] as number;
        at--;
      }
      order[at] = i;
    }
  }
}

/**
 * Walks the `count` entries of `order` (sorted by number: each group a run, in input order)
 * and re-keys, in `us`, the members after the first of every pure group. Lists the members of
 * mixed groups in `mixed` and returns how many there are.
 */
function rekeyHeadGroups(
  idOf: (item: number) => string,
  us: Float64Array,
  wholes: Float64Array,
  heads: Int32Array,
  order: Int32Array,
  count: number,
  mixed: Int32Array,
  salt: Salt,
): number {
  let inMixed = 0;
  for (let j = 0; j < count; ) {
    const first = order[j] as number;
    const u = us[first] as number;
    let end = j + 1;
    while (end < count && us[order[end] as number] === u) end++;
    if (end - j > 1) inMixed = rekeyRun(idOf, us, wholes, heads, order, j, end, mixed, inMixed, salt);
    j = end;
  }
  return inMixed;
}

/**
 * One run `order[from … to)` of equal numbers: nearly always one group. Two heads with the same
 * 53-bit number would share a run; they are split apart here (rare: a Map by head).
 */
function rekeyRun(
  idOf: (item: number) => string,
  us: Float64Array,
  wholes: Float64Array,
  heads: Int32Array,
  order: Int32Array,
  from: number,
  to: number,
  mixed: Int32Array,
  inMixed: number,
  salt: Salt,
): number {
  const first = order[from] as number;
  let oneHead = true;
  for (let j = from + 1; j < to && oneHead; j++) {
    const i = order[j] as number;
    for (let x = 0; x < 5; x++) if (heads[5 * i + x] !== heads[5 * first + x]) oneHead = false;
  }
  if (oneHead) return rekeyGroup(idOf, us, wholes, heads, order, from, to, mixed, inMixed, salt);
  const byHead = new Map<string, number[]>();
  for (let j = from; j < to; j++) {
    const i = order[j] as number;
    const key = Array.from(heads.subarray(5 * i, 5 * i + 5)).join();
    const members = byHead.get(key);
    if (members === undefined) byHead.set(key, [i]);
    else members.push(i);
  }
  for (const members of byHead.values()) {
    inMixed = rekeyGroup(idOf, us, wholes, heads, members, 0, members.length, mixed, inMixed, salt);
  }
  return inMixed;
}

/**
 * One group, `members[from … to)` in input order: a pure group's r-th member gets
 * `headUniform(head, r)`; a mixed group's members are appended to `mixed`. Mixed when an id
 * differs from the first: told by the whole-id hash, and by comparing the ids where the hashes
 * are equal (a repeated id).
 */
function rekeyGroup(
  idOf: (item: number) => string,
  us: Float64Array,
  wholes: Float64Array,
  heads: Int32Array,
  members: ArrayLike<number>,
  from: number,
  to: number,
  mixed: Int32Array,
  inMixed: number,
  salt: Salt,
): number {
  const lead = members[from] as number;
  const leadId = idOf(lead);
  let pure = true;
  for (let j = from + 1; j < to && pure; j++) {
    const i = members[j] as number;
    if (wholes[i] !== wholes[lead] || idOf(i) !== leadId) pure = false;
  }
  if (!pure) {
    for (let j = from; j < to; j++) mixed[inMixed++] = members[j] as number;
    return inMixed;
  }
  const h = 5 * lead;
  for (let j = from + 1; j < to; j++) {
    us[members[j] as number] = headUniform(
      heads[h] as number,
      heads[h + 1] as number,
      heads[h + 2] as number,
      heads[h + 3] as number,
      heads[h + 4] as number,
      j - from,
      salt.s0,
      salt.s1,
      salt.s2,
    );
  }
  return inMixed;
}

/**
 * The members of mixed groups, `order[0 … count)`, sorted by the hash of their whole id (each
 * id a run, in input order): the r-th entry of an id gets `keyedUniform(id, r)`. Two ids with
 * the same 53-bit hash would share a run; their entries are counted apart by comparing ids.
 */
function rekeyMixed(
  idOf: (item: number) => string,
  us: Float64Array,
  wholes: Float64Array,
  order: Int32Array,
  count: number,
  { t0, t1, t2 }: Salt,
): void {
  for (let j = 0; j < count; ) {
    const first = order[j] as number;
    const v = wholes[first] as number;
    let end = j + 1;
    while (end < count && wholes[order[end] as number] === v) end++;
    us[first] = v;
    if (end - j > 1) {
      // A repeated id (or, 2^-53 rarely, two ids with one hash): count each id's entries.
      const seen = new Map<string, number>();
      for (let x = j; x < end; x++) {
        const i = order[x] as number;
        const id = idOf(i);
        const r = seen.get(id) ?? 0;
        seen.set(id, r + 1);
        us[i] = r === 0 ? v : keyedUniform(id, r, t0, t1, t2);
      }
    }
    j = end;
  }
}

/** The k best entries by number `us[i]` (0: weight 0) and weight `ws[i]`, best first. */
function bestOf(entries: readonly Sampleable[], us: Float64Array, ws: Float64Array, k: number): number[] {
  const heap = new TopK(k, (a, b) => isBefore(entries, a, b));
  offerAll(heap, us, ws);
  return heap.drain();
}

function offerAll(heap: TopK, us: Float64Array, ws: Float64Array): void {
  for (let i = 0; i < us.length; i++) {
    const u = us[i] as number;
    if (u !== 0) heap.consider(u, ws[i] as number, i);
  }
}

// ---------------------------------------------------------------------------------------
// Groups

/**
 * Re-keys every group with more than one member, in `us`: `order[0 … count)` lists the items
 * sorted by number (see {@link sortBy}), so each group is a run with its members in input
 * order. A pure group's r-th member gets `headUniform(head, r)`; the members of mixed groups
 * are listed in `mixed`, sorted by the hash of their whole id (each id a run, in input
 * order), and the r-th entry of each id gets `keyedUniform(id, r)`. `order` and `ends` are
 * reused for the second sort.
 */
function rekeyGroups(
  idOf: (item: number) => string,
  us: Float64Array,
  wholes: Float64Array,
  heads: Int32Array,
  order: Int32Array,
  count: number,
  mixed: Int32Array,
  ends: Int32Array,
  salt: Salt,
): void {
  const inMixed = rekeyHeadGroups(idOf, us, wholes, heads, order, count, mixed, salt);
  if (inMixed === 0) return;
  sortBy(wholes, mixed, inMixed, order, ends);
  rekeyMixed(idOf, us, wholes, order, inMixed, salt);
}

/**
 * The bucket route's candidates (entry indices; within each group, in input order): each
 * shares its number with another, or now and then only its fingerprint. Returns their numbers
 * as the only members of their groups (`values`) and as keyed-uniform.ts defines them
 * (`fresh`), worked out by {@link rekeyGroups} on small arrays of their own.
 */
function rekeyCandidates(
  entries: readonly Sampleable[],
  candidates: readonly number[],
  salt: Salt,
): { values: Float64Array; fresh: Float64Array } {
  const m = candidates.length;
  const us = new Float64Array(m);
  const wholes = new Float64Array(m);
  const heads = new Int32Array(5 * m);
  const list = new Int32Array(m);
  const idOf = (j: number) => (entries[candidates[j] as number] as Sampleable).sectionId;
  for (let j = 0; j < m; j++) {
    const id = idOf(j);
    us[j] = headUniformOf(id, 0, salt);
    wholes[j] = keyedUniform(id, 0, salt.t0, salt.t1, salt.t2);
    readHead(id, heads, 5 * j);
    list[j] = j;
  }
  const order = new Int32Array(m);
  const ends = new Int32Array(topsFor(m) + 1);
  sortBy(us, list, m, order, ends);
  const values = us.slice();
  rekeyGroups(idOf, us, wholes, heads, order, m, new Int32Array(m), ends, salt);
  return { values, fresh: us };
}

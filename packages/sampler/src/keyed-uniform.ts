/**
 * The random number `u` of every entry in a seeded draw: a keyed hash of what the entry *is*,
 * never of where it sits in the input, so the draw needs no sort and an entry's number does
 * not change when other entries come or go.
 *
 * Definition. For a safe-integer seed `s`, let `(sLo, sHi)` be the two 32-bit halves of `s`
 * in two's complement; the *rank key* for rank `r` is `K(r) = XXH32(LE32(sLo) ‖ LE32(sHi),
 * seed = r)`. For an entry with weight > 0, section id `id` and `addedAt` at `t` epoch ms,
 * let `T = floor(t)` and `(tLo, tHi)` its halves, and `M = LE32(tLo) ‖ LE32(tHi) ‖ UTF-16LE(id)`.
 * Then
 *
 *     h = XXH32(M, K(r)),  u = (h + ½) / 2^32
 *
 * — never 0 or 1, so `ln(u)` is finite. `r` (the entry's *rank*) is 0 unless several
 * entries with weight > 0 share both `id` and `T`; those are ranked by (`t`, weight, input
 * position) and the r-th gets `r`. Since the rank only depends on entries with the same id
 * and time, adding an entry changes no other entry's `u` unless it has exactly the same id
 * and whole-millisecond time as it.
 *
 * 32 bits are plenty for Efraimidis–Spirakis: they set each entry's key to within 2^-32 of
 * its exact value, and two entries get the same `u` with probability 2^-32 (equal keys go
 * to the entry earlier in the stable order).
 *
 * XXH32 is in xxh32.ts (one implementation, tested against the published vectors).
 *
 * @internal
 * @module
 */

import type { Rows } from "./rows.js";
import { xxh32, xxh32Hex } from "./xxh32.js";

const TWO_POW_32 = 4_294_967_296;
const TWO_POW_M32 = 1 / TWO_POW_32;

/** The rank keys K(r) of one seed, worked out once per rank a call meets. */
export class RankKeys {
  private readonly lo: number;
  private readonly hi: number;
  private readonly keys: number[] = [];

  constructor(seed: number) {
    this.lo = seed >>> 0;
    this.hi = Math.floor(seed / TWO_POW_32) | 0;
  }

  /** K(rank). */
  of(rank: number): number {
    let key = this.keys[rank];
    if (key === undefined) {
      key = xxh32(this.lo, this.hi, "", rank);
      this.keys[rank] = key;
    }
    return key;
  }
}

// The hot loops hash through these with every argument a 32-bit integer: V8 passes those to
// a call it does not inline without boxing them, where a double (a time) or a uint32 above
// 2^31 (an id word) becomes a heap number — tens of MB of garbage per million entries.

/** The low word of an entry's time in the message: whole milliseconds of `t`, low 32 bits (as int32). */
export function timeLo(t: number): number {
  return Math.floor(t) | 0;
}

/** The high word of an entry's time in the message: whole milliseconds of `t`, high 32 bits (as int32). */
export function timeHi(t: number): number {
  return Math.floor(Math.floor(t) / TWO_POW_32) | 0;
}

/** XXH32 of an entry's message M (see the module comment) under rank key `key`. */
export function entryHash(sectionId: string, t: number, key: number): number {
  return xxh32(timeLo(t), timeHi(t), sectionId, key);
}

/**
 * {@link entryHash} of an entry whose id is 16 lowercase hex digits given as two words
 * (digits 0–7 in `hi`, 8–15 in `lo`, as int32: `word | 0`), at time words {@link timeLo} /
 * {@link timeHi}.
 */
export function entryHashHex(tLo: number, tHi: number, hi: number, lo: number, key: number): number {
  return xxh32Hex(tLo, tHi, hi, lo, key);
}

/** u from an entry's hash h (a 32-bit integer, signed or not). */
export function uniformOf(h: number): number {
  return ((h >>> 0) + 0.5) * TWO_POW_M32;
}

/** Buckets of the duplicate search: entries by the top 8 bits of their hash. */
export const BUCKETS = 256;

/**
 * Finds the entries that share an id and a whole-millisecond time with another (they share
 * `hashes[i]`, their hash at rank 0), ranks each such group, and rewrites `hashes[i]` to the
 * hash at the entry's rank. Usually there are none, and nothing is rewritten.
 *
 * Equal hashes are found without a sort or a table the size of the input: a counting sort
 * on the top 8 bits (`counts`, filled while hashing) puts the hashes into 256 buckets, and
 * each bucket (1/256 of the entries) is searched with a small open-addressing table; both
 * the bucket and the table stay in the processor's cache.
 *
 * @param weights entry i's weight; only entries with weight > 0 take part
 * @param counts `counts[b + 1]` = how many entries with weight > 0 have hash bucket b
 * @returns whether a hash was rewritten (some entries share an id and a time)
 */
export function numberDuplicates(rows: Rows, weights: Float64Array, hashes: Int32Array, counts: Int32Array, keys: RankKeys): boolean {
  const n = weights.length;
  const starts = counts;
  for (let b = 0; b < BUCKETS; b++) starts[b + 1] = (starts[b + 1] as number) + (starts[b] as number);
  const positives = starts[BUCKETS] as number;
  // (hash, entry index) pairs in bucket order: one write stream per bucket.
  const pairs = new Int32Array(2 * positives);
  const next = starts.slice(0, BUCKETS);
  for (let i = 0; i < n; i++) {
    if ((weights[i] as number) > 0) {
      const h = hashes[i] as number;
      const b = h >>> 24;
      const at = next[b] as number;
      next[b] = at + 1;
      pairs[2 * at] = h;
      pairs[2 * at + 1] = i;
    }
  }
  // Entries whose hash equals an earlier entry's, by that earlier entry's index.
  let clusters: Map<number, number[]> | undefined;
  let table = new Int32Array(16);
  for (let b = 0; b < BUCKETS; b++) {
    const first = starts[b] as number;
    const end = starts[b + 1] as number;
    if (end - first < 2) continue;
    let size = 16;
    while (size < 2 * (end - first)) size *= 2;
    if (table.length < size) table = new Int32Array(size);
    else table.fill(0, 0, size);
    const mask = size - 1;
    for (let p = first; p < end; p++) {
      const h = pairs[2 * p] as number;
      for (let s = h & mask; ; s = (s + 1) & mask) {
        const held = table[s] as number; // pair position + 1; 0 = empty
        if (held === 0) {
          table[s] = p + 1;
          break;
        }
        if (pairs[2 * held - 2] === h) {
          const earlier = pairs[2 * held - 1] as number;
          const later = pairs[2 * p + 1] as number;
          clusters ??= new Map();
          const seen = clusters.get(earlier);
          if (seen === undefined) clusters.set(earlier, [later]);
          else seen.push(later);
          break;
        }
      }
    }
  }
  if (clusters === undefined) return false;
  let rewrote = false;

  for (const [first, later] of clusters) {
    // Equal hashes nearly always mean the same id and time; split off the rare collisions.
    const groups: number[][] = [];
    for (const i of [first, ...later]) {
      const id = rows.id(i);
      const ms = Math.floor(rows.time(i));
      const group = groups.find((g) => rows.id(g[0] as number) === id && Math.floor(rows.time(g[0] as number)) === ms);
      if (group === undefined) groups.push([i]);
      else group.push(i);
    }
    for (const group of groups) {
      if (group.length < 2) continue;
      group.sort((a, b) => rows.time(a) - rows.time(b) || (weights[a] as number) - (weights[b] as number) || a - b);
      rewrote = true;
      for (let r = 1; r < group.length; r++) {
        const i = group[r] as number;
        hashes[i] = entryHash(rows.id(i), rows.time(i), keys.of(r));
      }
    }
  }
  return rewrote;
}

/**
 * The per-entry random numbers of the seeded path. Each entry's uniform is a keyed hash of
 * (salt, sectionId, occurrence), where the salt comes from the seed and the occurrence is
 * the entry's rank among earlier entries with the same section id. The number an entry
 * gets therefore depends on the seed and on the entry, never on where it sits in the
 * input, and no sort is needed to make the draw order-independent.
 *
 * The hash runs two 32-bit multiply-xorshift lanes (64 bits of state, 53 of them used) over
 * the id's UTF-16 code units, two units per 32-bit word, and ends in MurmurHash3's
 * finaliser. It is not cryptographic; it only has to look uniform and independent across
 * ids, occurrences and seeds, which the statistical tests check.
 *
 * @internal
 * @module
 */

import { xoroshiro128plusFromState } from "pure-rand/generator/xoroshiro128plus";

/** Multipliers of the two lanes (odd, so each step is a bijection). */
export const KEY_M1 = 0x9e3779b1 | 0;
export const KEY_M2 = 0x85ebca77 | 0;
const KEY_M3 = 0xc2b2ae3d | 0;
export const TWO_POW_27 = 134_217_728;
export const TWO_POW_M53 = 1 / 9_007_199_254_740_992;

/** The three 32-bit words that key the hash for one seed. */
export interface Salt {
  readonly s0: number;
  readonly s1: number;
  readonly s2: number;
}

/** MurmurHash3's 32-bit finaliser: a bijection with full avalanche. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * The salt for `seed` (a safe integer), drawn from a pure-rand xoroshiro128+ generator.
 *
 * Small seeds give xoroshiro128+ a low-entropy start (its first outputs are nearly the same
 * for every small seed), so the seed's two 32-bit halves are spread over the whole 128-bit
 * state through a bijective mixer, and the generator jumps 2^64 steps before it is read.
 * Distinct safe integers give distinct states.
 */
export function saltOf(seed: number): Salt {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 4_294_967_296) | 0;
  const rng = xoroshiro128plusFromState([
    fmix32(lo ^ 0x9e3779b9),
    fmix32(hi ^ 0x7f4a7c15),
    fmix32(lo ^ 0x6a09e667) ^ fmix32(hi ^ 0xbb67ae85),
    fmix32(hi ^ 0x3c6ef372) ^ 0x5be0cd19,
  ]);
  rng.jump();
  return { s0: rng.next(), s1: rng.next(), s2: rng.next() };
}

/**
 * A uniform number in (0, 1) — never 0, never 1 — for the `occurrence`-th entry with section
 * id `id` under the salt (s0, s1, s2). 53 bits: 26 from one lane, 27 from the other, plus half
 * a step so that `Math.log` of it is always finite.
 *
 * Reading the id's code units is most of the cost, so the body is kept to one multiply per
 * 32-bit word; the two lanes feed each other after every four units, and the MurmurHash3
 * finaliser at the end gives every input bit a say in every output bit.
 *
 * The seeded loop in draw-seeded.ts carries an inlined copy of the `occurrence = 0` case;
 * change both together.
 */
export function keyedUniform(id: string, occurrence: number, s0: number, s1: number, s2: number): number {
  let h1 = s0;
  let h2 = s1;
  const n = id.length;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    h1 = Math.imul(h1 ^ (id.charCodeAt(i) | (id.charCodeAt(i + 1) << 16)), KEY_M1);
    h2 = Math.imul(h2 ^ (id.charCodeAt(i + 2) | (id.charCodeAt(i + 3) << 16)), KEY_M2);
    h1 ^= h2 >>> 15;
    h2 ^= h1 >>> 13;
  }
  for (; i < n; i++) {
    h1 = Math.imul(h1 ^ id.charCodeAt(i), KEY_M1);
    h2 ^= h1 >>> 15;
  }
  if (occurrence !== 0) {
    // A repeated id takes one more round, keyed by its occurrence and the third salt word.
    h1 = Math.imul(h1 ^ occurrence, KEY_M1);
    h2 = Math.imul(h2 ^ s2, KEY_M3);
    h1 ^= h2 >>> 15;
    h2 ^= h1 >>> 13;
  }
  h2 ^= n;
  h1 = fmix32((h1 + h2) | 0);
  h2 = fmix32(h2 ^ h1);
  return ((h1 >>> 6) * TWO_POW_27 + (h2 >>> 5) + 0.5) * TWO_POW_M53;
}

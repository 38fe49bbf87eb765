/**
 * The per-entry random numbers of the seeded path. Every entry with weight > 0 gets a
 * uniform that is a keyed hash of what the entry *is* — never of where it sits in the input —
 * so no sort is needed to make the draw order-independent.
 *
 * Reading an id's characters is most of the cost of `sample` (about 1 ns a UTF-16 unit), so
 * most entries are keyed by their id's **head**, its first 8 UTF-16 units (the whole id when
 * it is shorter). Store ids are 16 hex digits, so the head carries 32 random bits and almost
 * every head is unique. Entries that share a head form a *group*:
 * - **pure** group (every member has the same id; this includes every single-member
 *   group): the member that is r-th in input order gets `headUniform(head, r)`;
 * - **mixed** group (two or more distinct ids share the head): every member gets
 *   `keyedUniform(id, r)` — a hash of the whole id — where r counts the earlier members with
 *   the same id.
 * The two hashes run under different key words (`s*` and `t*` of {@link Salt}), so every entry
 * gets its own, independent number whatever its group, and the group an entry falls in
 * depends only on the entries, not on their order.
 *
 * Both hashes run two 32-bit multiply-xorshift lanes (64 bits of state, 53 of them used) and
 * end in MurmurHash3's finaliser. They are not cryptographic; they only have to look uniform
 * and independent across ids, occurrences and seeds, which the statistical tests check.
 *
 * @internal
 * @module
 */

import { xoroshiro128plusFromState } from "pure-rand/generator/xoroshiro128plus";

/** Multipliers of the two lanes (odd, so each step is a bijection). */
export const KEY_M1 = 0x9e3779b1 | 0;
export const KEY_M2 = 0x85ebca77 | 0;
export const KEY_M3 = 0xc2b2ae3d | 0;
export const TWO_POW_27 = 134_217_728;
export const TWO_POW_M53 = 1 / 9_007_199_254_740_992;

/**
 * Head words are two UTF-16 units each, the first in the high half, with the sign bit flipped:
 * signed comparison of the words then orders heads as JavaScript's `<` orders the strings.
 */
export const WORD_BIAS = -2_147_483_648;

/** Units in a head. */
export const HEAD_UNITS = 8;

/** The six 32-bit words that key both hashes for one seed. */
export interface Salt {
  /** Keys of {@link headUniform}. */
  readonly s0: number;
  readonly s1: number;
  readonly s2: number;
  /** Keys of {@link keyedUniform}. */
  readonly t0: number;
  readonly t1: number;
  readonly t2: number;
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
  return { s0: rng.next(), s1: rng.next(), s2: rng.next(), t0: rng.next(), t1: rng.next(), t2: rng.next() };
}

/**
 * Head word `j` (0–3) of `id`: units 2j and 2j + 1 (0 past the end or past the head), biased
 * (see {@link WORD_BIAS}). The seeded loops compute the words of ids of 8 or more units inline.
 */
export function headWord(id: string, j: number): number {
  const n = id.length < HEAD_UNITS ? id.length : HEAD_UNITS;
  const a = 2 * j < n ? id.charCodeAt(2 * j) : 0;
  const b = 2 * j + 1 < n ? id.charCodeAt(2 * j + 1) : 0;
  return ((a << 16) | b) ^ WORD_BIAS;
}

/**
 * Writes the head of `id` into `out` from `at` on: its four words (see {@link headWord}) in
 * `out[at … at + 3]` and its length in units in `out[at + 4]`.
 */
export function readHead(id: string, out: Int32Array, at: number): void {
  if (id.length >= HEAD_UNITS) {
    out[at] = ((id.charCodeAt(0) << 16) | id.charCodeAt(1)) ^ WORD_BIAS;
    out[at + 1] = ((id.charCodeAt(2) << 16) | id.charCodeAt(3)) ^ WORD_BIAS;
    out[at + 2] = ((id.charCodeAt(4) << 16) | id.charCodeAt(5)) ^ WORD_BIAS;
    out[at + 3] = ((id.charCodeAt(6) << 16) | id.charCodeAt(7)) ^ WORD_BIAS;
    out[at + 4] = HEAD_UNITS;
  } else {
    for (let j = 0; j < 4; j++) out[at + j] = headWord(id, j);
    out[at + 4] = id.length;
  }
}

/** Units in the head of `id`: `min(id.length, 8)`. */
export function headLength(id: string): number {
  return id.length < HEAD_UNITS ? id.length : HEAD_UNITS;
}

/**
 * A uniform number in (0, 1) — never 0, never 1 — for the member that is `occurrence`-th (in
 * input order) of a pure group whose head has words `w0`–`w3` and `hl` units, under the salt
 * words (s0, s1, s2). 53 bits: 26 from one lane, 27 from the other, plus half a step so that
 * `Math.log` of it is always finite.
 *
 * The seeded loops in draw-seeded.ts carry inlined copies of the `occurrence = 0` case;
 * change them together (the tests compare them).
 */
export function headUniform(
  w0: number,
  w1: number,
  w2: number,
  w3: number,
  hl: number,
  occurrence: number,
  s0: number,
  s1: number,
  s2: number,
): number {
  let h1 = Math.imul(s0 ^ w0, KEY_M1);
  let h2 = Math.imul(s1 ^ w1, KEY_M2);
  h1 ^= h2 >>> 15;
  h2 ^= h1 >>> 13;
  h1 = Math.imul(h1 ^ w2, KEY_M1);
  h2 = Math.imul(h2 ^ w3, KEY_M2);
  h1 ^= h2 >>> 15;
  h2 ^= h1 >>> 13;
  if (occurrence !== 0) {
    // A later member of a pure group takes one more round, keyed by its occurrence and s2.
    h1 = Math.imul(h1 ^ occurrence, KEY_M1);
    h2 = Math.imul(h2 ^ s2, KEY_M3);
    h1 ^= h2 >>> 15;
    h2 ^= h1 >>> 13;
  }
  h2 ^= hl;
  h1 = fmix32((h1 + h2) | 0);
  h2 = fmix32(h2 ^ h1);
  return ((h1 >>> 6) * TWO_POW_27 + (h2 >>> 5) + 0.5) * TWO_POW_M53;
}

/** {@link headUniform} of `id`'s head. */
export function headUniformOf(id: string, occurrence: number, salt: Salt): number {
  return headUniform(
    headWord(id, 0),
    headWord(id, 1),
    headWord(id, 2),
    headWord(id, 3),
    headLength(id),
    occurrence,
    salt.s0,
    salt.s1,
    salt.s2,
  );
}

/**
 * A uniform number in (0, 1) for the `occurrence`-th entry (in input order) with section id
 * `id` in a mixed group, under the salt words (t0, t1, t2): a hash of the whole id.
 *
 * The body is kept to one multiply per 32-bit word (two units); the two lanes feed each other
 * after every four units, and the MurmurHash3 finaliser at the end gives every input bit a
 * say in every output bit.
 */
export function keyedUniform(id: string, occurrence: number, t0: number, t1: number, t2: number): number {
  let h1 = t0;
  let h2 = t1;
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
    h2 = Math.imul(h2 ^ t2, KEY_M3);
    h1 ^= h2 >>> 15;
    h2 ^= h1 >>> 13;
  }
  h2 ^= n;
  h1 = fmix32((h1 + h2) | 0);
  h2 = fmix32(h2 ^ h1);
  return ((h1 >>> 6) * TWO_POW_27 + (h2 >>> 5) + 0.5) * TWO_POW_M53;
}

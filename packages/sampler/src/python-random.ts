/**
 * CPython's `random.Random(seed).random()` for an integer seed, on pure-rand's MT19937.
 *
 * dlm seeds its replay draw with `random.Random(run_seed + adapter_version)`; a replaykit
 * draw that is to give dlm's picks must consume that very stream. CPython's generator is
 * MT19937, which pure-rand implements; what pure-rand lacks is CPython's *seeding*: CPython
 * does not call `init_genrand(seed)` (pure-rand's `mersenne(seed)`) but `init_by_array` over
 * the 32-bit words of `abs(seed)`, least significant first (`[0]` for 0), so seeds of any
 * size count. This module computes that 624-word state and hands it to pure-rand's
 * `mersenneFromState`, which does the rest: the twists and the tempering of every output.
 * Each double is CPython's `genrand_res53`: `((a >>> 5) · 2^26 + (b >>> 6)) / 2^53` from two
 * outputs a, b.
 *
 * pure-rand keeps its state twisted one generation ahead of what `init_by_array` leaves
 * (it twists each word lazily, right after tempering it), so the state handed over is
 * advanced by 624 outputs first: exactly the twist CPython performs before its first output.
 *
 * @module
 */

import { mersenneFromState } from "pure-rand/generator/mersenne";
import { skipN } from "pure-rand/utils/skipN";
import { describeValue as describe } from "@replaykit/errors";
import { SamplerError } from "./errors.js";

/** MT19937's state size in 32-bit words. */
const N = 624;
const TWO_POW_26 = 67_108_864;
const TWO_POW_M53 = 1 / 9_007_199_254_740_992;

/**
 * CPython's `random.Random(seed).random()` stream: every call returns the next double in
 * [0, 1), bit for bit what CPython 3 returns for the same integer seed — of any size
 * (give a `bigint` beyond 2^53), negative ones included (CPython seeds with `abs(seed)`).
 * MT19937 from pure-rand (`pure-rand/generator/mersenne`), seeded as CPython seeds an
 * integer (`init_by_array` over the seed's 32-bit words).
 *
 * Setting up a stream costs about two thousand generator steps (the seeding and the first
 * twist); each call then costs two.
 *
 * @example
 * ```ts
 * const random = pythonRandom(42);
 * random(); // 0.6394267984578837, as Python's random.Random(42).random()
 * ```
 * @throws {SamplerError} when `seed` is neither a safe integer nor a bigint (a fraction, NaN,
 *   ±Infinity, a number beyond 2^53 − 1 that cannot be told from its neighbours: give a
 *   bigint, or another type).
 */
export function pythonRandom(seed: number | bigint): () => number {
  const rng = mersenneFromState([0, ...initByArray(seedWords(seed))]);
  skipN(rng, N);
  return () => {
    const a = rng.next() >>> 5;
    const b = rng.next() >>> 6;
    return (a * TWO_POW_26 + b) * TWO_POW_M53;
  };
}

/**
 * The 32-bit words of `abs(seed)`, least significant first; `[0]` for 0 — the key CPython's
 * `random_seed` gives `init_by_array` for an integer.
 *
 * @internal
 * @throws {SamplerError} for a seed that is not a safe integer or a bigint.
 */
export function seedWords(seed: unknown): number[] {
  let rest: bigint;
  if (typeof seed === "bigint") rest = seed;
  else if (typeof seed === "number" && Number.isSafeInteger(seed)) rest = BigInt(seed);
  else {
    const hint = typeof seed === "number" && Number.isInteger(seed) ? " (beyond 2^53 − 1 a number is not exact: give a bigint)" : "";
    throw new SamplerError(`seed must be a safe integer or a bigint, got ${describe(seed)}${hint}`);
  }
  if (rest < 0n) rest = -rest;
  const words: number[] = [];
  do {
    words.push(Number(rest & 0xffff_ffffn));
    rest >>= 32n;
  } while (rest > 0n);
  return words;
}

/**
 * MT19937's `init_by_array(key)` (Matsumoto and Nishimura's reference seeding, which CPython
 * uses): the 624 state words it leaves, before the first twist, as int32 values.
 *
 * @internal
 */
export function initByArray(key: readonly number[]): number[] {
  const mt = initGenrand(19_650_218);
  let i = 1;
  let j = 0;
  for (let k = Math.max(N, key.length); k > 0; k--) {
    const prev = mt[i - 1] as number;
    mt[i] = ((mt[i] as number) ^ Math.imul(prev ^ (prev >>> 30), 1_664_525)) + (key[j] as number) + j;
    mt[i] = (mt[i] as number) | 0;
    i++;
    j++;
    if (i >= N) {
      mt[0] = mt[N - 1] as number;
      i = 1;
    }
    if (j >= key.length) j = 0;
  }
  for (let k = N - 1; k > 0; k--) {
    const prev = mt[i - 1] as number;
    mt[i] = (((mt[i] as number) ^ Math.imul(prev ^ (prev >>> 30), 1_566_083_941)) - i) | 0;
    i++;
    if (i >= N) {
      mt[0] = mt[N - 1] as number;
      i = 1;
    }
  }
  mt[0] = 0x8000_0000 | 0; // the most significant bit set: the state is never all zero
  return mt;
}

/** MT19937's `init_genrand(s)`: the state words (int32) before `init_by_array` mixes the key in. */
function initGenrand(s: number): number[] {
  const mt = new Array<number>(N);
  mt[0] = s | 0;
  for (let i = 1; i < N; i++) {
    const prev = mt[i - 1] as number;
    mt[i] = (Math.imul(1_812_433_253, prev ^ (prev >>> 30)) + i) | 0;
  }
  return mt;
}

// The seeded draw's random numbers, computed the slow, plain way from their definition
// (README, "How a seeded draw picks"; src/keyed-uniform.ts), with the byte-by-byte XXH32 of
// xxh32-reference.ts: tests compare `sample` against it.
import type { Sampleable } from "../src/index.js";
import { messageBytes, xxh32Bytes } from "./xxh32-reference.js";

/** The two 32-bit halves (low, high) of an integer in two's complement, as unsigned numbers. */
function halves(x: number): [number, number] {
  const bits = BigInt.asUintN(64, BigInt(x));
  return [Number(bits & 0xffffffffn), Number(bits >> 32n)];
}

const timeOf = (e: Sampleable) => (typeof e.addedAt === "number" ? e.addedAt : e.addedAt.getTime());

/**
 * u of every entry under `seed`; `weights[i]` is entry i's weight (entries with weight 0 get
 * no number: 0 here).
 */
export function uniformsByDefinition(entries: readonly Sampleable[], weights: readonly number[], seed: number): number[] {
  const [sLo, sHi] = halves(seed);
  const rankKey = (rank: number) => xxh32Bytes(messageBytes(sLo, sHi, ""), rank);
  // Rank: among entries with weight > 0 and the same id and whole millisecond, by (t, weight, position).
  const groups = new Map<string, number[]>();
  entries.forEach((e, i) => {
    if (!((weights[i] as number) > 0)) return;
    const key = `${Math.floor(timeOf(e))}|${e.sectionId}`;
    const members = groups.get(key);
    if (members === undefined) groups.set(key, [i]);
    else members.push(i);
  });
  const rank = new Map<number, number>();
  for (const members of groups.values()) {
    members
      .slice()
      .sort((a, b) => timeOf(entries[a] as Sampleable) - timeOf(entries[b] as Sampleable) || (weights[a] as number) - (weights[b] as number) || a - b)
      .forEach((i, r) => {
        rank.set(i, r);
      });
  }
  return entries.map((e, i) => {
    const r = rank.get(i);
    if (r === undefined) return 0;
    const [tLo, tHi] = halves(Math.floor(timeOf(e)));
    return (xxh32Bytes(messageBytes(tLo, tHi, e.sectionId), rankKey(r)) + 0.5) / 2 ** 32;
  });
}

// The seeded draw against its definition (restated slowly in definition.ts): `sample` must
// pick the k largest ln(u) / w with u exactly as defined, in any input order.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { recencyWeight, sample, type Scheme } from "../src/index.js";
import { uniformsByDefinition } from "./definition.js";
import { bySectionId, DAY, entry, type Entry, hexId, mulberry32, NOW, shuffle, tags } from "./helpers.js";

/** What `sample(entries, { k, now: NOW, seed, scheme })` must return, computed from the definition. */
function expectedPicks(entries: readonly Entry[], k: number, seed: number, scheme: Scheme<Entry> = "recency"): string[] {
  const weights = entries.map((e) => {
    const base = scheme === "recency" ? recencyWeight({ ...e, weight: 1 }, NOW) : scheme === "uniform" ? 1 : scheme(e, NOW);
    return base * (e.weight ?? 1);
  });
  const positive = entries.map((_, i) => i).filter((i) => (weights[i] as number) > 0);
  const stable = (a: number, b: number) => {
    const x = (entries[a] as Entry).sectionId;
    const y = (entries[b] as Entry).sectionId;
    return x < y ? -1 : x > y ? 1 : a - b;
  };
  if (k >= positive.length) return positive.sort(stable).map((i) => (entries[i] as Entry).tag);
  const us = uniformsByDefinition(entries, weights, seed);
  const key = (i: number) => Math.log(us[i] as number) / (weights[i] as number);
  return positive
    .sort((a, b) => key(b) - key(a) || stable(a, b))
    .slice(0, k)
    .map((i) => (entries[i] as Entry).tag);
}

/** Checks `entries` as given, shuffled and sorted by id: the tags must be the definition's for each order. */
function checkAllOrders(entries: readonly Entry[], k: number, seed: number, scheme: Scheme<Entry> = "recency"): void {
  for (const input of [entries, shuffle(entries, mulberry32(seed ^ 0x5bd1)), bySectionId(entries)]) {
    expect(tags(sample(input, { k, now: NOW, seed, scheme }))).toEqual(expectedPicks(input, k, seed, scheme));
  }
}

// Ids of every kind: empty, short, odd and even lengths, 16 hex digits, shared prefixes,
// astral and lone-surrogate units, NUL units.
const ids = [
  "",
  "a",
  "ab",
  "abcdefg",
  "abcdefgh",
  "abcdefghX",
  "0123456789abcdef",
  "01234567zzzzzzzz",
  "é🙂",
  "\ud800",
  "\uffff\u0000abcdefg",
  "x".repeat(37),
  "\u0000",
  "\u0000\u0000",
];

describe("sample picks what the definition says", () => {
  test("small inputs full of repeated ids and exact duplicates, any order, every scheme", { timeout: 120_000 }, () => {
    const entryArb = fc.record({
      id: fc.constantFrom(...ids),
      age: fc.constantFrom(-5, 0, 0.5, 1, 3, 30, 400), // few ages: many entries share id and time
      weight: fc.constantFrom(undefined, 0, 0.25, 1, 3),
    });
    const schemeArb = fc.constantFrom<Scheme<Entry>>("recency", "uniform", (e) => 1 + (e.sectionId.length % 3));
    fc.assert(
      fc.property(
        fc.array(entryArb, { maxLength: 60 }).map((xs) => xs.map((x, i) => entry(x.id, x.age, x.weight, `t${i}`))),
        fc.nat(70),
        fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
        schemeArb,
        (entries, k, seed, scheme) => checkAllOrders(entries, k, seed, scheme),
      ),
      { numRuns: 300 },
    );
  });

  test("20,000 store-like ids with repeated ids and exact duplicates scattered among them", { timeout: 120_000 }, () => {
    const random = mulberry32(2024);
    const hex = (x: number) => (x >>> 0).toString(16).padStart(8, "0");
    const entries: Entry[] = [];
    for (let i = 0; i < 20_000; i++) {
      entries.push(entry(hex(random() * 2 ** 32) + hex(random() * 2 ** 32), Math.floor(random() * 400), undefined, `e${i}`));
    }
    // 40 ids seen again later (another time) and 40 exact duplicates (same id and time).
    for (let j = 0; j < 40; j++) {
      const again = entries[j * 97] as Entry;
      entries.push(entry(again.sectionId, j, undefined, `a${j}`));
      const same = entries[j * 89 + 1] as Entry;
      entries.push({ ...same, tag: `d${j}` });
    }
    const scattered = shuffle(entries, random);
    for (const seed of [0, 1]) for (const scheme of ["recency", "uniform"] as const) checkAllOrders(scattered, 500, seed, scheme);
  });

  test("many exact duplicates of a few entries, with different weights", { timeout: 60_000 }, () => {
    const entries: Entry[] = [];
    for (let i = 0; i < 600; i++) entries.push(entry(hexId(i % 7), (i % 7) * 3, [undefined, 2, 0.5][i % 3], `c${i}`));
    for (const seed of [0, 1, 2]) checkAllOrders(entries, 50, seed, "uniform");
  });

  test("epoch-ms addedAt, fractional and negative times", () => {
    const base = NOW.getTime();
    const entries = Array.from({ length: 300 }, (_, i) => {
      const e = entry(hexId(i % 120), i % 40, undefined, `e${i}`);
      if (i % 3 === 0) return { ...e, addedAt: base - (i % 40) * DAY + 0.25 * (i % 4) };
      if (i % 3 === 1) return { ...e, addedAt: -1 - (i % 5) * 1e9 };
      return e;
    });
    for (const seed of [0, -1, 2 ** 40 + 3]) checkAllOrders(entries, 50, seed, "uniform");
  });
});

describe("the uniforms", () => {
  const seqUniforms = (ids: readonly string[], seed: number) =>
    uniformsByDefinition(
      ids.map((id) => ({ sectionId: id, addedAt: NOW })),
      ids.map(() => 1),
      seed,
    );

  test("lie in (0, 1) and differ by id, rank and seed", { timeout: 60_000 }, () => {
    const seen = new Set<number>();
    for (const seed of [0, 1, 2]) {
      // Every id three times (ranks 0, 1, 2).
      const ids = Array.from({ length: 3000 }, (_, i) => hexId(Math.floor(i / 3)));
      for (const u of seqUniforms(ids, seed)) {
        expect(u > 0 && u < 1).toBe(true);
        seen.add(u);
      }
    }
    expect(seen.size).toBe(3 * 3000);
  });

  test("look uniform over consecutive ids, 64 buckets, small seeds", () => {
    for (const seed of [0, 1, 2, 3]) {
      const n = 32_000;
      const buckets = new Array<number>(64).fill(0);
      for (const u of seqUniforms(
        Array.from({ length: n }, (_, i) => hexId(i)),
        seed,
      ))
        buckets[Math.floor(u * 64)]!++;
      const chi = buckets.reduce((s, c) => s + (c - n / 64) ** 2 / (n / 64), 0);
      expect(chi).toBeLessThan(120); // 63 degrees of freedom: p ≈ 1e-5
    }
  }, 60_000);

  test("look independent: neighbouring ids, and ranks 0 and 1 of one id, on an 8 × 8 grid", () => {
    const n = 16_000;
    const pairs = [
      (() => {
        const us = seqUniforms(
          Array.from({ length: 2 * n }, (_, i) => hexId(i)),
          11,
        );
        return Array.from({ length: n }, (_, i) => [us[2 * i], us[2 * i + 1]] as [number, number]);
      })(),
      (() => {
        const us = seqUniforms(
          Array.from({ length: 2 * n }, (_, i) => hexId(Math.floor(i / 2))),
          11,
        );
        return Array.from({ length: n }, (_, i) => [us[2 * i], us[2 * i + 1]] as [number, number]);
      })(),
    ];
    for (const pair of pairs) {
      const cells = new Array<number>(64).fill(0);
      for (const [a, b] of pair) cells[Math.floor(a * 8) * 8 + Math.floor(b * 8)]!++;
      const chi = cells.reduce((s, c) => s + (c - n / 64) ** 2 / (n / 64), 0);
      expect(chi).toBeLessThan(120);
    }
  }, 60_000);
});

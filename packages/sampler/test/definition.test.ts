// The seeded path against its definition (src/keyed-uniform.ts, restated slowly in
// definition.ts): every route — one pass over sorted input, buckets, tables — must pick the
// k largest ln(u) / w with u exactly as defined.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { recencyWeight, sample, type Scheme } from "../src/index.js";
import { headUniformOf, keyedUniform, saltOf } from "../src/keyed-uniform.js";
import { uniformsByDefinition } from "./definition.js";
import { bySectionId, DAY, entry, type Entry, hexId, mulberry32, NOW, reorderKeepingTies, shuffle, tags } from "./helpers.js";

/** What `sample(entries, { k, now: NOW, seed, scheme })` must return, computed from the definition. */
function expectedPicks(entries: readonly Entry[], k: number, seed: number, scheme: Scheme = "recency"): string[] {
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
  const us = uniformsByDefinition(
    entries.map((e, i) => ((weights[i] as number) > 0 ? e.sectionId : undefined)),
    saltOf(seed),
  );
  const key = (i: number) => Math.log(us[i] as number) / (weights[i] as number);
  return positive
    .sort((a, b) => key(b) - key(a) || stable(a, b))
    .slice(0, k)
    .map((i) => (entries[i] as Entry).tag);
}

/** Checks `entries` as given, reordered (same-id entries kept in order) and sorted. */
function checkAllOrders(entries: readonly Entry[], k: number, seed: number, scheme: Scheme = "recency"): void {
  const expected = expectedPicks(entries, k, seed, scheme);
  expect(tags(sample(entries, { k, now: NOW, seed, scheme }))).toEqual(expected);
  expect(tags(sample(reorderKeepingTies(entries, mulberry32(seed ^ 0x5bd1)), { k, now: NOW, seed, scheme }))).toEqual(expected);
  expect(tags(sample(bySectionId(entries), { k, now: NOW, seed, scheme }))).toEqual(expected);
}

// Ids that share heads (first 8 units) in every way: pure groups (one id, repeated), mixed
// groups (several ids under one head), heads shorter than 8 units, exactly 8, astral and
// lone-surrogate units, and units with the high bit set (the word bias).
const ids = [
  "",
  "a",
  "ab",
  "abcdefg",
  "abcdefgh",
  "abcdefghX",
  "abcdefghY",
  "abcdefghXX",
  "abcdefgi",
  "0123456789abcdef",
  "01234567zzzzzzzz",
  "0123456",
  "é🙂",
  "\ud800",
  "\uffff\u0000abcdefg",
  "\uffff\u0000abcdefh",
  "x".repeat(37),
  `${"x".repeat(8)}y`,
  "\u0000",
  "\u0000\u0000",
];

describe("every route picks what the definition says", () => {
  test("small inputs full of shared heads, any order, every scheme", () => {
    const entryArb = fc.record({
      id: fc.constantFrom(...ids),
      age: fc.integer({ min: -5, max: 400 }),
      weight: fc.constantFrom(undefined, 0, 0.25, 1, 3),
    });
    const schemeArb = fc.constantFrom<Scheme>("recency", "uniform", (e) => 1 + (e.sectionId.length % 3));
    fc.assert(
      fc.property(
        fc.array(entryArb, { maxLength: 60 }).map((xs) => xs.map((x, i) => entry(x.id, x.age, x.weight, `t${i}`))),
        fc.nat(70),
        fc.integer(),
        schemeArb,
        (entries, k, seed, scheme) => checkAllOrders(entries, k, seed, scheme),
      ),
      { numRuns: 500 },
    );
  });

  test("buckets: 20,000 store-like ids with a few repeated heads and repeated ids scattered among them", () => {
    const random = mulberry32(2024);
    const hex = (x: number) => (x >>> 0).toString(16).padStart(8, "0");
    const entries: Entry[] = [];
    for (let i = 0; i < 20_000; i++) {
      const id = hex(random() * 2 ** 32) + hex(random() * 2 ** 32);
      entries.push(entry(id, Math.floor(random() * 400), undefined, `e${i}`));
    }
    // 40 ids that share a head with an existing id (mixed groups) and 40 exact repeats (pure).
    for (let j = 0; j < 40; j++) {
      const base = (entries[j * 97] as Entry).sectionId;
      entries.push(entry(`${base.slice(0, 8)}${hex(random() * 2 ** 32)}`, j, undefined, `m${j}`));
      entries.push(entry((entries[j * 89 + 1] as Entry).sectionId, j * 3, undefined, `p${j}`));
    }
    const scattered = reorderKeepingTies(shuffle(entries, random), random);
    for (const seed of [0, 1, 2, 3]) {
      for (const scheme of ["recency", "uniform"] as const) checkAllOrders(scattered, 500, seed, scheme);
    }
  });

  test("tables, when a bucket overflows: 3,000 ids under one head, in no order", () => {
    const random = mulberry32(7);
    const entries = Array.from({ length: 3000 }, (_, i) =>
      entry(`chapter-${String(i % 2500).padStart(4, "0")}`, i % 300, i % 13 === 0 ? 0 : undefined, `c${i}`),
    );
    const scattered = reorderKeepingTies(shuffle(entries, random), random);
    for (const seed of [0, 1, 2]) checkAllOrders(scattered, 100, seed);
  });

  test("tables, when many re-keyed entries are among the best: 1,500 heads of two ids each", () => {
    const random = mulberry32(8);
    const entries: Entry[] = [];
    for (let i = 0; i < 1500; i++) {
      const head = hexId(i * 7919).slice(8);
      entries.push(entry(`${head}a`, i % 50, undefined, `${i}a`), entry(`${head}b`, (i * 3) % 50, undefined, `${i}b`));
    }
    const scattered = shuffle(entries, random);
    for (const seed of [0, 1, 2]) checkAllOrders(scattered, 200, seed, "uniform");
  });

  test("re-keyed entries among ordinary ones: patched in place when few, tables when many", () => {
    const random = mulberry32(9);
    const hex = (x: number) => (x >>> 0).toString(16).padStart(8, "0");
    const ordinary = () =>
      Array.from({ length: 5000 }, (_, i) => entry(hex(random() * 2 ** 32) + hex(random() * 2 ** 32), i % 90, undefined, `e${i}`));
    // A few mixed pairs among many: few re-keyed entries, the heap is patched.
    // Many mixed pairs, or heavy ids repeated 60 times (every copy shares the first copy's
    // number until re-keyed, so a lucky id fills the heap): the tables take over.
    const mixedPairs = (pairs: number, weight: number) =>
      Array.from({ length: pairs }, (_, i) => {
        const head = hex(random() * 2 ** 32);
        return [entry(`${head}aaaaaaaa`, i % 90, weight, `${i}a`), entry(`${head}bbbbbbbb`, i % 70, weight, `${i}b`)];
      }).flat();
    const repeated = Array.from({ length: 10 }, (_, i) => hex(random() * 2 ** 32) + hex(i)).flatMap((id, i) =>
      Array.from({ length: 60 }, (_, c) => entry(id, (i * 7 + c) % 90, 5, `r${i}.${c}`)),
    );
    for (const extra of [mixedPairs(3, 2), mixedPairs(500, 2), repeated]) {
      const scattered = shuffle([...ordinary(), ...extra], random);
      for (const seed of [0, 1, 2, 3, 4, 5, 6, 7]) checkAllOrders(scattered, 300, seed);
    }
  });

  test("a repeated id far from its first copy, with entries of weight 0 in between", () => {
    const entries = Array.from({ length: 5000 }, (_, i) => entry(hexId(i * 2 ** 33 + i), i % 100, i % 3 === 0 ? 0 : 1, `e${i}`));
    entries.push(entry((entries[1] as Entry).sectionId, 1, 1, "late"), entry((entries[3] as Entry).sectionId, 1, 5, "late0"));
    for (const seed of [0, 1, 2, 3, 4]) checkAllOrders(entries, 300, seed, "uniform");
  });
});

describe("the uniforms", () => {
  test("lie in (0, 1) and differ by head, occurrence and seed, and the two hashes differ", () => {
    const seen = new Set<number>();
    for (const seed of [0, 1, 2]) {
      const salt = saltOf(seed);
      for (let i = 0; i < 2000; i++) {
        for (const occurrence of [0, 1, 2]) {
          for (const u of [
            headUniformOf(hexId(i * 2 ** 32), occurrence, salt),
            keyedUniform(hexId(i * 2 ** 32), occurrence, salt.t0, salt.t1, salt.t2),
          ]) {
            expect(u > 0 && u < 1).toBe(true);
            seen.add(u);
          }
        }
      }
    }
    expect(seen.size).toBe(3 * 2000 * 3 * 2);
  });

  test.each([
    ["headUniform over consecutive heads", (i: number, seed: number) => headUniformOf(i.toString(16).padStart(8, "0"), 0, saltOf(seed))],
    ["headUniform over occurrences of one head", (i: number, seed: number) => headUniformOf("0123abcd", i, saltOf(seed))],
    ["keyedUniform over consecutive ids", (i: number, seed: number) => {
      const s = saltOf(seed);
      return keyedUniform(hexId(i), 0, s.t0, s.t1, s.t2);
    }],
  ] as const)("look uniform: %s, 64 buckets, small seeds", (_, u) => {
    for (const seed of [0, 1, 2, 3]) {
      const buckets = new Array<number>(64).fill(0);
      const n = 64_000;
      for (let i = 0; i < n; i++) buckets[Math.floor(u(i, seed) * 64)]!++;
      const chi = buckets.reduce((s, c) => s + (c - n / 64) ** 2 / (n / 64), 0);
      expect(chi).toBeLessThan(120); // 63 degrees of freedom: p ≈ 1e-5
    }
  });

  test("look independent: a head's first and second occurrence, and two neighbouring heads, on an 8 × 8 grid", () => {
    const salt = saltOf(11);
    for (const pair of [
      (i: number) => [headUniformOf(i.toString(16).padStart(8, "0"), 0, salt), headUniformOf(i.toString(16).padStart(8, "0"), 1, salt)],
      (i: number) => [headUniformOf(i.toString(16).padStart(8, "0"), 0, salt), headUniformOf((i + 1).toString(16).padStart(8, "0"), 0, salt)],
    ]) {
      const cells = new Array<number>(64).fill(0);
      const n = 64_000;
      for (let i = 0; i < n; i++) {
        const [a, b] = pair(2 * i) as [number, number];
        cells[Math.floor(a * 8) * 8 + Math.floor(b * 8)]!++;
      }
      const chi = cells.reduce((s, c) => s + (c - n / 64) ** 2 / (n / 64), 0);
      expect(chi).toBeLessThan(120);
    }
  });

  test("first picks among ids that differ only after their head are proportional to weight", () => {
    // One mixed group: every id is keyed by keyedUniform of the whole id.
    const weights = [1, 2, 3, 4];
    const entries = weights.map((w, i) => entry(`chapter-${i}`, 0, w, String(i)));
    const counts = [0, 0, 0, 0];
    for (let seed = 0; seed < 20_000; seed++) {
      counts[Number((sample(entries, { k: 1, now: NOW, seed, scheme: "uniform" })[0] as Entry).tag)]!++;
    }
    const chi = counts.reduce((s, c, i) => s + (c - (20_000 * (weights[i] as number)) / 10) ** 2 / ((20_000 * (weights[i] as number)) / 10), 0);
    expect(chi).toBeLessThan(16.27); // 3 dof, p = 0.001
  });
});

test("recency weights come from addedAt whether it is a Date or epoch ms", () => {
  const entries = Array.from({ length: 300 }, (_, i) => {
    const e = entry(hexId(i * 2 ** 36), i % 40, undefined, `e${i}`);
    return i % 2 === 0 ? { ...e, addedAt: NOW.getTime() - (i % 40) * DAY } : e;
  });
  for (const seed of [0, 1]) checkAllOrders(entries, 50, seed);
});

// The result depends only on the seed and the entries, never on their order — except that
// entries sharing a section id are told apart by their order among themselves.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { recencyWeight, sample, type Scheme } from "../src/index.js";
import { keyedUniform, saltOf } from "../src/keyed-uniform.js";
import { entry, type Entry, hexId, mulberry32, NOW, reorderKeepingTies, shuffle, tags } from "./helpers.js";

const bySectionId = (xs: readonly Entry[]): Entry[] =>
  xs.slice().sort((a, b) => (a.sectionId < b.sectionId ? -1 : a.sectionId > b.sectionId ? 1 : 0));

const entryArb = fc.record({
  id: fc.constantFrom("", "a", "b", "c", "d", "e", "f", "g", "0123456789abcdef", "é🙂", "x".repeat(37)),
  age: fc.integer({ min: -5, max: 400 }),
  weight: fc.constantFrom(undefined, 0, 0.25, 1, 3),
});
const entriesArb = fc
  .array(entryArb, { maxLength: 40 })
  .map((xs) => xs.map((x, i) => entry(x.id, x.age, x.weight, `t${i}`)));
const schemeArb = fc.constantFrom<Scheme>("recency", "uniform", (e) => 1 + (e.sectionId.length % 3));

describe("order independence", () => {
  test("seeded: any reordering that keeps same-id entries in their relative order gives the same picks", () => {
    fc.assert(
      fc.property(entriesArb, fc.nat(60), fc.integer(), schemeArb, fc.nat(), (entries, k, seed, scheme, shuffleSeed) => {
        const expected = tags(sample(entries, { k, now: NOW, seed, scheme }));
        const reordered = reorderKeepingTies(entries, mulberry32(shuffleSeed));
        expect(tags(sample(reordered, { k, now: NOW, seed, scheme }))).toEqual(expected);
        // Sorted input takes the one-pass route; the answer must not change.
        expect(tags(sample(bySectionId(entries), { k, now: NOW, seed, scheme }))).toEqual(expected);
      }),
      { numRuns: 400 },
    );
  });

  test("with a caller's source: the same, given the same sequence of numbers", () => {
    fc.assert(
      fc.property(entriesArb, fc.nat(60), fc.nat(), fc.nat(), (entries, k, sourceSeed, shuffleSeed) => {
        const expected = tags(sample(entries, { k, now: NOW, random: mulberry32(sourceSeed) }));
        const reordered = reorderKeepingTies(entries, mulberry32(shuffleSeed));
        expect(tags(sample(reordered, { k, now: NOW, random: mulberry32(sourceSeed) }))).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  test("entries that differ only in input position are interchangeable: any order gives the same contents", () => {
    // Three identical copies of every entry (same id, date and weight), fully shuffled.
    const base = Array.from({ length: 60 }, (_, i) => {
      const j = i % 20;
      return entry(hexId(j), (j * 13) % 90, j % 5 === 0 ? 2 : undefined, "");
    });
    const contents = (xs: readonly Entry[]) => xs.map((x) => `${x.sectionId}@${(x.addedAt as Date).getTime()}/${x.weight}`);
    for (let seed = 0; seed < 25; seed++) {
      const expected = contents(sample(base, { k: 12, now: NOW, seed }));
      for (let s = 0; s < 4; s++) {
        expect(contents(sample(shuffle(base, mulberry32(seed * 10 + s)), { k: 12, now: NOW, seed }))).toEqual(expected);
      }
    }
  });

  test("a sorted input that turns unsorted near its end still gives the same answer", () => {
    const sorted = Array.from({ length: 500 }, (_, i) => entry(hexId(i * 3), i % 97, undefined, `s${i}`));
    const late = sorted.slice();
    [late[498], late[499]] = [late[499] as Entry, late[498] as Entry];
    for (let seed = 0; seed < 10; seed++) {
      expect(tags(sample(late, { k: 30, now: NOW, seed }))).toEqual(tags(sample(sorted, { k: 30, now: NOW, seed })));
    }
  });
});

describe("repeated section ids", () => {
  test("each entry of a repeated id gets its own random number", () => {
    // 400 entries, one id, same age: a uniform draw of 10 must not just be the first 10.
    const same = Array.from({ length: 400 }, (_, i) => entry("abc", 3, undefined, `c${i}`));
    const firsts = new Set<string>();
    for (let seed = 0; seed < 40; seed++) {
      const picked = tags(sample(same, { k: 10, now: NOW, seed }));
      expect(new Set(picked).size).toBe(10);
      firsts.add(picked[0] as string);
    }
    expect(firsts.size).toBeGreaterThan(30);
  });

  test("repeats are found in any order, including far apart and among many false alarms", () => {
    // 3,000 distinct ids, every 7th repeated 1–3 times at random places: both routes
    // (sorted one-pass, and the bit-table route) must agree.
    const random = mulberry32(77);
    const entries: Entry[] = [];
    for (let i = 0; i < 3000; i++) {
      const copies = i % 7 === 0 ? 1 + (i % 3) : 0;
      for (let c = 0; c <= copies; c++) entries.push(entry(hexId(i * 101), (i * 7 + c * 30) % 365, undefined, `${i}.${c}`));
    }
    const scattered = reorderKeepingTies(shuffle(entries, random), random);
    for (let seed = 0; seed < 8; seed++) {
      const fromScattered = tags(sample(scattered, { k: 200, now: NOW, seed, scheme: "uniform" }));
      const fromSorted = tags(sample(bySectionId(scattered), { k: 200, now: NOW, seed, scheme: "uniform" }));
      expect(fromScattered).toEqual(fromSorted);
    }
  });
});

describe("the keyed uniforms", () => {
  test("the seeded loop's inlined hash is keyedUniform(id, 0): uniform, weight 1 → picks in falling u", () => {
    const ids = ["", "a", "ab", "abc", "abcd", "abcde", "0123456789abcdef", "é🙂", "x".repeat(33), "\uffff\u0000"];
    const entries = ids.map((id) => entry(id, 1, undefined, id));
    for (const seed of [0, 1, -7, 2 ** 40]) {
      const { s0, s1, s2 } = saltOf(seed);
      const byU = ids.slice().sort((a, b) => keyedUniform(b, 0, s0, s1, s2) - keyedUniform(a, 0, s0, s1, s2));
      // Unsorted input (the array route) and sorted input (the one-pass route).
      expect(tags(sample(entries, { k: ids.length - 1, now: NOW, seed, scheme: "uniform" }))).toEqual(byU.slice(0, -1));
      const sorted = bySectionId(entries);
      expect(tags(sample(sorted, { k: ids.length - 1, now: NOW, seed, scheme: "uniform" }))).toEqual(byU.slice(0, -1));
    }
  });

  test("the seeded loop weighs as recencyWeight does: picks in falling ln(u) / w", () => {
    const entries = Array.from({ length: 40 }, (_, i) => {
      const weight = i % 4 === 0 ? 0.5 + i : undefined;
      const e = entry(hexId(i * 7), [0, 0.25, 1, 3, 30, 98, 99.5, 365, -2][i % 9] as number, weight, String(i));
      return i % 3 === 0 ? { ...e, addedAt: (e.addedAt as Date).getTime() } : e;
    });
    for (const seed of [0, 3, 99]) {
      const { s0, s1, s2 } = saltOf(seed);
      const key = (e: Entry) => Math.log(keyedUniform(e.sectionId, 0, s0, s1, s2)) / recencyWeight(e, NOW);
      const expected = entries.slice().sort((a, b) => key(b) - key(a)).slice(0, 39).map((e) => e.tag);
      expect(tags(sample(shuffle(entries, mulberry32(seed)), { k: 39, now: NOW, seed }))).toEqual(expected);
      expect(tags(sample(bySectionId(entries), { k: 39, now: NOW, seed }))).toEqual(expected);
    }
  });

  test("they lie in (0, 1) and differ by id, occurrence and seed", () => {
    const seen = new Set<number>();
    for (const seed of [0, 1, 2]) {
      const { s0, s1, s2 } = saltOf(seed);
      for (let i = 0; i < 2000; i++) {
        for (const occurrence of [0, 1, 2]) {
          const u = keyedUniform(hexId(i), occurrence, s0, s1, s2);
          expect(u > 0 && u < 1).toBe(true);
          seen.add(u);
        }
      }
    }
    expect(seen.size).toBe(3 * 2000 * 3);
  });

  test("they look uniform: 64 buckets over consecutive ids, for small seeds", () => {
    for (const seed of [0, 1, 2, 3]) {
      const { s0, s1, s2 } = saltOf(seed);
      const buckets = new Array<number>(64).fill(0);
      const n = 64_000;
      for (let i = 0; i < n; i++) buckets[Math.floor(keyedUniform(hexId(i), 0, s0, s1, s2) * 64)]!++;
      const chi = buckets.reduce((s, c) => s + (c - n / 64) ** 2 / (n / 64), 0);
      expect(chi).toBeLessThan(120); // 63 degrees of freedom: p ≈ 1e-5
    }
  });
});

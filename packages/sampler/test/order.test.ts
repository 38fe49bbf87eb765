// The result depends only on the seed and the entries, never on their order — except that
// entries sharing a section id are told apart by their order among themselves.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { sample, type Scheme } from "../src/index.js";
import { bySectionId, entry, type Entry, hexId, mulberry32, NOW, reorderKeepingTies, shuffle, tags } from "./helpers.js";

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
    // (sorted one-pass, and any order) must agree. The ids all share their first 8 digits, so
    // this is one mixed group of 3,000 ids (the any-order route overflows a bucket and uses
    // its tables).
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

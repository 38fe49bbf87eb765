// The result depends only on the seed and the entries, never on their order: entries that
// share a section id are told apart by their own fields (addedAt, weight), and only entries
// equal in all of those are interchangeable.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { sample, type Scheme } from "../src/index.js";
import { bySectionId, entry, type Entry, hexId, mulberry32, NOW, reorderKeepingTies, shuffle, tags } from "./helpers.js";

const entryArb = fc.record({
  id: fc.constantFrom("", "a", "b", "c", "d", "e", "f", "g", "0123456789abcdef", "é🙂", "x".repeat(37)),
  age: fc.integer({ min: -5, max: 400 }),
  weight: fc.constantFrom(undefined, 0, 0.25, 1, 3),
});
const entriesArb = fc.array(entryArb, { maxLength: 40 }).map((xs) => xs.map((x, i) => entry(x.id, x.age, x.weight, `t${i}`)));
const schemeArb = fc.constantFrom<Scheme>("recency", "uniform", (e) => 1 + (e.sectionId.length % 3));
/** What an entry is, leaving out the tag that tells the test's objects apart. */
const contents = (xs: readonly Entry[]) => xs.map((x) => `${x.sectionId}@${(x.addedAt as Date).getTime()}/${x.weight}`);
/**
 * The contents of a result, sorted when it is the full sweep (k covers every entry with
 * weight > 0): the sweep lists entries that share an id in input order, by contract.
 */
const picks = (xs: readonly Entry[], all: readonly Entry[], k: number) => (k >= all.filter((x) => x.weight !== 0).length ? contents(xs).sort() : contents(xs));

describe("order independence", () => {
  test("seeded: any reordering gives the same picks", { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(entriesArb, fc.nat(60), fc.integer(), schemeArb, fc.nat(), (entries, k, seed, scheme, shuffleSeed) => {
        const expected = picks(sample(entries, { k, now: NOW, seed, scheme }), entries, k);
        for (const input of [shuffle(entries, mulberry32(shuffleSeed)), bySectionId(entries), entries.slice().reverse()]) {
          expect(picks(sample(input, { k, now: NOW, seed, scheme }), entries, k)).toEqual(expected);
        }
      }),
      { numRuns: 400 },
    );
  });

  test("seeded: entries that share an id but differ in date or weight keep their picks in any order", () => {
    // One id, 30 entries of different ages and weights: which are picked must not depend on order.
    const same = Array.from({ length: 30 }, (_, i) => entry("abc", i % 10, 1 + (i % 3), `c${i}`));
    for (let seed = 0; seed < 20; seed++) {
      const expected = tags(sample(same, { k: 5, now: NOW, seed }));
      expect(tags(sample(shuffle(same, mulberry32(seed)), { k: 5, now: NOW, seed }))).toEqual(expected);
      expect(tags(sample(same.slice().reverse(), { k: 5, now: NOW, seed }))).toEqual(expected);
    }
  });

  test("with a caller's source: the same, given the same sequence of numbers, for any order that keeps same-id entries in their order", {
    timeout: 60_000,
  }, () => {
    fc.assert(
      fc.property(entriesArb, fc.nat(60), fc.nat(), fc.nat(), (entries, k, sourceSeed, shuffleSeed) => {
        const expected = sample(entries, { k, now: NOW, random: mulberry32(sourceSeed) });
        // The source's numbers go to entries in stable order (section id, then input order).
        const reordered = reorderKeepingTies(entries, mulberry32(shuffleSeed));
        expect(tags(sample(reordered, { k, now: NOW, random: mulberry32(sourceSeed) }))).toEqual(tags(expected));
      }),
      { numRuns: 300 },
    );
  });

  test("entries that differ only in input position are interchangeable: any order gives the same contents", { timeout: 60_000 }, () => {
    // Three identical copies of every entry (same id, date and weight), fully shuffled.
    const base = Array.from({ length: 60 }, (_, i) => {
      const j = i % 20;
      return entry(hexId(j), (j * 13) % 90, j % 5 === 0 ? 2 : undefined, "");
    });
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

  test("repeats are found in any order, including far apart and among many false alarms", { timeout: 60_000 }, () => {
    // 3,000 distinct ids, every 7th repeated 1–3 times (some at the same time) at random
    // places: scattered and sorted input must agree.
    const random = mulberry32(77);
    const entries: Entry[] = [];
    for (let i = 0; i < 3000; i++) {
      const copies = i % 7 === 0 ? 1 + (i % 3) : 0;
      for (let c = 0; c <= copies; c++) entries.push(entry(hexId(i * 101), (i * 7 + (c % 2) * 30) % 365, undefined, `${i}.${c}`));
    }
    const scattered = shuffle(entries, random);
    for (let seed = 0; seed < 8; seed++) {
      const fromScattered = contents(sample(scattered, { k: 200, now: NOW, seed, scheme: "uniform" }));
      const fromSorted = contents(sample(bySectionId(scattered), { k: 200, now: NOW, seed, scheme: "uniform" }));
      expect(fromScattered).toEqual(fromSorted);
    }
  });
});

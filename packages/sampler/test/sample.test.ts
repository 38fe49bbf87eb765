// sample: behaviour, boundaries, determinism and golden draws.
import { describe, expect, test, vi } from "vitest";
import { sample } from "../src/index.js";
import { bySectionId, entry, type Entry, hexId, mulberry32, NOW, tags } from "./helpers.js";

/** 50 entries, ids out of order, ages 0–245 days, a few weight-0 and weighted entries. */
function fixture(): Entry[] {
  const out: Entry[] = [];
  for (let i = 0; i < 50; i++) {
    const id = hexId((i * 2654435761) % 4096);
    out.push(entry(id, (i * 37) % 250, i % 11 === 0 ? 0 : i % 7 === 0 ? 3 : undefined, `e${i}`));
  }
  return out;
}

/** 50 entries with store-like ids (distinct first 8 digits), every 10th repeating an earlier id. */
function storeLike(): Entry[] {
  const out: Entry[] = [];
  for (let i = 0; i < 50; i++) {
    const id = ((i * 2654435761) >>> 0).toString(16).padStart(8, "0") + ((i * 40503) >>> 0).toString(16).padStart(8, "0");
    const weight = i % 11 === 0 ? 0 : i % 7 === 0 ? 3 : undefined;
    out.push(entry(i % 10 === 9 ? (out[i - 5] as Entry).sectionId : id, (i * 37) % 250, weight, `s${i}`));
  }
  return out;
}

describe("what comes back", () => {
  test("the caller's own objects, k of them, no repeats, largest key first", () => {
    const entries = fixture();
    const picked = sample(entries, { k: 10, now: NOW, seed: 1 });
    expect(picked).toHaveLength(10);
    expect(new Set(picked).size).toBe(10);
    for (const p of picked) expect(entries).toContain(p);
  });

  test("k = 0 gives [] without looking at the entries", () => {
    expect(sample([{ bad: true } as never], { k: 0, now: NOW, seed: 1 })).toEqual([]);
  });

  test("k ≥ n: every entry with weight > 0, in stable order (section id, then input order)", () => {
    const entries = [entry("b", 1, 1, "b1"), entry("a", 2), entry("b", 3, 1, "b2"), entry("c", 4, 0), entry("a", 5, 2, "a2")];
    const expected = ["a", "a2", "b1", "b2"];
    expect(tags(sample(entries, { k: 5, now: NOW, seed: 9 }))).toEqual(expected);
    expect(tags(sample(entries, { k: 1000, now: NOW, seed: 9, scheme: "uniform" }))).toEqual(expected);
    // k covers every entry with weight > 0, though not every entry: still no draw.
    expect(tags(sample(entries, { k: 4, now: NOW, seed: 9 }))).toEqual(expected);
  });

  test("the full sweep draws nothing from a caller's source", () => {
    const random = vi.fn(() => 0.5);
    const entries = [entry("b", 1), entry("a", 2), entry("c", 3, 0)];
    expect(tags(sample(entries, { k: 2, now: NOW, random }))).toEqual(["a", "b"]);
    expect(random).not.toHaveBeenCalled();
  });

  test("an empty input gives []", () => {
    expect(sample([], { k: 3, now: NOW, seed: 1 })).toEqual([]);
    expect(sample([], { k: 3, now: NOW, random: Math.random })).toEqual([]);
  });

  test("weight-0 entries are never drawn, whatever the scheme", () => {
    const entries = Array.from({ length: 40 }, (_, i) => entry(hexId(i), i, i % 2 === 0 ? 0 : 1));
    for (let seed = 0; seed < 50; seed++) {
      for (const scheme of ["recency", "uniform", () => 1] as const) {
        const picked = sample(entries, { k: 15, now: NOW, seed, scheme });
        expect(picked).toHaveLength(15);
        expect(picked.every((p) => p.weight === 1)).toBe(true);
      }
    }
  });

  test("a scheme returning 0 excludes an entry too", () => {
    const entries = [entry("a", 1), entry("b", 1), entry("c", 1)];
    const picked = sample(entries, { k: 2, now: NOW, seed: 3, scheme: (e) => (e.sectionId === "b" ? 0 : 1) });
    expect(tags(picked)).toEqual(["a", "c"]); // k covers what is left: stable order
  });

  test("scheme functions get the entry and now, and their weight is multiplied by entry.weight", () => {
    const seen: Array<[string, number]> = [];
    const entries = [entry("a", 1, 0), entry("b", 1, 5), entry("c", 1)];
    const picked = sample(entries, {
      k: 1,
      now: NOW,
      seed: 1,
      scheme: (e, now) => {
        seen.push([e.sectionId, now.getTime()]);
        return 1e-300; // tiny, but × 5 for b
      },
    });
    expect(seen.map(([id]) => id).sort()).toEqual(["a", "b", "c"]);
    expect(seen.every(([, t]) => t === NOW.getTime())).toBe(true);
    expect(picked).toHaveLength(1);
  });

  test("epoch-millisecond addedAt works like a Date", () => {
    const asDates = [entry("a", 1), entry("b", 50), entry("c", 300)];
    const asNumbers = asDates.map((e) => ({ ...e, addedAt: (e.addedAt as Date).getTime() }));
    for (let seed = 0; seed < 20; seed++) {
      expect(tags(sample(asNumbers, { k: 2, now: NOW, seed }))).toEqual(tags(sample(asDates, { k: 2, now: NOW, seed })));
    }
  });
});

describe("determinism", () => {
  test("same seed, same entries → same result; another seed → (almost always) another", () => {
    const entries = fixture();
    const a = tags(sample(entries, { k: 8, now: NOW, seed: 123 }));
    expect(tags(sample(entries, { k: 8, now: NOW, seed: 123 }))).toEqual(a);
    const others = new Set(Array.from({ length: 20 }, (_, s) => tags(sample(entries, { k: 8, now: NOW, seed: s })).join()));
    expect(others.size).toBeGreaterThan(15);
  });

  test("seeds are any safe integer: negative and large seeds differ from small ones", () => {
    const entries = fixture();
    const draws = [0, -1, 2 ** 32, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER].map((seed) =>
      tags(sample(entries, { k: 8, now: NOW, seed })).join(),
    );
    expect(new Set(draws).size).toBe(draws.length);
  });

  // Golden draws: a change here changes what every seeded caller gets (a breaking change).
  // `fixture` ids differ only in their last three hex digits; `storeLike` ids are 16 random hex
  // digits, a few repeated.
  test.each([
    [0, "recency", ["e42", "e28", "e7", "e12", "e34", "e1"], ["s8", "s14", "s13", "s7", "s41", "s34"]],
    [1, "recency", ["e49", "e7", "e34", "e35", "e14", "e39"], ["s42", "s9", "s14", "s34", "s25", "s21"]],
    [42, "recency", ["e7", "e14", "e49", "e43", "e32", "e35"], ["s1", "s35", "s34", "s14", "s13", "s42"]],
    [7, "uniform", ["e48", "e18", "e19", "e23", "e40", "e42"], ["s35", "s43", "s25", "s38", "s42", "s28"]],
    [2026, "uniform", ["e26", "e31", "e19", "e15", "e48", "e30"], ["s3", "s7", "s47", "s8", "s41", "s36"]],
  ] as const)("golden draw: seed %i, %s", (seed, scheme, expected, expectedStoreLike) => {
    for (const [entries, want] of [
      [fixture(), expected],
      [storeLike(), expectedStoreLike],
    ] as const) {
      expect(tags(sample(entries, { k: 6, now: NOW, seed, scheme }))).toEqual(want);
      // The same from the entries in any order.
      expect(tags(sample(bySectionId(entries), { k: 6, now: NOW, seed, scheme }))).toEqual(want);
      expect(tags(sample(entries.slice().reverse(), { k: 6, now: NOW, seed, scheme }))).toEqual(want);
    }
  });

  test("golden draw with a caller's source", () => {
    expect(tags(sample(fixture(), { k: 6, now: NOW, random: mulberry32(5) }))).toEqual(["e34", "e21", "e7", "e28", "e41", "e8"]);
  });
});

test("a scheme function is called exactly once per entry, in any order", () => {
  const entries = [entry("a", 1), entry("c", 2), entry("b", 3), entry("d", 4), entry("e", 5)];
  for (const input of [entries, entries.slice().sort((x, y) => (x.sectionId < y.sectionId ? -1 : 1))]) {
    const calls = new Map<string, number>();
    sample(input, {
      k: 2,
      now: NOW,
      seed: 1,
      scheme: (e) => {
        calls.set(e.sectionId, (calls.get(e.sectionId) ?? 0) + 1);
        return 1;
      },
    });
    expect([...calls.values()]).toEqual([1, 1, 1, 1, 1]);
  }
});

test("a scheme function may itself call sample", () => {
  const inner = [entry("z", 1), entry("y", 2), entry("x", 3), entry("w", 4)];
  const expected = tags(sample(inner, { k: 2, now: NOW, seed: 8 }));
  const outer = [entry("b", 1), entry("a", 2), entry("c", 3)];
  const seen: string[][] = [];
  const picked = sample(outer, {
    k: 2,
    now: NOW,
    seed: 3,
    scheme: () => {
      seen.push(tags(sample(inner, { k: 2, now: NOW, seed: 8 })));
      return 1;
    },
  });
  expect(seen).toEqual([expected, expected, expected]);
  expect(tags(picked)).toEqual(tags(sample(outer, { k: 2, now: NOW, seed: 3, scheme: () => 1 })));
});

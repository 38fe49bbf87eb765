// sampleAsDlm and pythonRandom against the reference's own draws (vectors/dlm-reference/
// draws.json: 120 draws of dlm's sampler.sample with rng = random.Random(seed), and the first
// ten random() values of each seed), plus the rules those draws rest on.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compareCodePoints, drawAsDlm, idOrder, recencyAsDlm } from "../src/as-dlm.js";
import { initByArray, seedWords } from "../src/python-random.js";
import { pythonRandom, type Sampleable, SamplerError, sampleAsDlm } from "../src/index.js";
import { DAY, entry, NOW, tags } from "./helpers.js";

interface DrawCase {
  readonly n: number;
  readonly scheme: "recency" | "uniform";
  readonly k: number;
  readonly seed: string;
  readonly picked: string[];
}

// Seeds go past 2^53: read them as text so none is rounded on the way in.
const draws = JSON.parse(
  readFileSync(new URL("../../../vectors/dlm-reference/draws.json", import.meta.url), "utf8").replace(/"seed": (-?\d+)/g, '"seed": "$1"'),
) as { now: string; cases: DrawCase[]; random_streams: Array<{ seed: string; ten: number[] }> };

const now = new Date(draws.now);

/** The entries of draws.json's `entries_formula`, rebuilt exactly. */
function referenceEntries(n: number): Array<Required<Sampleable> & { i: number }> {
  const out: Array<Required<Sampleable> & { i: number }> = [];
  for (let i = 0; i < n; i++) {
    const sectionId = ((BigInt(i) * 0x9e3779b97f4a7c15n + 0x632be59bd9b4e019n) % 2n ** 64n).toString(16).padStart(16, "0");
    const seconds = Number((BigInt(i) * 7919n * 3607n) % (400n * 86_400n));
    const weight = i % 7 === 0 ? 0 : i % 11 === 0 ? 2.5 : i % 13 === 0 ? 0.25 : 1;
    out.push({ sectionId, addedAt: new Date(now.getTime() - seconds * 1000), weight, i });
  }
  return out;
}

describe("pythonRandom: CPython's random.Random(seed).random()", () => {
  it("gives the first ten values of every seed in draws.json, seeds ≥ 2^32, ≥ 2^64 and negative ones included", () => {
    expect(draws.random_streams.length).toBe(12);
    for (const stream of draws.random_streams) {
      const random = pythonRandom(BigInt(stream.seed));
      expect(
        Array.from({ length: 10 }, () => random()),
        `seed ${stream.seed}`,
      ).toEqual(stream.ten);
    }
  });

  // Values from CPython 3.11.7: `r = random.Random(seed); v = [r.random() for _ in range(1001)]`,
  // at positions 0, 311, 312 (the first number made of words after a twist), 313, 623, 624, 1000.
  const deep: Array<[bigint, number[]]> = [
    [42n, [0.6394267984578837, 0.21007653833975404, 0.24952973922292443, 0.10279362167178563, 0.11955474125505283, 0.5358639653837498, 0.09935462460613032]],
    [
      2n ** 200n + 12345n,
      [0.14734203971452786, 0.7826793870305814, 0.3713176316573179, 0.8243023361219056, 0.17588685643726565, 0.29531107966144654, 0.748258799749611],
    ],
    [-(2n ** 64n), [0.9776462743838505, 0.885540028559239, 0.7035087590521717, 0.733828995704146, 0.4064617360869387, 0.15189565566833052, 0.2692173228443092]],
    [0n, [0.8444218515250481, 0.39380795178170946, 0.5190037287013293, 0.44854428559655457, 0.5198341022016146, 0.5739818030823766, 0.9466893945947962]],
    [
      2n ** 32n * 624n + 1n,
      [0.5965216633591738, 0.18045266185562925, 0.49272461331024764, 0.8913407636702675, 0.8189196925354574, 0.09026991458455513, 0.7863048802529918],
    ],
  ];
  it.each(deep)("stays CPython's stream across twists (seed %s)", (seed, expected) => {
    const random = pythonRandom(seed);
    const values = Array.from({ length: 1001 }, () => random());
    expect([0, 311, 312, 313, 623, 624, 1000].map((i) => values[i])).toEqual(expected);
  });

  it("seeds with a key longer than the state (694 words: 3^14000), and takes abs(seed)", () => {
    // CPython 3.11.7: random.Random(3**14000): values 0 and 499; random.Random(-3**14000) the same.
    const seed = 3n ** 14000n;
    expect(seedWords(seed)).toHaveLength(694);
    const random = pythonRandom(seed);
    const values = Array.from({ length: 500 }, () => random());
    expect([values[0], values[499]]).toEqual([0.7433332178671971, 0.15795488024976967]);
    expect(pythonRandom(-seed)()).toBe(0.7433332178671971);
  });

  it("gives a number the same stream as the same bigint; -n as n; -0 as 0", () => {
    for (const seed of [0, 1, 7, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER]) {
      const a = pythonRandom(seed);
      const b = pythonRandom(BigInt(seed));
      const c = pythonRandom(-seed);
      for (let i = 0; i < 5; i++) {
        const x = a();
        expect(b()).toBe(x);
        expect(c()).toBe(x);
      }
    }
    expect(pythonRandom(-0)()).toBe(pythonRandom(0)());
  });

  it("splits a seed into 32-bit words, least significant first, [0] for 0", () => {
    expect(seedWords(0)).toEqual([0]);
    expect(seedWords(-1)).toEqual([1]);
    expect(seedWords(2 ** 32)).toEqual([0, 1]);
    expect(seedWords(0x1_2345_6789n)).toEqual([0x2345_6789, 1]);
    expect(seedWords(-(2n ** 64n) + 1n)).toEqual([0xffff_ffff, 0xffff_ffff]);
  });

  it("init_by_array leaves 624 words with the top bit of the first set", () => {
    const state = initByArray([0]);
    expect(state).toHaveLength(624);
    expect(state[0]! >>> 0).toBe(0x8000_0000);
    expect(state.every((w) => Number.isInteger(w) && w >= -(2 ** 31) && w < 2 ** 31)).toBe(true);
  });

  it("streams are independent: two generators of one seed do not share state", () => {
    const a = pythonRandom(5);
    a();
    a();
    expect(pythonRandom(5)()).toBe(pythonRandom(5)());
    expect(pythonRandom(5)()).not.toBe(a());
  });

  it.each([
    [1.5, /safe integer or a bigint, got 1\.5/],
    [Number.NaN, /got NaN/],
    [Number.POSITIVE_INFINITY, /got Infinity/],
    [2 ** 53, /beyond 2\^53 − 1 a number is not exact: give a bigint/],
    [-(2 ** 60), /give a bigint/],
    ["7", /got "7"/],
    [undefined, /got undefined/],
    [null, /got null/],
  ])("refuses the seed %s with a SamplerError", (seed, message) => {
    expect(() => pythonRandom(seed as number)).toThrow(SamplerError);
    expect(() => pythonRandom(seed as number)).toThrow(message);
  });
});

describe("sampleAsDlm: dlm's sampler.sample(entries, k, now, rng=random.Random(seed), scheme)", () => {
  it("returns every one of the 120 reference draws exactly: ids and order", () => {
    expect(draws.cases.length).toBe(120);
    const byN = new Map([10, 1000].map((n) => [n, referenceEntries(n)]));
    for (const c of draws.cases) {
      const picked = sampleAsDlm(byN.get(c.n)!, { k: c.k, now, seed: BigInt(c.seed), scheme: c.scheme });
      expect(
        picked.map((e) => e.sectionId),
        `n=${c.n} ${c.scheme} k=${c.k} seed=${c.seed}`,
      ).toEqual(c.picked);
    }
  });

  it("does not depend on input order (it sorts by section id first)", () => {
    const entries = referenceEntries(1000);
    const reversed = entries.slice().reverse();
    for (const c of draws.cases.filter((x) => x.n === 1000 && x.k === 100).slice(0, 4)) {
      expect(sampleAsDlm(reversed, { k: c.k, now, seed: BigInt(c.seed), scheme: c.scheme }).map((e) => e.sectionId)).toEqual(c.picked);
    }
  });

  it("takes a safe-integer seed as the same bigint, and defaults to recency", () => {
    const entries = referenceEntries(1000);
    const c = draws.cases.find((x) => x.n === 1000 && x.k === 100 && x.seed === "123456789" && x.scheme === "recency")!;
    expect(sampleAsDlm(entries, { k: 100, now, seed: 123456789 }).map((e) => e.sectionId)).toEqual(c.picked);
  });

  it("returns the caller's own objects", () => {
    const entries = referenceEntries(10);
    const picked = sampleAsDlm(entries, { k: 3, now, seed: 1 });
    expect(picked.every((p) => entries.includes(p))).toBe(true);
  });

  it("k ≥ n: the full sweep — every entry sorted by id (weight 0 too), ties in input order, no draws", () => {
    const entries = [entry("b", 1, 0, "b0"), entry("a", 5, 1, "a0"), entry("b", 0, 1, "b1"), entry("c", 900, 0, "c0")];
    expect(tags(sampleAsDlm(entries, { k: 4, now: NOW, seed: 1 }))).toEqual(["a0", "b0", "b1", "c0"]);
    expect(tags(sampleAsDlm(entries, { k: 99, now: NOW, seed: 2n ** 70n }))).toEqual(["a0", "b0", "b1", "c0"]);
    let calls = 0;
    expect(
      drawAsDlm(entries, 4, NOW.getTime(), false, () => {
        calls++;
        return 0.5;
      }),
    ).toEqual([1, 0, 2, 3]);
    expect(calls).toBe(0);
  });

  it("k = 0 and no entries give []", () => {
    expect(sampleAsDlm([entry("a", 0)], { k: 0, now: NOW, seed: 1 })).toEqual([]);
    expect(sampleAsDlm([], { k: 3, now: NOW, seed: 1 })).toEqual([]);
  });

  it("weight 0 still draws under recency (the floor comes after the weight); uniform ignores the weight", () => {
    // Two entries of age 0: weight 0 → 0.01 against weight 1 → 1.
    const entries = [entry("a", 0, 0), entry("b", 0, 1)];
    const firsts = new Map<string, number>();
    for (let seed = 0; seed < 400; seed++) {
      const [p] = sampleAsDlm(entries, { k: 1, now: NOW, seed });
      firsts.set(p!.tag, (firsts.get(p!.tag) ?? 0) + 1);
    }
    expect(firsts.get("a")).toBeGreaterThan(0); // P(a) = 0.01 / 1.01: about 4 of 400
    expect(firsts.get("a")).toBeLessThan(20);
    let a = 0;
    for (let seed = 0; seed < 400; seed++) if (sampleAsDlm(entries, { k: 1, now: NOW, seed, scheme: "uniform" })[0]!.tag === "a") a++;
    expect(a).toBeGreaterThan(150);
    expect(a).toBeLessThan(250);
  });

  it("draws one u per entry in id order and keys them log(u) / weight", () => {
    // Sorted: a (age 0 → w 1), b (age 1 day → w 0.5), c (age 3 days, weight 2 → w 0.5).
    const entries = [entry("c", 3, 2), entry("a", 0), entry("b", 1)];
    const us = [0.5, 0.9, 0.8];
    let at = 0;
    const picked = drawAsDlm(entries, 2, NOW.getTime(), false, () => us[at++]!);
    expect(at).toBe(3);
    // keys: a ln 0.5 = -0.69; b ln 0.9 / 0.5 = -0.21; c ln 0.8 / 0.5 = -0.45 → b, c.
    expect(picked.map((i) => entries[i]!.sectionId)).toEqual(["b", "c"]);
  });

  it("breaks equal keys toward the entry later in id order (Python sorts (key, index) in reverse)", () => {
    const entries = [entry("a", 0), entry("b", 0), entry("c", 0)];
    const picked = drawAsDlm(entries, 2, NOW.getTime(), true, () => 0.5);
    expect(picked.map((i) => entries[i]!.sectionId)).toEqual(["c", "b"]);
  });

  it("draws again once for u = 0, then takes 1e-300", () => {
    const entries = [entry("a", 0), entry("b", 0)];
    const seq = [0, 0.25, 0.5];
    let at = 0;
    // a: 0 then 0.25; b: 0.5 → b first.
    expect(drawAsDlm(entries, 1, NOW.getTime(), true, () => seq[at++]!)).toEqual([1]);
    expect(at).toBe(3);
    const zeros = [0, 0, 1e-310];
    at = 0;
    // a: 0, 0 → 1e-300 (key -690.8); b: 1e-310 (key -713.8) → a first.
    expect(drawAsDlm(entries, 1, NOW.getTime(), true, () => zeros[at++]!)).toEqual([0]);
  });

  it("names the entry when the random source fails its contract", () => {
    expect(() => drawAsDlm([entry("a", 0), entry("b", 0)], 1, NOW.getTime(), true, () => 1)).toThrow(/entry 0 \(a\): the random source returned 1/);
  });

  it("weighs as dlm: max(weight × 1 / (1 + age_days), 0.01), age clamped at 0", () => {
    const sampler = JSON.parse(readFileSync(new URL("../../../vectors/dlm-reference/sampler.json", import.meta.url), "utf8")) as {
      recency_weight_values: Array<{ age_days: number; entry_weight: number; recency_weight: number }>;
    };
    for (const v of sampler.recency_weight_values) {
      expect(recencyAsDlm(v.age_days * DAY, v.entry_weight), `age ${v.age_days}, weight ${v.entry_weight}`).toBe(v.recency_weight);
    }
    // 100 × (1 / 1.5), not 100 / 1.5: the two differ in the last bit.
    expect(recencyAsDlm(0.5 * DAY, 100)).toBe(66.66666666666666);
  });

  it("orders ids by code point, as Python does", () => {
    const astral = "\u{1F600}"; // a surrogate pair: after U+FFFD by code point, before it by UTF-16 unit
    expect(compareCodePoints(astral, "\uFFFD")).toBeGreaterThan(0);
    expect(compareCodePoints("x\u{10000}", "x\u{10001}")).toBeLessThan(0);
    expect(compareCodePoints("ab", "abc")).toBeLessThan(0);
    expect(compareCodePoints("b", "a")).toBeGreaterThan(0);
    const entries = [entry(astral, 0, 1, "astral"), entry("\uFFFD", 0, 1, "fffd"), entry("a", 0, 1, "a")];
    expect(tags(sampleAsDlm(entries, { k: 3, now: NOW, seed: 0 }))).toEqual(["a", "fffd", "astral"]);
  });

  it("sorts hex ids (radix) exactly as a stable comparison sort does, duplicates in input order", () => {
    let x = 7;
    const next = () => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return x;
    };
    const hex8 = (v: number) => v.toString(16).padStart(8, "0");
    const pool = Array.from({ length: 300 }, () => hex8(next()) + hex8(next() % 4)); // shared prefixes and low words
    const ids = Array.from({ length: 3000 }, () => pool[next() % pool.length]!);
    const bySort = (xs: string[]) => Array.from({ length: xs.length }, (_, i) => i).sort((a, b) => (xs[a]! < xs[b]! ? -1 : xs[a]! > xs[b]! ? 1 : a - b));
    expect(Array.from(idOrder(ids))).toEqual(bySort(ids));
    // One id that is not lowercase hex sends all of them the comparison route: the same order
    // ("F" sorts between the digits and "a").
    const mixed = [...ids, "FFFFFFFFFFFFFFFF", "0"];
    const order = Array.from(idOrder(mixed));
    expect(order).toEqual(bySort(mixed));
    expect(order[0]).toBe(ids.length + 1);
  });

  describe("bad arguments are SamplerErrors", () => {
    const ok = { k: 1, now: NOW, seed: 1 };
    it.each([
      ["entries not an array", () => sampleAsDlm("x" as never, ok), /entries must be an array/],
      ["options not an object", () => sampleAsDlm([], null as never), /options must be an object/],
      ["k negative", () => sampleAsDlm([], { ...ok, k: -1 }), /k must be a non-negative integer, got -1/],
      ["k fractional", () => sampleAsDlm([], { ...ok, k: 1.5 }), /k must be a non-negative integer/],
      ["now invalid", () => sampleAsDlm([], { ...ok, now: new Date(Number.NaN) }), /now must be a valid Date/],
      ["seed fractional", () => sampleAsDlm([], { ...ok, seed: 0.5 }), /seed must be a safe integer or a bigint/],
      ["seed missing", () => sampleAsDlm([], { k: 1, now: NOW } as never), /seed must be a safe integer or a bigint, got undefined/],
      ["scheme a function", () => sampleAsDlm([], { ...ok, scheme: (() => 1) as never }), /scheme must be "recency" or "uniform"/],
      ["scheme unknown", () => sampleAsDlm([], { ...ok, scheme: "newest" as never }), /got "newest"/],
      ["entry not an object", () => sampleAsDlm([entry("a", 0), 7 as never], ok), /entry 1: expected an object/],
      ["bad addedAt", () => sampleAsDlm([{ sectionId: "a", addedAt: "yesterday" as never }], ok), /entry 0 \(a\): addedAt must be/],
      ["negative weight", () => sampleAsDlm([entry("a", 0, -1)], ok), /entry 0 \(a\): weight must be a finite number >= 0/],
      ["NaN weight", () => sampleAsDlm([entry("a", 0), entry("b", 0, Number.NaN)], ok), /entry 1 \(b\): weight/],
      ["infinite weight", () => sampleAsDlm([entry("a", 0, Number.POSITIVE_INFINITY)], ok), /weight must be a finite/],
    ])("%s", (_, call, message) => {
      expect(call).toThrow(SamplerError);
      expect(call).toThrow(message);
    });

    it("checks every entry even for a full sweep", () => {
      expect(() => sampleAsDlm([entry("a", 0, -1)], { k: 5, now: NOW, seed: 1 })).toThrow(/weight must be/);
    });
  });
});

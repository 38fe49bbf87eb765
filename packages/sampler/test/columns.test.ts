// sampleIndices: the same picks as sample over the equivalent entry objects (property
// tests), the hex-word hash equal to the string hash, and bad sources.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { type ColumnSource, sample, sampleIndices, SamplerError, type Scheme } from "../src/index.js";
import { xxh32, xxh32Hex } from "../src/xxh32.js";
import { DAY, mulberry32, NOW } from "./helpers.js";

interface Row {
  readonly sectionId: string;
  readonly addedAt: number;
  readonly weight: number;
  readonly i: number;
}

const hex8 = (x: number): string => (x >>> 0).toString(16).padStart(8, "0");

/** Columns of `rows`, with or without the hex-word form of the ids. */
function columnsOf(rows: readonly Row[], hex: boolean, weights = true): ColumnSource<Row> {
  const source: ColumnSource<Row> = {
    length: rows.length,
    addedAtMs: Float64Array.from(rows, (r) => r.addedAt),
    weight: weights ? Float64Array.from(rows, (r) => r.weight) : undefined,
    sectionId: (i) => rows[i]!.sectionId,
    entry: (i) => rows[i]!,
    hexIds: hex
      ? {
          hi: Uint32Array.from(rows, (r) => Number.parseInt(r.sectionId.slice(0, 8), 16)),
          lo: Uint32Array.from(rows, (r) => Number.parseInt(r.sectionId.slice(8), 16)),
        }
      : undefined,
  };
  return source;
}

// Few distinct ids and times, so duplicates (same id and millisecond) and ties are common.
const word = fc.oneof(fc.constantFrom(0, 1, 0xffffffff, 0xa0b1c2d3), fc.integer({ min: 0, max: 0xffffffff }));
const idArb = fc.tuple(word, word).map(([hi, lo]) => hex8(hi) + hex8(lo));
const rowsArb = fc
  .tuple(
    fc.array(idArb, { minLength: 1, maxLength: 6 }),
    fc.array(
      fc.record({
        id: fc.nat(5),
        // whole and fractional milliseconds, past and future, and times before 1970
        at: fc.oneof(
          fc.integer({ min: -400, max: 5 }).map((d) => NOW.getTime() + d * DAY),
          fc.double({ min: -1e12, max: 2e12, noNaN: true }),
        ),
        weight: fc.oneof(fc.constant(1), fc.constant(0), fc.double({ min: 0, max: 10, noNaN: true })),
      }),
      { maxLength: 60 },
    ),
  )
  .map(([ids, specs]) => specs.map((s, i): Row => ({ sectionId: ids[s.id % ids.length]!, addedAt: s.at, weight: s.weight, i })));

const schemeArb = fc.constantFrom<Scheme<Row>>(
  "recency",
  "uniform",
  (e: Row) => 1 / (1 + (e.i % 5)),
  (e: Row) => (e.i % 3 === 0 ? 0 : 2),
);

describe("sampleIndices picks what sample picks", () => {
  test("seeded: recency, uniform and scheme functions, with and without hex ids", () => {
    fc.assert(
      fc.property(
        rowsArb,
        fc.nat(70),
        fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
        schemeArb,
        fc.boolean(),
        (rows, k, seed, scheme, hex) => {
          const expected = sample(rows, { k, now: NOW, seed, scheme }).map((r) => r.i);
          const got = sampleIndices(columnsOf(rows, hex), { k, now: NOW, seed, scheme });
          expect(got).toBeInstanceOf(Uint32Array);
          expect(Array.from(got)).toEqual(expected);
        },
      ),
      { numRuns: 400 },
    );
  });

  test("with a random source", () => {
    fc.assert(
      fc.property(rowsArb, fc.nat(70), fc.nat(), schemeArb, fc.boolean(), (rows, k, s, scheme, hex) => {
        const expected = sample(rows, { k, now: NOW, random: mulberry32(s), scheme }).map((r) => r.i);
        expect(Array.from(sampleIndices(columnsOf(rows, hex), { k, now: NOW, random: mulberry32(s), scheme }))).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  test("without a weight column, every weight is 1", () => {
    fc.assert(
      fc.property(rowsArb, fc.nat(70), fc.integer(), (rows0, k, seed) => {
        const rows = rows0.map((r) => ({ ...r, weight: 1 }));
        const expected = sample(rows, { k, now: NOW, seed }).map((r) => r.i);
        expect(Array.from(sampleIndices(columnsOf(rows, true, false), { k, now: NOW, seed }))).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  test("10,000 entries, k = 500, hex ids (plain arrays work as columns too)", () => {
    const random = mulberry32(3);
    const rows: Row[] = Array.from({ length: 10_000 }, (_, i) => ({
      sectionId: hex8(random() * 2 ** 32) + hex8(random() * 2 ** 32),
      addedAt: NOW.getTime() - Math.floor(random() * 400 * DAY),
      weight: i % 13 === 0 ? 0 : 1,
      i,
    }));
    const expected = sample(rows, { k: 500, now: NOW, seed: 42 }).map((r) => r.i);
    const source = { ...columnsOf(rows, true), addedAtMs: rows.map((r) => r.addedAt) };
    expect(Array.from(sampleIndices(source, { k: 500, now: NOW, seed: 42 }))).toEqual(expected);
  });

  test("times as addedAtSeconds pick exactly what the same times in ms (Math.round(s × 1000)) pick", () => {
    fc.assert(
      fc.property(rowsArb, fc.nat(30), fc.integer(), fc.boolean(), schemeArb, (rows, k, seed, hex, scheme) => {
        const seconds = Float64Array.from(rows, (r) => r.addedAt / 1000);
        const ms = Float64Array.from(seconds, (s) => Math.round(s * 1000));
        const { addedAtMs: _, ...rest } = columnsOf(rows, hex);
        const bySeconds = sampleIndices({ ...rest, addedAtSeconds: seconds }, { k, now: NOW, seed, scheme });
        expect(Array.from(bySeconds)).toEqual(Array.from(sampleIndices({ ...rest, addedAtMs: ms }, { k, now: NOW, seed, scheme })));
      }),
      { numRuns: 200 },
    );
  });

  test("k = 0 and an empty source give an empty array", () => {
    expect(sampleIndices(columnsOf([], true), { k: 3, now: NOW, seed: 1 })).toEqual(new Uint32Array(0));
    expect(sampleIndices(columnsOf([{ sectionId: "a", addedAt: 0, weight: 1, i: 0 }], false), { k: 0, now: NOW, seed: 1 })).toEqual(new Uint32Array(0));
  });
});

test("xxh32Hex equals xxh32 of the 16 hex digits", () => {
  fc.assert(
    fc.property(fc.integer(), fc.integer(), word, word, fc.integer(), (a, b, hi, lo, seed) => {
      expect(xxh32Hex(a, b, hi, lo, seed)).toBe(xxh32(a, b, hex8(hi) + hex8(lo), seed));
    }),
    { numRuns: 2000 },
  );
});

describe("bad sources are SamplerErrors naming what is wrong", () => {
  const ok = columnsOf(
    [
      { sectionId: "00000000000000aa", addedAt: NOW.getTime(), weight: 1, i: 0 },
      { sectionId: "00000000000000bb", addedAt: NOW.getTime(), weight: 1, i: 1 },
    ],
    true,
  );
  const opts = { k: 1, now: NOW, seed: 1 };
  const cases: Array<[string, unknown, RegExp]> = [
    ["null", null, /source must be an object/],
    ["undefined", undefined, /source must be an object/],
    ["a negative length", { ...ok, length: -1 }, /source\.length must be a non-negative integer, got -1/],
    ["a fractional length", { ...ok, length: 1.5 }, /source\.length/],
    ["no addedAtMs", { ...ok, addedAtMs: undefined }, /source\.addedAtMs must be an array-like/],
    ["a short addedAtMs", { ...ok, addedAtMs: [1] }, /source\.addedAtMs .* of length 1/],
    ["both addedAtMs and addedAtSeconds", { ...ok, addedAtSeconds: [1, 2] }, /give source\.addedAtMs or source\.addedAtSeconds, not both/],
    ["a short addedAtSeconds", { ...ok, addedAtMs: undefined, addedAtSeconds: new Float64Array(1) }, /source\.addedAtSeconds .* of length 1/],
    ["a short weight column", { ...ok, weight: new Float64Array(1) }, /source\.weight/],
    ["no sectionId function", { ...ok, sectionId: "x" }, /source\.sectionId must be a function/],
    ["hexIds of the wrong type", { ...ok, hexIds: { hi: [1, 2], lo: new Uint32Array(2) } }, /source\.hexIds\.hi must be a Uint32Array/],
    ["short hexIds", { ...ok, hexIds: { hi: new Uint32Array(2), lo: new Uint32Array(1) } }, /source\.hexIds\.lo/],
  ];
  test.each(cases)("%s", (_, source, message) => {
    const run = () => sampleIndices(source as ColumnSource, opts);
    expect(run).toThrow(SamplerError);
    expect(run).toThrow(message);
  });

  test("a NaN time, a negative or NaN weight, a non-string id name the entry", () => {
    const at = Float64Array.of(NOW.getTime(), Number.NaN);
    expect(() => sampleIndices({ ...ok, addedAtMs: at }, opts)).toThrow(/entry 1 \(00000000000000bb\): addedAtMs must be finite/);
    const bySeconds = (seconds: unknown[]) => sampleIndices({ ...ok, addedAtMs: undefined, addedAtSeconds: seconds as number[] }, opts);
    expect(() => bySeconds([1, Number.NaN])).toThrow(/entry 1 \(00000000000000bb\): addedAtSeconds must be finite seconds, got NaN/);
    expect(() => bySeconds([1, "2"])).toThrow(/entry 1 \(00000000000000bb\): addedAtSeconds must be finite seconds, got "2"/);
    expect(() => bySeconds([1e306, 1])).toThrow(/entry 0 \(00000000000000aa\): addedAtSeconds must be finite seconds, got 1e\+306/);
    let error: unknown;
    try {
      sampleIndices({ ...ok, weight: Float64Array.of(1, -2) }, opts);
    } catch (e) {
      error = e;
    }
    expect(SamplerError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: "SAMPLER", index: 1, sectionId: "00000000000000bb" });
    expect(() => sampleIndices({ ...ok, weight: [1, Number.NaN] }, opts)).toThrow(/weight must be a finite number >= 0, got NaN/);
    expect(() => sampleIndices({ ...ok, hexIds: undefined, sectionId: () => 5 as unknown as string }, opts)).toThrow(
      /sectionId\(0\) must return a string, got 5/,
    );
  });

  test("a scheme function needs source.entry; what it throws is the cause", () => {
    const { entry: _, ...noEntry } = ok;
    expect(() => sampleIndices(noEntry, { ...opts, scheme: () => 1 })).toThrow(/source\.entry must be a function/);
    const boom = new Error("boom");
    let error: unknown;
    try {
      sampleIndices(ok, {
        ...opts,
        scheme: () => {
          throw boom;
        },
      });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: "SAMPLER", index: 0, cause: boom });
  });

  test("bad options are checked as sample checks them", () => {
    expect(() => sampleIndices(ok, { k: -1, now: NOW, seed: 1 })).toThrow(/k must be a non-negative integer/);
    expect(() => sampleIndices(ok, { k: 1, now: new Date(Number.NaN), seed: 1 })).toThrow(/now must be a valid Date/);
    expect(() => sampleIndices(ok, null as never)).toThrow(/options must be an object/);
  });
});

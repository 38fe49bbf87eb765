import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { type EvictColumnSource, EvictionError, evictIndices, evictUntil } from "../src/index.js";

const hex = (n: number) => n.toString(16).padStart(16, "0");

/** Columns of `entries` (times in ms), with the hex form of the ids when every id is 16 hex digits. */
function columnsOf(entries: ReadonlyArray<{ sectionId: string; addedAt: number; length: number }>, withHex: boolean): EvictColumnSource {
  const source: EvictColumnSource = {
    length: entries.length,
    addedAt: Float64Array.from(entries, (e) => e.addedAt),
    lengths: Uint32Array.from(entries, (e) => e.length),
    sectionId: (i) => entries[i]!.sectionId,
  };
  if (!withHex) return source;
  return {
    ...source,
    hexIds: {
      hi: Uint32Array.from(entries, (e) => Number.parseInt(e.sectionId.slice(0, 8), 16)),
      lo: Uint32Array.from(entries, (e) => Number.parseInt(e.sectionId.slice(8), 16)),
    },
  };
}

describe("evictIndices", () => {
  test("returns the indices evictUntil drops, oldest first", () => {
    const source: EvictColumnSource = {
      length: 3,
      addedAt: new Float64Array([3, 1, 2]),
      lengths: new Uint32Array([600, 600, 600]),
      sectionId: (i) => ["a", "b", "c"][i]!,
    };
    expect([...evictIndices(source, { maxBytes: 1000, protectIds: ["b"] })]).toEqual([2, 0]);
    expect([...evictIndices(source, { maxBytes: 1800 })]).toEqual([]);
    expect([...evictIndices(source, { maxBytes: 0 })]).toEqual([1, 2, 0]);
  });

  test("ties: section id order (strings, or the hex numbers), then index", () => {
    const entries = [
      { sectionId: hex(0x20), addedAt: 5, length: 1 },
      { sectionId: hex(0x10), addedAt: 5, length: 1 },
      { sectionId: hex(0x10), addedAt: 5, length: 1 },
      { sectionId: hex(0x05), addedAt: 9, length: 1 },
    ];
    for (const withHex of [false, true]) expect([...evictIndices(columnsOf(entries, withHex), { maxBytes: 0 })]).toEqual([1, 2, 0, 3]);
  });

  test("addedAt in any unit, any array-like; lengths as plain numbers", () => {
    const source: EvictColumnSource = { length: 3, addedAt: [30, 10, 20], lengths: [5, 5, 5], sectionId: (i) => `id${i}` };
    expect([...evictIndices(source, { maxBytes: 10 })]).toEqual([1]);
    // Only the first `length` slots count (a view of a longer column).
    const longer = { ...source, length: 2, addedAt: new Float64Array([30, 10, 0]) };
    expect([...evictIndices(longer, { maxBytes: 5 })]).toEqual([1]);
  });

  test("the result is the caller's own array (a second call does not change it)", () => {
    const source = columnsOf(
      Array.from({ length: 50 }, (_, i) => ({ sectionId: hex(i), addedAt: 50 - i, length: 10 })),
      true,
    );
    const a = evictIndices(source, { maxBytes: 250 });
    const copy = [...a];
    evictIndices(source, { maxBytes: 0 });
    expect([...a]).toEqual(copy);
  });

  test("property: the same entries as evictUntil, with and without hexIds, ms or seconds", () => {
    const entry = fc.record({
      sectionId: fc.integer({ min: 0, max: 12 }).map(hex),
      addedAt: fc.integer({ min: 1_700_000_000_000, max: 1_700_000_000_020 }), // many ties
      length: fc.integer({ min: 0, max: 50 }),
    });
    fc.assert(
      fc.property(
        fc.array(entry, { maxLength: 60 }),
        fc.integer({ min: 0, max: 1500 }),
        fc.array(fc.integer({ min: 0, max: 12 }).map(hex), { maxLength: 3 }),
        (entries, maxBytes, protectIds) => {
          const options = { maxBytes, protectIds };
          const { evicted } = evictUntil(
            entries.map((e, i) => ({ ...e, i })),
            options,
          );
          const expected = evicted.map((e) => e.i);
          for (const withHex of [false, true]) {
            expect([...evictIndices(columnsOf(entries, withHex), options)]).toEqual(expected);
            // Seconds with millisecond precision order the same way.
            const seconds = { ...columnsOf(entries, withHex), addedAt: Float64Array.from(entries, (e) => e.addedAt / 1000) };
            expect([...evictIndices(seconds, options)]).toEqual(expected);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  test("property: a small excess over spread-out times (only the oldest are sorted) drops what a plain sort does", () => {
    // A plain model: sort every index by (time, id, index), drop unprotected ones while over budget.
    const model = (entries: ReadonlyArray<{ sectionId: string; addedAt: number; length: number }>, maxBytes: number, protectIds: string[]) => {
      let left = entries.reduce((n, e) => n + e.length, 0) - maxBytes;
      const order = entries
        .map((_, i) => i)
        .sort((a, b) => {
          const x = entries[a]!;
          const y = entries[b]!;
          return x.addedAt - y.addedAt || (x.sectionId < y.sectionId ? -1 : x.sectionId > y.sectionId ? 1 : a - b);
        });
      const out: number[] = [];
      for (const i of order) {
        if (left <= 0) break;
        if (protectIds.includes(entries[i]!.sectionId)) continue;
        out.push(i);
        left -= entries[i]!.length;
      }
      return out;
    };
    const entry = fc.record({
      sectionId: fc.integer({ min: 0, max: 40 }).map(hex),
      // Wide spread with clusters and extremes: -0, 0, huge and tiny values.
      addedAt: fc.oneof(fc.integer({ min: -1e6, max: 1e6 }), fc.constantFrom(-0, 0, 1e15, -1e15, 0.5), fc.double({ noNaN: true, noDefaultInfinity: true })),
      length: fc.integer({ min: 0, max: 1000 }),
    });
    fc.assert(
      fc.property(
        fc.array(entry, { minLength: 1, maxLength: 300 }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.array(fc.integer({ min: 0, max: 40 }).map(hex), { maxLength: 5 }),
        (entries, cut, protectIds) => {
          const total = entries.reduce((n, e) => n + e.length, 0);
          const maxBytes = Math.floor(total * (1 - cut));
          const expected = model(entries, maxBytes, protectIds);
          for (const withHex of [false, true]) expect([...evictIndices(columnsOf(entries, withHex), { maxBytes, protectIds })]).toEqual(expected);
          expect(
            evictUntil(
              entries.map((e, i) => ({ ...e, i })),
              { maxBytes, protectIds },
            ).evicted.map((e) => e.i),
          ).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });

  test("protectIds that are not hex ids protect nothing when hexIds are given", () => {
    const entries = [
      { sectionId: hex(0xab), addedAt: 1, length: 10 },
      { sectionId: hex(0xcd), addedAt: 2, length: 10 },
    ];
    expect([...evictIndices(columnsOf(entries, true), { maxBytes: 0, protectIds: [hex(0xab).toUpperCase(), "x", 7 as unknown as string] })]).toEqual([0, 1]);
    expect([...evictIndices(columnsOf(entries, true), { maxBytes: 0, protectIds: new Set([hex(0xcd)]) })]).toEqual([0]);
  });
});

describe("evictIndices: bad input is an EvictionError naming the argument", () => {
  const good: EvictColumnSource = { length: 2, addedAt: new Float64Array([1, 2]), lengths: new Uint32Array([1, 1]), sectionId: (i) => `s${i}` };
  const cases: Array<[string, unknown, unknown, string]> = [
    ["null source", null, { maxBytes: 0 }, "source"],
    ["undefined source", undefined, { maxBytes: 0 }, "source"],
    ["negative length", { ...good, length: -1 }, { maxBytes: 0 }, "source.length"],
    ["fractional length", { ...good, length: 1.5 }, { maxBytes: 0 }, "source.length"],
    ["short addedAt", { ...good, addedAt: new Float64Array(1) }, { maxBytes: 0 }, "source.addedAt"],
    ["missing lengths", { ...good, lengths: undefined }, { maxBytes: 0 }, "source.lengths"],
    ["sectionId not a function", { ...good, sectionId: "s" }, { maxBytes: 0 }, "source.sectionId"],
    ["hexIds.hi not a Uint32Array", { ...good, hexIds: { hi: [1, 2], lo: new Uint32Array(2) } }, { maxBytes: 0 }, "source.hexIds.hi"],
    ["hexIds.lo too short", { ...good, hexIds: { hi: new Uint32Array(2), lo: new Uint32Array(1) } }, { maxBytes: 0 }, "source.hexIds.lo"],
    ["hexIds null", { ...good, hexIds: null }, { maxBytes: 0 }, "source.hexIds"],
    ["NaN time", { ...good, addedAt: new Float64Array([1, Number.NaN]) }, { maxBytes: 0 }, "source.addedAt[1]"],
    ["infinite time, within budget", { ...good, addedAt: [Infinity, 1] }, { maxBytes: 99 }, "source.addedAt[0]"],
    ["negative length value", { ...good, lengths: [1, -1] }, { maxBytes: 0 }, "source.lengths[1]"],
    ["string length value", { ...good, lengths: ["1", 1] }, { maxBytes: 0 }, "source.lengths[0]"],
    ["options null", good, null, "options"],
    ["maxBytes negative", good, { maxBytes: -1 }, "options.maxBytes"],
    ["maxBytes missing", good, {}, "options.maxBytes"],
    ["protectIds a string", good, { maxBytes: 0, protectIds: "s0" }, "options.protectIds"],
    ["protectIds a number", good, { maxBytes: 0, protectIds: 5 }, "options.protectIds"],
  ];
  test.each(cases)("%s", (_, source, options, argument) => {
    let caught: unknown;
    try {
      evictIndices(source as EvictColumnSource, options as { maxBytes: number });
    } catch (error) {
      caught = error;
    }
    expect(EvictionError.isInstance(caught)).toBe(true);
    expect((caught as EvictionError).code).toBe("EVICTION");
    expect((caught as EvictionError).argument).toBe(argument);
  });

  test("an entry error names the entry", () => {
    const error = (() => {
      try {
        evictIndices({ ...good, lengths: [1, 2.5] }, { maxBytes: 0 });
      } catch (e) {
        return e as EvictionError;
      }
    })();
    expect(error?.index).toBe(1);
    expect(error?.sectionId).toBe("s1");
  });

  test("a sectionId that returns a non-string on a tie is an EvictionError", () => {
    const source = { ...good, addedAt: [1, 1], sectionId: () => 5 as unknown as string };
    expect(() => evictIndices(source, { maxBytes: 0 })).toThrow(EvictionError);
  });
});

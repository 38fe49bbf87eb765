import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { EvictionError, evictUntil, isReplaykitError, type Evictable } from "../src/index.js";

interface E extends Evictable {
  readonly tag?: string;
}
const e = (sectionId: string, day: number, length: number, tag?: string): E => ({ sectionId, addedAt: new Date(Date.UTC(2026, 0, day)), length, tag });
const ids = (xs: readonly E[]) => xs.map((x) => x.tag ?? x.sectionId);

// The reference's eviction behaviour (its documented cases: within budget, oldest first,
// protected ids, maxBytes 0, ties, empty input), as its tests exercise it.
describe("reference behaviour", () => {
  test("within budget: nothing is evicted, kept is the input", () => {
    const entries = [e("a", 1, 100), e("b", 2, 100)];
    const { kept, evicted } = evictUntil(entries, { maxBytes: 200 });
    expect(evicted).toEqual([]);
    expect(kept).toEqual(entries);
    expect(kept).not.toBe(entries);
  });

  test("over budget: the oldest go first until the rest fits", () => {
    const entries = [e("c", 3, 100), e("a", 1, 100), e("b", 2, 100), e("d", 4, 100)];
    const { kept, evicted } = evictUntil(entries, { maxBytes: 250 });
    expect(ids(evicted)).toEqual(["a", "b"]);
    expect(ids(kept)).toEqual(["c", "d"]);
  });

  test("protected ids are never evicted, even if that leaves the store over budget", () => {
    const entries = [e("a", 1, 100), e("b", 2, 100), e("c", 3, 100)];
    const { kept, evicted } = evictUntil(entries, { maxBytes: 100, protectIds: ["a", "b"] });
    expect(ids(evicted)).toEqual(["c"]);
    expect(ids(kept)).toEqual(["a", "b"]);
    const all = evictUntil(entries, { maxBytes: 0, protectIds: new Set(["a", "b", "c"]) });
    expect(all.evicted).toEqual([]);
  });

  test("maxBytes 0 drops every unprotected entry", () => {
    const entries = [e("a", 1, 10), e("b", 2, 10), e("c", 3, 10)];
    const { kept, evicted } = evictUntil(entries, { maxBytes: 0, protectIds: ["b"] });
    expect(ids(kept)).toEqual(["b"]);
    expect(ids(evicted)).toEqual(["a", "c"]);
  });

  test("ties in addedAt are broken by section id", () => {
    const entries = [e("z", 1, 10), e("m", 1, 10), e("a", 1, 10), e("q", 2, 10)];
    expect(ids(evictUntil(entries, { maxBytes: 15 }).evicted)).toEqual(["a", "m", "z"]);
  });

  test("empty input", () => {
    expect(evictUntil([], { maxBytes: 0 })).toEqual({ kept: [], evicted: [] });
  });

  test("epoch-millisecond dates work like Dates", () => {
    const entries: Evictable[] = [
      { sectionId: "b", addedAt: Date.UTC(2026, 0, 2), length: 5 },
      { sectionId: "a", addedAt: new Date(Date.UTC(2026, 0, 3)), length: 5 },
    ];
    expect(evictUntil(entries, { maxBytes: 5 }).evicted.map((x) => x.sectionId)).toEqual(["b"]);
  });
});

describe("deliberate difference: per entry", () => {
  test("two frames with the same section id are counted and dropped separately", () => {
    const entries = [e("a", 1, 100, "a-old"), e("b", 2, 100), e("a", 3, 100, "a-new")];
    const { kept, evicted } = evictUntil(entries, { maxBytes: 200 });
    expect(ids(evicted)).toEqual(["a-old"]);
    expect(ids(kept)).toEqual(["b", "a-new"]);
    const more = evictUntil(entries, { maxBytes: 100 });
    expect(ids(more.evicted)).toEqual(["a-old", "b"]);
    expect(ids(more.kept)).toEqual(["a-new"]);
  });

  test("a protected id protects every frame of it", () => {
    const entries = [e("a", 1, 100, "a1"), e("a", 2, 100, "a2"), e("b", 3, 100)];
    const { kept, evicted } = evictUntil(entries, { maxBytes: 0, protectIds: ["a"] });
    expect(ids(kept)).toEqual(["a1", "a2"]);
    expect(ids(evicted)).toEqual(["b"]);
  });
});

describe("errors", () => {
  test.each([-1, 1.5, Number.NaN, Infinity, "100", undefined, null, 2 ** 60])("maxBytes %s is an EvictionError", (maxBytes) => {
    const attempt = () => evictUntil([e("a", 1, 1)], { maxBytes: maxBytes as number });
    expect(attempt).toThrow(EvictionError);
    try {
      attempt();
    } catch (error) {
      expect((error as EvictionError).code).toBe("EVICTION");
      expect(EvictionError.isInstance(error)).toBe(true);
    }
  });

  test("bad entries are named", () => {
    expect(() => evictUntil([e("a", 1, 1), { sectionId: "b", addedAt: new Date("x"), length: 1 }], { maxBytes: 0 })).toThrow(/entry 1 \(b\).*addedAt/);
    expect(() => evictUntil([{ sectionId: "b", addedAt: 0, length: -1 }], { maxBytes: 0 })).toThrow(/length/);
    expect(() => evictUntil([{ addedAt: 0, length: 1 } as never], { maxBytes: 0 })).toThrow(/sectionId/);
    expect(() => evictUntil("nope" as never, { maxBytes: 0 })).toThrow(EvictionError);
    expect(() => evictUntil([e("a", 1, 5)], { maxBytes: 0, protectIds: "a" as never })).toThrow(/protectIds/);
  });

  test("every bad argument is an EvictionError naming it, never a TypeError", () => {
    const cases: Array<[() => unknown, string]> = [
      [() => evictUntil(null as never, { maxBytes: 0 }), "entries"],
      [() => evictUntil(undefined as never, { maxBytes: 0 }), "entries"],
      [() => evictUntil({ length: 1 } as never, { maxBytes: 0 }), "entries"],
      [() => evictUntil([], null as never), "options"],
      [() => evictUntil([], undefined as never), "options"],
      [() => evictUntil([], "1000" as never), "options"],
      [() => evictUntil([], {} as never), "options.maxBytes"],
      [() => evictUntil([], { maxBytes: -5 }), "options.maxBytes"],
      [() => evictUntil([], { maxBytes: 0, protectIds: 5 as never }), "options.protectIds"],
      [() => evictUntil([null as never], { maxBytes: 0 }), "entries[0]"],
      [() => evictUntil([e("a", 1, 1), { sectionId: 7 } as never], { maxBytes: 0 }), "entries[1]"],
      [() => evictUntil([{ sectionId: "a", addedAt: "2026-01-01", length: 1 } as never], { maxBytes: 0 }), "entries[0].addedAt"],
      [() => evictUntil([{ sectionId: "a", addedAt: 0, length: 1.5 }], { maxBytes: 0 }), "entries[0].length"],
    ];
    for (const [call, argument] of cases) {
      let thrown: unknown;
      try {
        call();
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(EvictionError);
      expect(EvictionError.isInstance(thrown)).toBe(true);
      expect(isReplaykitError(thrown)).toBe(true);
      expect(thrown).toMatchObject({ code: "EVICTION", name: "EvictionError", argument });
      expect((thrown as Error).message).toMatch(/^eviction: /);
      expect((thrown as Record<symbol, unknown>)[Symbol.for("replaykit.error")]).toBe("eviction");
    }
  });

  test("isInstance goes by the replaykit marker and the code, so a second copy's errors count", () => {
    const foreign = Object.assign(new Error("eviction: from another copy"), { code: "EVICTION", [Symbol.for("replaykit.error")]: "eviction" });
    expect(foreign instanceof EvictionError).toBe(false);
    expect(EvictionError.isInstance(foreign)).toBe(true);
    for (const value of [
      null,
      undefined,
      "EVICTION",
      new Error("x"),
      { code: "EVICTION" },
      Object.assign(new Error("x"), { code: "OTHER", [Symbol.for("replaykit.error")]: "corpus" }),
    ]) {
      expect(EvictionError.isInstance(value)).toBe(false);
    }
    expect(isReplaykitError({ code: "EVICTION" })).toBe(false);
  });
});

describe("properties", () => {
  const entryArb = fc.record({
    sectionId: fc.constantFrom("a", "b", "c", "d", "e", "f"),
    addedAt: fc.integer({ min: 0, max: 50 }),
    length: fc.integer({ min: 0, max: 100 }),
  });
  test("kept + evicted is the input; kept fits or only protected remain; evicted are oldest first; nothing newer is evicted before something older", () => {
    fc.assert(
      fc.property(fc.array(entryArb, { maxLength: 40 }), fc.nat(2000), fc.subarray(["a", "b", "c", "d", "e", "f"]), (entries, maxBytes, protect) => {
        const { kept, evicted } = evictUntil(entries, { maxBytes, protectIds: protect });
        expect(kept.length + evicted.length).toBe(entries.length);
        expect(kept).toEqual(entries.filter((x) => !evicted.includes(x)));
        const keptBytes = kept.reduce((n, x) => n + x.length, 0);
        if (keptBytes > maxBytes) expect(kept.every((x) => protect.includes(x.sectionId))).toBe(true);
        for (const x of evicted) expect(protect).not.toContain(x.sectionId);
        for (let i = 1; i < evicted.length; i++) {
          const [p, q] = [evicted[i - 1]!, evicted[i]!];
          expect(p.addedAt < q.addedAt || (p.addedAt === q.addedAt && p.sectionId <= q.sectionId)).toBe(true);
        }
        // Minimal: dropping one fewer would not fit.
        if (evicted.length > 0) {
          const last = evicted.at(-1)!;
          expect(keptBytes + last.length).toBeGreaterThan(maxBytes);
        }
      }),
      { numRuns: 500 },
    );
  });
});

// A million entries take a few hundred milliseconds alone, but seconds on a loaded 2-core
// machine: a generous explicit timeout, no timing assertion.
describe("scale", () => {
  test("a million entries: drops exactly the oldest to fit", { timeout: 120_000 }, () => {
    const n = 1_000_000;
    const entries: Evictable[] = new Array(n);
    // Shuffled times: entry i is added at minute (i * 7919) mod n.
    for (let i = 0; i < n; i++) entries[i] = { sectionId: i.toString(16).padStart(16, "0"), addedAt: ((i * 7919) % n) * 60_000, length: 100 };
    const { kept, evicted } = evictUntil(entries, { maxBytes: 100 * 250_000 });
    expect(kept).toHaveLength(250_000);
    expect(evicted).toHaveLength(750_000);
    expect(evicted[0]!.addedAt).toBe(0);
    expect(evicted.at(-1)!.addedAt).toBe(749_999 * 60_000);
    expect(Math.min(...kept.slice(0, 1000).map((x) => x.addedAt as number))).toBeGreaterThanOrEqual(750_000 * 60_000);
  });
});

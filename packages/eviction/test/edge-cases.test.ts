// evictUntil beyond the reference cases: odd times and lengths, protection details, reuse.
import { runInNewContext } from "node:vm";
import { describe, expect, test } from "vitest";
import { EvictionError, evictUntil, type Evictable } from "../src/index.js";

interface E extends Evictable {
  readonly tag: string;
}
const e = (sectionId: string, addedAt: Date | number, length: number, tag = sectionId): E => ({ sectionId, addedAt, length, tag });
const tags = (xs: readonly E[]) => xs.map((x) => x.tag);

describe("times", () => {
  test("dates before 1970, fractional milliseconds, and a Date from another realm", () => {
    const foreign = runInNewContext("new Date(Date.UTC(1999, 0, 1))") as Date;
    const entries = [e("a", 0.75, 1), e("b", -86_400_000, 1), e("c", foreign, 1), e("d", 0.5, 1), e("f", new Date(Date.UTC(1960, 0, 1)), 1)];
    expect(tags(evictUntil(entries, { maxBytes: 1 }).evicted)).toEqual(["f", "b", "d", "a"]);
  });

  test("many entries at the same time go by section id, then input order", () => {
    const entries = [e("m", 5, 1, "m1"), e("a", 5, 1), e("m", 5, 1, "m2"), e("z", 5, 1), e("b", 4, 1)];
    expect(tags(evictUntil(entries, { maxBytes: 0 }).evicted)).toEqual(["b", "a", "m1", "m2", "z"]);
  });
});

describe("lengths", () => {
  test("entries of length 0 cost nothing: they go only while the budget is still exceeded", () => {
    const entries = [e("a", 1, 0), e("b", 2, 10), e("c", 3, 0), e("d", 4, 10)];
    const { kept, evicted } = evictUntil(entries, { maxBytes: 10 });
    expect(tags(evicted)).toEqual(["a", "b"]);
    expect(tags(kept)).toEqual(["c", "d"]);
    expect(tags(evictUntil(entries, { maxBytes: 0 }).evicted)).toEqual(["a", "b", "c", "d"]);
  });

  test.each([1.5, -1, Number.NaN, 2 ** 53, "10", undefined])("length %s is named", (length) => {
    expect(() => evictUntil([e("a", 1, 1), { sectionId: "q", addedAt: 1, length: length as number }], { maxBytes: 0 })).toThrow(
      /entry 1 \(q\): length must be a non-negative integer/,
    );
  });
});

describe("protectIds", () => {
  test("any iterable: array, Set, generator; items that are not strings protect nothing", () => {
    const entries = [e("a", 1, 10), e("b", 2, 10), e("c", 3, 10)];
    function* ids() {
      yield "b";
    }
    for (const protectIds of [["b"], new Set(["b"]), ids(), ["b", 7 as never, null as never]]) {
      expect(tags(evictUntil(entries, { maxBytes: 0, protectIds }).kept)).toEqual(["b"]);
    }
    expect(tags(evictUntil(entries, { maxBytes: 0, protectIds: [] }).kept)).toEqual([]);
  });

  test("ids that look alike to the quick filter (same length, first and last character) are told apart", () => {
    const entries = [e("a1z", 1, 10), e("a2z", 2, 10), e("a3z", 3, 10)];
    expect(tags(evictUntil(entries, { maxBytes: 0, protectIds: ["a2z"] }).kept)).toEqual(["a2z"]);
  });

  test.each([
    ["a string", "abc"],
    ["a number", 5],
    ["an object", {}],
  ])("%s is refused", (_, protectIds) => {
    expect(() => evictUntil([e("a", 1, 1)], { maxBytes: 0, protectIds: protectIds as never })).toThrow(EvictionError);
  });
});

describe("calls", () => {
  test("the input array is left as it was", () => {
    const entries = [e("b", 2, 10), e("a", 1, 10)];
    const copy = entries.slice();
    evictUntil(entries, { maxBytes: 5 });
    expect(entries).toEqual(copy);
  });

  test("calls of different sizes in a row (the scratch space is reused) give the same answers as fresh ones", () => {
    const make = (n: number) => Array.from({ length: n }, (_, i) => e(`id${(i * 37) % n}`, (i * 7919) % 1000, 1 + (i % 5), `t${i}`));
    const big = make(5000);
    const small = make(7);
    const first = tags(evictUntil(big, { maxBytes: 4000 }).evicted);
    const smallFirst = tags(evictUntil(small, { maxBytes: 3 }).evicted);
    expect(tags(evictUntil(big, { maxBytes: 4000 }).evicted)).toEqual(first);
    expect(tags(evictUntil(small, { maxBytes: 3 }).evicted)).toEqual(smallFirst);
  });

  test("options that are not an object", () => {
    expect(() => evictUntil([], null as never)).toThrow(/options must be an object/);
  });

  test("EvictionError carries the entry's position and id", () => {
    try {
      evictUntil([e("a", 1, 1), e("q", Number.NaN, 1)], { maxBytes: 0 });
      expect.unreachable();
    } catch (error) {
      expect(EvictionError.isInstance(error)).toBe(true);
      expect((error as EvictionError).index).toBe(1);
      expect((error as EvictionError).sectionId).toBe("q");
      expect((error as EvictionError).argument).toBe("entries[1].addedAt");
      expect((error as EvictionError).name).toBe("EvictionError");
    }
  });
});

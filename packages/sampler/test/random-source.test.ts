// The `random` option: the reference's algorithm, with the caller's numbers.
import { describe, expect, test } from "vitest";
import { sample } from "../src/index.js";
import { entry, NOW, tags } from "./helpers.js";

describe("random", () => {
  test("one draw per entry with weight > 0, in section-id order; largest key ln(u)/w first", () => {
    const entries = [entry("c", 0), entry("a", 0), entry("d", 0, 0), entry("b", 0)];
    const drawn: number[] = [];
    const values = [0.1, 0.9, 0.5]; // for a, b, c (d has weight 0: no draw)
    const random = () => {
      const u = values[drawn.length] as number;
      drawn.push(u);
      return u;
    };
    expect(tags(sample(entries, { k: 2, now: NOW, random, scheme: "uniform" }))).toEqual(["b", "c"]);
    expect(drawn).toEqual([0.1, 0.9, 0.5]);
  });

  test("weights scale the keys: a small u on a heavy entry can still win", () => {
    const entries = [entry("a", 0, 100), entry("b", 0, 1)];
    const values = [0.5, 0.9];
    let i = 0;
    // keys: ln(0.5)/100 = -0.0069 > ln(0.9)/1 = -0.105
    expect(tags(sample(entries, { k: 1, now: NOW, random: () => values[i++] as number, scheme: "uniform" }))).toEqual(["a"]);
  });

  test("a 0 is drawn again once, then taken as 1e-300 (as the reference does)", () => {
    const values = [0, 0, 0.5, 0.25];
    let i = 0;
    const random = () => values[i++] as number;
    const entries = [entry("a", 0), entry("b", 0), entry("c", 0)];
    // a: 0, 0 → 1e-300 (lowest key); b: 0.5; c: 0.25
    expect(tags(sample(entries, { k: 2, now: NOW, random, scheme: "uniform" }))).toEqual(["b", "c"]);
    expect(i).toBe(4);
  });

  test("equal keys go to the entry earlier in section-id order", () => {
    const entries = [entry("b", 0), entry("c", 0), entry("a", 0)];
    expect(tags(sample(entries, { k: 2, now: NOW, random: () => 0.5, scheme: "uniform" }))).toEqual(["a", "b"]);
  });
});

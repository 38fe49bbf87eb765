// recencyWeight: the reference's formula where entry weight is 1 (sampler.json, copied from
// vectors/dlm-reference), and the deliberate difference where it is not.
import { readFileSync } from "node:fs";
import { runInNewContext } from "node:vm";
import { describe, expect, test } from "vitest";
import { recencyWeight, SamplerError } from "../src/index.js";
import { DAY, NOW } from "./helpers.js";

interface WeightVector {
  age_days: number;
  entry_weight: number;
  recency_weight: number;
}
const vectors = JSON.parse(readFileSync(new URL("../../../vectors/dlm-reference/sampler.json", import.meta.url), "utf8")) as {
  recency_weight_values: WeightVector[];
};
const at = (ageDays: number) => new Date(NOW.getTime() - ageDays * DAY);

describe("the reference's recency_weight_values", () => {
  const withWeightOne = vectors.recency_weight_values.filter((v) => v.entry_weight === 1);

  test("cover every age in the file, future-dated ones included", () => {
    expect(withWeightOne.map((v) => v.age_days)).toEqual([0, 0.25, 0.5, 1, 2, 3, 7, 30, 98, 99, 99.5, 100, 101, 365, 1000, -1, -30]);
  });

  test.each(withWeightOne)("age $age_days days → $recency_weight, to the bit", ({ age_days, recency_weight }) => {
    expect(recencyWeight({ sectionId: "a", addedAt: at(age_days) }, NOW)).toBe(recency_weight);
    expect(recencyWeight({ sectionId: "a", addedAt: at(age_days), weight: 1 }, NOW)).toBe(recency_weight);
    expect(recencyWeight({ sectionId: "a", addedAt: at(age_days).getTime() }, NOW)).toBe(recency_weight);
  });

  // Deliberate difference: the floor applies to the recency factor, then the entry's weight
  // multiplies it (the reference floors the product, so its weight-0 entries stay drawable).
  test.each(vectors.recency_weight_values.filter((v) => v.entry_weight !== 1))(
    "age $age_days, weight $entry_weight → max(1/(1+age), 0.01) × weight",
    ({ age_days, entry_weight, recency_weight }) => {
      const ours = recencyWeight({ sectionId: "a", addedAt: at(age_days), weight: entry_weight }, NOW);
      const raw = 1 / (1 + Math.max(age_days, 0));
      expect(ours).toBeCloseTo(Math.max(raw, 0.01) * entry_weight, 15);
      // Where neither floor applies, the two formulas agree.
      if (raw >= 0.01 && raw * entry_weight >= 0.01) expect(ours).toBeCloseTo(recency_weight, 12);
    },
  );
});

describe("recencyWeight", () => {
  test("weight 0 gives 0 (never sampled), not the floor", () => {
    expect(recencyWeight({ sectionId: "a", addedAt: at(5), weight: 0 }, NOW)).toBe(0);
  });

  test("a Date from another realm works", () => {
    const foreign = runInNewContext(`new Date(${at(1).getTime()})`) as Date;
    expect(foreign instanceof Date).toBe(false);
    expect(recencyWeight({ sectionId: "a", addedAt: foreign }, NOW)).toBe(0.5);
  });

  test.each([
    ["an invalid Date", { sectionId: "a", addedAt: new Date("nope") }, /entry \(a\): addedAt/],
    ["NaN ms", { sectionId: "a", addedAt: Number.NaN }, /addedAt/],
    ["Infinity ms", { sectionId: "a", addedAt: Number.POSITIVE_INFINITY }, /addedAt/],
    ["a date string", { sectionId: "a", addedAt: "2026-01-01" }, /addedAt must be a valid Date/],
    ["a negative weight", { sectionId: "a", addedAt: 0, weight: -1 }, /weight must be a finite number >= 0/],
    ["a NaN weight", { sectionId: "a", addedAt: 0, weight: Number.NaN }, /weight/],
    ["an infinite weight", { sectionId: "a", addedAt: 0, weight: Number.POSITIVE_INFINITY }, /weight/],
    ["a string weight", { sectionId: "a", addedAt: 0, weight: "1" }, /weight/],
    ["no sectionId", { addedAt: 0 }, /sectionId must be a string/],
    ["null", null, /expected an object/],
  ])("%s is a SamplerError", (_, bad, message) => {
    expect(() => recencyWeight(bad as never, NOW)).toThrow(message);
    expect(() => recencyWeight(bad as never, NOW)).toThrow(SamplerError);
  });

  test.each([
    ["an invalid Date", new Date("nope")],
    ["a number", NOW.getTime()],
    ["undefined", undefined],
  ])("now as %s is a SamplerError", (_, now) => {
    expect(() => recencyWeight({ sectionId: "a", addedAt: 0 }, now as never)).toThrow(/now must be a valid Date/);
  });
});

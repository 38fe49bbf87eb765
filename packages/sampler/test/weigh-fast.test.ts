// The seeded loops' shortcuts for weights: the same numbers as recencyWeight, and a filter
// that only turns away entries the heap would turn away.
import fc from "fast-check";
import { expect, test } from "vitest";
import { recencyWeight } from "../src/index.js";
import { DAY_MS } from "../src/recency-weight.js";
import { RECENCY, UNIFORM } from "../src/weigh.js";
import { mightGetIn, scaledWeight } from "../src/weigh-fast.js";
import { NOW } from "./helpers.js";

const nowMs = NOW.getTime();
const ageArb = fc.oneof(
  fc.double({ min: -5 * DAY_MS, max: 2000 * DAY_MS, noNaN: true }),
  fc.constantFrom(0, 1, DAY_MS, 98.5 * DAY_MS, 99 * DAY_MS, 99.0000001 * DAY_MS, 100 * DAY_MS),
);
const scaleArb = fc.oneof(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.constantFrom(0, 1, 0.25, 3));

test("scaledWeight is recencyWeight to the bit (recency) and the scale itself (uniform)", () => {
  fc.assert(
    fc.property(ageArb, scaleArb, (age, scale) => {
      const t = nowMs - age;
      expect(scaledWeight(RECENCY, t, nowMs, scale)).toBe(recencyWeight({ sectionId: "x", addedAt: t, weight: scale }, NOW));
      expect(scaledWeight(UNIFORM, t, nowMs, scale)).toBe(scale);
    }),
    { numRuns: 5000 },
  );
});

test("mightGetIn says no only when ln(u) / w is below the floor", () => {
  const uArb = fc.oneof(
    fc.double({ min: Number.MIN_VALUE, max: 1, maxExcluded: true, noNaN: true }),
    fc.double({ min: 0.999, max: 1, maxExcluded: true, noNaN: true }),
  );
  const floorArb = fc.oneof(fc.double({ min: -1e4, max: -1e-300, noNaN: true }), fc.double({ min: -0.1, max: -1e-6, noNaN: true }));
  fc.assert(
    fc.property(uArb, floorArb, ageArb, scaleArb.filter((x) => x > 0), fc.constantFrom(RECENCY, UNIFORM), (u, floor, age, scale, mode) => {
      const t = nowMs - age;
      if (!mightGetIn(u, floor, mode, t, nowMs, scale)) {
        expect(Math.log(u) / scaledWeight(mode, t, nowMs, scale)).toBeLessThan(floor);
      }
    }),
    { numRuns: 20_000 },
  );
});

test("mightGetIn lets through entries just above the floor, and turns away most below it", () => {
  // An entry whose key is a hair above the floor must pass; one well below must not.
  for (const age of [0, 3 * DAY_MS, 50 * DAY_MS, 200 * DAY_MS]) {
    const t = nowMs - age;
    const w = scaledWeight(RECENCY, t, nowMs, 2);
    const floor = -0.05;
    const just = Math.exp(floor * w * (1 - 1e-6)); // ln(just) / w is just above the floor
    expect(mightGetIn(just, floor, RECENCY, t, nowMs, 2)).toBe(true);
    expect(mightGetIn(Math.exp(floor * w * 3), floor, RECENCY, t, nowMs, 2)).toBe(false);
  }
});

// The radix sort behind evictUntil: same order as a stable comparison sort, for any finite times.
import fc from "fast-check";
import { expect, test } from "vitest";
import { timeOrder } from "../src/time-order.js";

function order(times: readonly number[]): number[] {
  const n = times.length;
  const work = Array.from({ length: 6 }, () => new Uint32Array(n));
  return Array.from(timeOrder(Float64Array.from(times), work).order);
}
const reference = (times: readonly number[]) =>
  times
    .map((t, i) => [t, i] as const)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1])
    .map(([, i]) => i);

test("matches a stable comparison sort on any finite doubles", () => {
  const time = fc.oneof(
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer({ min: -2e12, max: 4e12 }),
    fc.constantFrom(0, -0, 1, -1, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE),
  );
  fc.assert(
    fc.property(fc.array(time, { maxLength: 300 }), (times) => {
      expect(order(times)).toEqual(reference(times));
    }),
    { numRuns: 500 },
  );
});

test("-0 and 0 are the same time (input order between them)", () => {
  expect(order([0, -0, 0, -0])).toEqual([0, 1, 2, 3]);
  expect(order([5, -0, -1, 0])).toEqual([2, 1, 3, 0]);
});

test("equal times keep input order; keys come back sorted beside the indices", () => {
  const times = [3, 1, 2, 1, 3, 1];
  const n = times.length;
  const sorted = timeOrder(
    Float64Array.from(times),
    Array.from({ length: 6 }, () => new Uint32Array(n)),
  );
  expect(Array.from(sorted.order)).toEqual([1, 3, 5, 2, 0, 4]);
  // Equal times ⇔ equal (hi, lo) words.
  const pairs = Array.from(sorted.order, (_, j) => `${sorted.hi[j]}:${sorted.lo[j]}`);
  expect(pairs[0]).toBe(pairs[1]);
  expect(pairs[1]).toBe(pairs[2]);
  expect(pairs[2]).not.toBe(pairs[3]);
});

test("a million whole-second timestamps over a year", { timeout: 120_000 }, () => {
  const n = 1_000_000;
  const times = new Float64Array(n);
  for (let i = 0; i < n; i++) times[i] = Date.UTC(2025, 0, 1) + ((i * 7919) % 31_536_000) * 1000;
  const { order: result } = timeOrder(
    times,
    Array.from({ length: 6 }, () => new Uint32Array(n)),
  );
  for (let j = 1; j < n; j++) {
    const a = result[j - 1] as number;
    const b = result[j] as number;
    const ta = times[a] as number;
    const tb = times[b] as number;
    if (ta > tb || (ta === tb && a > b)) throw new Error(`out of order at ${j}`);
  }
});

import { describe, expect, test } from "vitest";
import { ageBuckets, drawHistogram } from "../src/histogram.js";

const NOW = new Date("2026-06-01T00:00:00Z");
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);

describe("ageBuckets", () => {
  test("no entries, no buckets", () => {
    expect(ageBuckets([], NOW)).toEqual([]);
  });
  test("even buckets of a round width up to the oldest entry", () => {
    const buckets = ageBuckets([daysAgo(0.5), daysAgo(3), daysAgo(20), daysAgo(150)], NOW);
    expect(buckets[0]).toEqual({ label: "0–14 days", count: 2 });
    expect(buckets.at(-1)).toEqual({ label: "140–154 days", count: 1 });
    expect(buckets.length).toBeLessThanOrEqual(12);
    expect(buckets.reduce((n, b) => n + b.count, 0)).toBe(4);
  });
  test("young stores get day-wide buckets", () => {
    expect(ageBuckets([daysAgo(0.1), daysAgo(2.5)], NOW).map((b) => b.label)).toEqual(["0–1 days", "1–2 days", "2–3 days"]);
  });
  test("entries dated after now get a future bucket", () => {
    expect(ageBuckets([daysAgo(-3), daysAgo(1)], NOW)[0]).toEqual({ label: "future", count: 1 });
    expect(ageBuckets([daysAgo(-3)], NOW)).toEqual([{ label: "future", count: 1 }]);
  });
  test("old stores are bucketed in years", () => {
    const labels = ageBuckets([daysAgo(10), daysAgo(3000)], NOW).map((b) => b.label);
    expect(labels[0]).toBe("0–1 years");
    expect(labels.at(-1)).toBe("8–9 years");
  });
});

describe("drawHistogram", () => {
  test("the largest bucket fills the width; others scale with eighth blocks; counts at the end", () => {
    const lines = drawHistogram(
      [
        { label: "0–7 days", count: 8 },
        { label: "7–14 days", count: 3 },
        { label: "14–21 days", count: 0 },
        { label: "21–28 days", count: 1 },
      ],
      8,
    );
    expect(lines).toEqual([
      "  0–7 days │████████ 8",
      " 7–14 days │███      3",
      "14–21 days │         0",
      "21–28 days │█        1",
    ]);
  });
  test("a tiny non-zero bucket still shows a sliver", () => {
    const [, small] = drawHistogram([{ label: "a", count: 1000 }, { label: "b", count: 1 }], 10);
    expect(small).toBe("b │▏          1");
  });
});

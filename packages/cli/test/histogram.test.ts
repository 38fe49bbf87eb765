import { describe, expect, test } from "vitest";
import { ageBuckets, drawHistogram, glyphsFor, localeIsUtf8 } from "../src/histogram.js";

const NOW = new Date("2026-06-01T00:00:00Z");
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);

describe("ageBuckets", () => {
  test("no entries, no buckets", () => {
    expect(ageBuckets([], NOW)).toEqual([]);
  });
  test("log-scaled bins with round edges, from the youngest bin to the oldest, empty bins between kept", () => {
    const buckets = ageBuckets([daysAgo(0.5), daysAgo(3), daysAgo(20), daysAgo(150)], NOW);
    expect(buckets).toEqual([
      { label: "6 hours–1 day", count: 1 },
      { label: "1–2 days", count: 0 },
      { label: "2 days–1 week", count: 1 },
      { label: "1–2 weeks", count: 0 },
      { label: "2 weeks–30 days", count: 1 },
      { label: "30–60 days", count: 0 },
      { label: "60–90 days", count: 0 },
      { label: "90–180 days", count: 1 },
    ]);
  });
  test("an outlier gets a bar of its own: one 1970 date does not squash the rest", () => {
    const dates = [...Array.from({ length: 135 }, (_, i) => daysAgo(i / 10)), new Date(0)];
    const buckets = ageBuckets(dates, NOW);
    expect(buckets.at(-1)).toEqual({ label: "over 10 years", count: 1 });
    expect(buckets.slice(0, 5).map((b) => b.label)).toEqual(["under 1 hour", "1–6 hours", "6 hours–1 day", "1–2 days", "2 days–1 week"]);
    expect(buckets.reduce((n, b) => n + b.count, 0)).toBe(136);
    // Every label is a clean round duration.
    for (const b of buckets) expect(b.label).toMatch(/^(under |over )?[\d.]+( \w+)?(–[\d.]+ \w+)?$/);
  });
  test("entries dated after now get a future bucket", () => {
    expect(ageBuckets([daysAgo(-3), daysAgo(1)], NOW)[0]).toEqual({ label: "future", count: 1 });
    expect(ageBuckets([daysAgo(-3)], NOW)).toEqual([{ label: "future", count: 1 }]);
  });
  test("old stores reach the year bins", () => {
    const labels = ageBuckets([daysAgo(400), daysAgo(3000)], NOW).map((b) => b.label);
    expect(labels).toEqual(["1–1.5 years", "1.5–2 years", "2–3 years", "3–5 years", "5–10 years"]);
  });
});

describe("locale", () => {
  test("UTF-8 unless the locale names another charset (LC_ALL, then LC_CTYPE, then LANG)", () => {
    expect(localeIsUtf8({})).toBe(true);
    expect(localeIsUtf8({ LANG: "en_US.UTF-8" })).toBe(true);
    expect(localeIsUtf8({ LANG: "C" })).toBe(false);
    expect(localeIsUtf8({ LANG: "en_US.UTF-8", LC_ALL: "POSIX" })).toBe(false);
    expect(localeIsUtf8({ LC_CTYPE: "de_DE.utf8", LANG: "C" })).toBe(true);
  });
  test("ASCII glyphs draw whole columns of # and plain dashes", () => {
    const lines = drawHistogram(
      [
        { label: "1–2 days", count: 4 },
        { label: "2 days–1 week", count: 1 },
      ],
      8,
      glyphsFor({ LANG: "C" }),
    );
    expect(lines).toEqual(["     1-2 days |######## 4", "2 days-1 week |##       1"]);
    for (const line of lines) expect(line).toMatch(/^[\x20-\x7e]*$/);
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
    expect(lines).toEqual(["  0–7 days │████████ 8", " 7–14 days │███      3", "14–21 days │         0", "21–28 days │█        1"]);
  });
  test("a tiny non-zero bucket still shows a sliver", () => {
    const [, small] = drawHistogram(
      [
        { label: "a", count: 1000 },
        { label: "b", count: 1 },
      ],
      10,
    );
    expect(small).toBe("b │▏          1");
  });
});

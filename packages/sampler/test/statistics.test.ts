// Statistical checks with fixed seeds: deterministic, so they either always pass or always fail.
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { sample, type Scheme } from "../src/index.js";
import { DAY, entry, type Entry, hexId, mulberry32, NOW } from "./helpers.js";

/** Pearson's chi-square statistic of `counts` against expected probabilities `p`. */
function chiSquare(counts: readonly number[], p: readonly number[]): number {
  const n = counts.reduce((a, b) => a + b, 0);
  return counts.reduce((s, c, i) => s + (c - n * (p[i] as number)) ** 2 / (n * (p[i] as number)), 0);
}

describe("first picks are proportional to weight", () => {
  // The first pick of Efraimidis–Spirakis is entry i with probability w_i / Σw. Seeds 0…N−1
  // include the small seeds that give xoroshiro128+ a low-entropy start if not mixed.
  const weights = [1, 2, 3, 4, 0, 10];
  const expected = weights.map((w) => w / 20);
  const entries = weights.map((w, i) => entry(`e${i}`, 0, w, String(i)));

  test.each([
    ["seed", (seed: number) => ({ seed })],
    ["random", (seed: number) => ({ random: mulberry32(seed) })],
  ] as const)(
    "with %s, seeds 0…19,999",
    (_, source) => {
      const counts = new Array<number>(weights.length).fill(0);
      for (let seed = 0; seed < 20_000; seed++) {
        const [first] = sample(entries, { k: 2, now: NOW, scheme: "uniform", ...source(seed) });
        counts[Number((first as Entry).tag)]!++;
      }
      expect(counts[4]).toBe(0); // weight 0
      const live = [0, 1, 2, 3, 5];
      // 4 degrees of freedom: 18.47 is p = 0.001.
      expect(
        chiSquare(
          live.map((i) => counts[i] as number),
          live.map((i) => expected[i] as number),
        ),
      ).toBeLessThan(18.47);
    },
    60_000,
  );

  test("the recency scheme weighs by 1 / (1 + age_days)", { timeout: 60_000 }, () => {
    const ages = [0, 1, 3, 9];
    const aged = ages.map((a, i) => entry(hexId(i), a, undefined, String(i)));
    const w = ages.map((a) => 1 / (1 + a));
    const total = w.reduce((a, b) => a + b, 0);
    const counts = new Array<number>(ages.length).fill(0);
    for (let seed = 0; seed < 20_000; seed++) counts[Number((sample(aged, { k: 1, now: NOW, seed })[0] as Entry).tag)]!++;
    expect(
      chiSquare(
        counts,
        w.map((x) => x / total),
      ),
    ).toBeLessThan(16.27); // 3 dof, p = 0.001
  });

  test("the first pick of every small seed is not the same entry", { timeout: 60_000 }, () => {
    const many = Array.from({ length: 100 }, (_, i) => entry(hexId(i), 0, undefined, String(i)));
    const firsts = new Set<string>();
    for (let seed = 0; seed < 64; seed++) firsts.add((sample(many, { k: 1, now: NOW, seed })[0] as Entry).tag);
    expect(firsts.size).toBeGreaterThan(40);
  });
});

interface Experiment {
  entries: number;
  ages_days: number[];
  k: number;
  now: string;
  recency: { mean_picked_age_days: number; pick_count_by_entry_index: number[] };
  uniform: { mean_picked_age_days: number; pick_count_by_entry_index: number[] };
}
const { experiments } = JSON.parse(readFileSync(new URL("../../../vectors/dlm-reference/sampler.json", import.meta.url), "utf8")) as {
  experiments: Record<string, Experiment>;
};

describe("recency picks younger entries than uniform, as the reference's do", () => {
  // sampler.json: k = 20 over seeds 0…199, mean age of everything picked. Our generator is
  // not Python's, so the figures agree within sampling error (≈ 1–2 days), not exactly.
  test.each([
    ["ages_0_to_198_step_2", 4],
    ["reference_test_setup_200_entries_step_2", 7],
  ])(
    "%s (within %i days)",
    (name, tolerance) => {
      const ex = experiments[name] as Experiment;
      const now = new Date(`${ex.now}Z`);
      const entries = ex.ages_days.map((age, i) => ({ sectionId: hexId(i), addedAt: new Date(now.getTime() - age * DAY), age }));
      const meanAge = (scheme: Scheme) => {
        let sum = 0;
        let count = 0;
        for (let seed = 0; seed < 200; seed++) {
          for (const p of sample(entries, { k: ex.k, now, seed, scheme })) {
            sum += p.age;
            count++;
          }
        }
        return sum / count;
      };
      const recency = meanAge("recency");
      const uniform = meanAge("uniform");
      expect(Math.abs(recency - ex.recency.mean_picked_age_days)).toBeLessThan(tolerance);
      expect(Math.abs(uniform - ex.uniform.mean_picked_age_days)).toBeLessThan(tolerance);
      expect(uniform - recency).toBeGreaterThan(30);
    },
    60_000,
  );

  test("the youngest entries are picked about as often as the reference picks them", { timeout: 60_000 }, () => {
    const ex = experiments["ages_0_to_198_step_2"] as Experiment;
    const now = new Date(`${ex.now}Z`);
    const entries = ex.ages_days.map((age, i) => ({ sectionId: hexId(i), addedAt: new Date(now.getTime() - age * DAY), i }));
    const counts = new Array<number>(entries.length).fill(0);
    for (let seed = 0; seed < 200; seed++) for (const p of sample(entries, { k: ex.k, now, seed })) counts[p.i]!++;
    // Entry 0 (weight 1) is in nearly every sample; the next ones fall off as 1/(1+age).
    const ref = ex.recency.pick_count_by_entry_index;
    for (let i = 0; i < 5; i++) expect(Math.abs((counts[i] as number) - (ref[i] as number))).toBeLessThan(30);
    const tail = (xs: readonly number[]) => xs.slice(50).reduce((a, b) => a + b, 0);
    expect(Math.abs(tail(counts) - tail(ref))).toBeLessThan(0.15 * tail(ref));
  });
});

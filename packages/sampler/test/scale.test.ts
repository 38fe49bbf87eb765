// Many entries: sorted (as a store's index gives them) and in no order, with repeats. (A
// quarter of a million keeps it quick: shuffled objects make every read a cache miss.)
import { expect, test } from "vitest";
import { sample } from "../src/index.js";
import { DAY, NOW } from "./helpers.js";

test("250,000 entries, k = 1,000: the same picks whatever the order", { timeout: 120_000 }, () => {
  const n = 250_000;
  const now = NOW.getTime();
  // In section-id order; every 1,000th entry repeats the one before it exactly (same id, same date).
  const sorted = new Array<{ sectionId: string; addedAt: number }>(n);
  for (let j = 0; j < n; j++) {
    const source = j % 1000 === 999 ? j - 1 : j;
    sorted[j] = { sectionId: (source * 4099).toString(16).padStart(16, "0"), addedAt: now - ((source * 7919) % 400) * DAY };
  }
  // The same entries in no order (7919 is prime to n, so i ↦ 7919·i mod n is a permutation).
  const scattered = new Array<{ sectionId: string; addedAt: number }>(n);
  for (let i = 0; i < n; i++) scattered[i] = sorted[(i * 7919) % n] as { sectionId: string; addedAt: number };
  const contents = (xs: ReadonlyArray<{ sectionId: string; addedAt: number }>) => xs.map((x) => `${x.sectionId}@${x.addedAt}`);
  for (const scheme of ["recency", "uniform"] as const) {
    const picked = sample(scattered, { k: 1000, now: NOW, seed: 5, scheme });
    expect(picked).toHaveLength(1000);
    expect(new Set(picked).size).toBe(1000);
    expect(contents(sample(sorted, { k: 1000, now: NOW, seed: 5, scheme }))).toEqual(contents(picked));
  }
});

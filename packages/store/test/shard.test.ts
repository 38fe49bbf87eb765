// Data-parallel draws: every rank computes the same draw and keeps its own contiguous part.
import { describe, expect, test } from "vitest";
import type { DrawOptions } from "../src/index.js";
import { mixedStore } from "./helpers.js";

const NOW = new Date("2026-06-01T00:00:00Z");

describe("draw({ shard })", () => {
  const budgets: Array<[string, Omit<DrawOptions, "now" | "seed">]> = [
    ["k", { k: 37 }],
    ["k with a mix", { k: 30, mix: { prose: 1, instruction: 1, preference: 1 } }],
    ["rows", { rows: 45 }],
    ["maxTokens", { maxTokens: 900 }],
    ["k beyond the store", { k: 500 }],
  ];
  test.each(budgets)("%s: the parts in rank order are the unsharded draw, row for row; sizes differ by at most one section", async (_, budget) => {
    const { store } = await mixedStore(90);
    const whole = await store.draw({ ...budget, now: NOW, seed: 11 });
    for (const worldSize of [1, 2, 3, 7, 200]) {
      const parts = [];
      for (let rank = 0; rank < worldSize; rank++) parts.push(await store.draw({ ...budget, now: NOW, seed: 11, shard: { rank, worldSize } }));
      expect(parts.flatMap((p) => p.rows)).toEqual(whole.rows);
      expect(parts.flatMap((p) => p.receipt.picks)).toEqual(whole.receipt.picks);
      const sizes = parts.map((p) => p.receipt.picks.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      for (const [rank, p] of parts.entries()) {
        expect(p.receipt.options).toMatchObject({ shard: { rank, worldSize } });
        // A part's receipt redraws that part.
        expect((await store.redraw(p.receipt)).rows).toEqual(p.rows);
      }
    }
  });

  test("bad shards are argument errors naming options.shard", async () => {
    const { store } = await mixedStore(3);
    for (const shard of [{ rank: 2, worldSize: 2 }, { rank: -1, worldSize: 2 }, { rank: 0, worldSize: 0 }, { rank: 0.5, worldSize: 2 }, { rank: 0 }, "0/2"]) {
      await expect(store.draw({ k: 1, now: NOW, seed: 1, shard: shard as never })).rejects.toMatchObject({
        code: "STORE_ARGUMENT",
        argument: expect.stringMatching(/^options\.shard/),
      });
    }
  });
});

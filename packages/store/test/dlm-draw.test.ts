// sampleRows / samplePreferenceRows with dlmSeed: dlm's own rows for random.Random(dlmSeed)
// on the reference store (vectors/dlm-reference/draws.json `store_rows`), as a dlm store and
// after `upgrade` to replaykit's index.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { type ReplayStore, ReplayStore as Store, StoreArgumentError } from "../src/index.js";
import { dlmStoreRows } from "@replaykit/test-support";
import { referenceStoreCopy, VECTORS } from "./helpers.js";

const storeRows = dlmStoreRows();
const expected = JSON.parse(readFileSync(join(VECTORS, "expected.json"), "utf8")) as Record<string, { rows: unknown[] }>;
// The reference's `now` is naive, as its store's dates are: both are UTC here.
const NOW = new Date(`${storeRows.now}Z`);
const cases = storeRows.cases;

/** A safe seed as a number (as most callers give it), a larger one as a bigint. */
function seedOf(text: string): number | bigint {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

async function check(store: ReplayStore): Promise<void> {
  expect(cases.length).toBe(15);
  for (const c of cases) {
    const where = `seed ${c.seed}, k ${c.k}`;
    expect(await store.sampleRows({ k: c.k, now: NOW, dlmSeed: seedOf(c.seed) }), where).toEqual(c.rows);
    expect(await store.samplePreferenceRows({ k: c.k, now: NOW, dlmSeed: seedOf(c.seed) }), where).toEqual(c.preference_rows);
    expect(await store.sampleRows({ k: c.k, now: NOW, dlmSeed: BigInt(c.seed) }), where).toEqual(c.rows);
  }
}

describe("dlmSeed: the rows dlm's sample_rows / sample_preference_rows give for random.Random(dlmSeed)", () => {
  test("on the reference (dlm) store: every case of draws.json, rows in order", async () => {
    await check(await Store.open(referenceStoreCopy()));
  });

  test("on the same store upgraded to replaykit's index (read from its columns)", async () => {
    const dir = referenceStoreCopy();
    expect((await (await Store.open(dir)).upgrade()).format).toBe("replaykit");
    await check(await Store.open(dir));
  });

  test("k ≥ the store is dlm's full sweep; includeAutoMined: false leaves the auto-mined section out", async () => {
    const upgraded = referenceStoreCopy();
    await (await Store.open(upgraded)).upgrade();
    for (const dir of [referenceStoreCopy(), upgraded]) {
      const store = await Store.open(dir);
      expect(await store.sampleRows({ k: 13, now: NOW, dlmSeed: 5 })).toEqual(expected.sample_rows_full_sweep!.rows);
      expect(await store.samplePreferenceRows({ k: 3, now: NOW, dlmSeed: -5n })).toEqual(expected.sample_preference_rows_full_sweep!.rows);
      expect(await store.samplePreferenceRows({ k: 2, now: NOW, dlmSeed: 9, includeAutoMined: false })).toEqual(
        expected.sample_preference_rows_full_sweep_exclude_auto_mined!.rows,
      );
    }
  });

  test("draws among the non-auto-mined preference sections only, with includeAutoMined: false", async () => {
    const store = await Store.open(referenceStoreCopy());
    const ids = new Set<string>();
    for (let seed = 0; seed < 40; seed++) {
      for (const row of await store.samplePreferenceRows({ k: 1, now: NOW, dlmSeed: seed, includeAutoMined: false })) ids.add(row._dlm_section_id);
    }
    // The two preference sections that are not auto-mined; never 8931d3b72cc002ef.
    expect([...ids].sort()).toEqual(["replay:32435532d70848f8:2026-03-10T00:00:00+00:00", "replay:f09672fc66a04b7b:2026-01-15T12:00:00+00:00"]);
  });

  test("the uniform scheme draws dlm's uniform picks (one stream, other weights)", async () => {
    const store = await Store.open(referenceStoreCopy());
    const recency = await store.sampleRows({ k: 3, now: NOW, dlmSeed: 1 });
    expect(recency).toEqual(cases.find((c) => c.seed === "1" && c.k === 3)!.rows);
    const seen = new Set<string>();
    for (let seed = 0; seed < 30; seed++) {
      for (const row of await store.sampleRows({ k: 3, now: NOW, dlmSeed: seed, scheme: "uniform" })) seen.add(row._dlm_section_id);
    }
    expect(seen.size).toBeGreaterThan(8);
  });

  test.each([
    [{ dlmSeed: 1, seed: 1 }, "options.dlmSeed", /give it without seed/],
    [{ dlmSeed: 1, random: Math.random }, "options.dlmSeed", /give it without random/],
    [{ dlmSeed: 1.5 }, "options.dlmSeed", /must be a safe integer, or a bigint for larger ones/],
    [{ dlmSeed: 2 ** 60 }, "options.dlmSeed", /bigint/],
    [{ dlmSeed: "7" }, "options.dlmSeed", /must be an integer \(a safe integer number, or a bigint for larger ones\)/],
    [{ dlmSeed: 1, scheme: () => 1 }, "options.scheme", /dlm's two schemes\), got a function/],
  ])("%o is a StoreArgumentError naming %s", async (bad, argument, message) => {
    const store = await Store.open(referenceStoreCopy());
    for (const call of [
      () => store.sampleRows({ k: 1, now: NOW, ...(bad as object) }),
      () => store.samplePreferenceRows({ k: 1, now: NOW, ...(bad as object) }),
    ]) {
      const error = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(StoreArgumentError.isInstance(error)).toBe(true);
      expect((error as StoreArgumentError).argument).toBe(argument);
      expect((error as Error).message).toMatch(message);
    }
  });

  test("a bad k with dlmSeed is a StoreArgumentError naming options.k", async () => {
    const store = await Store.open(referenceStoreCopy());
    await expect(store.sampleRows({ k: -1, now: NOW, dlmSeed: 1 })).rejects.toMatchObject({ code: "STORE_ARGUMENT", argument: "options.k" });
  });
});

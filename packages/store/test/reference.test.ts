// The reference (dlm) store from the vectors: replaykit reads it exactly as dlm does.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ReplayStore } from "../src/index.js";
import { referenceStoreCopy, VECTORS } from "./helpers.js";

const expected = JSON.parse(readFileSync(join(VECTORS, "expected.json"), "utf8")) as Record<string, { rows: unknown[] }> & {
  entries: Array<{ entry: Record<string, unknown>; rows: unknown[] }>;
};
const NOW = new Date("2026-04-01T00:00:00Z");

describe("the reference store", () => {
  test("sampleRows with k ≥ entries is the reference's full sweep, row for row", async () => {
    const store = await ReplayStore.open(referenceStoreCopy());
    expect(await store.sampleRows({ k: 1000, now: NOW, seed: 0 })).toEqual(expected.sample_rows_full_sweep!.rows);
    // Any seed, any scheme: a full sweep draws nothing.
    expect(await store.sampleRows({ k: 13, now: NOW, seed: 99, scheme: "uniform" })).toEqual(expected.sample_rows_full_sweep!.rows);
  });

  test("samplePreferenceRows full sweeps, with and without auto-mined sections", async () => {
    const store = await ReplayStore.open(referenceStoreCopy());
    expect(await store.samplePreferenceRows({ k: 1000, now: NOW, seed: 0 })).toEqual(expected.sample_preference_rows_full_sweep!.rows);
    expect(await store.samplePreferenceRows({ k: 1000, now: NOW, seed: 0, includeAutoMined: false })).toEqual(
      expected.sample_preference_rows_full_sweep_exclude_auto_mined!.rows,
    );
  });

  test("load gives every entry in file order; read gives each entry's snapshot", async () => {
    const store = await ReplayStore.open(referenceStoreCopy());
    const entries = await store.load();
    expect(entries.map((e) => e.sectionId)).toEqual(expected.entries.map((e) => e.entry.section_id));
    for (const [i, e] of entries.entries()) {
      const s = await store.read(e);
      expect(s.sectionId).toBe(e.sectionId);
      expect(s.lastSeenAt.getTime()).toBe(e.addedAt.getTime());
      void i;
    }
  });

  test("verify is clean and says the check is decode-only; stats count types by decoding", async () => {
    const store = await ReplayStore.open(referenceStoreCopy());
    const report = await store.verify();
    expect(report).toMatchObject({ ok: true, entries: 13, problems: [], format: "dlm", integrity: "decode-only", reclaimableBytes: 0 });
    const stats = await store.stats();
    expect(stats).toMatchObject({ entries: 13, fileBytes: 2709, liveBytes: 2709, deadBytes: 0, format: "dlm" });
    expect(stats.byType).toEqual({ prose: 6, instruction: 4, preference: 3 });
    expect(stats.oldest?.toISOString()).toBe("2026-01-01T00:00:00.000Z");
    expect(stats.newest?.toISOString()).toBe("2026-03-20T07:00:00.000Z");
  });
});

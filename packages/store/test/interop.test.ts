// dlm interoperability: a store written by dlm stays a store dlm can read after replaykit
// works on it, byte for byte in the shape dlm writes; upgrade() converts it on request.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ReplayStore, createSnapshot } from "../src/index.js";
import { referenceStoreCopy, storeFiles, VECTORS } from "./helpers.js";

const REFERENCE_KEYS = ["added_at", "byte_offset", "length", "section_id", "weight"];
const NOW = new Date("2026-04-01T00:00:00Z");

/** What dlm's save_index writes: json.dumps(entries, indent=2, sort_keys=True) + "\n", entries sorted by id (stable). */
function dlmIndexText(entries: Array<{ section_id: string; byte_offset: number; length: number; added_at: string }>): string {
  const sorted = entries.map((e, i) => ({ e, i })).sort((a, b) => (a.e.section_id < b.e.section_id ? -1 : a.e.section_id > b.e.section_id ? 1 : a.i - b.i));
  const body = sorted
    .map(({ e }) =>
      [
        "  {",
        `    "added_at": "${e.added_at}",`,
        `    "byte_offset": ${e.byte_offset},`,
        `    "length": ${e.length},`,
        `    "section_id": "${e.section_id}",`,
        `    "weight": 1.0`,
        "  }",
      ].join("\n"),
    )
    .join(",\n");
  return entries.length === 0 ? "[]\n" : `[\n${body}\n]\n`;
}

function expectDlmShaped(indexPath: string): void {
  const text = readFileSync(indexPath, "utf8");
  const json = JSON.parse(text) as Array<{ section_id: string; byte_offset: number; length: number; added_at: string }>;
  for (const e of json) {
    expect(Object.keys(e)).toEqual(REFERENCE_KEYS);
    expect(e.added_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  }
  expect(text).toBe(dlmIndexText(json));
}

describe("a dlm store stays a dlm store", () => {
  test("loading and saving it unchanged reproduces index.json byte for byte", async () => {
    const dir = referenceStoreCopy();
    const store = await ReplayStore.open(dir);
    await store.save(await store.load());
    expect(readFileSync(join(dir, "index.json"), "utf8")).toBe(readFileSync(join(VECTORS, "store/index.json"), "utf8"));
  });

  test("after append, appendMany, evict and compact the index has only dlm's keys, in dlm's bytes", async () => {
    const dir = referenceStoreCopy();
    const store = await ReplayStore.open(dir);
    const one = await store.append(createSnapshot({ sectionType: "prose", content: "added by replaykit", lastSeenAt: new Date("2026-03-25T08:00:00Z") }));
    expect(one.sectionType).toBeUndefined();
    expect(one.crc32).toBeUndefined();
    expectDlmShaped(store.indexPath);
    await store.appendMany([
      createSnapshot({
        sectionType: "preference",
        content: "### Prompt\nnew\n### Chosen\nyes\n### Rejected\nno",
        lastSeenAt: new Date("2026-03-26T00:00:00Z"),
      }),
      createSnapshot({ sectionType: "instruction", content: "### Q\nnew?\n### A\nyes", lastSeenAt: new Date("2026-03-27T00:00:00Z") }),
    ]);
    expectDlmShaped(store.indexPath);
    const live = (await store.load()).reduce((n, e) => n + e.length, 0);
    const { evicted } = await store.evict({ maxBytes: live - 500 });
    expect(evicted.length).toBeGreaterThan(0);
    expectDlmShaped(store.indexPath);
    await store.compact();
    expectDlmShaped(store.indexPath);
    const report = await store.verify();
    expect(report).toMatchObject({ ok: true, format: "dlm", integrity: "decode-only", reclaimableBytes: 0 });
    // Without types in the index, preference sampling decodes what it must and is still right.
    const rows = await store.samplePreferenceRows({ k: 100, now: NOW, seed: 1 });
    expect(rows.map((r) => ("prompt" in r ? r.prompt : undefined))).toContain("new");
  });

  test("upgrade() converts the index to replaykit's keys; stats and verify say so", async () => {
    const dir = referenceStoreCopy();
    const store = await ReplayStore.open(dir);
    expect((await store.stats()).format).toBe("dlm");
    expect(await store.upgrade()).toEqual({ converted: 13, format: "replaykit" });
    const json = JSON.parse(readFileSync(store.indexPath, "utf8")) as Array<Record<string, unknown>>;
    for (const e of json) expect(Object.keys(e).sort()).toEqual([...REFERENCE_KEYS, "auto_mined", "crc32", "section_type"].sort());
    expect(await store.verify()).toMatchObject({ ok: true, format: "replaykit", integrity: "crc32" });
    expect((await store.stats()).byType).toEqual({ prose: 6, instruction: 4, preference: 3 });
    expect(await store.upgrade()).toEqual({ converted: 0, format: "replaykit" });
    // New entries now carry replaykit's keys too.
    const added = await store.append(createSnapshot({ sectionType: "prose", content: "after upgrade" }));
    expect(added.sectionType).toBe("prose");
    // The full sweep is unchanged by the upgrade (rows come from the frames).
    const expected = JSON.parse(readFileSync(join(VECTORS, "expected.json"), "utf8")) as { sample_preference_rows_full_sweep: { rows: unknown[] } };
    expect(await store.samplePreferenceRows({ k: 1000, now: NOW, seed: 0 })).toEqual(expected.sample_preference_rows_full_sweep.rows);
  });

  test("a dlm store emptied by eviction is still a dlm store: the next append writes dlm's keys", async () => {
    const dir = referenceStoreCopy();
    const store = await ReplayStore.open(dir);
    await store.evict({ maxBytes: 0, compact: true });
    expect(readFileSync(store.indexPath, "utf8")).toBe("[]\n");
    expect((await store.stats()).format).toBe("dlm");
    expect((await store.verify()).format).toBe("dlm");
    await store.append(createSnapshot({ sectionType: "prose", content: "refill", lastSeenAt: new Date("2026-04-02T00:00:00Z") }));
    expectDlmShaped(store.indexPath);
    expect(storeFiles(dir)).toEqual(["corpus.zst", "index.json"]);
    // A store replaykit created and emptied stays replaykit's.
    const own = await ReplayStore.open(join(dir, "own"));
    await own.append(createSnapshot({ sectionType: "prose", content: "mine" }));
    await own.evict({ maxBytes: 0 });
    await own.append(createSnapshot({ sectionType: "prose", content: "mine again" }));
    expect((await own.load())[0]!.crc32).toEqual(expect.any(Number));
  });
});

// dlm interoperability: a store written by dlm stays a store dlm can read after replaykit
// works on it, byte for byte in the shape dlm writes; upgrade() converts it on request.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { IndexJournal, loadIndex } from "@replaykit/index";
import { ReplayStore, createSnapshot } from "../src/index.js";
import { journalOf, mixedStore, referenceStoreCopy, storeFiles, toLegacy, VECTORS } from "./helpers.js";

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
    // Upgraded means a replaykit store: the v2 journal, every entry with type, flag and CRC-32.
    expect(storeFiles(dir)).toEqual(["corpus.zst", "index.rkx"]);
    const journal = await IndexJournal.open(journalOf(store));
    for (const e of journal.view.toEntries())
      expect(Object.keys(e).sort()).toEqual(["addedAt", "autoMined", "byteOffset", "crc32", "length", "sectionId", "sectionType", "weight"]);
    await journal.close();
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

describe("v2 index: migration and downgrade", () => {
  test("a replaykit store of the previous release (index.json with replaykit's keys) reads as is and migrates on its first write", async () => {
    const { dir, store, entries } = await mixedStore(9, { autoMined: true });
    await toLegacy(store);
    const legacy = readFileSync(store.indexPath);
    const old = await ReplayStore.open(dir);
    const byOffset = (a: { byteOffset: number }, b: { byteOffset: number }) => a.byteOffset - b.byteOffset;
    expect((await old.load()).sort(byOffset)).toEqual(entries); // index.json is kept sorted by id
    expect((await old.verify()).ok).toBe(true);
    expect((await old.stats()).format).toBe("replaykit");
    expect(readFileSync(old.indexPath).equals(legacy)).toBe(true); // reads write nothing
    expect(storeFiles(dir)).toEqual(["corpus.zst", "index.json"]);
    const added = await old.append(createSnapshot({ sectionType: "prose", content: "first write after the upgrade" }));
    expect(storeFiles(dir)).toEqual(["corpus.zst", "index.rkx"]);
    expect((await (await ReplayStore.open(dir)).load()).sort(byOffset)).toEqual([...entries, added]);
  });

  test("downgrade() turns a replaykit store into a dlm store: index.json as the reference writes it; upgrade() turns it back", async () => {
    const { dir, store, entries } = await mixedStore(7);
    expect(await store.downgrade()).toEqual({ converted: 7 });
    expect(storeFiles(dir)).toEqual(["corpus.zst", "index.json"]);
    expectDlmShaped(store.indexPath);
    const loaded = await loadIndex(store.indexPath);
    expect(loaded.map((e) => e.sectionId).sort()).toEqual(entries.map((e) => e.sectionId).sort());
    expect((await store.stats()).format).toBe("dlm");
    expect(await store.downgrade()).toEqual({ converted: 0 });
    expect(await store.upgrade()).toEqual({ converted: 7, format: "replaykit" });
    expect(storeFiles(dir)).toEqual(["corpus.zst", "index.rkx"]);
    expect((await store.verify()).ok).toBe(true);
  });

  test("dlm's reference store: upgrade() then downgrade() gives back its index.json byte for byte", async () => {
    const dir = referenceStoreCopy();
    const store = await ReplayStore.open(dir);
    await store.upgrade();
    expect(storeFiles(dir)).toEqual(["corpus.zst", "index.rkx"]);
    expect(await store.downgrade()).toEqual({ converted: 13 });
    expect(readFileSync(join(dir, "index.json"), "utf8")).toBe(readFileSync(join(VECTORS, "store/index.json"), "utf8"));
  });

  test("long-lived store objects see each other's format changes: what one object knew of the files at its last write is not trusted at its next", async () => {
    const { dir, entries } = await mixedStore(5);
    const a = await ReplayStore.open(dir);
    const b = await ReplayStore.open(dir);
    const first = await a.append(createSnapshot({ sectionType: "prose", content: "a, on the journal" }));
    expect(await b.downgrade()).toEqual({ converted: 6 });
    // a's next write goes to the dlm index.json, not to the journal it last wrote (now unlinked).
    const second = await a.append(createSnapshot({ sectionType: "prose", content: "a, after b's downgrade" }));
    expect(storeFiles(dir)).toEqual(["corpus.zst", "index.json"]);
    expectDlmShaped(a.indexPath);
    expect((await loadIndex(a.indexPath)).map((e) => e.sectionId).sort()).toEqual([...entries, first, second].map((e) => e.sectionId).sort());
    // And back: b upgrades; a's next write commits to the new journal.
    await b.upgrade();
    const third = await a.append(createSnapshot({ sectionType: "prose", content: "a, after b's upgrade" }));
    expect(storeFiles(dir)).toEqual(["corpus.zst", "index.rkx"]);
    expect((await (await ReplayStore.open(dir)).load()).map((e) => e.sectionId).sort()).toEqual(
      [...entries, first, second, third].map((e) => e.sectionId).sort(),
    );
    expect((await a.verify()).ok).toBe(true);
  });

  test("an emptied replaykit store downgrades to dlm's empty index and stays a dlm store", async () => {
    const { dir, store } = await mixedStore(3);
    await store.evict({ maxBytes: 0 });
    expect(await store.downgrade()).toEqual({ converted: 0 });
    expect(readFileSync(store.indexPath, "utf8")).toBe("[]\n");
    expect(readFileSync(`${store.indexPath}.format`, "utf8")).toBe("dlm\n");
    expect((await (await ReplayStore.open(dir)).stats()).format).toBe("dlm");
  });

  test("evict, remove and repair write removal records: the journal grows by what leaves, not by what stays", async () => {
    const { dir, store, entries } = await mixedStore(60);
    const journal = journalOf(store);
    const before = statSync(journal).size;
    const { evicted } = await store.evict({ maxBytes: entries.slice(2).reduce((n, e) => n + e.length, 0) });
    expect(evicted).toHaveLength(2);
    expect(statSync(journal).size - before).toBeLessThanOrEqual(8 + 8 + 8); // commit head, record head, two ordinals
    await store.remove([entries[10]!.sectionId]);
    const live = await (await ReplayStore.open(dir)).load();
    expect(live.map((e) => e.sectionId)).toEqual(entries.filter((_, i) => i >= 2 && i !== 10).map((e) => e.sectionId));
    expect((await store.verify()).ok).toBe(true);
    // The same frame indexed twice, one copy evicted (eviction counts each entry's bytes): the
    // removal record names that entry by its ordinal, so the other copy stays.
    await store.save([...live, live[0]!]);
    const saved = statSync(journal).size;
    const { evicted: one } = await store.evict({ maxBytes: live.reduce((n, e) => n + e.length, 0) });
    expect(statSync(journal).size - saved).toBeLessThanOrEqual(8 + 8 + 8);
    expect(one.map((e) => e.sectionId)).toEqual([live[0]!.sectionId]);
    const after = await store.load();
    expect(after).toHaveLength(live.length);
    expect(after.filter((e) => e.sectionId === live[0]!.sectionId)).toHaveLength(1);
  });

  test("a store object kept open sees other writers' commits, evictions and compactions", async () => {
    const { dir, store, entries } = await mixedStore(6);
    expect(await store.load()).toHaveLength(6); // the reader journal is open now
    const other = await ReplayStore.open(dir);
    const added = await other.append(createSnapshot({ sectionType: "prose", content: "from another writer" }));
    expect((await store.load()).map((e) => e.sectionId)).toEqual([...entries, added].map((e) => e.sectionId));
    await other.remove([entries[0]!.sectionId]);
    expect(await store.load()).toHaveLength(6);
    await other.compact();
    const after = await store.load();
    expect(after.map((e) => e.sectionId).sort()).toEqual([...entries.slice(1), added].map((e) => e.sectionId).sort());
    expect(await store.readMany(after)).toHaveLength(6);
    // The same live entries give the same journal bytes after compaction, whoever compacts.
    const first = readFileSync(journalOf(store));
    await store.compact();
    expect(readFileSync(journalOf(store)).equals(first)).toBe(true);
  });
});

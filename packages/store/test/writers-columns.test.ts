// evict, remove and compact on a replaykit store plan on the journal's columns (issue 14 item 3):
// the same decisions as on entry objects, removals committed by row, and a compacted journal
// written in one commit with the exposure in it.
import { evictUntil } from "@replaykit/eviction";
import { IndexJournal } from "@replaykit/index";
import { statSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { ReplayStore, StoreArgumentError } from "../src/index.js";
import { journalOf, mixedStore } from "./helpers.js";

const NOW = new Date("2026-06-01T00:00:00Z");
const total = (entries: ReadonlyArray<{ length: number }>) => entries.reduce((n, e) => n + e.length, 0);

describe("evict on the columns", () => {
  test("drops what evictUntil drops on the loaded entries (protection and ties included); kept is the index after it", async () => {
    const { dir, store } = await mixedStore(40);
    const loaded = await store.load();
    // Ties: ten entries at one time, so the walk orders them by section id.
    const tied = loaded.map((e, i) => (i >= 5 && i < 15 ? { ...e, addedAt: loaded[5]!.addedAt } : e));
    await store.save(tied);
    const options = { maxBytes: total(tied) - total(tied.slice(0, 12)), protectIds: [tied[7]!.sectionId, "not-an-id"] };
    const expected = evictUntil(await store.load(), options);
    const { evicted, kept } = await store.evict(options);
    expect(evicted).toEqual(expected.evicted);
    expect(kept).toEqual(expected.kept);
    expect(await (await ReplayStore.open(dir)).load()).toEqual(expected.kept);
  });

  test("kept, read after later writes, is still the index as the eviction left it", async () => {
    const { store, entries } = await mixedStore(12);
    const result = await store.evict({ maxBytes: total(entries.slice(3)) });
    const expected = await store.load();
    await store.draw({ k: 4, now: NOW, seed: 3, recordExposure: true }); // changes replay counts
    await store.remove([expected[0]!.sectionId]);
    expect(result.kept).toEqual(expected);
    expect(result.kept).toBe(result.kept); // made once
    expect(result.evicted.map((e) => e.sectionId)).toEqual(entries.slice(0, 3).map((e) => e.sectionId));
  });

  test("evicted entries carry their exposure (as a writer's entries did before)", async () => {
    const { store, entries } = await mixedStore(10);
    await store.draw({ k: 10, now: NOW, seed: 1, recordExposure: true });
    const loaded = await store.load();
    const { evicted } = await store.evict({ maxBytes: total(entries.slice(2)) });
    expect(evicted.map(({ replayCount: _, lastReplayAt: __, ...rest }) => rest)).toEqual(loaded.slice(0, 2));
    expect(evicted.map((e) => [e.replayCount, e.lastReplayAt])).toEqual([
      [1, NOW],
      [1, NOW],
    ]);
  });

  test("within budget: nothing is written, kept is every entry", async () => {
    const { store, entries } = await mixedStore(6);
    const size = statSync(journalOf(store)).size;
    const { evicted, kept } = await store.evict({ maxBytes: total(entries) });
    expect(evicted).toEqual([]);
    expect(kept).toEqual(await store.load());
    expect(statSync(journalOf(store)).size).toBe(size);
  });

  test("bad options are StoreArgumentErrors naming the option, before the lock; nothing changes", async () => {
    const { store } = await mixedStore(3);
    const before = await store.load();
    for (const [options, argument] of [
      [{ maxBytes: -1 }, "options.maxBytes"],
      [{ maxBytes: 1.5 }, "options.maxBytes"],
      [{ maxBytes: "1" }, "options.maxBytes"],
      [{ maxBytes: 0, protectIds: "abc" }, "options.protectIds"],
      [{ maxBytes: 0, protectIds: 7 }, "options.protectIds"],
      [undefined, "options"],
      [null, "options"],
      [42, "options"],
      [{ maxBytes: 0, compact: "yes" }, "options.compact"],
      [{ maxBytes: 0, maxbytes: 0 }, "options.maxbytes"],
    ] as const) {
      const error = await store.evict(options as never).catch((e: unknown) => e);
      expect(StoreArgumentError.isInstance(error), String(error)).toBe(true);
      expect((error as StoreArgumentError).argument).toBe(argument);
    }
    expect(await store.load()).toEqual(before);
  });
});

describe("remove on the columns", () => {
  test("removes every entry of the ids by row; the removed carry their exposure; unknown ids are ignored", async () => {
    const { store, entries } = await mixedStore(9);
    await store.draw({ k: 9, now: NOW, seed: 2, recordExposure: true });
    const loaded = await store.load();
    const ids = [entries[1]!.sectionId, entries[4]!.sectionId, "ffffffffffffffff"];
    const { removed } = await store.remove(ids);
    expect(removed.map(({ replayCount: _, lastReplayAt: __, ...rest }) => rest)).toEqual([loaded[1], loaded[4]]);
    expect(removed.map((e) => e.replayCount)).toEqual([1, 1]);
    expect(await store.load()).toEqual(loaded.filter((_, i) => i !== 1 && i !== 4));
  });
});

describe("compact from the columns", () => {
  test("the new journal is one commit holding the live entries with their exposure", async () => {
    const { dir, store, entries } = await mixedStore(30);
    await store.draw({ k: 8, now: NOW, seed: 5, recordExposure: true });
    await store.evict({ maxBytes: total(entries.slice(5)) });
    const before = await store.load();
    const replayed = (await store.stats()).replayed;
    expect(replayed.sections).toBeGreaterThan(0);
    const { bytesBefore, bytesAfter } = await store.compact();
    expect(bytesAfter).toBeLessThan(bytesBefore);
    const journal = await IndexJournal.open(journalOf(store));
    expect(journal.commits).toBe(1);
    await journal.close();
    const after = await (await ReplayStore.open(dir)).load();
    // Offsets change; every other field, exposure included, stays.
    expect(after.map(({ byteOffset: _, ...rest }) => rest)).toEqual(before.map(({ byteOffset: _, ...rest }) => rest));
    expect((await store.stats()).replayed).toEqual(replayed);
    expect((await store.verify()).ok).toBe(true);
    expect(await store.readMany(after)).toHaveLength(after.length);
  });

  test("a frame indexed by two entries is copied once and both point at the copy", async () => {
    const { store } = await mixedStore(4);
    const live = await store.load();
    await store.save([...live, { ...live[2]!, weight: 2 }]);
    await store.compact();
    const after = await store.load();
    expect(after).toHaveLength(5);
    const twins = after.filter((e) => e.sectionId === live[2]!.sectionId);
    expect(twins).toHaveLength(2);
    expect(twins[0]!.byteOffset).toBe(twins[1]!.byteOffset);
    expect(statSync(store.corpusPath).size).toBe(total(live));
    expect((await store.verify()).ok).toBe(true);
  });
});

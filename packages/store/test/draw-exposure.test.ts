// recordExposure: a draw counts its picks as replayed in the index (one commit), stats()
// shows it, and scheme functions of later draws read it. Draws and sampleRows over a v2
// store's columns pick what `sample` picks over the same entries.
import { sample } from "@replaykit/sampler";
import { describe, expect, test } from "vitest";
import { ReplayStore, createSnapshot, type SectionSnapshot } from "../src/index.js";
import { recordingScheme, referenceStoreCopy, tempDir } from "./helpers.js";

const DAY = 86_400_000;
const at = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * DAY);
const NOW = at(400);

const prose = (i: number) => createSnapshot({ sectionType: "prose", content: `Prose ${i}: ${"words ".repeat(1 + (i % 5))}`, lastSeenAt: at(i % 300) });
const preference = (i: number) =>
  createSnapshot({
    sectionType: "preference",
    content: `### Prompt\nP${i}\n### Chosen\nC${i}\n### Rejected\nR${i}`,
    lastSeenAt: at(i % 300),
    autoMined: i % 3 === 0,
  });

async function storeWith(snapshots: SectionSnapshot[]): Promise<ReplayStore> {
  const store = await ReplayStore.open(tempDir());
  await store.appendMany(snapshots);
  return store;
}

const corpus = () => [...Array.from({ length: 60 }, (_, i) => prose(i)), ...Array.from({ length: 20 }, (_, i) => preference(i))];
const idsOf = (picks: ReadonlyArray<{ sectionId: string }>) => picks.map((p) => p.sectionId);

describe("recordExposure", () => {
  test("counts each pick once per draw, stats shows it, a scheme function reads it", async () => {
    const store = await storeWith(corpus());
    expect((await store.stats()).replayed).toEqual({ sections: 0, total: 0 });
    const plain = await store.draw({ k: 5, now: NOW, seed: 1 });
    expect((await store.stats()).replayed).toEqual({ sections: 0, total: 0 }); // a plain draw is a read

    const first = await store.draw({ k: 5, now: NOW, seed: 1, recordExposure: true });
    expect(idsOf(first.receipt.picks)).toEqual(idsOf(plain.receipt.picks)); // recording changes no pick
    expect(first.receipt.options.recordExposure).toBe(true);
    expect((await store.stats()).replayed).toEqual({ sections: 5, total: 5 });

    const later = new Date(NOW.getTime() + DAY);
    await store.draw({ k: 5, now: later, seed: 1, recordExposure: true });
    expect((await store.stats()).replayed).toEqual({ sections: 5, total: 10 });

    const { seen, scheme } = recordingScheme((e) => e.sectionId);
    await store.draw({ k: 1, now: later, seed: 2, scheme });
    expect(seen.size).toBe(80);
    const picked = new Set(idsOf(first.receipt.picks));
    for (const [id, e] of seen) {
      if (picked.has(id)) {
        expect(e.replayCount).toBe(2);
        expect(e.lastReplayAt).toEqual(later);
      } else {
        expect(e.replayCount).toBe(0);
        expect(e.lastReplayAt).toBeUndefined();
      }
    }
    // A scheme that favours what was replayed least moves the draw away from those sections.
    const fresh = await store.draw({ k: 5, now: later, seed: 1, scheme: (e) => 1 / (1 + (e.replayCount ?? 0)) ** 8 });
    expect(idsOf(fresh.receipt.picks).filter((id) => picked.has(id)).length).toBeLessThan(5);
  });

  test("another store object opened later sees the counts (they are in the index file)", async () => {
    const dir = tempDir();
    const store = await ReplayStore.open(dir);
    await store.appendMany(corpus());
    await store.draw({ rows: 7, now: NOW, seed: 3, recordExposure: true, mix: { prose: 1, preference: 1 } });
    const again = await ReplayStore.open(dir);
    const stats = await again.stats();
    expect(stats.replayed.sections).toBeGreaterThan(0);
    expect(stats.replayed.total).toBe(stats.replayed.sections);
  });

  test("replay counts survive a compaction (and the removal before it)", async () => {
    const store = await storeWith(corpus());
    const first = await store.draw({ k: 6, now: NOW, seed: 4, recordExposure: true });
    await store.draw({ k: 6, now: NOW, seed: 4, recordExposure: true });
    const picked = idsOf(first.receipt.picks);
    const gone = (await store.load()).find((e) => !picked.includes(e.sectionId))!.sectionId;
    await store.remove([gone], { purge: true }); // purge compacts
    await store.compact();
    expect((await store.stats()).replayed).toEqual({ sections: 6, total: 12 });
    const { seen, scheme } = recordingScheme((e) => e.sectionId);
    await store.draw({ k: 1, now: NOW, seed: 1, scheme });
    const counts = new Map([...seen].map(([id, e]) => [id, e.replayCount ?? -1]));
    for (const id of picked) expect(counts.get(id)).toBe(2);
    expect([...counts.values()].filter((c) => c === 0)).toHaveLength(80 - 1 - 6);
  });

  test("a draw that fails records nothing; a draw of nothing records nothing", async () => {
    const store = await storeWith(corpus());
    const scheme = () => {
      throw new Error("boom");
    };
    await expect(store.draw({ k: 3, now: NOW, seed: 1, scheme, recordExposure: true })).rejects.toMatchObject({ code: "SAMPLER" });
    await store.draw({ k: 0, now: NOW, seed: 1, recordExposure: true });
    expect((await store.stats()).replayed).toEqual({ sections: 0, total: 0 });
  });

  test("a dlm store cannot record: StoreArgumentError naming options.recordExposure, and nothing changes", async () => {
    const store = await ReplayStore.open(referenceStoreCopy());
    const before = await store.load();
    await expect(store.draw({ k: 2, now: NOW, seed: 1, recordExposure: true })).rejects.toMatchObject({
      code: "STORE_ARGUMENT",
      argument: "options.recordExposure",
    });
    expect(await store.load()).toEqual(before);
    expect((await store.stats()).replayed).toEqual({ sections: 0, total: 0 });
  });
});

describe("sampling a v2 store reads its columns and picks what sample picks over its entries", () => {
  test("sampleRows, samplePreferenceRows and draw", async () => {
    const store = await storeWith(corpus());
    const entries = await store.load();
    for (let seed = 0; seed < 5; seed++) {
      for (const scheme of ["recency", "uniform"] as const) {
        const expected = sample(entries, { k: 9, now: NOW, seed, scheme }).map((e) => e.sectionId);
        const rows = await store.sampleRows({ k: 9, now: NOW, seed, scheme });
        expect([...new Set(rows.map((r) => String(r._dlm_section_id).split(":")[1]))]).toEqual(expected);
        expect(idsOf((await store.draw({ k: 9, now: NOW, seed, scheme })).receipt.picks)).toEqual(expected);
        const prefs = entries.filter((e) => e.sectionType === "preference" && e.autoMined === false);
        const expectedPrefs = sample(prefs, { k: 4, now: NOW, seed, scheme }).map((e) => e.sectionId);
        const prefRows = await store.samplePreferenceRows({ k: 4, now: NOW, seed, scheme, includeAutoMined: false });
        expect([...new Set(prefRows.map((r) => String(r._dlm_section_id).split(":")[1]))]).toEqual(expectedPrefs);
      }
    }
  });
});

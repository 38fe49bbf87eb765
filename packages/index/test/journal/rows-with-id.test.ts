// IndexView#rowsWithId: the id hash a writer plans appends with. Checked against a scan of
// the id columns after every kind of change a journal view goes through.
import fc from "fast-check";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { IndexJournal, type IndexView } from "../../src/index.js";
import { entry, tempDir } from "./helpers.js";

/** What rowsWithId must answer: a plain scan of the id columns. */
function scan(view: IndexView, id: string): number[] {
  const rows: number[] = [];
  for (let r = 0; r < view.size; r++) if (view.sectionId(r) === id) rows.push(r);
  return rows;
}

async function fresh(): Promise<IndexJournal> {
  return IndexJournal.open(join(await tempDir(), "index.rkx"), { create: true });
}

describe("IndexView#rowsWithId", () => {
  it("finds every row of an id, ascending, through appends, duplicates, removals and a reopen", async () => {
    const journal = await fresh();
    const ids = Array.from({ length: 300 }, (_, i) => entry(i).sectionId);
    await journal.commit({ append: Array.from({ length: 300 }, (_, i) => entry(i)) });
    expect(journal.view.rowsWithId(ids[7]!)).toEqual([7]);
    // Rows appended after the hash was built, two of them with ids already present.
    await journal.commit({ append: [entry(7, { byteOffset: 99_000 }), entry(400), entry(7, { byteOffset: 99_500 })] });
    expect(journal.view.rowsWithId(ids[7]!)).toEqual([7, 300, 302]);
    expect(journal.view.rowsWithId(entry(400).sectionId)).toEqual([301]);
    // A removal moves rows: the answer follows.
    await journal.commit({ remove: [{ sectionId: ids[3]!, byteOffset: entry(3).byteOffset }], reason: "evicted" });
    expect(journal.view.rowsWithId(ids[7]!)).toEqual([6, 299, 301]);
    expect(journal.view.rowsWithId(ids[3]!)).toEqual([]);
    for (const id of ids) expect(journal.view.rowsWithId(id)).toEqual(scan(journal.view, id));
    const path = journal.path;
    await journal.close();
    const again = await IndexJournal.open(path);
    expect(again.view.rowsWithId(ids[7]!)).toEqual([6, 299, 301]);
    await again.close();
  });

  it("answers [] for what is not a section id, and for an empty index", async () => {
    const journal = await fresh();
    for (const bad of ["", "xyz", "0123456789ABCDEF", "0123456789abcdef0", null, undefined, 7]) {
      expect(journal.view.rowsWithId(bad as string)).toEqual([]);
    }
    await journal.commit({ append: [entry(1)] });
    expect(journal.view.rowsWithId("0123456789abcdef")).toEqual([]);
    await journal.close();
  });

  it("agrees with a scan for ids chosen to collide, across table growth (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        // Few distinct ids (many duplicates), low bits alike: long probe runs and wraps.
        fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 1500 }),
        fc.integer({ min: 1, max: 6 }),
        async (picks, batches) => {
          const journal = await fresh();
          try {
            const id = (a: number, b: number) => `${(a << 20).toString(16).padStart(8, "0")}${(b * 1024).toString(16).padStart(8, "0")}`;
            const per = Math.ceil(picks.length / batches);
            for (let at = 0; at < picks.length; at += per) {
              const append = picks.slice(at, at + per).map(([a, b], k) => ({ ...entry(at + k), sectionId: id(a, b) }));
              await journal.commit({ append });
              const [a, b] = picks[at]!;
              expect(journal.view.rowsWithId(id(a, b))).toEqual(scan(journal.view, id(a, b)));
            }
            for (const [a, b] of picks) expect(journal.view.rowsWithId(id(a, b))).toEqual(scan(journal.view, id(a, b)));
          } finally {
            await journal.close();
          }
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);

  it("removals of a leading run of rows (the oldest, as eviction takes them), alone or with others, keep every column and the id hash right", async () => {
    for (const removed of [
      [0],
      [0, 1, 2, 3],
      [0, 1, 2, 7, 8, 20],
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29],
    ]) {
      const journal = await fresh();
      const entries = Array.from({ length: 30 }, (_, i) => entry(i));
      await journal.commit({ append: entries.slice(0, 10) });
      await journal.commit({ append: entries.slice(10) }); // two records: the columns are settled (owned) before the removal
      expect(journal.view.rowsWithId(entries[25]!.sectionId)).toEqual([25]); // the hash exists before the removal
      await journal.commit({ remove: removed.map((i) => ({ sectionId: entries[i]!.sectionId, byteOffset: entries[i]!.byteOffset })), reason: "evicted" });
      const kept = entries.filter((_, i) => !removed.includes(i));
      expect(journal.view.toEntries()).toEqual(kept);
      for (const e of kept) expect(journal.view.rowsWithId(e.sectionId)).toEqual(scan(journal.view, e.sectionId));
      // Appends after it grow the shifted columns; a reopen reads the same.
      const more = Array.from({ length: 40 }, (_, i) => entry(100 + i));
      await journal.commit({ append: more });
      expect(journal.view.toEntries()).toEqual([...kept, ...more]);
      await journal.commit({ remove: [{ sectionId: more[0]!.sectionId, byteOffset: more[0]!.byteOffset }] });
      const path = journal.path;
      await journal.close();
      const again = await IndexJournal.open(path);
      expect(again.view.toEntries()).toEqual([...kept, ...more.slice(1)]);
      await again.close();
    }
  });
});

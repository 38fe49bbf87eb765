import { rename } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { encodeIndexV2, IndexArgumentError, IndexJournal, withByteOffsets, writeIndexV2 } from "../../src/index.js";
import { entry, tempDir } from "./helpers.js";

async function withEntries(n: number): Promise<{ path: string; journal: IndexJournal }> {
  const path = join(await tempDir(), "index.rkx");
  const journal = await IndexJournal.open(path, { create: true });
  await journal.commit({ append: Array.from({ length: n }, (_, i) => entry(i)) });
  return { path, journal };
}

describe("IndexJournal.commit: removeRows", () => {
  it("removes exactly the rows named, even where another entry has the same key", async () => {
    const { path, journal } = await withEntries(5);
    const twin = journal.view.entry(1);
    await journal.commit({ append: [twin] }); // row 5: the same (id, offset) as row 1
    const result = await journal.commit({ removeRows: [1, 3, 3], reason: "evicted" });
    expect(result.removed).toBe(2);
    const ids = (j: IndexJournal) => j.view.toEntries().map((e) => e.sectionId);
    expect(ids(journal)).toEqual([0, 2, 4, 1].map((i) => entry(i).sectionId));
    await journal.close();
    const again = await IndexJournal.open(path);
    expect(ids(again)).toEqual([0, 2, 4, 1].map((i) => entry(i).sectionId));
    await again.close();
  });

  it("rows are pinned at the call: another writer's commits meanwhile do not move them", async () => {
    const { path, journal } = await withEntries(6);
    const other = await IndexJournal.open(path);
    await other.commit({ remove: [journal.view.entry(0)] }); // row 0 goes; our rows 2.. shift by one on catch-up
    await other.commit({ append: [entry(50)] });
    await journal.commit({ removeRows: [0, 2, 4] }); // row 0 is gone already: skipped
    expect(journal.view.toEntries().map((e) => e.sectionId)).toEqual([1, 3, 5, 50].map((i) => entry(i).sectionId));
    await other.close();
    await journal.close();
  });

  it("bad rows are IndexArgumentErrors naming the row; nothing is written", async () => {
    const { journal } = await withEntries(3);
    const end = journal.end;
    for (const [rows, argument] of [
      [[3], "change.removeRows[0]"],
      [[0, -1], "change.removeRows[1]"],
      [[1.5], "change.removeRows[0]"],
      [["1"], "change.removeRows[0]"],
      [null, "change.removeRows"],
      [5, "change.removeRows"],
    ] as const) {
      const error = await journal.commit({ removeRows: rows as never }).catch((e: unknown) => e);
      expect(IndexArgumentError.isInstance(error)).toBe(true);
      expect((error as IndexArgumentError).argument).toBe(argument);
    }
    expect(journal.end).toBe(end);
    expect(journal.view.size).toBe(3);
    await journal.close();
  });

  it("rows of a file replaced since (another process's rewrite) are refused", async () => {
    const { path, journal } = await withEntries(3);
    const other = join(await tempDir(), "other.rkx");
    await writeIndexV2(other, [entry(7)]);
    await rename(other, path);
    const error = await journal.commit({ removeRows: [0] }).catch((e: unknown) => e);
    expect(IndexArgumentError.isInstance(error)).toBe(true);
    expect(journal.view.toEntries()).toEqual([entry(7)]); // caught up, nothing removed
    await journal.close();
  });
});

describe("withByteOffsets", () => {
  it("re-points every entry, keeps every other field and the exposure; writes what a rewrite writes", async () => {
    const { path, journal } = await withEntries(4);
    await journal.commit({ exposure: [{ ...journal.view.entry(2), replayCount: 3, lastReplayAt: new Date("2026-05-01T00:00:00Z") }] });
    const moved = Float64Array.from({ length: 4 }, (_, i) => 1000 + 10 * i);
    const view = withByteOffsets(journal.view, moved);
    expect(view.toEntries()).toEqual(journal.view.toEntries().map((e, i) => ({ ...e, byteOffset: 1000 + 10 * i })));
    expect(view.exposure(2)).toEqual(journal.view.exposure(2));
    const out = join(await tempDir(), "moved.rkx");
    await writeIndexV2(out, view);
    const read = await IndexJournal.open(out);
    expect(read.commits).toBe(1);
    expect(read.view.toEntries()).toEqual(view.toEntries());
    expect(read.view.exposure(2)).toEqual({ replayCount: 3, lastReplayAt: new Date("2026-05-01T00:00:00Z") });
    await read.close();
    // The same offsets as the journal's own: the bytes of its rewrite.
    expect(Buffer.from(encodeIndexV2(withByteOffsets(journal.view, journal.view.byteOffset.slice())))).toEqual(Buffer.from(encodeIndexV2(journal.view)));
    // The source view is not changed.
    expect(journal.view.byteOffset[0]).toBe(entry(0).byteOffset);
    await journal.close();
    expect(path).toBeTruthy();
  });

  it("bad arguments are IndexArgumentErrors", async () => {
    const { journal } = await withEntries(2);
    for (const [view, offsets, argument] of [
      [null, new Float64Array(2), "view"],
      [{ size: 2 }, new Float64Array(2), "view"],
      [journal.view, new Float64Array(3), "byteOffset"],
      [journal.view, [0, 1], "byteOffset"],
      [journal.view, new Float64Array([0, -1]), "byteOffset[1]"],
      [journal.view, new Float64Array([0.5, 1]), "byteOffset[0]"],
      [journal.view, new Float64Array([Number.NaN, 1]), "byteOffset[0]"],
    ] as const) {
      let caught: unknown;
      try {
        withByteOffsets(view as never, offsets as never);
      } catch (error) {
        caught = error;
      }
      expect(IndexArgumentError.isInstance(caught)).toBe(true);
      expect((caught as IndexArgumentError).argument).toBe(argument);
    }
    await journal.close();
  });
});

import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { downgradeToIndexJson, encodeIndexV2, IndexJournal, loadIndex, parseIndex, toDlmEntry, writeIndexV2, type IndexEntry } from "../../src/index.js";
import { byOffset, entry, tempDir } from "./helpers.js";

const REFERENCE = new URL("../../../../vectors/dlm-reference/", import.meta.url);
const replaykitPython = fileURLToPath(new URL("../vectors/replaykit-python.json", import.meta.url));

/** A journal holding `entries`, appended in the given batches with extra entries added and removed between. */
async function journalOf(entries: readonly IndexEntry[], batches: number, seed: number): Promise<IndexJournal> {
  const path = join(await tempDir(), `j${seed}.rkx`);
  const journal = await IndexJournal.open(path, { create: true });
  const size = Math.ceil(entries.length / batches);
  for (let b = 0; b < batches; b++) {
    const extra = entry(10_000 + seed * 100 + b, { sectionType: `tmp-${seed}-${b}` });
    await journal.commit({ append: [...entries.slice(b * size, (b + 1) * size), extra] });
    await journal.commit({ remove: [extra], exposure: [] });
  }
  return journal;
}

describe("rewrite (compaction) is deterministic and minimal", () => {
  it("the same live entries give the same bytes, whatever the order, batches and removed history", async () => {
    const entries = Array.from({ length: 60 }, (_, i) => entry(i));
    const expected = encodeIndexV2(entries);
    for (const [batches, seed] of [
      [1, 1],
      [4, 2],
      [60, 3],
    ] as const) {
      const order = seed === 1 ? entries : entries.slice().reverse();
      const journal = await journalOf(order, batches, seed);
      const before = (await stat(journal.path)).size;
      const { bytesBefore, bytesAfter } = await journal.rewrite();
      expect(bytesBefore).toBe(before);
      expect(bytesAfter).toBe(expected.length);
      expect(new Uint8Array(await readFile(journal.path))).toEqual(expected);
      expect(journal.view.toEntries()).toEqual(byOffset(entries));
      await journal.close();
    }
  }, 60_000);

  it("a compacted index (read without copying) takes removals, appends and exposure like any other", async () => {
    const entries = Array.from({ length: 30 }, (_, i) => entry(i));
    const journal = await journalOf(entries, 3, 9);
    await journal.rewrite();
    await journal.commit({ remove: [entries[4]!, entries[17]!], append: [entry(99)] });
    await journal.commit({ exposure: [{ ...entries[20]!, replayCount: 2, lastReplayAt: new Date(7000) }], append: [entry(98)] });
    await journal.commit({ remove: [entry(99)] });
    const expected = [...byOffset(entries).filter((e) => e !== entries[4] && e !== entries[17]), entry(98)];
    expect(journal.view.toEntries()).toEqual(expected);
    const again = await IndexJournal.open(journal.path);
    expect(again.view.toEntries()).toEqual(expected);
    const row = expected.indexOf(entries[20]!);
    expect(again.view.exposure(row)).toEqual({ replayCount: 2, lastReplayAt: new Date(7000) });
    await journal.close();
    await again.close();
  });

  it("a compacted index read as is: removals in place, then appends set aside until the view is read", async () => {
    const entries = Array.from({ length: 40 }, (_, i) => entry(i));
    const path = join(await tempDir(), "borrowed.rkx");
    await writeIndexV2(path, entries);
    const journal = await IndexJournal.open(path);
    await journal.commit({ remove: [entries[3]!, entries[30]!] });
    await journal.commit({ append: [entry(100)] });
    await journal.commit({ append: [entry(101), entry(102)] });
    expect(journal.view.size).toBe(41);
    const expected = [...entries.filter((_, i) => i !== 3 && i !== 30), entry(100), entry(101), entry(102)];
    expect(journal.view.toEntries()).toEqual(expected);
    await journal.commit({ remove: [entry(101)], append: [entry(103)] });
    expected.splice(expected.indexOf(expected.find((e) => e.sectionId === entry(101).sectionId)!), 1);
    expected.push(entry(103));
    expect(journal.view.toEntries()).toEqual(expected);
    const again = await IndexJournal.open(path);
    expect(again.view.toEntries()).toEqual(expected);
    await Promise.all([journal.close(), again.close()]);
  });

  it("a rewritten index holds only the types still used, in name order", async () => {
    const journal = await journalOf([entry(0, { sectionType: "zeta" }), entry(1, { sectionType: "alpha" })], 2, 7);
    await journal.rewrite();
    expect(journal.view.types).toEqual(["alpha", "zeta"]);
    await journal.close();
  });

  it("property: any permutation of any entry set encodes to identical bytes that decode to the set", async () => {
    const path = join(await tempDir(), "prop.rkx");
    await fc.assert(
      fc.asyncProperty(
        fc
          .uniqueArray(fc.integer({ min: 0, max: 5000 }), { maxLength: 40 })
          .chain((ids) => fc.tuple(fc.constant(ids), fc.shuffledSubarray(ids, { minLength: ids.length, maxLength: ids.length }))),
        async ([ids, shuffled]) => {
          const a = encodeIndexV2(ids.map((i) => entry(i)));
          const b = encodeIndexV2(shuffled.map((i) => entry(i)));
          expect(b).toEqual(a);
          await writeIndexV2(
            path,
            shuffled.map((i) => entry(i)),
          );
          const journal = await IndexJournal.open(path);
          expect(journal.view.toEntries()).toEqual(byOffset(ids.map((i) => entry(i))));
          await journal.close();
        },
      ),
      { numRuns: 100 },
    );
  }, 120_000);

  it("encodeIndexV2 and writeIndexV2 reject bad input with typed errors", async () => {
    expect(() => encodeIndexV2(null as never)).toThrow(expect.objectContaining({ code: "INDEX_ARGUMENT", argument: "entries" }));
    expect(() => encodeIndexV2([entry(1), { ...entry(2), weight: -1 }])).toThrow(
      expect.objectContaining({ code: "INDEX_ENTRY_INVALID", entry: 1, field: "weight" }),
    );
    await expect(writeIndexV2(42 as never, [])).rejects.toMatchObject({ code: "INDEX_ARGUMENT", argument: "path" });
    await expect(writeIndexV2(join(await tempDir(), "no", "dir", "x.rkx"), [])).rejects.toMatchObject({ code: "INDEX_WRITE" });
    expect(() => downgradeToIndexJson({} as never)).toThrow(expect.objectContaining({ code: "INDEX_ARGUMENT", argument: "view" }));
  });

  it("100,000 entries: commit, reopen, evict 1 %, rewrite", async () => {
    const path = join(await tempDir(), "big.rkx");
    const journal = await IndexJournal.open(path, { create: true });
    const entries = Array.from({ length: 100_000 }, (_, i) => entry(i));
    await journal.commit({ append: entries });
    const victims = entries.filter((_, i) => i % 100 === 0);
    expect((await journal.commit({ remove: victims, reason: "evicted" })).removed).toBe(1000);
    await journal.commit({ append: [entry(200_000)] });
    const again = await IndexJournal.open(path);
    expect(again.view.size).toBe(99_001);
    await again.rewrite();
    expect(again.view.toEntries()).toEqual(byOffset([...entries.filter((_, i) => i % 100 !== 0), entry(200_000)]));
    await journal.close();
    await again.close();
  }, 120_000);
});

describe("migration", () => {
  it("dlm's reference index.json → journal → downgrade gives the reference file byte for byte", async () => {
    const referencePath = fileURLToPath(new URL("store/index.json", REFERENCE));
    const expected = JSON.parse(await readFile(new URL("expected.json", REFERENCE), "utf8")) as { index_json_sha256: string };
    const entries = await loadIndex(referencePath);
    const path = join(await tempDir(), "index.rkx");
    await writeIndexV2(path, entries);
    const journal = await IndexJournal.open(path);
    const text = downgradeToIndexJson(journal.view);
    expect(createHash("sha256").update(text).digest("hex")).toBe(expected.index_json_sha256);
    expect(text).toBe(await readFile(referencePath, "utf8"));
    await journal.close();
  });

  it("a replaykit index.json (replaykit's keys, fractional dates) → journal keeps every entry; downgrade is dlm-shaped and loads", async () => {
    const entries = await loadIndex(replaykitPython);
    expect(entries.length).toBeGreaterThan(0);
    const path = join(await tempDir(), "index.rkx");
    await writeIndexV2(path, entries);
    const journal = await IndexJournal.open(path);
    expect(journal.view.toEntries()).toEqual(byOffset(entries));
    const text = downgradeToIndexJson(journal.view);
    const back = parseIndex(text);
    expect(back.slice().sort((a, b) => a.byteOffset - b.byteOffset)).toEqual(byOffset(entries).map(toDlmEntry));
    for (const key of ["section_type", "auto_mined", "crc32"]) expect(text).not.toContain(key);
    await journal.close();
  });
});

import {
  createSnapshot,
  InstructionParseError,
  ReplayStore,
  SectionParseError,
  StoreArgumentError,
  UnknownSectionTypeError,
  bodyProblems,
  isReplaykitError,
  defaultExpanders,
  type SectionSnapshot,
} from "@replaykit/store";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { referenceStoreCopy, tempDir } from "./helpers.js";

const T1 = new Date("2026-01-01T00:00:00Z");
const T2 = new Date("2026-02-01T00:00:00Z");
const T3 = new Date("2026-03-01T00:00:00Z");

const prose = (content: string, lastSeenAt = T1, sectionId?: string): SectionSnapshot =>
  createSnapshot({ sectionType: "prose", content, lastSeenAt, ...(sectionId === undefined ? {} : { sectionId }) });
const POISON = "### Q: How do I reset my password?\n### A\nClick 'forgot'.";
const poisoned = createSnapshot({ sectionType: "instruction", content: POISON, lastSeenAt: T1 });
const goodQa = createSnapshot({ sectionType: "instruction", content: "### Q\nWhat is 2 + 2?\n### A\n4", lastSeenAt: T1 });

async function fresh(): Promise<ReplayStore> {
  return ReplayStore.open(join(tempDir(), "store"));
}

describe("appendMany validates bodies", () => {
  test("a body its expander rejects is the parser's error (section id, line); nothing is written", async () => {
    const store = await fresh();
    await store.appendMany([prose("kept")]);
    const before = readFileSync(store.corpusPath);
    const error = await store.appendMany([goodQa, poisoned]).catch((e: unknown) => e);
    expect(InstructionParseError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: "INSTRUCTION_PARSE", sectionId: poisoned.sectionId, sectionLine: 1 });
    expect(readFileSync(store.corpusPath)).toEqual(before);
    expect(await store.load()).toHaveLength(1);
  });

  test("a type with no expander is refused unless validate is false", async () => {
    const store = await fresh();
    const odd = createSnapshot({ sectionType: "code", content: "x = 1" });
    const error = await store.appendMany([odd]).catch((e: unknown) => e);
    expect(UnknownSectionTypeError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ sectionType: "code", sectionId: odd.sectionId });
    expect(await store.appendMany([odd, poisoned], { validate: false })).toHaveLength(2);
    // A store opened with an expander for the type takes it.
    const withCode = await ReplayStore.open(join(store.corpusPath, ".."), { expanders: { code: (s, id) => [{ text: s.content, _dlm_section_id: id }] } });
    expect(await withCode.appendMany([createSnapshot({ sectionType: "code", content: "y = 2" })])).toHaveLength(1);
  });

  test("bodyProblems lists every bad body with its position", () => {
    const odd = createSnapshot({ sectionType: "code", content: "x" });
    const problems = bodyProblems([goodQa, poisoned, prose("fine"), odd, poisoned], defaultExpanders);
    expect(problems.map((p) => p.index)).toEqual([1, 3, 4]);
    expect(SectionParseError.isInstance(problems[0]!.error)).toBe(true);
    expect(problems[0]).toMatchObject({ sectionId: poisoned.sectionId, sectionType: "instruction", error: { sectionLine: 1 } });
    expect(UnknownSectionTypeError.isInstance(problems[1]!.error)).toBe(true);
  });

  test("onProgress reports compression up to the number of snapshots written; a re-ingest compresses nothing", async () => {
    const store = await fresh();
    const batch = Array.from({ length: 5000 }, (_, i) => prose(`section ${i}`));
    const calls: Array<[number, number]> = [];
    await store.appendMany(batch, { onProgress: (done, total) => calls.push([done, total]) });
    expect(calls.at(-1)).toEqual([5000, 5000]);
    expect(calls.length).toBeGreaterThan(1);
    const again: Array<[number, number]> = [];
    const result = await store.ingest(batch, { onProgress: (done, total) => again.push([done, total]) });
    expect(result.skipped).toHaveLength(5000);
    expect(again).toEqual([]);
  });

  test("malformed snapshots are typed errors (never a TypeError), under every duplicate policy; nothing is written", async () => {
    const store = await fresh();
    await store.appendMany([prose("kept")]);
    const before = readFileSync(store.corpusPath);
    const nullError = await store.appendMany([prose("a"), null as never]).catch((e: unknown) => e);
    expect(StoreArgumentError.isInstance(nullError)).toBe(true);
    expect(nullError).toMatchObject({ argument: "snapshots[1]" });
    for (const onDuplicate of ["skip", "supersede", "keep"] as const) {
      for (const bad of [{}, { ...prose("b"), lastSeenAt: "yesterday" }, { ...prose("c"), sectionId: 5 }, { ...prose("d"), content: 7 }]) {
        const error = await store.appendMany([prose("e"), bad as never], { onDuplicate }).catch((e: unknown) => e);
        expect(error, JSON.stringify(bad)).toBeInstanceOf(Error);
        expect(error).not.toBeInstanceOf(TypeError);
        expect(isReplaykitError(error), `${onDuplicate} ${JSON.stringify(bad)}: ${String(error)}`).toBe(true);
      }
    }
    expect(readFileSync(store.corpusPath)).toEqual(before);
    expect(await store.load()).toHaveLength(1);
  });

  test("bad options are StoreArgumentError naming the option", async () => {
    const store = await fresh();
    for (const [options, argument] of [
      [null, "options"],
      ["skip", "options"],
      [{ validate: "yes" }, "options.validate"],
      [{ onDuplicate: "replace" }, "options.onDuplicate"],
      [{ onProgress: 5 }, "options.onProgress"],
    ] as const) {
      const error = await store.appendMany([prose("a")], options as never).catch((e: unknown) => e);
      expect(StoreArgumentError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ argument });
    }
    await expect(store.load()).rejects.toMatchObject({ code: "STORE_NOT_FOUND" }); // nothing was written: not even the directory
  });
});

describe("duplicates", () => {
  test("re-ingesting the same snapshots is idempotent by default and returns the live entries", async () => {
    const store = await fresh();
    const batch = [prose("a"), prose("b"), goodQa];
    const first = await store.appendMany(batch);
    const size = readFileSync(store.corpusPath).length;
    const again = await store.ingest(batch);
    expect(again.skipped).toEqual([0, 1, 2]);
    expect(again.added).toEqual([]);
    expect(again.entries).toEqual(first);
    expect(readFileSync(store.corpusPath).length).toBe(size);
    expect(await store.load()).toHaveLength(3);
    // Rows are not doubled.
    const rows = await store.sampleRows({ k: 100, now: T3, seed: 1 });
    expect(new Set(rows.map((r) => r._dlm_section_id)).size).toBe(rows.length);
  });

  test("duplicates within one call are written once; a newer snapshot of a section is a new entry", async () => {
    const store = await fresh();
    const result = await store.ingest([prose("a"), prose("a"), prose("a", T2)]);
    expect(result.added).toHaveLength(2);
    expect(result.skipped).toEqual([1]);
    expect(result.entries[1]).toBe(result.entries[0]);
    expect(await store.load()).toHaveLength(2);
  });

  test('"supersede": a newer snapshot replaces the older entries; an older one is not written', async () => {
    const store = await fresh();
    await store.appendMany([prose("a", T1), prose("a", T2, undefined), prose("b", T1)], { onDuplicate: "keep" });
    const id = prose("a").sectionId;
    const result = await store.ingest([prose("a", T3)], { onDuplicate: "supersede" });
    expect(result.superseded.map((e) => e.addedAt)).toEqual([T1, T2]);
    const live = await store.load();
    expect(live.filter((e) => e.sectionId === id).map((e) => e.addedAt)).toEqual([T3]);
    expect(live).toHaveLength(2);
    const older = await store.ingest([prose("a", T2)], { onDuplicate: "supersede" });
    expect(older.skipped).toEqual([0]);
    expect(older.entries[0]!.addedAt).toEqual(T3);
    expect(await store.load()).toHaveLength(2);
  });

  test('"keep" writes every snapshot (dlm behaviour); dlm stores keep it by default', async () => {
    const store = await fresh();
    await store.appendMany([prose("a")]);
    await store.appendMany([prose("a")], { onDuplicate: "keep" });
    expect(await store.load()).toHaveLength(2);

    const dlm = await ReplayStore.open(referenceStoreCopy());
    const n = (await dlm.load()).length;
    const s = prose("dlm twice");
    await dlm.appendMany([s]);
    await dlm.appendMany([s]);
    expect(await dlm.load()).toHaveLength(n + 2);
    await dlm.appendMany([s], { onDuplicate: "skip" });
    expect(await dlm.load()).toHaveLength(n + 2);
  });
});

describe("remove", () => {
  test("removes every entry of the ids; unknown ids are ignored; bytes stay until compaction", async () => {
    const store = await fresh();
    const a = prose("secret alpha");
    await store.appendMany([a, prose("secret alpha", T2), prose("b")], { onDuplicate: "keep" });
    const { removed } = await store.remove([a.sectionId, "0123456789abcdef"]);
    expect(removed).toHaveLength(2);
    expect((await store.load()).map((e) => e.sectionId)).toEqual([prose("b").sectionId]);
    expect((await store.remove([a.sectionId])).removed).toEqual([]);
    expect(await store.verify()).toMatchObject({ ok: true });
  });

  test("purge: the removed content is gone from every file of the store", async () => {
    const dir = join(tempDir(), "store");
    const store = await ReplayStore.open(dir);
    const secret = "The launch code is 4242-PURPLE-ELEPHANT";
    const gone = prose(secret);
    const evictedEarlier = prose(`${secret} (old copy)`, T1, "00000000000000ee");
    await store.appendMany([evictedEarlier, gone, prose("harmless", T2), goodQa]);
    // A section removed without purge leaves dead bytes; a later purge takes those too.
    await store.remove([evictedEarlier.sectionId]);
    expect(await decompressedCorpus(store.corpusPath)).toContain(secret);
    const { removed } = await store.remove([gone.sectionId], { purge: true });
    expect(removed).toHaveLength(1);
    const text = await decompressedCorpus(store.corpusPath);
    expect(text).toContain("harmless");
    expect(text).not.toContain("PURPLE-ELEPHANT");
    for (const name of readdirSync(dir)) {
      expect(readFileSync(join(dir, name)).toString("latin1"), name).not.toContain("PURPLE-ELEPHANT");
    }
    expect(await store.verify()).toMatchObject({ ok: true, entries: 2 });
    expect(await store.stats()).toMatchObject({ deadBytes: 0 });
  });

  test("purge of every section leaves an empty corpus (not refused as a lost index)", async () => {
    const store = await fresh();
    const all = [prose("one"), prose("two"), goodQa];
    await store.appendMany(all);
    const { removed } = await store.remove(
      all.map((s) => s.sectionId),
      { purge: true },
    );
    expect(removed).toHaveLength(3);
    expect(readFileSync(store.corpusPath).length).toBe(0);
    expect(await store.verify()).toMatchObject({ ok: true, entries: 0, indexLooksLost: false });
  });

  test("bad arguments are StoreArgumentError naming the argument", async () => {
    const store = await fresh();
    for (const [ids, options, argument] of [
      [null, undefined, "ids"],
      ["0123456789abcdef", undefined, "ids"],
      [["0123456789abcdef", "nope"], undefined, "ids[1]"],
      [[42], undefined, "ids[0]"],
      [[], { purge: "yes" }, "options.purge"],
      [[], null, "options"],
    ] as const) {
      const error = await store.remove(ids as never, options as never).catch((e: unknown) => e);
      expect(StoreArgumentError.isInstance(error), String(argument)).toBe(true);
      expect(error).toMatchObject({ argument });
    }
  });
});

/** The whole corpus file decompressed (it is one valid zstd stream) as text. */
async function decompressedCorpus(path: string): Promise<string> {
  // @mongodb-js/zstd is the corpus package's dependency; reach it through that package.
  const fromCorpus = createRequire(createRequire(import.meta.url).resolve("@replaykit/corpus"));
  const zstd = fromCorpus("@mongodb-js/zstd") as { decompress(buf: Buffer): Promise<Buffer> };
  return (await zstd.decompress(readFileSync(path))).toString("latin1");
}

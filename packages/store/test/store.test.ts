import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import {
  CorpusCorruptError,
  ReplayStore,
  StoreNotFoundError,
  UnknownSectionTypeError,
  createSnapshot,
  type RowExpander,
  type SectionSnapshot,
} from "../src/index.js";
import { IndexJournal } from "@replaykit/index";
import { journalOf, storeFiles, tempDir } from "./helpers.js";

const day = (n: number) => new Date(Date.UTC(2026, 0, 1 + n));
const prose = (i: number, at = day(i)) =>
  createSnapshot({ sectionType: "prose", content: `Prose section ${i}. `.repeat(5), lastSeenAt: at, trainingRunsSeen: [i] });
const instruction = (i: number) => createSnapshot({ sectionType: "instruction", content: `### Q\nQuestion ${i}?\n### A\nAnswer ${i}.`, lastSeenAt: day(i) });
const preference = (i: number, autoMined = false) =>
  createSnapshot({ sectionType: "preference", content: `### Prompt\nP${i}\n### Chosen\nC${i}\n### Rejected\nR${i}`, lastSeenAt: day(i), autoMined });
const NOW = day(40);

describe("append and read", () => {
  test("appendMany writes one index with replaykit's keys; append adds one; read returns what was written", async () => {
    const store = await ReplayStore.open(join(tempDir(), "nested", "store"));
    const added = await store.appendMany([prose(1), instruction(2), preference(3, true)]);
    expect(added.map((e) => e.sectionType)).toEqual(["prose", "instruction", "preference"]);
    expect(added[2]).toMatchObject({ autoMined: true, weight: 1, addedAt: day(3) });
    expect(typeof added[0]!.crc32).toBe("number");
    const one = await store.append(prose(4));
    expect(one.byteOffset).toBe(added[2]!.byteOffset + added[2]!.length);
    const entries = await store.load();
    expect(entries).toHaveLength(4);
    // A replaykit store keeps its index in the v2 journal, every key of replaykit's kept.
    expect(existsSync(store.indexPath)).toBe(false);
    const journal = await IndexJournal.open(journalOf(store));
    for (const e of journal.view.toEntries())
      expect(Object.keys(e).sort()).toEqual(["addedAt", "autoMined", "byteOffset", "crc32", "length", "sectionId", "sectionType", "weight"]);
    await journal.close();
    const s = await store.read(one);
    expect(s.content).toBe(prose(4).content);
    const many = await store.readMany([one, added[0]!, one]);
    expect(many.map((x) => x.sectionId)).toEqual([one.sectionId, added[0]!.sectionId, one.sectionId]);
    await expect(store.readMany([{ ...one, sectionId: added[0]!.sectionId }])).rejects.toMatchObject({ code: "CORPUS_CORRUPT", reason: "mismatch" });
    expect(existsSync(store.lockPath)).toBe(true); // a kernel lock's file is never deleted
  });

  test("an invalid snapshot in a batch appends nothing at all", async () => {
    const store = await ReplayStore.open(tempDir());
    await store.append(prose(1));
    const size = readFileSync(store.corpusPath).length;
    const bad = { ...prose(2), sectionId: "not-hex" } as SectionSnapshot;
    await expect(store.appendMany([prose(3), bad])).rejects.toMatchObject({ code: "SNAPSHOT_INVALID", field: "sectionId" });
    expect(readFileSync(store.corpusPath).length).toBe(size);
    expect(await store.load()).toHaveLength(1);
  });

  test("open with create: false on a missing directory is StoreNotFoundError naming it", async () => {
    const dir = join(tempDir(), "missing");
    await expect(ReplayStore.open(dir, { create: false })).rejects.toSatisfy(
      (e: unknown) => StoreNotFoundError.isInstance(e) && (e as StoreNotFoundError).path === dir,
    );
  });
});

describe("sampling", () => {
  test("sampleRows is deterministic for a seed and expands each type", async () => {
    const store = await ReplayStore.open(tempDir());
    await store.appendMany([...Array.from({ length: 20 }, (_, i) => prose(i)), instruction(21), preference(22)]);
    const a = await store.sampleRows({ k: 5, now: NOW, seed: 42 });
    const b = await store.sampleRows({ k: 5, now: NOW, seed: 42 });
    expect(a).toEqual(b);
    expect(a).toHaveLength(5);
    for (const row of a) expect(row._dlm_section_id).toMatch(/^replay:[0-9a-f]{16}:2026-\d\d-\d\dT00:00:00\+00:00$/);
    const all = await store.sampleRows({ k: 100, now: NOW, seed: 1 });
    expect(all.filter((r) => "messages" in r)).toHaveLength(1);
    expect(all.filter((r) => "chosen" in r)).toHaveLength(1);
    expect(all.filter((r) => "text" in r)).toHaveLength(20);
  });

  test("samplePreferenceRows never decodes non-preference frames of a replaykit store", async () => {
    const store = await ReplayStore.open(tempDir());
    const entries = await store.appendMany([prose(1), preference(2), instruction(3), preference(4, true)]);
    // Destroy the prose and instruction frames: preference sampling must not touch them.
    const bytes = readFileSync(store.corpusPath);
    for (const e of [entries[0]!, entries[2]!]) bytes.fill(0xee, e.byteOffset, e.byteOffset + e.length);
    writeFileSync(store.corpusPath, bytes);
    const rows = await store.samplePreferenceRows({ k: 10, now: NOW, seed: 3 });
    expect(rows.map((r) => ("prompt" in r ? r.prompt : undefined)).sort()).toEqual(["P2", "P4"]);
    expect(
      (await store.samplePreferenceRows({ k: 10, now: NOW, seed: 3, includeAutoMined: false })).map((r) => ("prompt" in r ? r.prompt : undefined)),
    ).toEqual(["P2"]);
    await expect(store.sampleRows({ k: 10, now: NOW, seed: 3 })).rejects.toBeInstanceOf(CorpusCorruptError);
  });

  test("options.expanders adds a type and replaces a built-in; a type without one is UnknownSectionTypeError", async () => {
    const dir = tempDir();
    const plain = await ReplayStore.open(dir);
    await plain.appendMany([createSnapshot({ sectionType: "chat", content: "hi", lastSeenAt: day(1) }), prose(2)], { validate: false });
    await expect(plain.sampleRows({ k: 10, now: NOW, seed: 1 })).rejects.toSatisfy(
      (e: unknown) => UnknownSectionTypeError.isInstance(e) && (e as UnknownSectionTypeError).sectionType === "chat",
    );
    const chat: RowExpander = (source, rowId) => [{ messages: [{ role: "user", content: source.content }], _dlm_section_id: rowId }];
    const shout: RowExpander = (source, rowId) => [{ text: source.content.toUpperCase(), _dlm_section_id: rowId }];
    const custom = await ReplayStore.open(dir, { expanders: { chat, prose: shout } });
    const rows = await custom.sampleRows({ k: 10, now: NOW, seed: 1 });
    expect(rows).toContainEqual(expect.objectContaining({ messages: [{ role: "user", content: "hi" }] }));
    expect(rows).toContainEqual(expect.objectContaining({ text: prose(2).content.toUpperCase() }));
  });

  test("bad sampling options are typed errors", async () => {
    const store = await ReplayStore.open(tempDir());
    await store.append(prose(1));
    await expect(store.samplePreferenceRows(undefined as never)).rejects.toMatchObject({ code: "STORE_ARGUMENT" });
    await expect(store.samplePreferenceRows({ k: 1, now: NOW, seed: 1, includeAutoMined: "no" as never })).rejects.toMatchObject({
      code: "STORE_ARGUMENT",
      argument: "options.includeAutoMined",
    });
    await expect(store.sampleRows({ k: -1, now: NOW, seed: 1 })).rejects.toMatchObject({ code: "STORE_ARGUMENT", argument: "options.k" });
    await expect(store.sampleRows({ k: 1, now: new Date("nope"), seed: 1 })).rejects.toMatchObject({ code: "STORE_ARGUMENT", argument: "options.now" });
  });

  test("weight 0 entries saved through save() are never sampled", async () => {
    const store = await ReplayStore.open(tempDir());
    await store.appendMany([prose(1), prose(2), prose(3)]);
    const entries = await store.load();
    await store.save(entries.map((e, i) => ({ ...e, weight: i === 0 ? 1 : 0 })));
    for (let seed = 0; seed < 5; seed++) {
      const rows = await store.sampleRows({ k: 3, now: NOW, seed });
      expect(rows).toHaveLength(1);
      expect(rows[0]!._dlm_section_id).toContain(entries[0]!.sectionId);
    }
  });
});

describe("evict, compact, verify", () => {
  test("evict drops oldest first to fit the budget, protected ids stay; compact reclaims the bytes", async () => {
    const store = await ReplayStore.open(tempDir());
    const entries = await store.appendMany(Array.from({ length: 10 }, (_, i) => prose(i)));
    const total = entries.reduce((n, e) => n + e.length, 0);
    const budget = total - entries[1]!.length - entries[2]!.length;
    const { evicted, kept } = await store.evict({ maxBytes: budget, protectIds: [entries[0]!.sectionId] });
    expect(evicted.map((e) => e.sectionId)).toEqual([entries[1]!.sectionId, entries[2]!.sectionId]);
    expect(kept).toHaveLength(8);
    const before = await store.stats();
    expect(before.deadBytes).toBe(entries[1]!.length + entries[2]!.length);
    const { bytesBefore, bytesAfter } = await store.compact();
    expect(bytesBefore).toBe(total);
    expect(bytesAfter).toBe(total - before.deadBytes);
    const after = await store.stats();
    expect(after).toMatchObject({ entries: 8, deadBytes: 0, fileBytes: bytesAfter });
    expect(await store.verify()).toMatchObject({ ok: true, integrity: "crc32", reclaimableBytes: 0 });
    const rows = await store.sampleRows({ k: 100, now: NOW, seed: 1 });
    expect(rows.map((r) => ("text" in r ? r.text : undefined)).sort()).toEqual(
      kept.map((e) => prose(Number(entries.findIndex((x) => x.sectionId === e.sectionId))).content.trim()).sort(),
    );
    expect(storeFiles(join(store.corpusPath, ".."))).toEqual(["corpus.zst", "index.rkx"]);
  });

  test("verify and compact report progress per batch, ending at the total", async () => {
    const store = await ReplayStore.open(tempDir());
    await store.appendMany(Array.from({ length: 5000 }, (_, i) => prose(i, new Date(Date.UTC(2026, 0, 1, 0, 0, i)))));
    const seen: Array<[number, number]> = [];
    await store.verify({ onProgress: (done, total) => seen.push([done, total]) });
    expect(seen.length).toBeGreaterThanOrEqual(1);
    expect(seen.every(([done, total], i) => total === 5000 && done > (seen[i - 1]?.[0] ?? 0))).toBe(true);
    expect(seen.at(-1)).toEqual([5000, 5000]);
    const copied: number[] = [];
    await store.compact({ onProgress: (done) => copied.push(done) });
    expect(copied.at(-1)).toBe(5000);
    expect(copied.every((done, i) => done > (copied[i - 1] ?? 0))).toBe(true);
    await expect(store.verify({ onProgress: 3 as never })).rejects.toMatchObject({ code: "STORE_ARGUMENT" });
  });

  test("evict with compact does both under one lock; compacting an empty store gives an empty corpus", async () => {
    const store = await ReplayStore.open(tempDir());
    await store.appendMany([prose(1), prose(2)]);
    await store.evict({ maxBytes: 0, compact: true });
    expect(await store.load()).toEqual([]);
    expect((await store.stats()).fileBytes).toBe(0);
    expect((await store.verify()).ok).toBe(true);
  });

  test("verify reports a flipped byte via CRC-32, a pointer past the end, and dead tail bytes", async () => {
    const store = await ReplayStore.open(tempDir());
    const entries = await store.appendMany(Array.from({ length: 6 }, (_, i) => prose(i)));
    const bytes = readFileSync(store.corpusPath);
    const victim = entries[2]!;
    bytes[victim.byteOffset + victim.length - 3]! ^= 0x01;
    writeFileSync(store.corpusPath, Buffer.concat([bytes, Buffer.from("torn tail")]));
    const all = await store.load();
    await store.save([...all, { ...all[0]!, sectionId: "ffffffffffffffff", byteOffset: bytes.length + 100 }]);
    const report = await store.verify();
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => p.sectionId).sort()).toEqual([victim.sectionId, "ffffffffffffffff"].sort());
    expect(report.problems.find((p) => p.sectionId === victim.sectionId)!.byteOffset).toBe(victim.byteOffset);
    expect(report.reclaimableBytes).toBe(9);
    await expect(store.read(victim)).rejects.toMatchObject({ code: "CORPUS_CORRUPT", byteOffset: victim.byteOffset });
    await expect(store.compact()).rejects.toMatchObject({ code: "CORPUS_CORRUPT" });
  });
});

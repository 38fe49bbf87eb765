// Integrity and repair (issue 13.5, DESIGN §6): a lost index is flagged, never "fixed" by
// discarding data; recover() rebuilds the index from the corpus alone; verify({ repair })
// sets damaged entries aside in a quarantine record so sampling and export work again;
// compact refuses on a lost index unless forced; side files are atomic and never written
// through a symlink.
import { existsSync, lstatSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ReplayStore, StoreArgumentError, isReplaykitError, type IndexEntry } from "../src/index.js";
import { encodeIndexV2 } from "@replaykit/index";
import { journalOf, mixedStore, referenceStoreCopy, tempDir } from "./helpers.js";

const NOW = new Date("2026-06-01T00:00:00Z");

const build = (n = 40) => mixedStore(n, { autoMined: true });

const byOffset = (a: IndexEntry, b: IndexEntry) => a.byteOffset - b.byteOffset;
const strip = (e: IndexEntry) => ({
  sectionId: e.sectionId,
  byteOffset: e.byteOffset,
  length: e.length,
  sectionType: e.sectionType,
  autoMined: e.autoMined,
  crc32: e.crc32,
  addedAt: e.addedAt,
});

describe("a lost index", () => {
  test.each(["deleted", "emptied by hand"] as const)(
    "the index %s: verify flags it and names recover; compact refuses; recover brings every section back",
    async (how) => {
      const { store, entries, corpus } = await build();
      if (how === "deleted") rmSync(journalOf(store));
      else writeFileSync(journalOf(store), encodeIndexV2([])); // a journal with no entries, no sidecar saying why

      const report = await store.verify();
      expect(report.ok).toBe(false);
      expect(report.indexLooksLost).toBe(true);
      expect(report.entries).toBe(0);
      expect(report.problems).toHaveLength(1);
      expect(report.problems[0]!.message).toMatch(/recover/);
      expect(report.problems[0]!.message).toMatch(/do not compact/);

      const refused = await store.compact().catch((e: unknown) => e);
      expect(StoreArgumentError.isInstance(refused)).toBe(true);
      expect(refused).toMatchObject({ code: "STORE_ARGUMENT", argument: "options.force" });
      // The message names the index the store has: the journal, when there is one.
      if (how !== "deleted") expect((refused as Error).message).toContain(`the index ${journalOf(store)} is missing or holds no entries`);
      expect(readFileSync(store.corpusPath).equals(corpus)).toBe(true); // nothing discarded

      const recovered = await store.recover();
      expect(recovered).toEqual({ recovered: entries.length, skipped: [] });
      const back = (await store.load()).sort(byOffset);
      expect(back.map(strip)).toEqual([...entries].sort(byOffset).map(strip));
      expect((await store.verify()).ok).toBe(true);
      expect(await store.sampleRows({ k: 100, now: NOW, seed: 1 })).not.toHaveLength(0);
    },
  );

  test("compact({ force: true }) discards on request; an index emptied by eviction is not 'lost'", async () => {
    const a = await build(10);
    rmSync(journalOf(a.store));
    const { bytesAfter } = await a.store.compact({ force: true });
    expect(bytesAfter).toBe(0);

    const b = await build(10);
    await b.store.evict({ maxBytes: 0 });
    const report = await b.store.verify();
    expect(report).toMatchObject({ ok: true, indexLooksLost: false, entries: 0 });
    expect((await b.store.compact()).bytesAfter).toBe(0);
  });

  test("recover skips damaged frames, reporting where and why, and keeps the rest in file order", async () => {
    const { store, entries, corpus } = await build();
    const sorted = [...entries].sort(byOffset);
    const victim = sorted[12]!;
    const damaged = Buffer.from(corpus);
    for (let k = 6; k < 20; k++) damaged[victim.byteOffset + k]! ^= 0x5a;
    writeFileSync(store.corpusPath, damaged);
    writeFileSync(journalOf(store), "this is not an index");

    const { recovered, skipped } = await store.recover();
    expect(recovered).toBe(entries.length - 1);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatchObject({ byteOffset: victim.byteOffset, length: victim.length });
    expect(typeof skipped[0]!.reason).toBe("string");
    const back = (await store.load()).sort(byOffset);
    expect(back.map((e) => e.sectionId)).toEqual(sorted.filter((e) => e !== victim).map((e) => e.sectionId));
    expect((await store.verify()).ok).toBe(true);
  });

  test("recover on a dlm store keeps dlm's index shape", async () => {
    const dir = referenceStoreCopy();
    const store = await ReplayStore.open(dir);
    const before = (await store.load()).sort(byOffset);
    await store.save(before.slice(0, 1)); // most of the index lost, what is left is in dlm's shape
    const { recovered } = await store.recover();
    expect(recovered).toBe(before.length);
    const json = JSON.parse(readFileSync(store.indexPath, "utf8")) as Array<Record<string, unknown>>;
    for (const e of json) expect(Object.keys(e)).toEqual(["added_at", "byte_offset", "length", "section_id", "weight"]);
    expect((await store.load()).map((e) => e.sectionId).sort()).toEqual(before.map((e) => e.sectionId).sort());
  });
});

describe("verify({ repair: true })", () => {
  test("damaged entries move to the quarantine record; sampling and export work again; the corpus is untouched", async () => {
    const { store, entries, corpus } = await build();
    const sorted = [...entries].sort(byOffset);
    const victims = [sorted[3]!, sorted[17]!, sorted[30]!];
    const damaged = Buffer.from(corpus);
    for (const v of victims) damaged[v.byteOffset + Math.floor(v.length / 2)]! ^= 0xff;
    writeFileSync(store.corpusPath, damaged);
    await expect(store.sampleRows({ k: 100, now: NOW, seed: 1 })).rejects.toMatchObject({ code: "CORPUS_CORRUPT" });

    const report = await store.verify({ repair: true });
    expect(report.ok).toBe(false); // it found damage ...
    expect(report.quarantined.map((q) => q.sectionId).sort()).toEqual(victims.map((v) => v.sectionId).sort()); // ... and set it aside
    expect((await store.verify()).ok).toBe(true);
    const live = await store.load();
    expect(live).toHaveLength(entries.length - 3);
    expect(await store.readMany(live)).toHaveLength(live.length);
    expect(await store.sampleRows({ k: 100, now: NOW, seed: 1 })).not.toHaveLength(0);
    expect(readFileSync(store.corpusPath).equals(damaged)).toBe(true); // nothing deleted from the corpus

    const records = await store.quarantined();
    expect(records.map((r) => ({ sectionId: r.sectionId, byteOffset: r.byteOffset, length: r.length })).sort((a, b) => a.byteOffset - b.byteOffset)).toEqual(
      victims.map((v) => ({ sectionId: v.sectionId, byteOffset: v.byteOffset, length: v.length })),
    );
    for (const r of records) {
      expect(r.reason).toMatch(/CRC-32/);
      expect(new Date(r.quarantinedAt).getTime()).not.toBeNaN();
      expect(r.weight).toBe(1);
    }
    // A second repair of a healthy store sets nothing aside and keeps the record.
    expect((await store.verify({ repair: true })).quarantined).toEqual([]);
    expect(await store.quarantined()).toHaveLength(3);
  });

  test("a healthy store: nothing quarantined, no quarantine file", async () => {
    const { store } = await build(5);
    const report = await store.verify({ repair: true });
    expect(report).toMatchObject({ ok: true, quarantined: [] });
    expect(existsSync(`${store.indexPath}.quarantine.json`)).toBe(false);
    expect(await store.quarantined()).toEqual([]);
  });

  test("bad options are StoreArgumentError naming them", async () => {
    const { store } = await build(2);
    for (const [call, argument] of [
      [() => store.verify({ repair: "yes" as never }), "options.repair"],
      [() => store.compact({ force: 1 as never }), "options.force"],
      [() => store.verify(null as never), "options"],
    ] as const) {
      const error = await call().catch((e: unknown) => e);
      expect(StoreArgumentError.isInstance(error)).toBe(true);
      expect(isReplaykitError(error)).toBe(true);
      expect(error).toMatchObject({ argument });
    }
  });
});

describe("side files", () => {
  test("the format sidecar and the quarantine record are replaced, never written through a symlink", async () => {
    const dir = referenceStoreCopy();
    const store = await ReplayStore.open(dir);
    const outside = join(tempDir(), "outside.txt");
    writeFileSync(outside, "do not touch");
    symlinkSync(outside, `${store.indexPath}.format`);
    await store.evict({ maxBytes: 0 }); // empties a dlm store: the sidecar is written
    expect(readFileSync(outside, "utf8")).toBe("do not touch");
    expect(lstatSync(`${store.indexPath}.format`).isSymbolicLink()).toBe(false);
    expect(readFileSync(`${store.indexPath}.format`, "utf8")).toBe("dlm\n");

    const own = await build(6);
    symlinkSync(outside, `${own.store.indexPath}.quarantine.json`);
    const damaged = Buffer.from(own.corpus);
    damaged[own.entries[0]!.byteOffset + 8]! ^= 0xff;
    writeFileSync(own.store.corpusPath, damaged);
    // The symlink is read as a record (it is not one) — a typed error, nothing written.
    await expect(own.store.verify({ repair: true })).rejects.toMatchObject({ code: "STORE_IO" });
    expect(readFileSync(outside, "utf8")).toBe("do not touch");
  });
});

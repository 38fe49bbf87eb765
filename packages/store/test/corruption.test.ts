// Damage to a store replaykit wrote: every damaged frame is found by verify (the CRC-32 in
// the index makes it complete) and reads of it fail with CorpusCorruptError at its offset.
import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { CorpusCorruptError, type IndexEntry } from "../src/index.js";
import { journalOf, mixedStore } from "./helpers.js";

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

async function build() {
  const { store, entries, corpus } = await mixedStore(60);
  return { store, entries, pristine: corpus };
}

const frameAt = (entries: IndexEntry[], pos: number) => entries.find((e) => pos >= e.byteOffset && pos < e.byteOffset + e.length)!;

describe("bit and byte flips", () => {
  test("every single-bit flip anywhere in the corpus is reported by verify at the right frame, and reading it fails there", async () => {
    const { store, entries, pristine } = await build();
    const random = lcg(7);
    for (let trial = 0; trial < 150; trial++) {
      const pos = Math.floor(random() * pristine.length);
      const bytes = Buffer.from(pristine);
      bytes[pos]! ^= 1 << Math.floor(random() * 8);
      writeFileSync(store.corpusPath, bytes);
      const victim = frameAt(entries, pos);
      const report = await store.verify();
      expect(report.problems.map((p) => p.byteOffset)).toEqual([victim.byteOffset]);
      const error = await store.read(victim).catch((e: unknown) => e);
      expect(CorpusCorruptError.isInstance(error)).toBe(true);
      expect((error as CorpusCorruptError).byteOffset).toBe(victim.byteOffset);
    }
  }, 60_000);

  test("random byte overwrites across several frames: each damaged frame is reported once", async () => {
    const { store, entries, pristine } = await build();
    const random = lcg(11);
    for (let trial = 0; trial < 40; trial++) {
      const bytes = Buffer.from(pristine);
      const damaged = new Set<number>();
      for (let k = 0; k < 5; k++) {
        const pos = Math.floor(random() * bytes.length);
        const value = Math.floor(random() * 256);
        if (bytes[pos] === value) continue;
        bytes[pos] = value;
        damaged.add(frameAt(entries, pos).byteOffset);
      }
      writeFileSync(store.corpusPath, bytes);
      const report = await store.verify();
      expect(report.problems.map((p) => p.byteOffset!).sort((a, b) => a - b)).toEqual([...damaged].sort((a, b) => a - b));
      expect(report.ok).toBe(damaged.size === 0);
    }
  }, 60_000);

  test("truncating the corpus, truncating the index, pointing an entry past the end: typed errors", async () => {
    const { store, entries, pristine } = await build();
    writeFileSync(store.corpusPath, pristine.subarray(0, pristine.length - 100));
    const report = await store.verify();
    const cut = entries.filter((e) => e.byteOffset + e.length > pristine.length - 100);
    expect(report.problems.map((p) => p.sectionId).sort()).toEqual(cut.map((e) => e.sectionId).sort());
    writeFileSync(store.corpusPath, pristine);
    const journal = journalOf(store);
    const index = readFileSync(journal);
    // A header cut short is damage (a typed error); a cut after it is a torn tail: the
    // commits before it are the index (here: none whole, as the store was built by one commit).
    for (const cutAt of [0, 1, 10, 15]) {
      writeFileSync(journal, index.subarray(0, cutAt));
      await expect(store.load()).rejects.toMatchObject({ code: "INDEX_CORRUPT", path: journal });
      await expect(store.verify()).rejects.toMatchObject({ code: "INDEX_CORRUPT" });
    }
    // No whole commit left beside the corpus's intact frames, and nothing marks the index
    // emptied on purpose: it looks lost, and reads say so (never an empty store).
    for (const cutAt of [16, 17, Math.floor(index.length / 2), index.length - 2]) {
      writeFileSync(journal, index.subarray(0, cutAt));
      await expect(store.load()).rejects.toMatchObject({ code: "STORE_INDEX_LOST" });
      expect((await store.verify()).indexLooksLost).toBe(true);
    }
    writeFileSync(journal, index);
    const all = await store.load();
    await store.save([{ ...all[0]!, byteOffset: pristine.length }]);
    await expect(store.read((await store.load())[0]!)).rejects.toMatchObject({ code: "CORPUS_CORRUPT", reason: "short-read" });
  }, 30_000);
});

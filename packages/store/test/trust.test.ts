// What an operator trusts (issue 22): no false alarms (a first append cut short is not a
// lost index), no silent empties (a lost index is a typed error on every read), nothing set
// aside is lost (quarantine keeps the bytes through compactions), side files are checked
// before anything they name is renamed, and no file type hangs a call.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ReplayStore, createSnapshot, DrawReceiptError, type IndexEntry } from "../src/index.js";
import { journalOf, mixedStore, tempDir } from "./helpers.js";
import { run } from "./proc.js";

const NOW = new Date("2026-06-01T00:00:00Z");
const prose = (i: number, text = `trust section ${i}`) =>
  createSnapshot({ sectionType: "prose", content: text, lastSeenAt: new Date(Date.UTC(2026, 0, 1 + i)) });

describe("a first append cut short is not a lost index", () => {
  test.each(["append:index-created", "append:frames-written"])(
    "killed at %s in the very first append: verify ok, nothing looks lost, add works again",
    async (point) => {
      const dir = join(tempDir(), "store");
      const child = run("once.mjs", [dir, "append"], { REPLAYKIT_TEST_CRASH_AT: point });
      expect(await child.exited).toBe("SIGKILL");
      const store = await ReplayStore.open(dir);
      expect(existsSync(journalOf(store))).toBe(true); // the index existed before any frame
      const report = await store.verify();
      expect(report).toMatchObject({ ok: true, indexLooksLost: false, entries: 0, problems: [] });
      expect(await store.load()).toEqual([]);
      expect((await store.stats()).entries).toBe(0);
      await store.append(prose(1));
      expect(await store.load()).toHaveLength(1);
      expect((await store.verify()).ok).toBe(true);
    },
    30_000,
  );

  test("killed at random moments in a first append of 200 sections: every outcome verifies, never 'lost'", async () => {
    for (let round = 0; round < 6; round++) {
      const dir = join(tempDir(), `store-${round}`);
      const child = run("writer.mjs", [dir, `first${round}`, "append"]);
      await new Promise((r) => setTimeout(r, 5 + round * 25));
      child.child.kill("SIGKILL");
      await child.exited;
      if (!existsSync(dir)) continue;
      const store = await ReplayStore.open(dir);
      const report = await store.verify();
      expect(report.indexLooksLost, `round ${round}`).toBe(false);
      expect(report.problems).toEqual([]);
    }
  }, 60_000);
});

describe("a lost index is called lost by every read, and refused by writes", () => {
  test("index.rkx deleted: load, stats, sampleRows, draw, export fail with STORE_INDEX_LOST naming recover; add refuses; recover brings it back", async () => {
    const { store, entries, corpus } = await mixedStore(12);
    rmSync(journalOf(store));
    const lost = { code: "STORE_INDEX_LOST" };
    await expect(store.load()).rejects.toMatchObject(lost);
    await expect(store.stats()).rejects.toMatchObject(lost);
    await expect(store.sampleRows({ k: 3, now: NOW, seed: 1 })).rejects.toMatchObject(lost);
    await expect(store.draw({ k: 3, now: NOW, seed: 1 })).rejects.toMatchObject(lost);
    await expect(
      (async () => {
        for await (const _ of store.exportSnapshots());
      })(),
    ).rejects.toMatchObject(lost);
    const error = (await store.load().catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/recover/);
    expect(error.message).not.toMatch(/compact (reclaims|the)/);
    // One append must not disarm the guard: it refuses, and writes nothing.
    await expect(store.append(prose(99))).rejects.toMatchObject(lost);
    await expect(store.evict({ maxBytes: 0 })).rejects.toMatchObject(lost);
    expect(readFileSync(store.corpusPath).equals(corpus)).toBe(true);
    expect(existsSync(journalOf(store))).toBe(false);
    expect((await store.verify()).indexLooksLost).toBe(true);
    await expect(store.compact()).rejects.toMatchObject({ argument: "options.force" });
    expect((await store.recover()).recovered).toBe(entries.length);
    expect(await store.load()).toHaveLength(entries.length);
  });
});

describe("quarantine keeps the damaged bytes", () => {
  async function damaged() {
    const built = await mixedStore(9);
    const victim = built.entries[4]!;
    const bytes = readFileSync(built.store.corpusPath);
    bytes[victim.byteOffset + Math.floor(victim.length / 2)]! ^= 0xff;
    writeFileSync(built.store.corpusPath, bytes);
    const original = Uint8Array.from(bytes.subarray(victim.byteOffset, victim.byteOffset + victim.length));
    return { ...built, victim, original };
  }

  test("repair → compact → repair again: the record still holds the exact damaged bytes; verify --json, stats and drop see the whole quarantine", async () => {
    const { store, victim, original } = await damaged();
    const repaired = await store.verify({ repair: true });
    expect(repaired.quarantined).toHaveLength(1);
    expect(repaired.quarantine).toHaveLength(1);
    const [record] = await store.quarantined();
    expect(record).toMatchObject({ id: 1, sectionId: victim.sectionId, byteOffset: victim.byteOffset, length: victim.length });
    expect(record!.kept).toMatchObject({ length: victim.length });
    await store.compact(); // drops every byte no entry points at: the damaged frame's too
    expect(Buffer.from(await store.quarantinedBytes(1)).equals(Buffer.from(original))).toBe(true);
    const again = await store.verify({ repair: true });
    expect(again).toMatchObject({ ok: true, quarantined: [] });
    expect(again.quarantine).toHaveLength(1); // the whole quarantine, not only this run's
    expect((await store.verify()).quarantine.map((r) => r.id)).toEqual([1]);
    expect((await store.stats()).quarantined).toEqual({ records: 1, bytes: victim.length });
    expect(await store.dropQuarantined([1])).toHaveLength(1);
    expect(await store.quarantined()).toEqual([]);
    expect((await store.stats()).quarantined).toEqual({ records: 0, bytes: 0 });
    expect(readdirSync(join(store.corpusPath, "..")).filter((n) => n.includes("quarantine"))).toEqual([]);
    await expect(store.quarantinedBytes(1)).rejects.toMatchObject({ code: "STORE_ARGUMENT", argument: "id" });
    await expect(store.dropQuarantined([7])).rejects.toMatchObject({ argument: "ids" });
  });

  test("a hand-written quarantine file is checked: a bad record is a typed error naming the file", async () => {
    const { store } = await mixedStore(3);
    for (const bad of [
      "{}",
      "[1]",
      JSON.stringify([{ sectionId: "nothex", byteOffset: 0, length: 1, reason: "", quarantinedAt: NOW.toISOString(), addedAt: NOW.toISOString(), weight: 1 }]),
      "not json",
    ]) {
      writeFileSync(store.layout.quarantinePath, bad);
      await expect(store.quarantined()).rejects.toMatchObject({ code: "STORE_IO", path: store.layout.quarantinePath });
    }
  });

  test("records written under the old name (index.json.quarantine.json) are read, and moved by the next repair", async () => {
    const { store } = await damaged();
    await store.verify({ repair: true });
    renameSync(store.layout.quarantinePath, store.layout.legacy.quarantinePath);
    expect(await store.quarantined()).toHaveLength(1);
    await store.dropQuarantined("all");
    expect(existsSync(store.layout.legacy.quarantinePath)).toBe(false);
  });
});

describe("receipts pin content", () => {
  test("remove --purge, then the same id and time added with other text: redraw refuses (reason changed), never the new text", async () => {
    const dir = join(tempDir(), "store");
    const store = await ReplayStore.open(dir);
    const original = createSnapshot({
      sectionType: "prose",
      content: "the original text",
      sectionId: "00000000000000aa",
      lastSeenAt: new Date("2026-01-01T00:00:00Z"),
    });
    await store.appendMany([original, prose(2), prose(3)]);
    const { receipt } = await store.draw({ k: 3, now: NOW, seed: 5 });
    await store.remove([original.sectionId], { purge: true });
    await store.append(createSnapshot({ ...original, content: "other text entirely" }));
    const error = await store.redraw(receipt).catch((e: unknown) => e);
    expect(DrawReceiptError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ reason: "changed", missing: [{ sectionId: original.sectionId }] });
  });
});

describe("side files are checked before anything they name is touched", () => {
  test("a generation file naming the live files: the next writer refuses, nothing is renamed", async () => {
    const { store, corpus } = await mixedStore(4);
    const journal = readFileSync(journalOf(store));
    writeFileSync(store.layout.generationPath, JSON.stringify({ generation: 3, pending: { corpus: "index.rkx", index: "corpus.zst" } }));
    await expect(store.append(prose(9))).rejects.toMatchObject({ code: "STORE_IO", path: store.layout.generationPath });
    expect(readFileSync(store.corpusPath).equals(corpus)).toBe(true);
    expect(readFileSync(journalOf(store)).equals(journal)).toBe(true);
    await expect(store.load()).rejects.toMatchObject({ code: "STORE_IO" });
  });

  test.each(["generation", "quarantine", "journal"] as const)(
    "a FIFO at the %s path makes calls fail at once, never hang",
    async (which) => {
      const { store } = await mixedStore(2);
      const path = which === "generation" ? store.layout.generationPath : which === "quarantine" ? store.layout.quarantinePath : journalOf(store);
      rmSync(path, { force: true });
      try {
        execFileSync("mkfifo", [path]);
      } catch {
        return; // no mkfifo here
      }
      const fresh = await ReplayStore.open(join(store.corpusPath, ".."), { lockTimeoutMs: 1_000 });
      const calls = [() => fresh.load(), () => fresh.stats(), () => fresh.verify(), () => fresh.append(prose(5)), () => fresh.quarantined()];
      for (const call of calls) {
        const outcome = await Promise.race([
          call().then(
            () => "ok",
            (e: unknown) => (e as { code?: string }).code ?? "error",
          ),
          new Promise((r) => setTimeout(() => r("hung"), 5_000)),
        ]);
        expect(outcome).not.toBe("hung");
      }
    },
    60_000,
  );
});

describe("readers during format changes", () => {
  test("load() while another process downgrades and upgrades the store in a loop: always every entry, never empty or lost", async () => {
    const { dir, entries } = await mixedStore(30);
    const converter = run("converter.mjs", [dir, "25"]);
    const store = await ReplayStore.open(dir);
    let reads = 0;
    let done = false;
    void converter.exited.then(() => {
      done = true;
    });
    while (!done || reads < 20) {
      const seen: IndexEntry[] = await store.load();
      expect(seen.length).toBe(entries.length);
      reads++;
      if (reads > 5000) break;
    }
    expect(await converter.exited).toBe(0);
    expect(reads).toBeGreaterThan(0);
  }, 120_000);
});

describe("stores written before this layout keep opening", () => {
  test("old side-file names (index.json.lock, index.json.generation): read, the old lock honoured, the generation moved", async () => {
    const { dir, store } = await mixedStore(5);
    await store.compact();
    renameSync(store.layout.generationPath, store.layout.legacy.generationPath);
    renameSync(store.layout.lockPath, store.layout.legacy.lockPath);
    const text = readFileSync(store.layout.legacy.generationPath, "utf8");
    const old = await ReplayStore.open(dir);
    expect(await old.load()).toHaveLength(5);
    // A holder of the old lock (an earlier replaykit's writer) still excludes writers.
    const holder = run("lock-holder.mjs", [store.layout.legacy.lockPath, "hold"]);
    await holder.waitFor(/^locked$/);
    const blocked = await ReplayStore.open(dir, { lockTimeoutMs: 200 });
    await expect(blocked.append(prose(8))).rejects.toMatchObject({ code: "STORE_LOCKED" });
    holder.child.kill("SIGKILL");
    await holder.exited;
    await old.append(prose(8));
    expect(readFileSync(store.layout.generationPath, "utf8")).toBe(text);
    expect(existsSync(store.layout.legacy.generationPath)).toBe(false);
    mkdirSync(join(dir, "unrelated"), { recursive: true });
    expect(await old.load()).toHaveLength(6);
  }, 30_000);
});

describe("damage in the middle of the journal", () => {
  test("a flipped byte in commit 3 of 20: verify reports damage (not 'all intact'), writes refuse, recover brings every commit back with its weights", async () => {
    const dir = join(tempDir(), "store");
    const store = await ReplayStore.open(dir);
    const offsets: number[] = [];
    for (let i = 0; i < 20; i++) {
      offsets.push(readFileSyncSafe(journalOf(store)));
      await store.append(prose(i));
    }
    // Reweight one section of a late commit: recover must keep it.
    const all = await store.load();
    await store.save(all.map((e, i) => (i === 15 ? { ...e, weight: 2.5 } : e)));
    const journal = readFileSync(journalOf(store));
    const third = offsets[3]!; // the file's size before the 4th append: where commit 3 starts (0-based)
    journal[third + 12]! ^= 0x55;
    writeFileSync(journalOf(store), journal);

    const fresh = await ReplayStore.open(dir);
    const report = await fresh.verify();
    expect(report.ok).toBe(false);
    expect(report.problems.some((p) => /damaged bytes .* whole commit\(s\) after them.*recover/.test(p.message))).toBe(true);
    const before = readFileSync(journalOf(store));
    await expect(fresh.append(prose(99))).rejects.toMatchObject({ code: "INDEX_CORRUPT" });
    await expect(fresh.compact()).rejects.toMatchObject({ code: "INDEX_CORRUPT" });
    await expect(fresh.downgrade()).rejects.toMatchObject({ code: "INDEX_CORRUPT" });
    await expect(fresh.evict({ maxBytes: 0 })).rejects.toMatchObject({ code: "INDEX_CORRUPT" });
    expect(readFileSync(journalOf(store)).equals(before)).toBe(true); // nothing cut

    const recovered = await fresh.recover();
    expect(recovered.recovered).toBe(20);
    const back = await fresh.load();
    expect(back.map((e) => e.sectionId).sort()).toEqual(all.map((e) => e.sectionId).sort());
    expect(back.find((e) => e.sectionId === all[15]!.sectionId)?.weight).toBe(2.5);
    expect((await fresh.verify()).ok).toBe(true);
  });

  test("recover keeps what the journal removed on purpose removed", async () => {
    const { store, entries } = await mixedStore(10);
    await store.remove([entries[2]!.sectionId]);
    await store.evict({ maxBytes: entries.slice(1).reduce((n, e) => n + e.length, 0) - entries[2]!.length });
    const live = (await store.load()).map((e) => e.sectionId).sort();
    await store.recover();
    expect((await store.load()).map((e) => e.sectionId).sort()).toEqual(live);
  });
});

function readFileSyncSafe(path: string): number {
  return existsSync(path) ? readFileSync(path).length : 16;
}

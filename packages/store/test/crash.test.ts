// Crash safety: writers killed with SIGKILL at random moments and at chosen points never
// lose an acknowledged append and never leave a store that fails to open or verify.
import { appendFileSync, copyFileSync, existsSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { loadIndex, saveIndex } from "@replaykit/index";
import { ReplayStore, createSnapshot } from "../src/index.js";
import { journalOf, storeFiles, tempDir, toLegacy } from "./helpers.js";
import { acked, run } from "./proc.js";

// A small seeded generator for the kill delays, so a failure can be replayed.
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("SIGKILL at random moments", () => {
  test("40 kills in a row on one store: it opens, verifies, holds every acknowledged id, and the lock is recovered", async () => {
    const dir = join(tempDir(), "store");
    const random = lcg(20261125);
    const acknowledged = new Set<string>();
    let compactions = 0;
    for (let round = 0; round < 40; round++) {
      const writer = run("writer.mjs", [dir, `r${round}`, round % 2 === 0 ? "append" : "compact"]);
      // Every other compaction round waits for its first compaction before the random delay,
      // so compactions happen however slow the machine (a first compaction takes 30–650 ms
      // here under load, longer than any delay below); the other rounds may be killed inside one.
      await writer.waitFor(round % 4 === 3 ? /^compacted$/ : /^ack /);
      await new Promise((r) => setTimeout(r, Math.floor(random() * 120)));
      writer.child.kill("SIGKILL");
      expect(await writer.exited).toBe("SIGKILL");
      for (const id of acked(writer.lines)) acknowledged.add(id);
      compactions += writer.lines.filter((l) => l === "compacted").length;

      const store = await ReplayStore.open(dir, { lockTimeoutMs: 5_000 });
      const report = await store.verify();
      expect(report.problems).toEqual([]);
      const ids = new Set((await store.load()).map((e) => e.sectionId));
      for (const id of acknowledged) expect(ids.has(id)).toBe(true);
    }
    // The next writer takes the (possibly stale) lock at once and the store still samples.
    const store = await ReplayStore.open(dir, { lockTimeoutMs: 2_000 });
    await store.append(createSnapshot({ sectionType: "prose", content: "after the last kill" }));
    const entries = await store.load();
    const rows = await store.sampleRows({ k: entries.length, now: new Date("2026-06-01T00:00:00Z"), seed: 1 });
    expect(rows.length).toBeGreaterThanOrEqual(entries.length - 1);
    expect(compactions).toBeGreaterThan(0);
    expect(readdirSync(dir).filter((n) => n.includes(".compact-"))).toEqual([]);
  }, 120_000);
});

describe("SIGKILL at chosen points", () => {
  async function seeded(): Promise<{ dir: string; store: ReplayStore; before: string[] }> {
    const dir = join(tempDir(), "store");
    const store = await ReplayStore.open(dir);
    const entries = await store.appendMany(
      Array.from({ length: 12 }, (_, i) =>
        createSnapshot({ sectionType: "prose", content: `seed section ${i} `.repeat(8), lastSeenAt: new Date(Date.UTC(2026, 0, 1 + i)) }),
      ),
    );
    await store.evict({ maxBytes: entries.slice(6).reduce((n, e) => n + e.length, 0) }); // dead space for compaction
    return { dir, store, before: (await store.load()).map((e) => e.sectionId).sort() };
  }

  test.each([
    ["append:frames-written", "append", "old"],
    ["compact:temps-written", "compact", "old"],
    ["compact:committed", "compact", "new"],
    ["compact:corpus-swapped", "compact", "new"],
    ["evict:index-saved", "evict", "evicted"],
  ] as const)(
    "killed at %s during %s: the store is the %s one and verifies",
    async (point, op, expected) => {
      const { dir, store, before } = await seeded();
      const sizeBefore = (await store.stats()).fileBytes;
      const child = run("once.mjs", [dir, op], { REPLAYKIT_TEST_CRASH_AT: point });
      expect(await child.exited).toBe("SIGKILL");
      expect(existsSync(store.lockPath)).toBe(true); // the dead writer's lock is left behind

      const after = await ReplayStore.open(dir, { lockTimeoutMs: 2_000 });
      const report = await after.verify();
      expect(report.problems).toEqual([]);
      const ids = (await after.load()).map((e) => e.sectionId).sort();
      const stats = await after.stats();
      if (expected === "old") {
        expect(ids).toEqual(before);
        if (op === "append") expect(stats.deadBytes).toBeGreaterThan(0); // the torn tail
      } else if (expected === "new") {
        expect(ids).toEqual(before);
        expect(stats.fileBytes).toBeLessThan(sizeBefore);
        expect(stats.deadBytes).toBe(0);
      } else {
        expect(ids).toEqual([]);
      }
      // A writer recovers the dead holder's lock, finishes or discards the interrupted work.
      await after.append(createSnapshot({ sectionType: "prose", content: `after ${point}` }));
      await after.compact();
      expect((await after.verify()).problems).toEqual([]);
      expect((await after.stats()).deadBytes).toBe(0);
      expect(storeFiles(dir)).toEqual(["corpus.zst", "index.rkx"]);
    },
    30_000,
  );

  test("a compaction committed by an earlier replaykit (an <index>.compacting marker) is rolled forward by the next writer", async () => {
    const { dir, store: current, before } = await seeded();
    await toLegacy(current);
    const store = await ReplayStore.open(dir);
    // What the previous release left when killed after its commit point: the compacted
    // pair under temp names, and a marker naming them by full path.
    const compacted = join(dir, "..", "compacted");
    const scratch = await ReplayStore.open(compacted);
    await scratch.save([]); // directory and files exist
    copyFileSync(store.corpusPath, join(compacted, "corpus.zst"));
    await saveIndex(join(compacted, "index.json"), await loadIndex(store.indexPath));
    rmSync(journalOf(scratch), { force: true });
    await scratch.compact();
    const temps = { corpus: join(dir, ".corpus.zst.compact-1-aa"), index: join(dir, ".index.json.compact-1-aa") };
    copyFileSync(join(compacted, "corpus.zst"), temps.corpus);
    await saveIndex(temps.index, await scratch.load());
    writeFileSync(join(dir, "index.json.compacting"), JSON.stringify(temps));
    const sizeBefore = (await store.stats()).fileBytes;

    const after = await ReplayStore.open(dir);
    await after.append(createSnapshot({ sectionType: "prose", content: "after the old marker" }));
    expect(existsSync(join(dir, "index.json.compacting"))).toBe(false);
    expect(existsSync(temps.corpus) || existsSync(temps.index)).toBe(false);
    const ids = (await after.load()).map((e) => e.sectionId);
    for (const id of before) expect(ids).toContain(id);
    expect((await after.verify()).problems).toEqual([]);
    expect(sizeBefore).toBeGreaterThan(0);
    expect((await after.stats()).deadBytes).toBe(0); // the compacted pair is the store now (the old one had dead space)
    expect(storeFiles(dir)).toEqual(["corpus.zst", "index.rkx"]); // and migrated to the journal by that write
  });

  test("killed in the middle of an index write: the torn temp index is ignored, the old index rules, the next writer removes it", async () => {
    const { dir, store, before } = await seeded();
    const index = readFileSync(journalOf(store));
    // What a journal rewrite leaves when killed between writing its temp file and the rename.
    const torn = join(dir, `.index.rkx.999999.0123456789ab.tmp`);
    writeFileSync(torn, index.subarray(0, Math.floor(index.length / 3)));
    const after = await ReplayStore.open(dir);
    expect((await after.load()).map((e) => e.sectionId).sort()).toEqual(before);
    expect((await after.verify()).problems).toEqual([]);
    await after.append(createSnapshot({ sectionType: "prose", content: "after a torn index write" }));
    expect(existsSync(torn)).toBe(false);
  });

  test("a long-lived writer removes the temps of a compaction killed in another process after its own first write", async () => {
    const { dir, store, before } = await seeded();
    await store.append(createSnapshot({ sectionType: "prose", content: "the writer is warm" }));
    const child = run("once.mjs", [dir, "compact"], { REPLAYKIT_TEST_CRASH_AT: "compact:temps-written" });
    expect(await child.exited).toBe("SIGKILL");
    const temps = () => readdirSync(dir).filter((f) => f.includes(".compact-"));
    expect(temps().length).toBeGreaterThan(0);
    await store.append(createSnapshot({ sectionType: "prose", content: "after another process died compacting" }));
    expect(temps()).toEqual([]);
    expect((await store.load()).length).toBe(before.length + 2);
    expect((await store.verify()).problems).toEqual([]);
  }, 30_000);

  test("killed during the migration of a legacy index.json (journal written, index.json not yet removed): the journal rules, the next writer finishes", async () => {
    const { dir, store, before } = await seeded();
    await toLegacy(store);
    const child = run("once.mjs", [dir, "append"], { REPLAYKIT_TEST_CRASH_AT: "migrate:journal-written" });
    expect(await child.exited).toBe("SIGKILL");
    expect(storeFiles(dir)).toEqual(["corpus.zst", "index.json", "index.rkx"]);
    const after = await ReplayStore.open(dir);
    expect((await after.load()).map((e) => e.sectionId).sort()).toEqual(before);
    expect((await after.verify()).problems).toEqual([]);
    const added = await after.append(createSnapshot({ sectionType: "prose", content: "after a migration kill" }));
    expect(storeFiles(dir)).toEqual(["corpus.zst", "index.rkx"]);
    expect((await after.load()).map((e) => e.sectionId).sort()).toEqual([...before, added.sectionId].sort());
  });

  test("killed during a downgrade (index.json written, journal not yet removed): still the replaykit store; a second downgrade finishes", async () => {
    const { dir, before } = await seeded();
    const child = run("once.mjs", [dir, "downgrade"], { REPLAYKIT_TEST_CRASH_AT: "downgrade:json-written" });
    expect(await child.exited).toBe("SIGKILL");
    const after = await ReplayStore.open(dir);
    expect((await after.stats()).format).toBe("replaykit");
    expect((await after.load()).map((e) => e.sectionId).sort()).toEqual(before);
    expect(await after.downgrade()).toEqual({ converted: before.length });
    expect(storeFiles(dir)).toEqual(["corpus.zst", "index.json"]);
    expect((await loadIndex(after.indexPath)).map((e) => e.sectionId).sort()).toEqual(before);
    expect((await after.stats()).format).toBe("dlm");
  });

  test("a journal commit torn at every byte: nothing after the last whole commit is believed, nothing acknowledged is lost, the next commit cuts the tail", async () => {
    const { dir, store, before } = await seeded();
    const journal = journalOf(store);
    const base = readFileSync(journal);
    const extra = await store.append(createSnapshot({ sectionType: "instruction", content: "### Q\nTorn?\n### A\nNo." }));
    const whole = readFileSync(journal);
    const commit = whole.subarray(base.length);
    expect(commit.length).toBeGreaterThan(0);
    for (let cut = 0; cut <= commit.length; cut++) {
      writeFileSync(journal, base);
      appendFileSync(journal, commit.subarray(0, cut));
      const reader = await ReplayStore.open(dir);
      const ids = (await reader.load()).map((e) => e.sectionId).sort();
      expect(ids).toEqual(cut === commit.length ? [...before, extra.sectionId].sort() : before);
    }
    // A damaged (not just short) tail: flipped bytes in the last commit are ignored the same way.
    writeFileSync(journal, whole);
    const flipped = Buffer.from(whole);
    flipped[flipped.length - 3]! ^= 0xff;
    writeFileSync(journal, flipped);
    const writer = await ReplayStore.open(dir);
    expect((await writer.load()).map((e) => e.sectionId).sort()).toEqual(before);
    const next = await writer.append(createSnapshot({ sectionType: "prose", content: "after a torn commit" }));
    expect((await (await ReplayStore.open(dir)).load()).map((e) => e.sectionId).sort()).toEqual([...before, next.sectionId].sort());
    expect((await writer.verify()).problems).toEqual([]);
    truncateSync(journal, 10); // a header cut short is damage, not a torn tail: a typed error
    await expect((await ReplayStore.open(dir)).load()).rejects.toMatchObject({ code: "INDEX_CORRUPT" });
    rmSync(journal);
  }, 60_000);
});

// Views by generation (issue 13.2, 13.3): no reader ever pairs an index with a corpus of
// another generation, whatever compactions run meanwhile; every read runs in one view;
// `load()` then `readMany()` across a compaction works or is STORE_CHANGED, never
// CORPUS_CORRUPT; and every read works on a read-only mount after a crash at any step.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ReplayStore, StoreChangedError, createSnapshot, isReplaykitError, type IndexEntry } from "../src/index.js";
import { tempDir } from "./helpers.js";
import { run } from "./proc.js";

const NOW = new Date("2026-06-01T00:00:00Z");

async function seeded(n = 300): Promise<{ dir: string; store: ReplayStore; live: IndexEntry[] }> {
  const dir = join(tempDir(), "store");
  const store = await ReplayStore.open(dir);
  const entries = await store.appendMany(
    Array.from({ length: n }, (_, i) =>
      createSnapshot({ sectionType: "prose", content: `view section ${i} `.repeat(6 + (i % 5)), lastSeenAt: new Date(Date.UTC(2026, 0, 1, 0, i)) }),
    ),
  );
  // Dead space, so each compaction moves frames to other offsets.
  await store.evict({ maxBytes: entries.slice(n / 3).reduce((s, e) => s + e.length, 0) });
  return { dir, store, live: await store.load() };
}

describe("views by generation", () => {
  test("verify, stats, sampling and full exports during 30 compactions by another process: always the whole, healthy store", async () => {
    const { dir, store, live } = await seeded();
    const ids = live.map((e) => e.sectionId).sort();
    const compactor = run("compactor.mjs", [dir, "30"]);
    let rounds = 0;
    let done = false;
    void compactor.exited.then(() => (done = true));
    while (!done || rounds < 5) {
      const report = await store.verify();
      expect(report.problems).toEqual([]);
      expect(report.entries).toBe(live.length);
      const stats = await store.stats();
      expect(stats.entries).toBe(live.length);
      const rows = await store.sampleRows({ k: live.length, now: NOW, seed: rounds });
      expect(rows).toHaveLength(live.length);
      // An export: every entry and its snapshot, in one view.
      const exported = await store.draw({ k: live.length, now: NOW, seed: 1 });
      expect(exported.rows).toHaveLength(live.length);
      expect((await store.load()).map((e) => e.sectionId).sort()).toEqual(ids);
      rounds++;
    }
    expect(await compactor.exited).toBe(0);
    expect(compactor.lines.filter((l) => l === "compacted")).toHaveLength(30);
  }, 180_000);

  test("load() then readMany() across compactions: the snapshots, or STORE_CHANGED — never CORPUS_CORRUPT", async () => {
    const { dir, store, live } = await seeded();
    const compactor = run("compactor.mjs", [dir, "30"]);
    let done = false;
    void compactor.exited.then(() => (done = true));
    const outcomes = { ok: 0, changed: 0 };
    // Until a read has worked: with compactions back to back every read may be STORE_CHANGED;
    // once the compactor is done the next one works (however fast or slow either process is).
    while (!done || outcomes.ok === 0 || outcomes.ok + outcomes.changed < 20) {
      const entries = await store.load();
      await new Promise((r) => setTimeout(r, 5)); // a compaction may land here
      try {
        const snapshots = await store.readMany(entries);
        expect(snapshots.map((s) => s.sectionId)).toEqual(entries.map((e) => e.sectionId));
        outcomes.ok++;
      } catch (error) {
        expect(StoreChangedError.isInstance(error)).toBe(true);
        expect(isReplaykitError(error)).toBe(true);
        const changed = error as StoreChangedError;
        expect(changed.code).toBe("STORE_CHANGED");
        expect(changed.currentGeneration).toBeGreaterThan(changed.loadedGeneration);
        outcomes.changed++;
      }
    }
    expect(await compactor.exited).toBe(0);
    expect(outcomes.ok).toBeGreaterThan(0);
    expect(live.length).toBeGreaterThan(0);
  }, 180_000);

  test("exportSnapshots streams one generation: compactions between its batches change nothing it yields", async () => {
    const { dir, live } = await seeded(3000);
    const reader = await ReplayStore.open(dir);
    const writer = await ReplayStore.open(dir);
    const seen: string[] = [];
    let compactions = 0;
    let lastOffset = -1;
    for await (const { entry, snapshot } of reader.exportSnapshots()) {
      expect(snapshot.sectionId).toBe(entry.sectionId);
      expect(entry.byteOffset).toBeGreaterThan(lastOffset); // file order
      lastOffset = entry.byteOffset;
      seen.push(entry.sectionId);
      if (seen.length % 500 === 1 && compactions < 4) {
        await writer.compact(); // moves every frame of the live files
        compactions++;
      }
    }
    expect(compactions).toBe(4);
    expect(seen.sort()).toEqual(live.map((e) => e.sectionId).sort());
    await expect(ReplayStore.open(join(dir, "absent")).then((s) => s.exportSnapshots().next())).rejects.toMatchObject({ code: "STORE_NOT_FOUND" });
  }, 60_000);

  test("entries loaded before a compaction are STORE_CHANGED after it; loading again reads them", async () => {
    const { store } = await seeded(30);
    const old = await store.load();
    await store.compact();
    const error = await store.readMany(old).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "STORE_CHANGED", path: store.indexPath });
    await expect(store.read(old[0]!)).rejects.toMatchObject({ code: "STORE_CHANGED" });
    const fresh = await store.load();
    expect((await store.readMany(fresh)).map((s) => s.sectionId)).toEqual(fresh.map((e) => e.sectionId));
    // Appends do not change the generation: entries stay readable.
    await store.append(createSnapshot({ sectionType: "prose", content: "appended later" }));
    expect(await store.readMany(fresh)).toHaveLength(fresh.length);
  });
});

// ---------------------------------------------------------------- read-only mounts

const isRoot = process.getuid?.() === 0;

/** Bind-mounts `dir` read-only at a new path; undefined when this machine cannot. */
function readOnlyMount(dir: string): { path: string; release: () => void } | undefined {
  const path = join(tempDir(), "ro");
  mkdirSync(path);
  if (spawnSync("mount", ["--bind", dir, path]).status !== 0) return undefined;
  if (spawnSync("mount", ["-o", "remount,bind,ro", path]).status !== 0) {
    spawnSync("umount", [path]);
    return undefined;
  }
  return { path, release: () => void spawnSync("umount", ["-l", path]) };
}

describe.skipIf(!isRoot)("read-only mounts after a crash at any step", () => {
  test.each([
    ["none", "append"],
    ["append:frames-written", "append"],
    ["compact:temps-written", "compact"],
    ["compact:committed", "compact"],
    ["compact:corpus-swapped", "compact"],
    ["evict:index-saved", "evict"],
  ] as const)(
    "killed at %s (%s): every read works from a read-only bind mount; writes are typed errors at once",
    async (point, op) => {
      const { dir, live } = await seeded(60);
      const child = run("once.mjs", [dir, op], point === "none" ? {} : { REPLAYKIT_TEST_CRASH_AT: point });
      expect(await child.exited).toBe(point === "none" ? 0 : "SIGKILL");
      const mount = readOnlyMount(dir);
      if (mount === undefined) return; // no bind mounts here (e.g. an unprivileged container): nothing to test
      try {
        const store = await ReplayStore.open(mount.path, { create: false, lockTimeoutMs: 60_000 });
        const entries = await store.load();
        const expected = op === "evict" ? 0 : op === "append" ? live.length + (point === "none" ? 1 : 0) : live.length;
        expect(entries).toHaveLength(expected);
        const report = await store.verify();
        expect(report.problems).toEqual([]);
        expect((await store.stats()).entries).toBe(expected);
        expect(await store.readMany(entries)).toHaveLength(expected);
        expect(await store.sampleRows({ k: 1000, now: NOW, seed: 3 })).toHaveLength(expected);
        expect(await store.quarantined()).toEqual([]);
        const started = Date.now();
        const error = await store.append(createSnapshot({ sectionType: "prose", content: "cannot" })).catch((e: unknown) => e);
        expect(error).toMatchObject({ code: "STORE_IO", systemCode: "EROFS" });
        expect(Date.now() - started).toBeLessThan(30_000);
        // The reader moved nothing: what the crash left is still there for the next writer.
        if (point === "compact:committed" || point === "compact:corpus-swapped") {
          expect(readdirSync(mount.path).some((n) => n.includes(".compact-"))).toBe(true);
          // ... and what it read is what the commit names: the compacted pair, without dead space.
          expect((await store.stats()).deadBytes).toBe(0);
        } else if (point === "compact:temps-written") {
          expect((await store.stats()).deadBytes).toBeGreaterThan(0); // not committed: the old pair
        }
      } finally {
        mount.release();
      }
      // And the next writer on the writable path finishes the job.
      const after = await ReplayStore.open(dir);
      await after.append(createSnapshot({ sectionType: "prose", content: "after the read-only visit" }));
      expect((await after.verify()).problems).toEqual([]);
    },
    60_000,
  );
});

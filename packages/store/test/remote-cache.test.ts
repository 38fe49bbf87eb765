// The per-machine cache of a store in object storage: a second open fetches only the
// commits made since; cacheDir "" works; a size limit holds; a damaged cached file is never
// trusted (it is dropped and the object fetched again).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ReplayStore } from "../src/index.js";
import { tempDir } from "./helpers.js";
import { bucket, commitNumbers, filesUnder, idOf, LOCATION, liveIds, PREFIX, snap } from "./remote-helpers.js";

const commitGets = (requests: ReadonlyArray<{ operation: string; key: string }>) =>
  requests.filter((r) => r.operation === "get" && r.key.startsWith(`${PREFIX}/commits/`)).map((r) => Number(r.key.slice(-24, -4)));

/** Flips one byte of `path` at `at` (from the end when negative). */
function flip(path: string, at: number): void {
  const bytes = readFileSync(path);
  const i = at < 0 ? bytes.length + at : at;
  bytes[i] = bytes[i]! ^ 0x20;
  writeFileSync(path, bytes);
}

/** The cached commit objects under `cacheDir` (by their head line). */
function cachedCommits(cacheDir: string): string[] {
  return filesUnder(join(cacheDir, "objects")).filter((p) => readFileSync(p).subarray(0, 40).toString().includes('"replaykit-commit/1"'));
}

describe("the cache of a store in object storage", () => {
  test("a write removes the working copies of writers that died (their pid is gone), never a live one's", async () => {
    const mem = bucket();
    const cacheDir = tempDir();
    const dead = join(cacheDir, "work", "w-2147483646-abc123");
    const live = join(cacheDir, "work", `w-${process.ppid}-def456`);
    for (const dir of [dead, live]) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "index.rkx"), "left by a killed writer");
    }
    const w = await ReplayStore.open(LOCATION, { objectStore: mem, cacheDir });
    await w.append(snap(0));
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
    // Its own working copy is gone once the write returns.
    expect(readdirSync(join(cacheDir, "work")).filter((n) => n.startsWith(`w-${process.pid}-`))).toEqual([]);
  });

  test("a second open on the same cache directory fetches only the commits made since", async () => {
    const mem = bucket();
    const cacheDir = tempDir();
    const w = await ReplayStore.open(LOCATION, { objectStore: mem, cacheDir: tempDir() });
    for (let i = 0; i < 5; i++) await w.append(snap(i));
    const a = mem.fork();
    const r1 = await ReplayStore.open(LOCATION, { objectStore: a, cacheDir });
    expect(commitGets(a.requests)).toEqual([2, 3, 4, 5]); // commit 1 started a generation: checkpoint 1 holds it
    expect(await liveIds(r1)).toHaveLength(5);

    const b = mem.fork();
    const r2 = await ReplayStore.open(LOCATION, { objectStore: b, cacheDir });
    expect(r2.commit).toBe(5);
    expect(r2.remoteCounters).toMatchObject({ gets: 0, rangeGets: 0 });
    expect(commitGets(b.requests)).toEqual([]);
    expect(await liveIds(r2)).toEqual(await liveIds(r1));

    await w.append(snap(5));
    await w.append(snap(6));
    const c = mem.fork();
    const r3 = await ReplayStore.open(LOCATION, { objectStore: c, cacheDir });
    expect(r3.commit).toBe(7);
    expect(commitGets(c.requests)).toEqual([6, 7]);
    expect(await liveIds(r3)).toEqual([0, 1, 2, 3, 4, 5, 6].map(idOf));
    // refresh of the first reader: only the new commits too.
    const before = r1.remoteCounters?.gets ?? 0;
    expect(await r1.refresh()).toBe(7);
    expect((r1.remoteCounters?.gets ?? 0) - before).toBeLessThanOrEqual(2);
  });

  test('cacheDir "" keeps nothing in a shared directory and works', async () => {
    const mem = bucket();
    const s = await ReplayStore.open(LOCATION, { objectStore: mem, cacheDir: "" });
    await s.appendMany([snap(0), snap(1)]);
    await s.append(snap(2));
    const r = await ReplayStore.open(LOCATION, { objectStore: mem.fork(), cacheDir: "" });
    expect(await liveIds(r)).toEqual([0, 1, 2].map(idOf));
    expect((await r.verify()).ok).toBe(true);
    await r.compact();
    expect((await (await ReplayStore.open(LOCATION, { objectStore: mem.fork(), cacheDir: "" })).verify()).ok).toBe(true);
  });

  test("cacheMaxBytes bounds the cache; readers whose files were trimmed fetch them again", async () => {
    const mem = bucket();
    const cacheDir = tempDir();
    const maxBytes = 40_000;
    const w = await ReplayStore.open(LOCATION, { objectStore: mem, cacheDir, cacheMaxBytes: maxBytes });
    let largest = 0;
    for (let i = 0; i < 40; i++) {
      await w.appendMany(Array.from({ length: 5 }, (_, j) => snap(i * 5 + j, `big-${i}-${j}-${"x".repeat(200 + ((i * 37) % 300))}`)));
      const sizes = filesUnder(cacheDir)
        .filter((p) => !p.includes(`${join(cacheDir, "work")}`))
        .map((p) => readFileSync(p).length);
      largest = Math.max(largest, ...sizes);
      const total = sizes.reduce((n, x) => n + x, 0);
      expect(total).toBeLessThanOrEqual(maxBytes + maxBytes / 16 + 2 * largest);
    }
    const r = await ReplayStore.open(LOCATION, { objectStore: mem.fork(), cacheDir, cacheMaxBytes: maxBytes });
    expect(await liveIds(r)).toHaveLength(200);
    expect((await r.verify()).ok).toBe(true);
    expect((await w.verify()).ok).toBe(true);
  });

  test("a pinned reader whose journal file another process trimmed away still reads", async () => {
    const mem = bucket();
    const cacheDir = tempDir();
    const w = await ReplayStore.open(LOCATION, { objectStore: mem, cacheDir: tempDir() });
    await w.appendMany([snap(0), snap(1), snap(2)]);
    const r = await ReplayStore.open(LOCATION, { objectStore: mem.fork(), cacheDir });
    rmSync(join(cacheDir, "journals"), { recursive: true, force: true });
    rmSync(join(cacheDir, "objects"), { recursive: true, force: true });
    expect(await liveIds(r)).toEqual([0, 1, 2].map(idOf));
    expect((await r.verify()).ok).toBe(true);
  });

  test("a damaged cached commit object is dropped and fetched again (an open that assembles the journal)", async () => {
    const mem = bucket();
    const cacheDir = tempDir();
    const w = await ReplayStore.open(LOCATION, { objectStore: mem, cacheDir });
    await w.append(snap(0));
    await w.append(snap(1));
    const commits = cachedCommits(cacheDir);
    expect(commits.length).toBeGreaterThan(0);
    for (const p of commits) flip(p, -3);
    // Without the assembled states, an open reads the commit objects (from the cache).
    rmSync(join(cacheDir, "journals"), { recursive: true, force: true });
    const r = await ReplayStore.open(LOCATION, { objectStore: mem.fork(), cacheDir });
    expect(await liveIds(r)).toEqual([0, 1].map(idOf));
    expect((await r.verify()).ok).toBe(true);
    // The cache now holds the objects' true bytes.
    for (const p of cachedCommits(cacheDir)) {
      const key = mem.state.keys().find((k) => Buffer.compare(Buffer.from(mem.state.read(k)!.body), readFileSync(p)) === 0);
      expect(key).toBeDefined();
    }
  });

  test("a damaged frame in a cached commit object is not read as the store's: fetched again", async () => {
    const mem = bucket();
    const cacheDir = tempDir();
    const w = await ReplayStore.open(LOCATION, { objectStore: mem, cacheDir });
    await w.append(snap(0, "zzzz-unique-marker"));
    const commits = cachedCommits(cacheDir);
    expect(commits).toHaveLength(1);
    // Damage the inline frame bytes (just after the head line).
    const bytes = readFileSync(commits[0]!);
    const nl = bytes.indexOf(0x0a);
    flip(commits[0]!, nl + 20);
    const r = await ReplayStore.open(LOCATION, { objectStore: mem.fork(), cacheDir });
    expect((await r.verify()).ok).toBe(true);
    expect((await r.read((await r.load())[0]!)).content).toContain("zzzz-unique-marker");
  });

  test("a damaged cached journal is not trusted", async () => {
    const mem = bucket();
    const cacheDir = tempDir();
    const w = await ReplayStore.open(LOCATION, { objectStore: mem, cacheDir });
    await w.appendMany([snap(0), snap(1), snap(2)]);
    await w.append(snap(3));
    const journals = filesUnder(join(cacheDir, "journals")).filter(
      (p) =>
        !readFileSync(p)
          .subarray(0, 1)
          .toString()
          .match(/[{0-9]/),
    );
    expect(journals.length).toBeGreaterThan(0);
    for (const p of journals) flip(p, 40);
    const r = await ReplayStore.open(LOCATION, { objectStore: mem.fork(), cacheDir });
    expect(await liveIds(r)).toEqual([0, 1, 2, 3].map(idOf));
    expect((await r.verify()).ok).toBe(true);
  });

  test("a prefix deleted and written anew: the cache's state of the old store is not used (no ghost store, no gap in the commits)", async () => {
    const cacheDir = tempDir();
    const old = bucket();
    const w = await ReplayStore.open(LOCATION, { objectStore: old, cacheDir });
    for (let i = 0; i < 5; i++) await w.append(snap(i, `old-store-${i}`));
    // The same bucket and prefix, emptied and written again (fewer commits, other content).
    const mem = bucket();
    const other = await ReplayStore.open(LOCATION, { objectStore: mem, cacheDir: tempDir() });
    await other.append(snap(10));
    await other.append(snap(11));
    const r = await ReplayStore.open(LOCATION, { objectStore: mem.fork(), cacheDir });
    expect(r.commit).toBe(2);
    expect(await liveIds(r)).toEqual([10, 11].map(idOf));
    await r.append(snap(12));
    expect(commitNumbers(mem)).toEqual([1, 2, 3]);
    // Written anew with as many commits as the cache knows: still the bucket's own.
    const again = bucket();
    const third = await ReplayStore.open(LOCATION, { objectStore: again, cacheDir: tempDir() });
    for (let i = 0; i < 5; i++) await third.append(snap(20 + i));
    const r2 = await ReplayStore.open(LOCATION, { objectStore: again.fork(), cacheDir });
    expect(await liveIds(r2)).toEqual([20, 21, 22, 23, 24].map(idOf));
    expect((await r2.verify()).ok).toBe(true);
  });
});

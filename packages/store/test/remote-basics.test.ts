// A store in object storage (s3:// over memoryObjectStore): what a directory store does,
// commits and pinning, refresh, bad locations and options.
import { describe, expect, test } from "vitest";
import { ReplayStore, StoreArgumentError, StoreNotFoundError, StoreUnsupportedError } from "../src/index.js";
import { tempDir } from "./helpers.js";
import { bucket, commitNumbers, idOf, LOCATION, liveIds, NOW, openRemote, snap } from "./remote-helpers.js";

describe("a store in object storage: basics", () => {
  test("empty, append, appendMany; every read; a second store object on the same bucket sees the data", async () => {
    const mem = bucket();
    const s = await openRemote(mem);
    expect(s.location).toBe(LOCATION);
    expect(s.commit).toBe(0);
    expect(await s.load()).toEqual([]);
    expect((await s.stats()).entries).toBe(0);
    expect((await s.verify()).ok).toBe(true);

    const first = await s.append(snap(0));
    expect(first.sectionId).toBe(idOf(0));
    expect(s.commit).toBe(1);
    await s.appendMany(Array.from({ length: 9 }, (_, i) => snap(i + 1)));
    expect(s.commit).toBe(2);
    expect(commitNumbers(mem)).toEqual([1, 2]);

    expect(await liveIds(s)).toEqual(Array.from({ length: 10 }, (_, i) => idOf(i)));
    const stats = await s.stats();
    expect(stats.entries).toBe(10);
    expect(stats.fileBytes).toBeGreaterThan(0);
    const rows = await s.sampleRows({ k: 4, now: NOW, seed: 3 });
    expect(rows).toHaveLength(4);
    const { rows: drawn, receipt } = await s.draw({ k: 3, now: NOW, seed: 1 });
    expect(drawn).toHaveLength(3);
    expect(receipt.store.commit).toBe(2);
    expect((await s.redraw(receipt)).rows).toEqual(drawn);
    const exported: string[] = [];
    for await (const { entry, snapshot } of s.exportSnapshots()) {
      expect(snapshot.sectionId).toBe(entry.sectionId);
      expect(snapshot.content).toContain(`section-${Number.parseInt(entry.sectionId, 16)}-marker`);
      exported.push(entry.sectionId);
    }
    expect(exported).toHaveLength(10);
    const report = await s.verify();
    expect(report).toMatchObject({ ok: true, entries: 10, problems: [] });
    const loaded = await s.load();
    expect((await s.read(loaded[3]!)).content).toContain("section-3-marker");

    // Another store object (another node: its own cache) sees the same store.
    const other = await openRemote(mem.fork());
    expect(other.commit).toBe(2);
    expect(await liveIds(other)).toEqual(await liveIds(s));
    expect((await other.verify()).ok).toBe(true);
    const a = await other.readMany(await other.load());
    const b = await s.readMany(await s.load());
    expect(a).toEqual(b);
  });

  test("refresh moves to the latest commit; a store object reads its pinned commit until then", async () => {
    const mem = bucket();
    const w = await openRemote(mem);
    await w.appendMany([snap(0), snap(1)]);
    const r = await openRemote(mem.fork());
    expect(r.commit).toBe(1);
    await w.append(snap(2));
    await w.append(snap(3));
    expect(w.commit).toBe(3);
    expect(await liveIds(r)).toEqual([idOf(0), idOf(1)]);
    expect(await r.refresh()).toBe(3);
    expect(r.commit).toBe(3);
    expect(await liveIds(r)).toEqual([0, 1, 2, 3].map(idOf));
  });

  test("options.commit pins an older commit and reads it exactly while later commits exist", async () => {
    const mem = bucket();
    const w = await openRemote(mem);
    const asOf: string[][] = [];
    for (let i = 0; i < 6; i++) {
      await w.append(snap(i));
      asOf[w.commit] = await liveIds(w);
    }
    await w.remove([idOf(0)]);
    expect(w.commit).toBe(7);
    for (let c = 1; c <= 6; c++) {
      const r = await openRemote(mem.fork(), { commit: c });
      expect(r.commit).toBe(c);
      expect(await liveIds(r)).toEqual(asOf[c]);
      const snaps = await r.readMany(await r.load());
      expect(snaps.map((x) => x.sectionId).sort()).toEqual(asOf[c]);
      expect((await r.verify()).ok).toBe(true);
    }
    expect(await liveIds(await openRemote(mem))).toEqual([1, 2, 3, 4, 5].map(idOf));
  });

  test("a pinned commit on a cache that holds later states reads the pinned one", async () => {
    const mem = bucket();
    const cacheDir = tempDir();
    const w = await ReplayStore.open(LOCATION, { objectStore: mem, cacheDir });
    for (let i = 0; i < 4; i++) await w.append(snap(i));
    const r = await ReplayStore.open(LOCATION, { objectStore: mem.fork(), cacheDir, commit: 2 });
    expect(r.commit).toBe(2);
    expect(await liveIds(r)).toEqual([0, 1].map(idOf));
    const latest = await ReplayStore.open(LOCATION, { objectStore: mem.fork(), cacheDir });
    expect(latest.commit).toBe(4);
    expect(await liveIds(latest)).toEqual([0, 1, 2, 3].map(idOf));
  });

  test("options.commit beyond the latest is a StoreArgumentError naming the latest", async () => {
    const mem = bucket();
    const w = await openRemote(mem);
    await w.append(snap(0));
    const error = await openRemote(mem, { commit: 5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreArgumentError);
    expect((error as StoreArgumentError).argument).toBe("options.commit");
    expect((error as Error).message).toContain("latest is 1");
    // An empty store has no commit 1 either.
    await expect(openRemote(bucket(), { commit: 1 })).rejects.toBeInstanceOf(StoreArgumentError);
  });

  test.each(["s3://", "s3://Bad_/x", "s3://b/../x", "s3://bkt/a//b", "s3://bkt/./x"])("bad location %s: StoreArgumentError", async (location) => {
    const mem = bucket();
    await expect(ReplayStore.open(location, { objectStore: mem, cacheDir: tempDir() })).rejects.toBeInstanceOf(StoreArgumentError);
    expect(mem.requests).toEqual([]);
  });

  test("create: false on an empty prefix is a StoreNotFoundError, and writes nothing", async () => {
    const mem = bucket();
    const error = await openRemote(mem, { create: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreNotFoundError);
    expect((error as StoreNotFoundError).path).toBe(LOCATION);
    expect(mem.state.size).toBe(0);
    const w = await openRemote(mem);
    await w.append(snap(0));
    expect((await openRemote(mem.fork(), { create: false })).commit).toBe(1);
  });

  test("directory-only operations are StoreUnsupportedError and write nothing", async () => {
    const mem = bucket();
    const s = await openRemote(mem);
    await s.append(snap(0));
    const before = [...mem.state.keys()];
    await expect(s.upgrade()).rejects.toBeInstanceOf(StoreUnsupportedError);
    await expect(s.downgrade()).rejects.toBeInstanceOf(StoreUnsupportedError);
    await expect(s.verify({ repair: true })).rejects.toBeInstanceOf(StoreUnsupportedError);
    expect(mem.state.keys()).toEqual(before);
  });

  test("compact, evict and recover publish commits that read back the same live sections", async () => {
    const mem = bucket();
    const s = await openRemote(mem);
    await s.appendMany(Array.from({ length: 12 }, (_, i) => snap(i)));
    await s.remove([idOf(3), idOf(4)]);
    const live = await liveIds(s);
    const { bytesBefore, bytesAfter } = await s.compact();
    expect(bytesAfter).toBeLessThan(bytesBefore);
    expect(await liveIds(s)).toEqual(live);
    expect((await s.verify()).ok).toBe(true);
    const fresh = await openRemote(mem.fork());
    expect(fresh.commit).toBe(s.commit);
    expect(await liveIds(fresh)).toEqual(live);
    expect((await fresh.readMany(await fresh.load())).map((x) => x.sectionId).sort()).toEqual(live);
    const evicted = await fresh.evict({ maxBytes: 0, protectIds: [idOf(11)] });
    expect(evicted.keptCount).toBe(1);
    expect(await liveIds(await openRemote(mem.fork()))).toEqual([idOf(11)]);
    const rec = await fresh.recover();
    expect(rec.recovered).toBeGreaterThanOrEqual(1);
    expect((await (await openRemote(mem.fork())).verify()).ok).toBe(true);
  });
});

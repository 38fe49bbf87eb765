// Purge and the grace period of a store in object storage: `remove(ids, { purge: true })`
// leaves no object (and no file of the writer's cache) holding the purged frames once it
// returns; a compaction keeps what readers pinned before it need for the grace period, and
// after it a pinned reader gets StoreChangedError, not garbage.
import { encodeFrame } from "@replaykit/corpus";
import type { Fault, MemoryObjectStore } from "@replaykit/object-store";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { createSnapshot, ReplayStore, StoreArgumentError, StoreChangedError } from "../src/index.js";
import { tempDir } from "./helpers.js";
import { bucket, commitNumbers, filesUnder, idOf, LOCATION, liveIds, openRemote, PREFIX, sleep, snap } from "./remote-helpers.js";

const contains = (hay: Uint8Array, needle: Uint8Array) => Buffer.from(hay.buffer, hay.byteOffset, hay.byteLength).indexOf(needle) >= 0;

/** The keys of objects holding `needle` (the bucket's own bytes). */
function objectsHolding(mem: MemoryObjectStore, needle: Uint8Array): string[] {
  return mem.state.keys().filter((k) => contains(mem.state.read(k)!.body, needle));
}

function filesHolding(dir: string, needle: Uint8Array): string[] {
  return filesUnder(dir).filter((p) => contains(readFileSync(p), needle));
}

/** A section whose content is `bytes` of incompressible text: its frame goes to a segment object when over the inline limit. */
function bigSnap(i: number, marker: string, bytes: number) {
  return createSnapshot({
    sectionType: "prose",
    sectionId: idOf(i),
    content: `${marker} ${randomBytes(Math.ceil((bytes * 3) / 4)).toString("base64")}`,
    lastSeenAt: new Date(Date.UTC(2026, 0, 2)),
  });
}

describe("purge", () => {
  test("remove with purge: no object and no file of the cache holds the purged frames", { timeout: 60_000 }, async () => {
    const mem = bucket();
    const cacheDir = tempDir();
    const w = await ReplayStore.open(LOCATION, { objectStore: mem, cacheDir });
    const marker = "PURGE-ME-7f3a9c";
    const purged = snap(5, marker);
    await w.appendMany([0, 1, 2, 3, 4].map((i) => snap(i)));
    await w.appendMany([purged, snap(6), snap(7)]); // in one commit with sections that stay
    await w.appendMany([snap(8), snap(9)]);
    // A reader on the same machine (the same cache) read every frame before the purge.
    const sameNode = await ReplayStore.open(LOCATION, { objectStore: mem.fork(), cacheDir });
    expect((await sameNode.readMany(await sameNode.load())).map((s) => s.content)).toContain(purged.content);
    const frame = await encodeFrame(purged);
    const plain = new TextEncoder().encode(marker);
    expect(objectsHolding(mem, frame).length).toBeGreaterThan(0); // the detector finds it before
    expect(filesHolding(cacheDir, frame).length).toBeGreaterThan(0);

    const { removed } = await w.remove([idOf(5)], { purge: true });
    expect(removed.map((e) => e.sectionId)).toEqual([idOf(5)]);
    expect(objectsHolding(mem, frame)).toEqual([]);
    expect(objectsHolding(mem, plain)).toEqual([]);
    expect(filesHolding(cacheDir, frame)).toEqual([]);
    expect(filesHolding(cacheDir, plain)).toEqual([]);
    // Nothing of an older generation is left: every commit is at or above the purge's.
    const numbers = commitNumbers(mem);
    expect(numbers).toEqual([w.commit]);
    const segments = mem.state.keys().filter((k) => k.startsWith(`${PREFIX}/segments/`));
    expect(segments).toEqual([]);

    const fresh = await openRemote(mem.fork());
    expect((await fresh.verify()).ok).toBe(true);
    expect(await liveIds(fresh)).toEqual([0, 1, 2, 3, 4, 6, 7, 8, 9].map(idOf));
    // The reader pinned before the purge: the purged frame is gone, with a typed error.
    await expect(sameNode.readMany(await sameNode.load())).rejects.toBeInstanceOf(StoreChangedError);
    expect(await sameNode.refresh()).toBe(w.commit);
    expect((await sameNode.readMany(await sameNode.load())).map((s) => s.sectionId).sort()).toEqual(await liveIds(fresh));
  });

  test("purge of a section held in a segment object (over the inline limit) deletes the segment", { timeout: 120_000 }, async () => {
    const mem = bucket();
    const cacheDir = tempDir();
    const w = await ReplayStore.open(LOCATION, { objectStore: mem, cacheDir });
    const marker = "BIG-PURGE-41d2";
    const big = bigSnap(1, marker, 6 << 20);
    await w.appendMany([snap(0), big, snap(2)]);
    await w.append(snap(3));
    const segmentsBefore = mem.state.keys().filter((k) => k.startsWith(`${PREFIX}/segments/`));
    expect(segmentsBefore.length).toBeGreaterThan(0);
    const frame = await encodeFrame(big);
    const probe = frame.subarray(frame.length >> 1, (frame.length >> 1) + 4096); // a piece of the compressed frame
    expect(objectsHolding(mem, probe).length).toBeGreaterThan(0);
    await w.remove([idOf(1)], { purge: true });
    expect(objectsHolding(mem, probe)).toEqual([]);
    expect(filesHolding(cacheDir, probe)).toEqual([]);
    for (const k of segmentsBefore) expect(mem.state.read(k)).toBeUndefined();
    const fresh = await openRemote(mem.fork());
    expect((await fresh.verify()).ok).toBe(true);
    expect(await liveIds(fresh)).toEqual([0, 2, 3].map(idOf));
  });
});

describe("purge with faults", () => {
  const faults: Array<[string, Fault]> = [
    ["times out before it lands", { kind: "timeout" }],
    ["times out after it landed", { kind: "timeout-after-write" }],
    ["gets a 503 (not landed)", { kind: "status", status: 503 }],
  ];
  test.each(faults)("a purge whose checkpoint PUT %s: once it returns, no object holds the purged frame (or it throws)", async (_, fault) => {
    const mem = bucket();
    const w0 = await openRemote(mem);
    const purged = snap(5, "PURGE-FAULT-2b8e");
    await w0.appendMany([snap(1), snap(2)]);
    await w0.appendMany([purged, snap(6)]);
    const handle = mem.fork({ faults: { rules: [{ operations: ["put"], prefix: `${PREFIX}/checkpoints/`, nth: 1, fault }] } });
    const w = await openRemote(handle);
    const frame = await encodeFrame(purged);
    const outcome = await w.remove([idOf(5)], { purge: true }).then(
      () => "ok",
      (e: unknown) => e,
    );
    expect(handle.requests.some((r) => r.fault !== undefined)).toBe(true);
    if (outcome === "ok") expect(objectsHolding(mem, frame)).toEqual([]);
    else expect(outcome).toBeInstanceOf(Error);
    const fresh = await openRemote(mem.fork());
    expect((await fresh.verify()).ok).toBe(true);
    expect(await liveIds(fresh)).toEqual([1, 2, 6].map(idOf));
    // A purge run again completes it.
    await fresh.remove([idOf(5)], { purge: true });
    expect(objectsHolding(mem, frame)).toEqual([]);
  });
});

describe("the grace period", () => {
  test("a compaction keeps the old generation's objects: a reader pinned before it reads every frame", { timeout: 60_000 }, async () => {
    const mem = bucket();
    const w = await openRemote(mem); // default grace: an hour
    for (let i = 0; i < 4; i++) await w.appendMany([snap(3 * i), snap(3 * i + 1), snap(3 * i + 2)]);
    // A reader that has not fetched any frame yet (its cache holds none of them).
    const r = await openRemote(mem.fork());
    const pinned = r.commit;
    const before = new Set(mem.state.keys());
    await w.remove([idOf(0), idOf(4)]);
    await w.compact();
    await w.append(snap(50));
    for (const k of before) expect(mem.state.read(k)).toBeDefined();
    const snaps = await r.readMany(await r.load());
    expect(snaps.map((s) => s.sectionId).sort()).toEqual(Array.from({ length: 12 }, (_, i) => idOf(i)));
    expect((await r.verify()).ok).toBe(true);
    // A new reader can still pin the old commit.
    const old = await openRemote(mem.fork(), { commit: pinned });
    expect(await liveIds(old)).toHaveLength(12);
    expect((await old.verify()).ok).toBe(true);
  });

  test("after the grace period the next write deletes the old generation; a reader pinned to it gets StoreChangedError", { timeout: 60_000 }, async () => {
    const mem = bucket();
    const w = await openRemote(mem, { gracePeriodMs: 1500 });
    for (let i = 0; i < 4; i++) await w.appendMany([snap(3 * i), snap(3 * i + 1), snap(3 * i + 2)]);
    const r = await openRemote(mem.fork());
    await w.remove([idOf(0)]);
    await w.compact();
    const generationTwo = new Set(mem.state.keys());
    expect(commitNumbers(mem)[0]).toBe(1); // within the grace period: all kept
    await sleep(1600);
    await w.append(snap(50));
    // The commits and checkpoints below the compaction's are gone.
    expect(Math.min(...commitNumbers(mem))).toBe(6);
    expect([...generationTwo].filter((k) => mem.state.read(k) === undefined).length).toBeGreaterThan(0);
    const error = await r.readMany(await r.load()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreChangedError);
    // verify of the pinned reader reports it (or throws the same typed error), never garbage.
    const report = await r.verify().catch((e: unknown) => e);
    if (report instanceof Error) expect(report).toBeInstanceOf(StoreChangedError);
    else expect((report as { ok: boolean }).ok).toBe(false);
    expect(await r.refresh()).toBe(w.commit);
    expect((await r.verify()).ok).toBe(true);
  });

  test("gracePeriodMs 0: the compaction itself deletes the old generation; the pinned reader gets StoreChangedError", { timeout: 60_000 }, async () => {
    const mem = bucket();
    const w = await openRemote(mem, { gracePeriodMs: 0 });
    for (let i = 0; i < 3; i++) await w.appendMany([snap(3 * i), snap(3 * i + 1), snap(3 * i + 2)]);
    const r = await openRemote(mem.fork());
    const pinned = r.commit;
    await w.compact();
    expect(commitNumbers(mem)).toEqual([w.commit]);
    await expect(r.readMany(await r.load())).rejects.toBeInstanceOf(StoreChangedError);
    const error = await openRemote(mem.fork(), { commit: pinned }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreArgumentError);
    expect((error as Error).message).toContain("no longer in the store");
  });

  test("a collected commit is 'no longer in the store' even when a fenced writer's late create sits among the freed numbers", async () => {
    const mem = bucket();
    const w = await openRemote(mem, { gracePeriodMs: 0 });
    for (let i = 0; i < 3; i++) await w.append(snap(i));
    const key = `${PREFIX}/commits/${"2".padStart(20, "0")}.rkc`;
    const orphan = mem.state.read(key)!.body;
    await w.compact();
    expect(mem.state.read(key)).toBeUndefined();
    await mem.put(key, orphan, { kind: "create" }); // what a stalled writer that died before withdrawing it leaves
    const error = await openRemote(mem.fork(), { commit: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreArgumentError);
    expect((error as Error).message).toContain("no longer in the store");
    // The latest is unaffected by it.
    const fresh = await openRemote(mem.fork());
    expect(fresh.commit).toBe(w.commit);
    expect(await liveIds(fresh)).toEqual([0, 1, 2].map(idOf));
  });
});

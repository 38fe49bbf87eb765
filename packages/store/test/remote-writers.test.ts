// Writers of a store in object storage: concurrent writers lose and retry, and nothing
// acknowledged is lost; a writer that loses every time fails with StoreConflictError; a
// commit PUT whose answer was lost is settled by reading it back (committed exactly once);
// a stalled writer is fenced; an endpoint that ignores conditional writes gets nothing.
import { type Fault, type MemoryObjectStore, type ObjectStore, ObjectStoreAmbiguousError, UnsafeEndpointError } from "@replaykit/object-store";
import { describe, expect, test } from "vitest";
import { type ReplayStore, StoreConflictError } from "../src/index.js";
import { bucket, commitNumbers, idOf, liveIds, openRemote, PREFIX, sleep, snap, withPut } from "./remote-helpers.js";

const COMMITS = `${PREFIX}/commits/`;

/** What a fresh store object (another node) sees: its live ids, and verify's verdict. */
async function fresh(mem: MemoryObjectStore) {
  const s = await openRemote(mem.fork());
  const entries = await s.load();
  return { store: s, ids: entries.map((e) => e.sectionId).sort(), count: entries.length, ok: (await s.verify()).ok };
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

describe("writers of a store in object storage", () => {
  test.each([
    [2, 20],
    [4, 10],
  ])(
    "%i writers append concurrently (random latency): every acknowledged append is there once, commits contiguous",
    { timeout: 120_000 },
    async (writers, each) => {
      const mem = bucket();
      await (await openRemote(mem)).append(snap(100_000));
      const acknowledged: string[] = [];
      let conflicts = 0;
      await Promise.all(
        range(0, writers).map(async (w) => {
          const handle = mem.fork({ faults: { seed: w + 1, rules: [{ fault: { kind: "latency", minMs: 0, maxMs: 4 } }] } });
          const s = await openRemote(handle);
          for (let i = 0; i < each; i++) {
            try {
              const entry = await s.append(snap(w * 1000 + i));
              acknowledged.push(entry.sectionId);
            } catch (error) {
              // A writer that lost every attempt (possible under contention): not acknowledged, and nothing of it committed.
              if (!StoreConflictError.isInstance(error)) throw error;
              conflicts++;
            }
          }
        }),
      );
      if (conflicts > 0) console.warn(`${writers} writers × ${each} appends: ${conflicts} failed with StoreConflictError (lost every attempt)`);
      expect(acknowledged.length + conflicts).toBe(writers * each);
      expect(acknowledged.length).toBeGreaterThanOrEqual((writers * each) / 2);
      const seen = await fresh(mem);
      expect(seen.ok).toBe(true);
      expect(seen.ids).toEqual([...acknowledged, idOf(100_000)].sort());
      expect(seen.count).toBe(acknowledged.length + 1); // no duplicates
      // One commit per acknowledged append, numbered without gaps.
      const numbers = commitNumbers(mem);
      expect(numbers).toEqual(range(1, acknowledged.length + 1));
      expect(seen.store.commit).toBe(acknowledged.length + 1);
    },
  );

  test("a writer that loses every attempt fails with StoreConflictError; nothing of it is committed", { timeout: 60_000 }, async () => {
    const mem = bucket();
    const rival = await openRemote(mem.fork());
    await rival.append(snap(0));
    let rivalAppends = 0;
    // Before each of the loser's commit PUTs, the rival commits (so every attempt loses).
    const inner = mem.fork();
    const losing: ObjectStore = withPut(inner, async (key, body, mode) => {
      if (key.startsWith(COMMITS) && mode.kind === "create") {
        await rival.append(snap(1000 + rivalAppends));
        rivalAppends++;
      }
      return inner.put(key, body, mode);
    });
    const loser = await openRemote(losing);
    const error = await loser.append(snap(1, "loser-marker")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreConflictError);
    expect((error as StoreConflictError).attempts).toBeGreaterThanOrEqual(2);
    expect((error as Error).message).toContain("s3://bkt/team/replay");
    const seen = await fresh(mem);
    expect(seen.ok).toBe(true);
    expect(seen.ids).not.toContain(idOf(1));
    expect(seen.ids).toEqual([0, ...range(1000, rivalAppends)].map(idOf).sort());
    expect(commitNumbers(mem)).toEqual(range(1, rivalAppends + 1));
  });

  test("a writer that lost once retries on the new commit and succeeds", async () => {
    const mem = bucket();
    const rival = await openRemote(mem.fork());
    await rival.append(snap(0));
    let once = false;
    const inner = mem.fork();
    const store: ObjectStore = withPut(inner, async (key, body, mode) => {
      if (!once && key.startsWith(COMMITS) && mode.kind === "create") {
        once = true;
        await rival.append(snap(2));
      }
      return inner.put(key, body, mode);
    });
    const w = await openRemote(store);
    await w.append(snap(1));
    expect(w.commit).toBe(3);
    expect((await fresh(mem)).ids).toEqual([0, 1, 2].map(idOf));
  });

  const ambiguous: Array<[string, Fault]> = [
    ["timeout after the write landed", { kind: "timeout-after-write" }],
    ["503 after the write landed", { kind: "status", status: 503, landed: true }],
    ["a reset before the write landed", { kind: "reset", landed: false }],
    ["a timeout before the write landed", { kind: "timeout" }],
  ];
  test.each(ambiguous)("a commit PUT with %s: the append is committed exactly once", async (_, fault) => {
    const mem = bucket();
    await (await openRemote(mem)).append(snap(0));
    const handle = mem.fork({ faults: { rules: [{ operations: ["put"], prefix: COMMITS, nth: 1, fault }] } });
    const w = await openRemote(handle);
    const entry = await w.append(snap(1));
    expect(entry.sectionId).toBe(idOf(1));
    expect(handle.requests.filter((r) => r.fault !== undefined)).toHaveLength(1);
    expect(commitNumbers(mem)).toEqual([1, 2]);
    expect(w.commit).toBe(2);
    const seen = await fresh(mem);
    expect(seen).toMatchObject({ ok: true, ids: [idOf(0), idOf(1)], count: 2 });
    // The next append follows on.
    await w.append(snap(2));
    expect(commitNumbers(mem)).toEqual([1, 2, 3]);
  });

  test("an ambiguous commit PUT that lost to another writer is settled as lost, then retried", async () => {
    const mem = bucket();
    await (await openRemote(mem)).append(snap(0));
    const rival = await openRemote(mem.fork());
    const inner = mem.fork({ faults: { rules: [{ operations: ["put"], prefix: COMMITS, nth: 1, fault: { kind: "timeout" } }] } });
    let first = true;
    const store: ObjectStore = withPut(inner, async (key, body, mode) => {
      if (first && key.startsWith(COMMITS)) {
        first = false;
        try {
          return await inner.put(key, body, mode);
        } finally {
          await rival.append(snap(2)); // lands while the writer cannot know
        }
      }
      return inner.put(key, body, mode);
    });
    const w = await openRemote(store);
    await w.append(snap(1));
    const seen = await fresh(mem);
    expect(seen).toMatchObject({ ok: true, ids: [0, 1, 2].map(idOf), count: 3 });
    expect(commitNumbers(mem)).toEqual([1, 2, 3]);
  });

  test("an ambiguous commit PUT that lands only after the read-back found nothing: settled as ours, committed once", async () => {
    const mem = bucket();
    await (await openRemote(mem)).append(snap(0));
    const inner = mem.fork();
    let late: (() => Promise<unknown>) | undefined;
    let armed = true;
    const store: ObjectStore = {
      async get(k, r) {
        try {
          return await inner.get(k, r);
        } finally {
          // The delayed write lands just after the writer's read-back missed it.
          if (late !== undefined && k.startsWith(COMMITS)) {
            const land = late;
            late = undefined;
            await land();
          }
        }
      },
      head: (k) => inner.head(k),
      list: (p, a) => inner.list(p, a),
      delete: (k) => inner.delete(k),
      async put(key, body, mode) {
        if (armed && key.startsWith(COMMITS) && mode.kind === "create") {
          armed = false;
          late = () => inner.put(key, body, mode);
          throw new ObjectStoreAmbiguousError("request timed out (injected; the write lands later)", { bucket: "bkt", key, mode: "create" });
        }
        return inner.put(key, body, mode);
      },
    };
    const w = await openRemote(store);
    await w.appendMany([snap(1)], { onDuplicate: "keep" });
    expect(late).toBeUndefined();
    const seen = await fresh(mem);
    expect(seen).toMatchObject({ ok: true, ids: [idOf(0), idOf(1)], count: 2 });
    expect(commitNumbers(mem)).toEqual([1, 2]);
    expect(w.commit).toBe(2);
  });

  test("a writer stalled on its commit PUT while another appends, compacts and collects (grace 0) is fenced: its append lands in the live chain or fails, never lost", {
    timeout: 60_000,
  }, async () => {
    const mem = bucket();
    const setup = await openRemote(mem, { gracePeriodMs: 0 });
    await setup.appendMany([snap(0), snap(1), snap(2)]);
    // Its first commit PUT is on the wire (a latency fault) and does not arrive until the other writer is done (however slow the machine).
    const stalled = mem.fork({ faults: { rules: [{ operations: ["put"], prefix: COMMITS, nth: 1, fault: { kind: "latency", ms: 50 } }] } });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let onWire = false;
    const held: ObjectStore = {
      get: (k, r) => stalled.get(k, r),
      head: (k) => stalled.head(k),
      list: (p, a) => stalled.list(p, a),
      delete: (k) => stalled.delete(k),
      async put(key, body, mode) {
        if (!onWire && key.startsWith(COMMITS)) {
          onWire = true;
          await gate;
        }
        return stalled.put(key, body, mode);
      },
    };
    const a = await openRemote(held, { gracePeriodMs: 0 });
    const pending = a.append(snap(10, "stalled-writer")).then(
      (entry) => ({ entry }),
      (error: unknown) => ({ error }),
    );
    while (!onWire) await sleep(5);
    const b = await openRemote(mem.fork(), { gracePeriodMs: 0 });
    await b.append(snap(20)); // takes the number the stalled writer is creating
    await b.remove([idOf(1)]);
    await b.compact(); // a new generation; grace 0: everything below it is deleted now
    release();
    const below = commitNumbers(mem);
    expect(Math.min(...below)).toBeGreaterThan(2); // the stalled writer's number was freed
    const outcome = await pending;
    // Its create of the freed number landed, and it found itself fenced (a checkpoint above not naming it) and withdrew it.
    expect(stalled.requests.filter((r) => r.operation === "delete" && r.key.startsWith(COMMITS)).map((r) => r.key)).toEqual([
      `${COMMITS}${"2".padStart(20, "0")}.rkc`,
    ]);
    const seen = await fresh(mem);
    expect(seen.ok).toBe(true);
    if ("entry" in outcome) expect(seen.ids).toContain(idOf(10));
    else expect(seen.ids).not.toContain(idOf(10));
    expect(seen.ids).toEqual(expect.arrayContaining([0, 2, 20].map(idOf)));
    expect(seen.ids).not.toContain(idOf(1));
    // The late create of the freed number is not part of the store (deleted, or at least below the live chain).
    const live = seen.store.commit;
    const numbers = commitNumbers(mem);
    expect(numbers.at(-1)).toBe(live);
    // Readers pinned to any live commit read it.
    for (const n of numbers) {
      const r = await openRemote(mem.fork(), { commit: n }).catch((e: unknown) => e);
      if (r instanceof Error) continue; // below the newest checkpoint: collected
      expect((await (r as ReplayStore).verify()).ok).toBe(true);
    }
    // The next writer succeeds.
    await b.append(snap(30));
    expect(await liveIds(await openRemote(mem.fork()))).toContain(idOf(30));
  });

  test("an endpoint that ignores create preconditions: the first write throws UnsafeEndpointError and only the probe was written (and deleted)", async () => {
    const mem = bucket();
    const puts: string[] = [];
    const unsafe: ObjectStore = {
      get: (k, r) => mem.get(k, r),
      head: (k) => mem.head(k),
      list: (p, a) => mem.list(p, a),
      delete: (k) => mem.delete(k),
      put(key, body) {
        puts.push(key);
        return mem.put(key, body, { kind: "overwrite" });
      },
    };
    const s = await openRemote(unsafe);
    const error = await s.append(snap(0)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsafeEndpointError);
    expect(puts.length).toBeGreaterThan(0);
    expect(puts.every((k) => k.startsWith(`${PREFIX}/probes/`))).toBe(true);
    expect(mem.state.size).toBe(0);
    // Every later write is refused the same way.
    await expect(s.compact()).rejects.toBeInstanceOf(UnsafeEndpointError);
    await expect(s.remove([idOf(0)], { purge: true })).rejects.toBeInstanceOf(UnsafeEndpointError);
    expect(puts.every((k) => k.startsWith(`${PREFIX}/probes/`))).toBe(true);
    expect(mem.state.size).toBe(0);
  });
});

// Crash tests of a store in object storage (in memory): a writer killed before each request
// of a commit (an append, a checkpointing append), of a compaction and of a purge. After
// each: a fresh process opens the store, it verifies, every acknowledged section is there,
// a reader pinned before the crash still reads its view, and the next writer succeeds.
import { MemoryObjectState, type MemoryObjectStore, memoryObjectStore, type ObjectStore } from "@replaykit/object-store";
import { describe, expect, test } from "vitest";
import { type ReplayStore, StoreChangedError } from "../src/index.js";
import { tempDir } from "./helpers.js";
import { idOf, liveIds, openRemote, sleep, snap, withPut } from "./remote-helpers.js";

function clone(state: MemoryObjectState): MemoryObjectState {
  const copy = new MemoryObjectState();
  for (const k of state.keys()) copy.write(k, state.read(k)!.body);
  return copy;
}

/** A handle on `state` whose process dies (every later request hangs) when its `at`-th request after `arm` starts. */
function dying(state: MemoryObjectState, mode: "hang" | "reject" = "hang") {
  const inner: MemoryObjectStore = memoryObjectStore({ bucket: "bkt", state });
  const info = { requests: 0, killed: false, at: Number.POSITIVE_INFINITY };
  const arm = (at: number) => {
    info.requests = 0;
    info.at = at;
  };
  const gate = () => {
    info.requests++;
    if (info.requests === info.at) {
      info.killed = true;
      inner.cutOff(mode);
    }
  };
  const store: ObjectStore = {
    get(k, r) {
      gate();
      return inner.get(k, r);
    },
    head(k) {
      gate();
      return inner.head(k);
    },
    put(k, b, m) {
      gate();
      return inner.put(k, b, m);
    },
    delete(k) {
      gate();
      return inner.delete(k);
    },
    list(p, a) {
      gate();
      return inner.list(p, a);
    },
  };
  return { store, info, arm };
}

interface Scenario {
  /** How many commits of three sections the store has before (ids 0…3n-1); section 0 is removed before the operation. */
  readonly commits: number;
  readonly gracePeriodMs?: number;
  /** The operation; `added` are the ids it adds when it succeeds, `gone` the ones it removes. */
  readonly run: (s: ReplayStore) => Promise<unknown>;
  readonly added: readonly string[];
  readonly gone: readonly string[];
  /** Whether a reader pinned before it must still read every frame (false: it may get StoreChangedError instead). */
  readonly pinnedReads: boolean;
}

const scenarios: Record<string, Scenario> = {
  append: { commits: 3, run: (s) => s.append(snap(900)), added: [idOf(900)], gone: [], pinnedReads: true },
  "append that writes a checkpoint (commit 32)": {
    commits: 30,
    run: (s) => s.append(snap(900)),
    added: [idOf(900)],
    gone: [],
    pinnedReads: true,
  },
  compaction: { commits: 4, run: (s) => s.compact(), added: [], gone: [], pinnedReads: true },
  "compaction with grace 0 (deletes the old generation)": { commits: 4, gracePeriodMs: 0, run: (s) => s.compact(), added: [], gone: [], pinnedReads: false },
  purge: { commits: 4, run: (s) => s.remove([idOf(4)], { purge: true }), added: [], gone: [idOf(4)], pinnedReads: false },
};

async function prepare(sc: Scenario): Promise<{ state: MemoryObjectState; ids: string[] }> {
  const mem = memoryObjectStore({ bucket: "bkt" });
  const s = await openRemote(mem);
  for (let c = 0; c < sc.commits; c++) await s.appendMany([snap(3 * c), snap(3 * c + 1), snap(3 * c + 2)]);
  await s.remove([idOf(0)]);
  return { state: mem.state, ids: await liveIds(s) };
}

describe("a writer killed at every request", () => {
  for (const [name, sc] of Object.entries(scenarios))
    for (const mode of ["hang", "reject"] as const) {
      test(`of ${name} (its requests then ${mode === "hang" ? "hang" : "fail"})`, { timeout: 240_000 }, async () => {
        const base = await prepare(sc);
        const options = sc.gracePeriodMs === undefined ? {} : { gracePeriodMs: sc.gracePeriodMs };
        // A clean run: how many requests the operation makes.
        const cleanState = clone(base.state);
        const clean = dying(cleanState);
        const cleanWriter = await openRemote(clean.store, options);
        clean.arm(Number.POSITIVE_INFINITY);
        await sc.run(cleanWriter);
        const total = clean.info.requests;
        if (process.env.CRASH_DEBUG) console.error(name, "total", total);
        expect(total).toBeGreaterThan(5);
        const after = await liveIds(await openRemote(memoryObjectStore({ bucket: "bkt", state: cleanState })));
        expect(after).toEqual([...base.ids.filter((id) => !sc.gone.includes(id)), ...sc.added].sort());

        for (let at = 1; at <= total; at++) {
          const state = clone(base.state);
          const cacheDir = tempDir();
          // A reader pinned before the crash (its own machine), and the dying writer (on the cache dir the next writer reuses).
          const reader = await openRemote(memoryObjectStore({ bucket: "bkt", state }));
          const pinned = reader.commit;
          const d = dying(state, mode);
          const writer = await openRemote(d.store, { ...options, cacheDir });
          d.arm(at);
          let outcome = "pending" as "pending" | "ok" | "failed";
          sc.run(writer).then(
            () => {
              outcome = "ok";
            },
            () => {
              outcome = "failed";
            },
          );
          for (let i = 0; i < 200 && outcome === "pending" && !d.info.killed; i++) await sleep(5);
          await sleep(20);
          const where = `killed at request ${at} of ${total} (outcome ${outcome})`;
          if (process.env.CRASH_DEBUG) console.error(name, where);
          expect(d.info.killed, where).toBe(true);

          // A fresh process on the same machine (the crashed writer's cache dir).
          const next = await openRemote(memoryObjectStore({ bucket: "bkt", state }), { ...options, cacheDir });
          const report = await next.verify();
          expect(report.ok, `${where}: ${JSON.stringify(report.problems)}`).toBe(true);
          const live = await liveIds(next);
          const expected = base.ids.filter((id) => !(outcome === "ok" && sc.gone.includes(id)));
          for (const id of expected.filter((x) => !sc.gone.includes(x))) expect(live, where).toContain(id);
          if (outcome === "ok") for (const id of sc.added) expect(live, where).toContain(id);
          for (const id of live) expect([...base.ids, ...sc.added], where).toContain(id);
          expect(new Set(live).size, where).toBe(live.length);
          expect((await next.readMany(await next.load())).map((s) => s.sectionId).sort(), where).toEqual(live);

          // The reader pinned before the crash still reads its view.
          expect(reader.commit).toBe(pinned);
          const read = await reader.readMany(await reader.load()).catch((e: unknown) => e);
          if (sc.pinnedReads || !(read instanceof StoreChangedError)) {
            expect(read, where).toBeInstanceOf(Array);
            expect((read as Array<{ sectionId: string }>).map((s) => s.sectionId).sort(), where).toEqual(base.ids);
          }

          // The next writer succeeds; and so does a compaction after it.
          await next.append(snap(901));
          expect(await liveIds(next), where).toContain(idOf(901));
          await next.compact();
          const last = await openRemote(memoryObjectStore({ bucket: "bkt", state }));
          expect((await last.verify()).ok, where).toBe(true);
          expect((await liveIds(last)).sort(), where).toEqual([...live, idOf(901)].sort());
        }
      });
    }
});

describe("a compaction whose writer died before its checkpoint", () => {
  test("the next writer writes the generation's checkpoint, and the old generation is collected (grace 0)", { timeout: 60_000 }, async () => {
    const mem = memoryObjectStore({ bucket: "bkt" });
    const s = await openRemote(mem, { gracePeriodMs: 0 });
    for (let c = 0; c < 3; c++) await s.appendMany([snap(3 * c), snap(3 * c + 1), snap(3 * c + 2)]);
    await s.remove([idOf(4)]);
    const before = [...mem.state.keys()];
    // The compactor dies when its checkpoint PUT starts (its commit has landed).
    const inner = memoryObjectStore({ bucket: "bkt", state: mem.state });
    const compactor: ObjectStore = withPut(inner, (key, body, mode) => {
      if (key.includes("/checkpoints/")) inner.cutOff("hang");
      return inner.put(key, body, mode);
    });
    const c = await openRemote(compactor, { gracePeriodMs: 0 });
    void c.compact();
    const floor = 5;
    const checkpoint = `team/replay/checkpoints/${String(floor).padStart(20, "0")}.rkx`;
    for (let i = 0; i < 400 && mem.state.read(`team/replay/commits/${String(floor).padStart(20, "0")}.rkc`) === undefined; i++) await sleep(5);
    await sleep(20);
    expect(mem.state.read(checkpoint)).toBeUndefined();
    for (const k of before) expect(mem.state.read(k), k).toBeDefined(); // nothing collected without the checkpoint
    const next = await openRemote(memoryObjectStore({ bucket: "bkt", state: mem.state }), { gracePeriodMs: 0 });
    await next.append(snap(900));
    expect(mem.state.read(checkpoint)).toBeDefined();
    const commits = mem.state.keys().filter((k) => k.includes("/commits/"));
    expect(commits.map((k) => Number(k.slice(-24, -4)))).toEqual([floor, floor + 1]);
    const fresh = await openRemote(memoryObjectStore({ bucket: "bkt", state: mem.state }));
    expect((await fresh.verify()).ok).toBe(true);
    expect(await liveIds(fresh)).toEqual([0, 1, 2, 3, 5, 6, 7, 8, 900].map(idOf));
    // A reader pinned to the compaction's commit reads it from the written checkpoint.
    const pinned = await openRemote(memoryObjectStore({ bucket: "bkt", state: mem.state }), { commit: floor });
    expect(await liveIds(pinned)).toEqual([0, 1, 2, 3, 5, 6, 7, 8].map(idOf));
    expect((await pinned.verify()).ok).toBe(true);
  });
});

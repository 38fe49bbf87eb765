// Helpers of the remote-*.test.ts files: a store in object storage over memoryObjectStore
// (exact preconditions, fault injection), a fresh cache directory per store, and snapshots
// whose content carries a unique marker.
import { type MemoryObjectStore, memoryObjectStore, type ObjectStore } from "@replaykit/object-store";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { type StoreOptions, createSnapshot, ReplayStore } from "../src/index.js";
import { tempDir } from "./helpers.js";

export const LOCATION = "s3://bkt/team/replay";
export const PREFIX = "team/replay";
export const NOW = new Date(Date.UTC(2026, 1, 1));

/** A snapshot with content `marker` repeated (unique per `i` unless `marker` is given). */
export function snap(i: number, marker = `section-${i}-marker`) {
  return createSnapshot({
    sectionType: "prose",
    sectionId: i.toString(16).padStart(16, "0"),
    content: `${marker} ${"replayed text keeps the model from forgetting ".repeat(1 + (i % 5))}`,
    lastSeenAt: new Date(Date.UTC(2026, 0, 1 + (i % 28))),
  });
}

export const idOf = (i: number) => i.toString(16).padStart(16, "0");

/** A store at LOCATION on `objects`, with its own cache directory unless `options.cacheDir` says otherwise. */
export function openRemote(objects: ObjectStore, options: StoreOptions = {}, location = LOCATION): Promise<ReplayStore> {
  return ReplayStore.open(location, { cacheDir: join(tempDir(), "cache"), ...options, objectStore: objects });
}

/** A fresh memory bucket. */
export function bucket(): MemoryObjectStore {
  return memoryObjectStore({ bucket: "bkt" });
}

/** The section ids of the live entries, sorted. */
export async function liveIds(store: ReplayStore): Promise<string[]> {
  return (await store.load()).map((e) => e.sectionId).sort();
}

/** The commit numbers of the commit objects in the bucket. */
export function commitNumbers(mem: MemoryObjectStore, prefix = PREFIX): number[] {
  const dir = `${prefix}/commits/`;
  return mem.state
    .keys()
    .filter((k) => k.startsWith(dir))
    .map((k) => Number(k.slice(dir.length, -4)));
}

/** Every file under `dir`, recursively. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(dir);
  return out;
}

export function fileBytes(path: string): Uint8Array {
  return readFileSync(path);
}

/** Sleeps (for latency in tests that need real concurrency). */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** An object store that is `inner` but for `put`, which the test decides (to race, stall or cut off around it). */
export function withPut(inner: ObjectStore, put: ObjectStore["put"]): ObjectStore {
  return {
    get: (k, r) => inner.get(k, r),
    head: (k) => inner.head(k),
    list: (p, a) => inner.list(p, a),
    delete: (k) => inner.delete(k),
    put,
  };
}

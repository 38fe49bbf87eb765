// push and pull (docs/FORMAT.md, "A store in object storage"): a store moves between a
// directory and object storage byte for byte, resumes after an interruption, and checks
// every frame's CRC-32. In-memory object store; the RGW round trip at the end runs when
// REPLAYKIT_TEST_S3_ENDPOINT is set.
import { type MemoryObjectStore, memoryObjectStore, type ObjectStore, s3ObjectStore } from "@replaykit/object-store";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { StoreObjectCorruptError, StoreUnsupportedError } from "../src/errors.js";
import { createSnapshot, pullStore, pushStore, ReplayStore, StoreDamagedError, StoreNotEmptyError, type TransferProgress } from "../src/index.js";
import { referenceStoreCopy, tempDir } from "./helpers.js";

const NOW = new Date("2026-06-01T00:00:00Z");
const day = (n: number) => new Date(Date.UTC(2026, 0, 1 + (n % 150)));
const LOCATION = "s3://bkt/team/replay";

const snapshot = (i: number) =>
  createSnapshot({
    sectionType: i % 3 === 0 ? "instruction" : "prose",
    sectionId: i.toString(16).padStart(16, "0"),
    content:
      i % 3 === 0
        ? `### Q\nWhat is item ${i}?\n### A\nIt is item ${i}, ${"and more ".repeat(i % 7)}.`
        : `Section ${i}: ${"words of prose ".repeat(3 + (i % 11))}`,
    lastSeenAt: day(i),
  });

/** A store whose journal has many commits: batches of appends, single appends, removals and recorded exposure. */
async function sourceStore(sections = 120): Promise<string> {
  const dir = join(tempDir(), "source");
  const store = await ReplayStore.open(dir);
  for (let i = 0; i < sections; i += 20) await store.appendMany(Array.from({ length: Math.min(20, sections - i) }, (_, j) => snapshot(i + j)));
  await store.append(snapshot(sections));
  await store.remove([snapshot(3).sectionId, snapshot(10).sectionId, snapshot(57).sectionId]);
  await store.draw({ k: 10, now: NOW, seed: 5, recordExposure: true });
  await store.append(snapshot(sections + 1));
  await store.draw({ k: 7, now: NOW, seed: 6, recordExposure: true });
  await store.remove([snapshot(11).sectionId]);
  return dir;
}

const bytesOf = (dir: string) => ({ corpus: readFileSync(join(dir, "corpus.zst")), index: readFileSync(join(dir, "index.rkx")) });

function options(objectStore: ObjectStore, extra: Record<string, unknown> = {}) {
  return { objectStore, cacheDir: join(tempDir(), "cache"), ...extra };
}

const segmentKeys = (mem: MemoryObjectStore) => mem.state.keys().filter((k) => k.includes("/segments/"));
const putsOf = (mem: MemoryObjectStore, part: string) => mem.requests.filter((r) => r.operation === "put" && r.key.includes(part)).length;

/** A handle on `mem`'s objects that is cut off (as if its process died) once `limit` requests matching `counts` were made. */
function dyingAfter(mem: MemoryObjectStore, limit: number, counts: (operation: string, key: string) => boolean): MemoryObjectStore {
  const handle = mem.fork();
  let n = 0;
  const tick = <T>(operation: string, key: string, call: () => T): T => {
    if (counts(operation, key) && ++n > limit) handle.cutOff();
    return call();
  };
  return Object.assign(Object.create(handle) as MemoryObjectStore, {
    get: (key: string, range?: { offset: number; length: number }) => tick(range === undefined ? "get" : "range", key, () => handle.get(key, range)),
    head: (key: string) => tick("head", key, () => handle.head(key)),
    put: (key: string, body: Uint8Array, mode: Parameters<ObjectStore["put"]>[2]) => tick("put", key, () => handle.put(key, body, mode)),
    list: (prefix: string, startAfter?: string) => tick("list", prefix, () => handle.list(prefix, startAfter)),
    delete: (key: string) => tick("delete", key, () => handle.delete(key)),
    bucket: handle.bucket,
  });
}

describe("push then pull", () => {
  test("byte-identical corpus.zst and index.rkx; the objects of FORMAT.md; progress per phase", async () => {
    const source = await sourceStore();
    const mem = memoryObjectStore();
    const phases: TransferProgress[] = [];
    const pushed = await pushStore(source, LOCATION, { ...options(mem), segmentBytes: 4096, onProgress: (p) => phases.push(p) });
    const { corpus, index } = bytesOf(source);
    expect(pushed).toEqual({ commit: 1, bytes: corpus.length + index.length, segments: Math.ceil(corpus.length / 4096), resumed: false });
    expect(pushed.segments).toBeGreaterThan(3);
    const keys = mem.state.keys();
    expect(keys.filter((k) => k.includes("/commits/"))).toEqual(["team/replay/commits/00000000000000000001.rkc"]);
    expect(keys.filter((k) => k.includes("/checkpoints/"))).toEqual(["team/replay/checkpoints/00000000000000000001.rkx"]);
    expect(segmentKeys(mem)).toHaveLength(pushed.segments);
    expect(segmentKeys(mem).every((k) => /^team\/replay\/segments\/0000000001\/\d{20}-[0-9a-f]{16}\.zst$/.test(k))).toBe(true);
    expect(keys.some((k) => k.includes("/probes/"))).toBe(false);
    // The commit holds the journal as it is.
    const commit = mem.state.read("team/replay/commits/00000000000000000001.rkc")!.body;
    const nl = commit.indexOf(0x0a);
    const head = JSON.parse(new TextDecoder().decode(commit.subarray(0, nl)));
    expect(head).toMatchObject({
      format: "replaykit-commit/1",
      commit: 1,
      kind: "replace",
      generation: 1,
      corpusBytes: corpus.length,
      journalBytes: index.length,
    });
    expect(Buffer.compare(Buffer.from(commit.subarray(nl + 1)), index)).toBe(0);
    // FORMAT.md: a push's writer token is derived from what it copies.
    expect(head.writer).toBe(createHash("sha256").update(index).update(`\0corpus ${corpus.length}`).digest("hex").slice(0, 16));
    expect(phases.filter((p) => p.phase === "check").at(-1)).toMatchObject({ done: expect.any(Number) });
    expect(phases.filter((p) => p.phase === "upload").at(-1)).toEqual({ phase: "upload", done: corpus.length, total: corpus.length });

    const target = join(tempDir(), "copy");
    const pulledPhases: TransferProgress[] = [];
    const pulled = await pullStore(LOCATION, target, { ...options(mem), chunkBytes: 5000, onProgress: (p) => pulledPhases.push(p) });
    expect(pulled).toEqual({ commit: 1, bytes: corpus.length + index.length, resumed: false });
    const copy = bytesOf(target);
    expect(Buffer.compare(copy.corpus, corpus)).toBe(0);
    expect(Buffer.compare(copy.index, index)).toBe(0);
    expect(readdirSync(target).sort()).toEqual(["corpus.zst", "index.rkx"]);
    expect(pulledPhases.filter((p) => p.phase === "download").at(-1)).toEqual({ phase: "download", done: corpus.length, total: corpus.length });
    expect(pulledPhases.some((p) => p.phase === "verify")).toBe(true);
    // The copy is a working store.
    expect((await (await ReplayStore.open(target)).verify()).ok).toBe(true);
  });

  test("a pushed store opened as s3://… samples the same rows as the local one", async () => {
    const source = await sourceStore();
    const mem = memoryObjectStore();
    await pushStore(source, LOCATION, { ...options(mem), segmentBytes: 3000 });
    const local = await ReplayStore.open(source);
    const remote = await ReplayStore.open(LOCATION, options(mem));
    expect(remote.commit).toBe(1);
    expect(await remote.sampleRows({ k: 25, now: NOW, seed: 11 })).toEqual(await local.sampleRows({ k: 25, now: NOW, seed: 11 }));
    expect((await remote.load()).length).toBe((await local.load()).length);
    // …and takes writes on top of the pushed commit.
    await remote.append(snapshot(999));
    expect(remote.commit).toBe(2);
    const pulled = join(tempDir(), "after-append");
    await pullStore(LOCATION, pulled, options(mem));
    expect((await (await ReplayStore.open(pulled)).load()).length).toBe((await local.load()).length + 1);
  });

  test("an empty store pushes and pulls", async () => {
    const source = join(tempDir(), "empty");
    await mkdir(source);
    const mem = memoryObjectStore();
    expect(await pushStore(source, LOCATION, options(mem))).toEqual({ commit: 1, bytes: 0, segments: 0, resumed: false });
    const target = join(tempDir(), "empty-copy");
    expect(await pullStore(LOCATION, target, options(mem))).toEqual({ commit: 1, bytes: 0, resumed: false });
    // As the source: no journal was ever written; an empty corpus file marks the directory as a store.
    expect(readdirSync(target)).toEqual(["corpus.zst"]);
    expect(readFileSync(join(target, "corpus.zst")).length).toBe(0);
    expect(await (await ReplayStore.open(target)).load()).toEqual([]);
  });
});

describe("faults", () => {
  test("503s on segment PUTs, resets on GETs and a commit PUT whose answer is lost: push and pull still give the same files", async () => {
    const source = await sourceStore();
    const mem = memoryObjectStore({
      faults: {
        seed: 7,
        rules: [
          { fault: { kind: "status", status: 503 }, operations: ["put"], prefix: "team/replay/segments/", probability: 0.3, times: 6 },
          { fault: { kind: "reset" }, operations: ["get"], prefix: "team/replay/segments/", probability: 0.3, times: 6 },
          { fault: { kind: "timeout-after-write" }, operations: ["put"], prefix: "team/replay/commits/", nth: 1 },
        ],
      },
    });
    const pushed = await pushStore(source, LOCATION, { ...options(mem), segmentBytes: 4096 });
    expect(pushed).toMatchObject({ commit: 1, resumed: false });
    expect(mem.requests.some((r) => r.fault === "status")).toBe(true);
    expect(mem.requests.some((r) => r.fault === "timeout-after-write")).toBe(true);
    const target = join(tempDir(), "copy");
    await pullStore(LOCATION, target, { ...options(mem), chunkBytes: 3000 });
    expect(mem.requests.some((r) => r.fault === "reset")).toBe(true);
    const a = bytesOf(source);
    const b = bytesOf(target);
    expect(Buffer.compare(a.corpus, b.corpus)).toBe(0);
    expect(Buffer.compare(a.index, b.index)).toBe(0);
  });
});

describe("push refuses", () => {
  test("a location that already holds commits, naming it; nothing written", async () => {
    const mem = memoryObjectStore();
    const other = await ReplayStore.open(LOCATION, options(mem));
    await other.append(snapshot(1));
    const before = [...mem.state.keys()];
    const source = await sourceStore(30);
    const error = await pushStore(source, LOCATION, options(mem)).catch((e: unknown) => e);
    expect(StoreNotEmptyError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: "STORE_NOT_EMPTY", kind: "conflict", target: LOCATION });
    expect((error as Error).message).toContain(LOCATION);
    expect(mem.state.keys()).toEqual(before);
  });

  test("a location another push filled; the same push again is already done", async () => {
    const mem = memoryObjectStore();
    const source = await sourceStore(30);
    await pushStore(source, LOCATION, { ...options(mem), segmentBytes: 2048 });
    const puts = putsOf(mem, "/segments/");
    const again = await pushStore(source, LOCATION, { ...options(mem), segmentBytes: 2048 });
    expect(again).toMatchObject({ commit: 1, resumed: true });
    expect(putsOf(mem, "/segments/")).toBe(puts);
    const changed = await ReplayStore.open(source);
    await changed.append(snapshot(500));
    const error = await pushStore(source, LOCATION, options(mem)).catch((e: unknown) => e);
    expect(StoreNotEmptyError.isInstance(error)).toBe(true);
  });

  test("a dlm store (run replaykit upgrade first); nothing written", async () => {
    const mem = memoryObjectStore();
    const error = await pushStore(referenceStoreCopy(), LOCATION, options(mem)).catch((e: unknown) => e);
    expect(StoreUnsupportedError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain("replaykit upgrade");
    expect(mem.state.keys()).toEqual([]);
  });

  test("a store with a damaged frame, naming the problem; nothing written", async () => {
    const source = await sourceStore(30);
    const corpusPath = join(source, "corpus.zst");
    const bytes = readFileSync(corpusPath);
    const entry = (await (await ReplayStore.open(source)).load())[4]!;
    bytes[entry.byteOffset + entry.length - 3]! ^= 0xff;
    writeFileSync(corpusPath, bytes);
    const mem = memoryObjectStore();
    const error = await pushStore(source, LOCATION, options(mem)).catch((e: unknown) => e);
    expect(StoreDamagedError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: "STORE_DAMAGED", kind: "corrupt" });
    expect((error as StoreDamagedError).problems.map((p) => p.sectionId)).toContain(entry.sectionId);
    expect((error as Error).message).toContain(entry.sectionId);
    expect(mem.state.keys()).toEqual([]);
  });

  test("an endpoint that ignores conditional writes: UnsafeEndpointError, nothing written", async () => {
    const mem = memoryObjectStore();
    const careless: ObjectStore = {
      get: (k, r) => mem.get(k, r),
      head: (k) => mem.head(k),
      list: (p, s) => mem.list(p, s),
      delete: (k) => mem.delete(k),
      put: (k, b) => mem.put(k, b, { kind: "overwrite" }),
    };
    const source = await sourceStore(20);
    const error = await pushStore(source, LOCATION, options(careless)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "OBJECT_STORE_UNSAFE" });
    expect(mem.state.keys()).toEqual([]);
  });
});

describe("resuming", () => {
  test("a push cut off after k segments: the re-run sends only the rest, and the result is identical", async () => {
    const source = await sourceStore();
    const mem = memoryObjectStore();
    const segmentBytes = 2048;
    const corpusBytes = readFileSync(join(source, "corpus.zst")).length;
    const total = Math.ceil(corpusBytes / segmentBytes);
    expect(total).toBeGreaterThan(6);
    const k = 4;
    const dying = dyingAfter(mem, k, (op, key) => op === "put" && key.includes("/segments/"));
    await expect(pushStore(source, LOCATION, { ...options(dying), segmentBytes })).rejects.toThrow(/cut off/);
    // Up to four segments are in flight: the ones cut off mid-flight did not land.
    const landed = segmentKeys(mem).length;
    expect(landed).toBeGreaterThan(0);
    expect(landed).toBeLessThanOrEqual(k);
    expect(mem.state.keys().some((key) => key.includes("/commits/"))).toBe(false);

    const second = mem.fork();
    const result = await pushStore(source, LOCATION, { ...options(second), segmentBytes });
    expect(result).toMatchObject({ commit: 1, segments: total, resumed: true });
    expect(putsOf(second, "/segments/")).toBe(total - landed);
    expect(segmentKeys(mem)).toHaveLength(total);

    const target = join(tempDir(), "copy");
    await pullStore(LOCATION, target, options(mem));
    const a = bytesOf(source);
    const b = bytesOf(target);
    expect(Buffer.compare(a.corpus, b.corpus)).toBe(0);
    expect(Buffer.compare(a.index, b.index)).toBe(0);
  });

  test("a push cut off after its commit landed: the re-run writes the checkpoint and reports it done", async () => {
    const source = await sourceStore(30);
    const mem = memoryObjectStore();
    const dying = dyingAfter(mem, 0, (op, key) => op === "put" && key.includes("/checkpoints/"));
    await expect(pushStore(source, LOCATION, options(dying))).rejects.toThrow(/cut off/);
    expect(mem.state.keys().some((key) => key.includes("/checkpoints/"))).toBe(false);
    const second = mem.fork();
    expect(await pushStore(source, LOCATION, options(second))).toMatchObject({ commit: 1, resumed: true });
    expect(putsOf(second, "/segments/")).toBe(0);
    expect(mem.state.keys().filter((key) => key.includes("/checkpoints/"))).toHaveLength(1);
  });

  test("a pull cut off mid-download continues from its partial file; another commit starts over", async () => {
    const source = await sourceStore();
    const mem = memoryObjectStore();
    await pushStore(source, LOCATION, { ...options(mem), segmentBytes: 4096 });
    const corpusBytes = readFileSync(join(source, "corpus.zst")).length;
    const chunkBytes = 1500;
    const chunks = Math.ceil(corpusBytes / chunkBytes);
    const target = join(tempDir(), "copy");
    const serial = { s3: { maxConcurrency: 1 }, chunkBytes };
    const dying = dyingAfter(mem, 5, (op, key) => op === "range" && key.includes("/segments/"));
    await expect(pullStore(LOCATION, target, { ...options(dying), ...serial })).rejects.toThrow(/cut off/);
    expect(readdirSync(target)).toEqual([".replaykit-pull"]);
    const partial = readFileSync(join(target, ".replaykit-pull", "corpus.zst")).length;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(corpusBytes);

    const second = mem.fork();
    const result = await pullStore(LOCATION, target, { ...options(second), ...serial });
    expect(result).toMatchObject({ commit: 1, resumed: true });
    const fetched = second.requests.filter((r) => r.operation === "get" && r.key.includes("/segments/")).length;
    // Only the chunks after the partial file (a chunk spanning two segments is two range GETs).
    expect(fetched).toBeLessThan(chunks);
    expect(fetched).toBeGreaterThanOrEqual(Math.ceil((corpusBytes - partial) / chunkBytes));
    const a = bytesOf(source);
    const b = bytesOf(target);
    expect(Buffer.compare(a.corpus, b.corpus)).toBe(0);
    expect(Buffer.compare(a.index, b.index)).toBe(0);
    expect(readdirSync(target).sort()).toEqual(["corpus.zst", "index.rkx"]);

    // A partial pull of commit 1, then a pull of commit 2: starts over.
    const remote = await ReplayStore.open(LOCATION, options(mem));
    await remote.append(snapshot(700));
    const target2 = join(tempDir(), "copy2");
    const dying2 = dyingAfter(mem, 3, (op, key) => op === "range" && key.includes("/segments/"));
    await expect(pullStore(LOCATION, target2, { ...options(dying2), ...serial, commit: 1 })).rejects.toThrow(/cut off/);
    const result2 = await pullStore(LOCATION, target2, { ...options(mem.fork()), ...serial });
    expect(result2).toMatchObject({ commit: 2, resumed: false });
    expect((await (await ReplayStore.open(target2)).load()).length).toBe((await (await ReplayStore.open(source)).load()).length + 1);
  });
});

describe("pull refuses", () => {
  test("a commit with a corrupted segment byte: a typed error naming the key, the files set aside", async () => {
    const source = await sourceStore(40);
    const mem = memoryObjectStore();
    await pushStore(source, LOCATION, { ...options(mem), segmentBytes: 4096 });
    const entry = (await (await ReplayStore.open(source)).load())[7]!;
    const offset = entry.byteOffset + entry.length - 4;
    const key = segmentKeys(mem).find((k) => {
      const start = Number(/\/(\d{20})-/.exec(k)![1]);
      return offset >= start && offset < start + 4096;
    })!;
    const start = Number(/\/(\d{20})-/.exec(key)![1]);
    mem.state.read(key)!.body[offset - start]! ^= 0x5a;
    const target = join(tempDir(), "copy");
    const error = await pullStore(LOCATION, target, options(mem)).catch((e: unknown) => e);
    expect(StoreObjectCorruptError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: "STORE_OBJECT_CORRUPT", kind: "corrupt", bucket: "bkt", key });
    expect((error as Error).message).toContain(String(entry.byteOffset));
    expect(readdirSync(target).sort()).toEqual(["corpus.zst.damaged", "index.rkx.damaged"]);
    expect((error as Error).message).toContain("corpus.zst.damaged");
  });

  test("a directory that already holds a store; nothing written", async () => {
    const source = await sourceStore(20);
    const mem = memoryObjectStore();
    await pushStore(source, LOCATION, options(mem));
    const before = readdirSync(source).sort();
    const error = await pullStore(LOCATION, source, options(mem)).catch((e: unknown) => e);
    expect(StoreNotEmptyError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(source);
    expect(readdirSync(source).sort()).toEqual(before);
  });

  test("a location without commits", async () => {
    const error = await pullStore(LOCATION, join(tempDir(), "x"), options(memoryObjectStore())).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "STORE_NOT_FOUND" });
    expect(existsSync(join(tempDir(), "x"))).toBe(false);
  });
});

const endpoint = process.env.REPLAYKIT_TEST_S3_ENDPOINT;
const bucket = process.env.REPLAYKIT_TEST_S3_BUCKET ?? "replaykit-test";
if (endpoint === undefined) console.warn("SKIPPED: push/pull against RGW (REPLAYKIT_TEST_S3_ENDPOINT is not set)");

describe.skipIf(endpoint === undefined)("against RGW", () => {
  test("push + pull round trip, byte-identical, over several segments", { timeout: 120_000 }, async () => {
    const source = await sourceStore();
    const location = `s3://${bucket}/transfer-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
    const s3 = { endpoint: endpoint!, forcePathStyle: true };
    const cacheDir = join(tempDir(), "cache");
    const pushed = await pushStore(source, location, { s3, cacheDir, segmentBytes: 4096 });
    expect(pushed.segments).toBeGreaterThan(3);
    const target = join(tempDir(), "copy");
    await pullStore(location, target, { s3, cacheDir: "", chunkBytes: 3000 });
    const a = bytesOf(source);
    const b = bytesOf(target);
    expect(Buffer.compare(a.corpus, b.corpus)).toBe(0);
    expect(Buffer.compare(a.index, b.index)).toBe(0);
    expect(await pushStore(source, location, { s3, cacheDir, segmentBytes: 4096 })).toMatchObject({ resumed: true });
    // Leave the shared bucket as it was.
    const objects = s3ObjectStore({ bucket, endpoint: endpoint!, forcePathStyle: true });
    const prefix = `${location.slice(`s3://${bucket}/`.length)}/`;
    for await (const e of objects.list(prefix)) await objects.delete(e.key);
  });
});

import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, test, vi } from "vitest";

// Count the I/O and zstd calls the codec makes, without changing what they do.
const calls = vi.hoisted(() => ({ write: 0, datasync: 0, opens: 0, decompress: 0 }));
vi.mock("node:fs/promises", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs/promises")>();
  return {
    ...real,
    open: async (...args: Parameters<typeof real.open>) => {
      calls.opens++;
      return real.open(...args);
    },
  };
});
// Appends write and sync through node:fs (a synchronous write, the fdatasync callback API).
vi.mock("node:fs", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs")>();
  const writeSync = ((...a: unknown[]) => {
    calls.write++;
    return (real.writeSync as (...b: unknown[]) => number)(...a);
  }) as typeof real.writeSync;
  const fdatasync = ((fd: number, cb: (e: NodeJS.ErrnoException | null) => void) => {
    calls.datasync++;
    real.fdatasync(fd, cb);
  }) as typeof real.fdatasync;
  return { ...real, writeSync, fdatasync, default: { ...real, writeSync, fdatasync } };
});
vi.mock("@mongodb-js/zstd", async (importOriginal) => (await import("./counting-zstd.js")).countingZstd(importOriginal, calls));

const { appendFrames, appendSnapshots, createSnapshot, encodeFrames, readFrames, readSnapshots } = await import("../src/index.js");
const { tempDir } = await import("./helpers.js");

const snapshots = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) =>
    createSnapshot({
      sectionType: (["prose", "instruction", "preference"] as const)[(i + from) % 3]!,
      content: `Section ${i + from}: the mitochondria is the powerhouse of the cell. `.repeat(1 + ((i + from) % 4)),
      lastSeenAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i + from)),
      trainingRunsSeen: [i + from],
    }),
  );

beforeEach(() => {
  for (const k of Object.keys(calls) as Array<keyof typeof calls>) calls[k] = 0;
});

describe("appendSnapshots", () => {
  test("writes a whole batch with one write and one fsync, and returns contiguous pointers", async () => {
    const path = join(tempDir(), "corpus.zst");
    const first = await appendSnapshots(path, snapshots(10));
    expect(calls.write).toBe(1);
    expect(calls.datasync).toBe(1);
    const second = await appendSnapshots(path, snapshots(500, 10));
    expect(calls.write).toBe(2);
    expect(calls.datasync).toBe(2);
    const all = [...first, ...second];
    expect(all[0]!.byteOffset).toBe(0);
    for (let i = 1; i < all.length; i++) expect(all[i]!.byteOffset).toBe(all[i - 1]!.byteOffset + all[i - 1]!.length);
    expect(statSync(path).size).toBe(all.at(-1)!.byteOffset + all.at(-1)!.length);
  });

  test("an empty batch writes nothing and creates no file", async () => {
    const path = join(tempDir(), "corpus.zst");
    expect(await appendSnapshots(path, [])).toEqual([]);
    expect(() => statSync(path)).toThrow();
  });

  test("an invalid snapshot anywhere in the batch appends nothing", async () => {
    const path = join(tempDir(), "corpus.zst");
    await appendSnapshots(path, snapshots(3));
    const size = statSync(path).size;
    const bad = [...snapshots(3, 3), { ...snapshots(1)[0]!, sectionType: "BAD" }];
    await expect(appendSnapshots(path, bad)).rejects.toMatchObject({ code: "SNAPSHOT_INVALID" });
    expect(statSync(path).size).toBe(size);
  });

  test("appends continue after dead bytes (a torn tail)", async () => {
    const path = join(tempDir(), "corpus.zst");
    const [a] = await appendSnapshots(path, snapshots(1));
    writeFileSync(path, Buffer.concat([readFileSync(path), Buffer.from("torn frame bytes")]));
    const [b] = await appendSnapshots(path, snapshots(1, 1));
    expect(b!.byteOffset).toBe(a!.length + 16);
    const got: string[] = [];
    for await (const s of readSnapshots(path, [a!, b!])) got.push(s.content);
    expect(got).toHaveLength(2);
  });
});

describe("readSnapshots", () => {
  test("reads 3,000 frames with one open and a handful of decompress calls", async () => {
    const path = join(tempDir(), "corpus.zst");
    const written = snapshots(3000);
    const pointers = await appendSnapshots(path, written);
    calls.opens = 0;
    calls.decompress = 0;
    const got: string[] = [];
    for await (const s of readSnapshots(path, pointers)) got.push(s.content);
    expect(got).toEqual(written.map((s) => s.content));
    expect(calls.opens).toBe(1);
    expect(calls.decompress).toBeLessThanOrEqual(2);
  });

  test("a random sample in any order comes back in that order, coalesced", async () => {
    const path = join(tempDir(), "corpus.zst");
    const written = snapshots(400);
    const pointers = await appendSnapshots(path, written);
    const order = Array.from({ length: 100 }, (_, i) => (i * 7919) % 400);
    calls.decompress = 0;
    const got: string[] = [];
    for await (const s of readSnapshots(
      path,
      order.map((i) => pointers[i]!),
    ))
      got.push(s.sectionId);
    expect(got).toEqual(order.map((i) => written[i]!.sectionId));
    expect(calls.decompress).toBe(1);
  });

  test("stopping early closes the file (no leaked handle keeps the loop alive)", async () => {
    const path = join(tempDir(), "corpus.zst");
    const pointers = await appendSnapshots(path, snapshots(20));
    let n = 0;
    for await (const _ of readSnapshots(path, pointers)) if (++n === 3) break;
    expect(n).toBe(3);
  });

  test("frames without a content size (another writer's) are still read", async () => {
    const { compress } = await import("@mongodb-js/zstd");
    const { encodePayload, loadCborg } = await import("../src/cbor.js");
    await loadCborg();
    const path = join(tempDir(), "corpus.zst");
    const s = snapshots(2);
    const raw = await Promise.all(s.map((x) => compress(Buffer.from(encodePayload(x)), 3)));
    const pointers = await appendFrames(path, raw);
    const got: string[] = [];
    for await (const x of readSnapshots(path, pointers)) got.push(x.content);
    expect(got).toEqual(s.map((x) => x.content));
  });

  test("readFrames returns the exact bytes written", async () => {
    const path = join(tempDir(), "corpus.zst");
    const frames = await encodeFrames(snapshots(30));
    const pointers = await appendFrames(path, frames);
    const back = await readFrames(path, [...pointers].reverse());
    expect(back.map((b) => Buffer.from(b).toString("hex"))).toEqual([...frames].reverse().map((b) => Buffer.from(b).toString("hex")));
  });
});

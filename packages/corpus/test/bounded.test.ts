// Bounded reads (DESIGN §3 v2): a frame's declared size is checked from its header before
// anything is decompressed; batches are sized by declared content, not by frame count.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, test, vi } from "vitest";

// Count decompress calls: a rejected bomb must never reach zstd.
const calls = vi.hoisted(() => ({ decompress: 0 }));
vi.mock("@mongodb-js/zstd", async (importOriginal) => (await import("./counting-zstd.js")).countingZstd(importOriginal, calls));

const corpus = await import("../src/index.js");
const {
  appendFrames,
  appendSnapshots,
  createSnapshot,
  decodeFrame,
  decodeFrameBatch,
  DEFAULT_MAX_FRAME_BYTES,
  encodeFrame,
  readFrames,
  readFramesBatched,
  readSnapshot,
  readSnapshots,
} = corpus;
const { tempDir } = await import("./helpers.js");

beforeEach(() => {
  calls.decompress = 0;
});

const RLE_BLOCK = 128 * 1024;

/**
 * A hand-built zstd frame of `blocks` RLE blocks of 128 KiB each (4 bytes apiece): a real,
 * decodable frame whose content is `blocks` × 128 KiB of one byte. With `declare`, the header
 * records that size (8-byte Frame_Content_Size, single segment); without, it records none.
 */
function rleBomb(blocks: number, declare: number | "none" = blocks * RLE_BLOCK): Uint8Array {
  const header = declare === "none" ? [0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58] : [0x28, 0xb5, 0x2f, 0xfd, 0xe0];
  const out = Buffer.alloc(header.length + (declare === "none" ? 0 : 8) + blocks * 4);
  out.set(header, 0);
  let at = header.length;
  if (declare !== "none") {
    out.writeBigUInt64LE(BigInt(declare), at);
    at += 8;
  }
  for (let i = 0; i < blocks; i++) {
    const last = i === blocks - 1 ? 1 : 0;
    const bh = (RLE_BLOCK << 3) | (1 << 1) | last; // size, type 1 (RLE), last flag
    out[at] = bh & 0xff;
    out[at + 1] = (bh >> 8) & 0xff;
    out[at + 2] = (bh >> 16) & 0xff;
    out[at + 3] = 0x61; // "a"
    at += 4;
  }
  return out;
}

describe("a zstd bomb is rejected from its header, before any decompression", () => {
  test("a 32 KB frame declaring 1 GiB: decodeFrame gives CORPUS_CORRUPT too-large, zstd never called", async () => {
    const bomb = rleBomb(8192); // 32 KiB of blocks, 1 GiB of content
    expect(bomb.length).toBeLessThan(40_000);
    const error = await decodeFrame(bomb, { byteOffset: 100, length: bomb.length }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "CORPUS_CORRUPT", reason: "too-large", byteOffset: 100, length: bomb.length });
    expect((error as Error).message).toContain(String(8192 * RLE_BLOCK));
    expect(calls.decompress).toBe(0);
    expect(DEFAULT_MAX_FRAME_BYTES).toBe(64 * 1024 * 1024);
  });

  test("maxFrameBytes is an option: a 1 MiB frame passes by default and fails under a 512 KiB limit", async () => {
    const frame = rleBomb(8); // 1 MiB of "a": not a snapshot, but a valid zstd frame
    const small = await decodeFrame(frame, undefined, { maxFrameBytes: 512 * 1024 }).catch((e: unknown) => e);
    expect(small).toMatchObject({ code: "CORPUS_CORRUPT", reason: "too-large" });
    expect(calls.decompress).toBe(0);
    // Under the default limit it is decompressed, and then found not to be CBOR of a snapshot.
    await expect(decodeFrame(frame)).rejects.toMatchObject({ code: "CORPUS_CORRUPT", reason: "cbor" });
  });

  test("a frame with no declared size is bounded by its blocks: over the limit it is rejected undecompressed", async () => {
    const frame = rleBomb(8192, "none");
    await expect(decodeFrame(frame)).rejects.toMatchObject({ code: "CORPUS_CORRUPT", reason: "too-large" });
    expect(calls.decompress).toBe(0);
  });

  test("a header declaring more than its blocks can hold is a frame error, undecompressed", async () => {
    const frame = rleBomb(2, 10 * RLE_BLOCK);
    await expect(decodeFrame(frame)).rejects.toMatchObject({ code: "CORPUS_CORRUPT", reason: "frame" });
    expect(calls.decompress).toBe(0);
  });

  test("a header declaring less than its blocks hold fails in zstd, not with a huge buffer", async () => {
    const frame = rleBomb(64, 100); // declares 100 bytes, holds 8 MiB
    await expect(decodeFrame(frame)).rejects.toMatchObject({ code: "CORPUS_CORRUPT", reason: "zstd" });
  });

  test("from a file: readSnapshot, readSnapshots and readFrames refuse the bomb; readFramesBatched reports it and goes on", async () => {
    const path = join(tempDir(), "corpus.zst");
    const good = createSnapshot({ sectionType: "prose", content: "fine", lastSeenAt: new Date("2026-01-01T00:00:00Z") });
    const [before] = await appendSnapshots(path, [good]);
    const [bomb] = await appendFrames(path, [rleBomb(8192)]);
    const [after] = await appendSnapshots(path, [good]);
    await expect(readSnapshot(path, bomb!)).rejects.toMatchObject({ code: "CORPUS_CORRUPT", reason: "too-large", byteOffset: bomb!.byteOffset, path });
    await expect(readFrames(path, [bomb!])).rejects.toMatchObject({ reason: "too-large" });
    const seen: string[] = [];
    const error = await (async () => {
      for await (const s of readSnapshots(path, [before!, bomb!, after!])) seen.push(s.content);
    })().catch((e: unknown) => e);
    expect(seen).toEqual(["fine"]);
    expect(error).toMatchObject({ reason: "too-large" });
    const slots: Array<string> = [];
    for await (const batch of readFramesBatched(path, [before!, bomb!, after!, { byteOffset: 1 << 30, length: 10 }])) {
      for (const f of batch.frames) slots.push(f instanceof Uint8Array ? "bytes" : (f as { reason: string }).reason);
    }
    expect(slots).toEqual(["bytes", "too-large", "bytes", "short-read"]);
    expect(calls.decompress).toBe(1); // only the good frame before the bomb, in readSnapshots
  });
});

describe("batches are sized by declared content", () => {
  test("64 frames of 1 MiB content come in batches of at most batchBytes", { timeout: 60_000 }, async () => {
    const path = join(tempDir(), "corpus.zst");
    const big = Array.from({ length: 64 }, (_, i) =>
      createSnapshot({ sectionType: "prose", content: `${i} `.padEnd(1 << 20, "x"), lastSeenAt: new Date("2026-01-01T00:00:00Z") }),
    );
    const pointers = await appendSnapshots(path, big);
    const sizes: number[] = [];
    let frames = 0;
    for await (const batch of readFramesBatched(path, pointers, { batchBytes: 8 << 20 })) {
      expect(batch.start).toBe(frames);
      frames += batch.frames.length;
      sizes.push(batch.contentBytes);
      expect(batch.contentBytes).toBeLessThanOrEqual(8 << 20);
    }
    expect(frames).toBe(64);
    expect(sizes.length).toBeGreaterThanOrEqual(8);
    let n = 0;
    for await (const s of readSnapshots(path, pointers, { batchBytes: 4 << 20 })) expect(s.content.startsWith(`${n++} `)).toBe(true);
    expect(n).toBe(64);
  });

  test("a frame larger than the batch budget is a batch of its own", async () => {
    const path = join(tempDir(), "corpus.zst");
    const s = (c: string) => createSnapshot({ sectionType: "prose", content: c, lastSeenAt: new Date("2026-01-01T00:00:00Z") });
    const pointers = await appendSnapshots(path, [s("a"), s("b".repeat(5000)), s("c")]);
    const lengths: number[] = [];
    for await (const batch of readFramesBatched(path, pointers, { batchBytes: 1000 })) lengths.push(batch.frames.length);
    expect(lengths).toEqual([1, 1, 1]);
  });

  test("decodeFrameBatch still decodes many small frames in few zstd calls", async () => {
    const snapshots = Array.from({ length: 200 }, (_, i) =>
      createSnapshot({ sectionType: "prose", content: `section ${i}`, lastSeenAt: new Date("2026-01-01T00:00:00Z") }),
    );
    const frames = await Promise.all(snapshots.map((x) => encodeFrame(x)));
    calls.decompress = 0;
    const out = await decodeFrameBatch(frames.map((bytes, i) => ({ bytes, at: { byteOffset: i, length: bytes.length } })));
    expect(out.map((x) => (x as { content: string }).content)).toEqual(snapshots.map((x) => x.content));
    expect(calls.decompress).toBe(1);
  });

  test("options are checked", async () => {
    const path = join(tempDir(), "corpus.zst");
    writeFileSync(path, "");
    for (const options of [{ maxFrameBytes: 0 }, { maxFrameBytes: -1 }, { maxFrameBytes: "64" }, { batchBytes: 1.5 }, null]) {
      const error = await (async () => {
        for await (const _ of readFramesBatched(path, [], options as never));
      })().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "CORPUS_ARGUMENT", functionName: "readFramesBatched" });
    }
    await expect(decodeFrame(new Uint8Array(8), undefined, { maxFrameBytes: Number.NaN })).rejects.toMatchObject({
      code: "CORPUS_ARGUMENT",
      argument: "options.maxFrameBytes",
    });
  });
});

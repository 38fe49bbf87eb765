// Every bad input gives a typed error: CorpusCorruptError (with where and why) for bad
// bytes, SnapshotInvalidError (naming the field) for bad snapshots, CorpusIOError for I/O.
import { compress } from "@mongodb-js/zstd";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { encode, Tagged, Token, Type } from "cborg";
import { describe, expect, test } from "vitest";
import {
  appendSnapshots,
  CorpusCorruptError,
  CorpusIOError,
  createSnapshot,
  decodeFrame,
  encodeFrame,
  readSnapshot,
  readSnapshots,
  SnapshotInvalidError,
  type SectionSnapshot,
} from "../src/index.js";
import { withContentSize } from "../src/zstd-frame.js";
import { tempDir, VECTORS } from "./helpers.js";

const good = createSnapshot({
  sectionType: "instruction",
  content: "### Q\nWhat is 2+2?\n### A\n4",
  lastSeenAt: new Date("2026-04-01T12:00:00Z"),
  trainingRunsSeen: [1, 2],
});

async function frameOf(payload: Uint8Array): Promise<Uint8Array> {
  return withContentSize(await compress(Buffer.from(payload), 3), payload.length);
}

async function corruptOf(bytes: Uint8Array, at?: { byteOffset: number; length: number }): Promise<CorpusCorruptError> {
  const error = await decodeFrame(bytes, at).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CorpusCorruptError);
  const e = error as CorpusCorruptError;
  expect(e.code).toBe("CORPUS_CORRUPT");
  expect(CorpusCorruptError.isInstance(e)).toBe(true);
  return e;
}

const mapWith = (over: Record<string, unknown>) => {
  const date = (s: string) => [new Token(Type.tag, 0), new Token(Type.string, s)];
  const base: Record<string, unknown> = {
    section_id: "0123456789abcdef",
    section_type: "prose",
    content: "hello",
    auto_mined: false,
    first_seen_at: new Date(0),
    last_seen_at: new Date(0),
    training_runs_seen: [1],
    ...over,
  };
  for (const k of Object.keys(base)) if (base[k] === undefined) delete base[k];
  return encode(base, { typeEncoders: { Date: (d: unknown) => date((d as Date).toISOString()) } });
};
const taggedDate = (text: string) => encode({ x: 1 }, { typeEncoders: { Object: () => [new Token(Type.tag, 0), new Token(Type.string, text)] } });

describe("decodeFrame rejects bad bytes with CorpusCorruptError", () => {
  test("empty input and garbage", async () => {
    expect((await corruptOf(new Uint8Array())).reason).toBe("frame");
    expect((await corruptOf(Buffer.from("this is not zstd at all"))).reason).toBe("frame");
    expect((await corruptOf(new Uint8Array(3))).reason).toBe("frame");
  });

  test("a truncated frame, at every cut", async () => {
    const frame = await encodeFrame(good);
    for (let cut = 0; cut < frame.length; cut++) {
      const e = await corruptOf(frame.subarray(0, cut), { byteOffset: 1000, length: cut });
      expect(e.byteOffset).toBe(1000);
      expect(e.length).toBe(cut);
      expect(["frame", "zstd"]).toContain(e.reason);
    }
  });

  test("a frame followed by extra bytes (a pointer that is too long)", async () => {
    const frame = await encodeFrame(good);
    const e = await corruptOf(Buffer.concat([frame, Buffer.from([0, 1, 2])]));
    expect(e.reason).toBe("frame");
    expect(e.message).toMatch(/bytes before the pointer's end/);
  });

  test("valid zstd around bytes that are not CBOR", async () => {
    const e = await corruptOf(await frameOf(Buffer.from([0xff, 0xff, 0x00])));
    expect(e.reason).toBe("cbor");
    expect(e.cause).toBeDefined();
  });

  test("valid zstd around CBOR followed by trailing bytes", async () => {
    const e = await corruptOf(await frameOf(Buffer.concat([mapWith({}), Buffer.from([0x01])])));
    expect(e.reason).toBe("cbor");
  });

  test("CBOR of the wrong shape", async () => {
    for (const payload of [encode([1, 2, 3]), encode("text"), encode(42), encode(null), mapWith({ extra: 1 }), mapWith({ content: undefined })]) {
      const e = await corruptOf(await frameOf(payload));
      expect(e.reason).toBe("shape");
    }
  });

  test.each([
    ["section_id", { section_id: "XYZ" }],
    ["section_id", { section_id: 12 }],
    ["section_type", { section_type: "Not A Type" }],
    ["content", { content: 5 }],
    ["content", { content: new Uint8Array([104, 105]) }],
    ["auto_mined", { auto_mined: 0 }],
    ["first_seen_at", { first_seen_at: "2026-01-01T00:00:00Z" }],
    ["last_seen_at", { last_seen_at: 1767225600 }],
    ["training_runs_seen", { training_runs_seen: 3 }],
    ["training_runs_seen", { training_runs_seen: [-1] }],
    ["training_runs_seen", { training_runs_seen: [1.5] }],
    ["training_runs_seen", { training_runs_seen: ["1"] }],
  ])("a bad %s field", async (field, over) => {
    const e = await corruptOf(await frameOf(mapWith(over)));
    expect(e.reason).toBe("shape");
    expect(e.message).toContain(field);
  });

  test.each([
    "2026-02-30T00:00:00Z",
    "2025-02-29T00:00:00Z",
    "0000-01-01T00:00:00Z",
    "2026-13-01T00:00:00Z",
    "2026-01-01T24:00:00Z",
    "2026-01-01 00:00:00Z",
    "2026-01-01T00:00:00",
    "yesterday",
  ])("an out-of-range or malformed date %s", async (text) => {
    const e = await corruptOf(await frameOf(mapWith({ first_seen_at: new Tagged(0, text) })));
    expect(e.reason).toBe("shape");
    expect(e.message).toContain(JSON.stringify(text));
  });

  test("a tag-0 date that is not text, and unknown tags", async () => {
    const dateOfInt = encode({ a: 1 }, { typeEncoders: { Object: () => [new Token(Type.tag, 0), new Token(Type.uint, 5)] } });
    expect((await corruptOf(await frameOf(dateOfInt))).reason).toBe("shape");
    const tag1 = encode({ a: 1 }, { typeEncoders: { Object: () => [new Token(Type.tag, 1), new Token(Type.uint, 5)] } });
    expect((await corruptOf(await frameOf(tag1))).reason).toBe("cbor");
    expect((await corruptOf(await frameOf(taggedDate("2026-01-01T00:00:00Z")))).reason).toBe("shape");
  });

  test("run ids beyond 2^53 are refused, not rounded", async () => {
    const big = Buffer.from(mapWith({ training_runs_seen: [7] }));
    // Replace the one-byte 0x07 run id (last byte: array of 1, value 7) by an 8-byte 2^60.
    const patched = Buffer.concat([big.subarray(0, big.length - 1), Buffer.from([0x1b, 0x10, 0, 0, 0, 0, 0, 0, 0])]);
    expect((await corruptOf(await frameOf(patched))).reason).toBe("cbor");
  });

  test("a non-Uint8Array argument is a CorpusArgumentError", async () => {
    await expect(decodeFrame("nope" as never)).rejects.toMatchObject({ code: "CORPUS_ARGUMENT", argument: "frame" });
  });
});

describe("reads from a corpus file", () => {
  test("a pointer past the end, a missing file, an invalid pointer", async () => {
    const dir = tempDir();
    const path = join(dir, "corpus.zst");
    const [p] = await appendSnapshots(path, [good]);
    const past = { byteOffset: p!.byteOffset + 10, length: p!.length };
    await expect(readSnapshot(path, past)).rejects.toMatchObject({ code: "CORPUS_CORRUPT", reason: "short-read", byteOffset: past.byteOffset, path });
    await expect(readSnapshot(join(dir, "missing.zst"), p!)).rejects.toMatchObject({ code: "CORPUS_CORRUPT", reason: "short-read" });
    // A bad pointer is a bad argument, named, never "at byte -1".
    for (const [bad, argument] of [
      [{ byteOffset: -1, length: 5 }, "at.byteOffset"],
      [{ byteOffset: 0, length: 0 }, "at.length"],
      [{ byteOffset: 0.5, length: 3 }, "at.byteOffset"],
      [{ byteOffset: 0, length: Number.NaN }, "at.length"],
    ] as const) {
      const error = await readSnapshot(path, bad).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "CORPUS_ARGUMENT", argument, functionName: "readSnapshot" });
      expect((error as Error).message).not.toContain("byte -1");
    }
  });

  test("readSnapshots yields the good frames before a damaged one, then throws at its offset", async () => {
    const dir = tempDir();
    const path = join(dir, "corpus.zst");
    const snapshots = Array.from({ length: 5 }, (_, i) =>
      createSnapshot({ sectionType: "prose", content: `section ${i} `.repeat(20), lastSeenAt: new Date(Date.UTC(2026, 0, 1 + i)) }),
    );
    const pointers = await appendSnapshots(path, snapshots);
    const bytes = readFileSync(path);
    const victim = pointers[3]!;
    bytes[victim.byteOffset + 4] = 0xff; // the frame header descriptor: reserved bit set
    writeFileSync(path, bytes);
    const seen: string[] = [];
    let error: unknown;
    try {
      for await (const s of readSnapshots(path, pointers)) seen.push(s.sectionId);
    } catch (e) {
      error = e;
    }
    expect(seen).toEqual(snapshots.slice(0, 3).map((s) => s.sectionId));
    expect(error).toBeInstanceOf(CorpusCorruptError);
    expect((error as CorpusCorruptError).byteOffset).toBe(victim.byteOffset);
    expect((error as CorpusCorruptError).path).toBe(path);
  });

  test("a corrupt frame inside a coalesced run is named exactly", async () => {
    const dir = tempDir();
    const path = join(dir, "corpus.zst");
    const snapshots = Array.from({ length: 50 }, (_, i) => createSnapshot({ sectionType: "prose", content: `text ${i} `.repeat(50) }));
    const pointers = await appendSnapshots(path, snapshots);
    const bytes = readFileSync(path);
    const victim = pointers[17]!;
    // Flip bytes in the middle of the compressed body: the header walk still passes.
    for (let k = 10; k < 14; k++) bytes[victim.byteOffset + k]! ^= 0x5a;
    writeFileSync(path, bytes);
    let error: unknown;
    const seen: string[] = [];
    try {
      for await (const s of readSnapshots(path, pointers)) seen.push(s.sectionId);
    } catch (e) {
      error = e;
    }
    // Either zstd or the CBOR/shape check catches it; it must be this frame.
    expect(CorpusCorruptError.isInstance(error)).toBe(true);
    expect((error as CorpusCorruptError).byteOffset).toBe(victim.byteOffset);
    expect(seen).toHaveLength(17);
  });

  test("reading a directory is a CorpusIOError naming the path", async () => {
    const dir = tempDir();
    await expect(readSnapshot(dir, { byteOffset: 0, length: 10 })).rejects.toSatisfy(
      (e: unknown) => CorpusIOError.isInstance(e) && (e as CorpusIOError).path === dir,
    );
  });

  test("appending where the file cannot be created is a CorpusIOError naming the path", async () => {
    const dir = tempDir();
    const blocker = join(dir, "file");
    writeFileSync(blocker, "x");
    const path = join(blocker, "corpus.zst"); // a path under a regular file
    await expect(appendSnapshots(path, [good])).rejects.toMatchObject({ code: "CORPUS_IO", path, systemCode: "ENOTDIR" });
    mkdirSync(join(dir, "adir"));
    await expect(appendSnapshots(join(dir, "adir"), [good])).rejects.toMatchObject({ code: "CORPUS_IO", systemCode: "EISDIR" });
  });

  test("small frames (read synchronously) and a frame larger than a synchronous read come back alike, in the order asked", async () => {
    const path = join(tempDir(), "corpus.zst");
    // Incompressible content: the big frame's compressed bytes stay over 256 KiB.
    let seed = 7;
    const next = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 16;
    };
    const noise = Array.from({ length: 400_000 }, () => String.fromCharCode(33 + (next() % 90))).join("");
    const snaps = [good, createSnapshot({ sectionType: "prose", content: noise, lastSeenAt: new Date("2026-04-02T00:00:00Z") }), { ...good, content: "tail" }];
    const pointers = await appendSnapshots(path, snaps);
    expect(pointers[1]!.length).toBeGreaterThan(256 << 10);
    const order = [pointers[2]!, pointers[0]!, pointers[1]!, pointers[0]!];
    const got: string[] = [];
    for await (const s of readSnapshots(path, order)) got.push(s.content);
    expect(got).toEqual(["tail", good.content, noise, good.content]);
  });

  test("the reference store's corpus with a pointer shifted by one byte", async () => {
    const e = await readSnapshot(join(VECTORS, "store/corpus.zst"), { byteOffset: 1, length: 187 }).catch((x: unknown) => x);
    expect(CorpusCorruptError.isInstance(e)).toBe(true);
  });
});

describe("createSnapshot / encodeFrame reject bad fields with SnapshotInvalidError", () => {
  const base = { sectionType: "prose", content: "ok" };
  test.each<[string, Record<string, unknown>]>([
    ["sectionType", { sectionType: "Prose" }],
    ["sectionType", { sectionType: "" }],
    ["sectionType", { sectionType: 3 }],
    ["content", { content: undefined }],
    ["content", { content: 42 }],
    ["content", { content: "lone \ud800 surrogate" }],
    ["sectionId", { sectionId: "ABCDEF0123456789" }],
    ["sectionId", { sectionId: "abc" }],
    ["autoMined", { autoMined: "yes" }],
    ["firstSeenAt", { firstSeenAt: "2026-01-01" }],
    ["lastSeenAt", { lastSeenAt: new Date("nope") }],
    ["lastSeenAt", { lastSeenAt: new Date(Date.UTC(10000, 0, 1)) }],
    ["firstSeenAt", { firstSeenAt: new Date("2026-02-01T00:00:00Z"), lastSeenAt: new Date("2026-01-01T00:00:00Z") }],
    ["trainingRunsSeen", { trainingRunsSeen: "1,2" }],
    ["trainingRunsSeen.1", { trainingRunsSeen: [1, -2] }],
    ["trainingRunsSeen.0", { trainingRunsSeen: [2 ** 53] }],
  ])("%s", (field, over) => {
    const attempt = () => createSnapshot({ ...base, ...over } as never);
    expect(attempt).toThrow(SnapshotInvalidError);
    try {
      attempt();
    } catch (e) {
      expect((e as SnapshotInvalidError).field).toBe(field);
      expect((e as SnapshotInvalidError).code).toBe("SNAPSHOT_INVALID");
    }
  });

  test("createSnapshot(null) and encodeFrame of a hand-made bad snapshot", async () => {
    expect(() => createSnapshot(null as never)).toThrow(SnapshotInvalidError);
    const bad = { ...good, sectionId: "nothex" } as SectionSnapshot;
    await expect(encodeFrame(bad)).rejects.toMatchObject({ code: "SNAPSHOT_INVALID", field: "sectionId" });
  });

  test("defaults: id from content, dates now (whole seconds), first = last", () => {
    const before = Math.floor(Date.now() / 1000) * 1000;
    const s = createSnapshot({ sectionType: "prose", content: "Hello" });
    expect(s.sectionId).toMatch(/^[0-9a-f]{16}$/);
    expect(s.lastSeenAt.getTime() % 1000).toBe(0);
    expect(s.lastSeenAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(s.firstSeenAt.getTime()).toBe(s.lastSeenAt.getTime());
    expect(s.autoMined).toBe(false);
    expect(s.trainingRunsSeen).toEqual([]);
    expect(Object.isFrozen(s)).toBe(true);
  });
});

import { compress, decompress } from "@mongodb-js/zstd";
import { describe, expect, test } from "vitest";
import { createSnapshot, decodeFrame, encodeFrame, encodeFrames, ZSTD_LEVEL } from "../src/index.js";

/** Parses a zstd frame header by hand (RFC 8878 §3.1.1.1), independently of the codec. */
function parseHeader(frame: Uint8Array) {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  expect(view.getUint32(0, true)).toBe(0xfd2fb528);
  const fhd = frame[4]!;
  const fcsFlag = fhd >> 6;
  const singleSegment = (fhd & 0x20) !== 0;
  const checksum = (fhd & 0x04) !== 0;
  const dictFlag = fhd & 3;
  let at = 5 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][dictFlag]!;
  const size = [singleSegment ? 1 : 0, 2, 4, 8][fcsFlag]!;
  let fcs: number | undefined;
  if (size === 1) fcs = frame[at]!;
  if (size === 2) fcs = view.getUint16(at, true) + 256;
  if (size === 4) fcs = view.getUint32(at, true);
  if (size === 8) fcs = Number(view.getBigUint64(at, true));
  at += size;
  return { singleSegment, checksum, dictFlag, fcs, fcsBytes: size, headerLength: at };
}

const snapshotOf = (content: string) => createSnapshot({ sectionType: "prose", content, lastSeenAt: new Date("2026-05-01T00:00:00Z") });

describe("frame header", () => {
  // Payload sizes on both sides of each FCS width: 1 byte (<256), 2 bytes (256..65791), 4 bytes.
  const cases: Array<[string, number, number]> = [
    ["tiny", 1, 1],
    ["just under 256", 256 - 150, 1],
    ["256 and up", 300, 2],
    ["65791 boundary", 65_700, 2],
    ["past 65791", 70_000, 4],
    ["several blocks", 400_000, 4],
  ];
  for (const [name, contentLength, fcsBytes] of cases) {
    test(`records the decompressed size (${name})`, async () => {
      const content = "a b c d e f g ".repeat(Math.ceil(contentLength / 14)).slice(0, contentLength);
      const frame = await encodeFrame(snapshotOf(content));
      const header = parseHeader(frame);
      const payload = await decompress(Buffer.from(frame));
      expect(header.fcs).toBe(payload.length);
      expect(header.singleSegment).toBe(true);
      expect(header.checksum).toBe(false);
      expect(header.dictFlag).toBe(0);
      if (payload.length < 256) expect(header.fcsBytes).toBe(1);
      else if (payload.length < 65_792) expect(header.fcsBytes).toBe(2);
      else expect(header.fcsBytes).toBe(4);
      expect([1, 2, 4]).toContain(fcsBytes);
      expect((await decodeFrame(frame)).content).toBe(content);
    });
  }

  test("a payload larger than the level-3 window keeps a window descriptor and still records its size", async () => {
    // Incompressible-ish text longer than the 2 MiB window: not single-segment, FCS present.
    let x = 1;
    const parts: string[] = [];
    for (let i = 0; i < 360_000; i++) {
      x = (x * 48271) % 2147483647;
      parts.push(x.toString(36));
    }
    const content = parts.join(" ");
    const frame = await encodeFrame(snapshotOf(content));
    const header = parseHeader(frame);
    const payload = await decompress(Buffer.from(frame));
    expect(payload.length).toBeGreaterThan(2 << 20);
    expect(header.singleSegment).toBe(false);
    expect(header.fcs).toBe(payload.length);
    expect((await decodeFrame(frame)).content).toBe(content);
  });

  test("the library's own frame lacks the size; ours differs only in the header", async () => {
    const snapshot = snapshotOf("hello frame header");
    const frame = await encodeFrame(snapshot);
    const payload = await decompress(Buffer.from(frame));
    const raw = await compress(payload, ZSTD_LEVEL);
    expect(parseHeader(raw).fcs).toBeUndefined();
    const ours = parseHeader(frame);
    expect(Buffer.from(frame.subarray(ours.headerLength)).equals(raw.subarray(parseHeader(raw).headerLength))).toBe(true);
  });
});

describe("determinism and batches", () => {
  test("same snapshot in, same bytes out", async () => {
    const s = snapshotOf("deterministic ✓");
    const a = await encodeFrame(s);
    const b = await encodeFrame(createSnapshot({ ...s, trainingRunsSeen: [...s.trainingRunsSeen] }));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  test("encodeFrames equals encodeFrame one by one, in order", async () => {
    const snapshots = Array.from({ length: 200 }, (_, i) => snapshotOf(`section number ${i} `.repeat(i % 7)));
    const batch = await encodeFrames(snapshots);
    expect(batch).toHaveLength(200);
    for (let i = 0; i < 200; i += 37) {
      expect(Buffer.from(batch[i]!).equals(Buffer.from(await encodeFrame(snapshots[i]!)))).toBe(true);
    }
    expect(await encodeFrames([])).toEqual([]);
  });

  test("fractional seconds can be re-encoded (frames read from the reference), whole seconds are required of new snapshots", async () => {
    const s = { ...snapshotOf("x"), lastSeenAt: new Date("2026-05-01T00:00:00.250Z") };
    const back = await decodeFrame(await encodeFrame(s));
    expect(back.lastSeenAt.toISOString()).toBe("2026-05-01T00:00:00.250Z");
  });
});

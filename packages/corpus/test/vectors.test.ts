// The reference implementation's own files: every frame and the whole store must read
// exactly as the reference reads them, and our CBOR must equal theirs byte for byte.
import { decompress } from "@mongodb-js/zstd";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { decodeFrame, encodeFrame, readSnapshot, readSnapshots, type SectionSnapshot } from "../src/index.js";
import { walkFrame } from "../src/zstd-frame.js";
import { VECTORS } from "./helpers.js";

interface DecodedVector {
  section_id: string;
  section_type: string;
  content: string | null;
  auto_mined: boolean;
  first_seen_at: string;
  last_seen_at: string;
  training_runs_seen: number[];
}
const framesMeta = JSON.parse(readFileSync(join(VECTORS, "frames/frames.json"), "utf8")) as {
  frames: Array<{
    name: string;
    frame_file: string;
    cbor_file: string;
    cbor_length: number;
    frame_header: { content_size: number };
    decoded_snapshot: DecodedVector;
    cbor_datetime_strings: Record<string, string>;
  }>;
};
const expected = JSON.parse(readFileSync(join(VECTORS, "expected.json"), "utf8")) as {
  entries: Array<{ entry: { byte_offset: number; length: number; section_id: string }; decoded_snapshot: DecodedVector }>;
};
const STORE_CORPUS = join(VECTORS, "store/corpus.zst");

/** Python isoformat() of a UTC datetime, microseconds included only when non-zero. */
const pyIso = (d: Date): string => {
  const iso = d.toISOString();
  const ms = iso.slice(20, 23);
  return `${iso.slice(0, 19)}${ms === "000" ? "" : `.${ms}`}+00:00`;
};
/** The reference's string, cut to the millisecond (our Dates hold ms). */
const toMs = (s: string): string => s.replace(/\.(\d{3})\d{3}\+/, ".$1+").replace(/\.000\+/, "+");

function expectMatches(snapshot: SectionSnapshot, want: DecodedVector, content?: string): void {
  expect(snapshot.sectionId).toBe(want.section_id);
  expect(snapshot.sectionType).toBe(want.section_type);
  expect(snapshot.content).toBe(content ?? want.content);
  expect(snapshot.autoMined).toBe(want.auto_mined);
  expect(pyIso(snapshot.firstSeenAt)).toBe(toMs(want.first_seen_at));
  expect(pyIso(snapshot.lastSeenAt)).toBe(toMs(want.last_seen_at));
  expect([...snapshot.trainingRunsSeen]).toEqual(want.training_runs_seen);
}

describe("reference frames", () => {
  for (const f of framesMeta.frames) {
    const bin = readFileSync(join(VECTORS, "frames", f.frame_file));
    const cbor = readFileSync(join(VECTORS, "frames", f.cbor_file));
    const wholeSeconds = !Object.values(f.cbor_datetime_strings).some((s) => s.includes("."));

    test(`${f.name}: decodes as the reference decodes it`, async () => {
      const snapshot = await decodeFrame(bin);
      // The 90 KB case omits its content from frames.json; it is checked against its generator below.
      expectMatches(snapshot, f.decoded_snapshot, f.decoded_snapshot.content ?? snapshot.content);
      if (f.decoded_snapshot.content === null) {
        // The 90 KB case: the generator expression from frames.json.
        const lines = Array.from({ length: 1500 }, (_, i) => `line ${String(i).padStart(5, "0")}: lorem ipsum dolor sit amet — ünïcödé ✓\n`);
        expect(snapshot.content).toBe(lines.join(""));
      }
    });

    // Whole-second vectors only: our Dates hold milliseconds (the microseconds case is below).
    if (wholeSeconds)
      test(`${f.name}: our CBOR payload equals the reference's byte for byte`, async () => {
        const frame = await encodeFrame(await decodeFrame(bin));
        const payload = await decompress(Buffer.from(frame));
        expect(Buffer.compare(payload, cbor)).toBe(0);
        // ...and the header records the decompressed size, as the reference's does.
        expect(walkFrame(frame, 0, frame.length).contentSize).toBe(f.frame_header.content_size);
      });
  }

  test("microseconds are kept to the millisecond and written back with 6 digits", async () => {
    const bin = readFileSync(join(VECTORS, "frames/microseconds-datetime.bin"));
    const snapshot = await decodeFrame(bin);
    expect(snapshot.firstSeenAt.toISOString()).toBe("2026-01-01T00:00:00.123Z");
    const payload = await decompress(Buffer.from(await encodeFrame(snapshot)));
    expect(payload.toString("latin1")).toContain("2026-01-01T00:00:00.123000Z");
    expect(payload.toString("latin1")).toContain("2026-01-01T00:00:00.500000Z");
  });
});

describe("reference store", () => {
  const pointers = expected.entries.map((e) => ({ byteOffset: e.entry.byte_offset, length: e.entry.length }));

  test("readSnapshots reads every entry in index order, as the reference does", async () => {
    const got: SectionSnapshot[] = [];
    for await (const s of readSnapshots(STORE_CORPUS, pointers)) got.push(s);
    expect(got).toHaveLength(expected.entries.length);
    for (const [i, s] of got.entries()) expectMatches(s, expected.entries[i]!.decoded_snapshot);
  });

  test("readSnapshots keeps the caller's order, including repeats", async () => {
    const order = [5, 0, 12, 5, 3];
    const got: string[] = [];
    for await (const s of readSnapshots(
      STORE_CORPUS,
      order.map((i) => pointers[i]!),
    ))
      got.push(s.sectionId);
    expect(got).toEqual(order.map((i) => expected.entries[i]!.decoded_snapshot.section_id));
  });

  test("readSnapshot and decodeFrame read each entry alone", async () => {
    const corpus = readFileSync(STORE_CORPUS);
    for (const [i, p] of pointers.entries()) {
      expectMatches(await readSnapshot(STORE_CORPUS, p), expected.entries[i]!.decoded_snapshot);
      const frame = corpus.subarray(p.byteOffset, p.byteOffset + p.length);
      expectMatches(await decodeFrame(frame, p), expected.entries[i]!.decoded_snapshot);
    }
  });
});

// cborg is loaded by the first write or the first payload the fixed-schema reader leaves to it:
// reading our own frames never loads it. (A file of its own: vitest gives each file fresh modules.)
import { compress } from "@mongodb-js/zstd";
import { encode, Token, Type } from "cborg";
import { describe, expect, test } from "vitest";
import { cborgLoaded } from "../src/cbor.js";
import { CorpusCorruptError, decodeFrame, encodeFrame } from "../src/index.js";
import { withContentSize } from "../src/zstd-frame.js";

const fields = {
  content: "Replay keeps old material in the training mix so the model does not forget it.",
  auto_mined: false,
  section_id: "0123456789abcdef",
  last_seen_at: new Date("2026-01-02T00:00:00Z"),
  section_type: "prose",
  first_seen_at: new Date("2026-01-01T00:00:00Z"),
  training_runs_seen: [1, 2],
};
const date = (d: unknown) => [new Token(Type.tag, 0), new Token(Type.string, (d as Date).toISOString().replace(".000Z", "Z"))];
const frameOf = async (payload: Uint8Array) => withContentSize(await compress(Buffer.from(payload), 3), payload.length);

describe("cborg is loaded when first needed", () => {
  test("our own frames are read without it, another layout loads it, an error needs no load", async () => {
    expect(cborgLoaded()).toBe(false);
    // The canonical layout (cborg's default: length-first keys), as encodePayload writes it.
    const own = await decodeFrame(await frameOf(encode(fields, { typeEncoders: { Date: date } })));
    expect(own.content).toBe(fields.content);
    expect(own.firstSeenAt.toISOString()).toBe("2026-01-01T00:00:00.000Z");
    expect(cborgLoaded()).toBe(false);
    // Keys in another order: only cborg reads it, loaded on the spot.
    const reversed = Object.fromEntries(Object.entries(fields).reverse());
    const other = await decodeFrame(await frameOf(encode(reversed, { typeEncoders: { Date: date }, mapSorter: () => 0 })));
    expect(cborgLoaded()).toBe(true);
    expect({ ...other, trainingRunsSeen: [...other.trainingRunsSeen] }).toEqual({ ...own, trainingRunsSeen: [...own.trainingRunsSeen] });
    // Not CBOR at all: still the typed error.
    await expect(decodeFrame(await frameOf(Uint8Array.from([0xff, 0x00])))).rejects.toSatisfy((e) => CorpusCorruptError.isInstance(e) && e.reason === "cbor");
  });

  test("a write loads it", async () => {
    const { createSnapshot } = await import("../src/index.js");
    const frame = await encodeFrame(createSnapshot({ sectionType: "prose", content: "x", lastSeenAt: new Date("2026-01-01T00:00:00Z") }));
    expect(frame.length).toBeGreaterThan(0);
    expect(cborgLoaded()).toBe(true);
  });
});

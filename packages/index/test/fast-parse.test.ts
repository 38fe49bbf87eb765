// loadIndex's fast path (src/fast-parse.ts) must return exactly what parseIndex returns for
// every input it accepts, and decline everything else. Checked exhaustively here on small
// indexes: every single-character edit at every position.
import { Buffer } from "node:buffer";
import { describe, expect, it } from "vitest";
import { IndexCorruptError, parseIndex, serializeIndex, type IndexEntry } from "../src/index.js";
import { fastParseIndex } from "../src/fast-parse.js";

const dlm: IndexEntry[] = [
  { sectionId: "0123456789abcdef", byteOffset: 0, length: 188, addedAt: new Date("2026-01-10T12:30:45Z"), weight: 1 },
  { sectionId: "fedcba9876543210", byteOffset: 188, length: 9, addedAt: new Date("2026-01-10T12:30:45.5Z"), weight: 0.25 },
];
const replaykit: IndexEntry[] = [
  { ...dlm[0]!, sectionType: "prose", autoMined: false, crc32: 0 },
  { ...dlm[1]!, sectionType: "chat-turn_2", autoMined: true, crc32: 4_294_967_295, weight: 1e-5 },
];

const CHARS = [...'0123456789abcdefgz-+.:eE"{}[],\n \tTZ\\', "\u00e9"];

function fast(text: string): IndexEntry[] | undefined {
  if (Buffer.byteLength(text) !== text.length) return undefined;
  return fastParseIndex(Buffer.from(text, "latin1"));
}

function general(text: string): IndexEntry[] | IndexCorruptError {
  try {
    return parseIndex(text);
  } catch (error) {
    if (!IndexCorruptError.isInstance(error)) throw error;
    return error;
  }
}

describe.each([
  ["dlm-shaped", dlm],
  ["replaykit-shaped", replaykit],
])("fast path on a %s index", (_, entries) => {
  const text = serializeIndex(entries);

  it("accepts the canonical text, with or without the final newline", () => {
    expect(fast(text)).toEqual(parseIndex(text));
    expect(fast(text.slice(0, -1))).toEqual(parseIndex(text));
  });

  it("agrees with the general path on every single-character edit", () => {
    let accepted = 0;
    for (let i = 0; i <= text.length; i++) {
      const variants = [text.slice(0, i) + text.slice(i + 1)];
      for (const c of CHARS) variants.push(text.slice(0, i) + c + text.slice(i + 1), text.slice(0, i) + c + text.slice(i));
      for (const variant of variants) {
        const f = fast(variant);
        if (f === undefined) continue;
        accepted++;
        expect(general(variant), JSON.stringify(variant)).toEqual(f);
      }
    }
    expect(accepted).toBeGreaterThan(100); // it did see edits it accepts (digits, hex, dates)
  });

  it("declines what it does not know, leaving the verdict to the general path", () => {
    for (const variant of [
      text.replace("[\n", "[ \n"),
      text.replaceAll("\n", "\r\n"),
      `${text}\n`,
      ` ${text}`,
      JSON.stringify(JSON.parse(text)),
      text.replace('"byte_offset": 0', '"byte_offset": 0.0'),
      text.replace('"byte_offset": 0', '"byte_offset": 00'),
      text.replace('"byte_offset": 0', '"byte_offset": -0'),
      text.replace('"0123456789abcdef"', '"\\u0030123456789abcdef"'),
    ]) {
      expect(fast(variant), JSON.stringify(variant)).toBeUndefined();
    }
    // A zone on a date is still the canonical layout: read, and to the same instant.
    const zoned = text.replace('45",', '45Z",');
    expect(fast(zoned)).toEqual(parseIndex(zoned));
    // …which still reads the valid ones
    expect(parseIndex(text.replaceAll("\n", "\r\n"))).toEqual(parseIndex(text));
    expect(parseIndex(text.replace('2026-01-10T12:30:45"', '2026-01-10T12:30:45+00:00"'))).toEqual(parseIndex(text));
  });
});

it("reads [] and []\\n, and nothing else that short", () => {
  expect(fast("[]")).toEqual([]);
  expect(fast("[]\n")).toEqual([]);
  expect(fast("[ ]")).toBeUndefined();
  expect(fast("")).toBeUndefined();
  expect(fast("[")).toBeUndefined();
});

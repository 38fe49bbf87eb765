// The one hash of the seeded draws, XXH32, against xxHash's published sanity vectors and
// against a byte-by-byte transcription of its specification.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { xxh32 } from "../src/xxh32.js";
import { messageBytes, sanityBuffer, xxh32Bytes } from "./xxh32-reference.js";

// XSUM_XXH32_testdata in Cyan4973/xxHash cli/xsum_sanity_check.c: (length, seed, XXH32).
const PRIME32 = 2654435761;
const published: Array<[number, number, number]> = [
  [0, 0, 0x02cc5d05],
  [0, PRIME32, 0x36b78ae7],
  [1, 0, 0xcf65b03e],
  [1, PRIME32, 0xb4545aa4],
  [14, 0, 0x1208e7e2],
  [14, PRIME32, 0x6af1d1fe],
  [222, 0, 0x5bd11dbd],
  [222, PRIME32, 0x58803c5f],
];

/** The sampler's form of a byte string of even length ≥ 8: two words and a UTF-16LE string. */
function asMessage(bytes: Uint8Array): [number, number, string] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let text = "";
  for (let at = 8; at < bytes.length; at += 2) text += String.fromCharCode(view.getUint16(at, true));
  return [view.getUint32(0, true), view.getUint32(4, true), text];
}

describe("published vectors (xxHash sanity check)", () => {
  test.each(published)("length %i, seed %i: the transcription of the spec", (len, seed, want) => {
    expect(xxh32Bytes(sanityBuffer(len), seed)).toBe(want);
  });

  // The sampler's message form has 8 + 2m bytes: lengths 14 and 222 can be written in it.
  test.each(published.filter(([len]) => len >= 8))("length %i, seed %i: the sampler's xxh32", (len, seed, want) => {
    const [a, b, text] = asMessage(sanityBuffer(len));
    expect(xxh32(a, b, text, seed | 0) >>> 0).toBe(want);
  });
});

test("equals the transcription on random messages of every length class", { timeout: 60_000 }, () => {
  const unit = fc.integer({ min: 0, max: 0xffff });
  fc.assert(
    fc.property(
      fc.integer(),
      fc.integer(),
      fc.array(unit, { maxLength: 40 }).map((units) => String.fromCharCode(...units)),
      fc.integer(),
      (a, b, text, seed) => {
        expect(xxh32(a, b, text, seed) >>> 0).toBe(xxh32Bytes(messageBytes(a, b, text), seed >>> 0));
      },
    ),
    { numRuns: 3000 },
  );
});

test("store-like ids, lone surrogates and astral characters are hashed as their UTF-16LE bytes", () => {
  for (const text of ["", "a", "0123456789abcdef", "\ud800", "é🙂", "x".repeat(37), "\u0000\u0000"]) {
    expect(xxh32(1, -1, text, 7) >>> 0).toBe(xxh32Bytes(messageBytes(1, -1, text), 7));
  }
});

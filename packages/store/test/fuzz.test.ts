// Fuzzing across the layers: only typed errors, in bounded time.
import { CorpusCorruptError, decodeFrameBatch, encodeFrames } from "@replaykit/corpus";
import { IndexCorruptError, parseIndex, serializeIndex } from "@replaykit/index";
import { InstructionParseError, PreferenceParseError, parseInstructionBody, parsePreferenceBody } from "@replaykit/parsers";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { createSnapshot } from "../src/index.js";

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("fuzzing", () => {
  test("decodeFrame on 100,000 mutated frames: a snapshot or CorpusCorruptError, nothing else", async () => {
    const random = lcg(2026);
    const frames = await encodeFrames(
      Array.from({ length: 50 }, (_, i) =>
        createSnapshot({
          sectionType: i % 2 ? "prose" : "instruction",
          content: `fuzz ${i} `.repeat(i % 13),
          trainingRunsSeen: [i, i * 1000, i * 1e6],
          lastSeenAt: new Date(Date.UTC(2026, 0, 1 + i)),
        }),
      ),
    );
    let corrupt = 0;
    for (let round = 0; round < 100; round++) {
      const batch = Array.from({ length: 1000 }, () => {
        let bytes = Buffer.from(frames[Math.floor(random() * frames.length)]!);
        const edits = 1 + Math.floor(random() * 3);
        for (let e = 0; e < edits; e++) {
          const pos = Math.floor(random() * bytes.length);
          const kind = random();
          if (kind < 0.5) bytes[pos]! ^= 1 << Math.floor(random() * 8);
          else if (kind < 0.8) bytes[pos] = Math.floor(random() * 256);
          else if (kind < 0.9) bytes = bytes.subarray(0, pos);
          else bytes = Buffer.concat([bytes.subarray(0, pos), Buffer.from([Math.floor(random() * 256)]), bytes.subarray(pos)]);
        }
        return { bytes, at: { byteOffset: 0, length: bytes.length } };
      });
      const results = await decodeFrameBatch(batch);
      for (const r of results) {
        if (r instanceof Error) {
          expect(CorpusCorruptError.isInstance(r)).toBe(true);
          corrupt++;
        } else expect(typeof r.sectionId).toBe("string");
      }
    }
    expect(corrupt).toBeGreaterThan(50_000);
  }, 120_000);

  test("parseIndex on 10,000 mutated index texts: entries or IndexCorruptError", () => {
    const random = lcg(99);
    const text = serializeIndex(
      Array.from({ length: 8 }, (_, i) => ({
        sectionId: `${i}`.repeat(16).slice(0, 16),
        byteOffset: i * 100,
        length: 100,
        addedAt: new Date(Date.UTC(2026, 0, 1 + i)),
        weight: 1,
        ...(i % 2 ? { sectionType: "prose", autoMined: false, crc32: 123456 + i } : {}),
      })),
    );
    const alphabet = '[]{}",:0123456789.-eE aftruenl\\\n';
    for (let i = 0; i < 10_000; i++) {
      const chars = [...text];
      for (let e = 0; e < 1 + Math.floor(random() * 3); e++) {
        const pos = Math.floor(random() * chars.length);
        const kind = random();
        const c = alphabet[Math.floor(random() * alphabet.length)]!;
        if (kind < 0.4) chars[pos] = c;
        else if (kind < 0.7) chars.splice(pos, 1);
        else chars.splice(pos, 0, c);
      }
      try {
        const entries = parseIndex(chars.join(""), "fuzz.json");
        for (const e of entries) expect(e.addedAt).toBeInstanceOf(Date);
      } catch (error) {
        expect(IndexCorruptError.isInstance(error)).toBe(true);
      }
    }
  }, 120_000);

  test("both parsers on arbitrary strings: a result or their typed error", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 400 }),
        fc.string({ maxLength: 60 }).map((s) => s.split("|").join("\n### ")),
        (a, b) => {
          for (const body of [a, b, `### Q\n${a}\n### A\n${b}`, `### Prompt\n${b}\n### Chosen\n${a}\n### Rejected\n${a}`]) {
            try {
              parseInstructionBody(body, { sectionId: "0123456789abcdef" });
            } catch (e) {
              expect(InstructionParseError.isInstance(e)).toBe(true);
            }
            try {
              parsePreferenceBody(body, { sectionId: "0123456789abcdef" });
            } catch (e) {
              expect(PreferenceParseError.isInstance(e)).toBe(true);
            }
          }
        },
      ),
      { numRuns: 2000 },
    );
  }, 120_000);
});

import fc from "fast-check";
import { beforeAll, describe, expect, test } from "vitest";
import { decodePayload, decodePayloadWithCborg, encodePayload, loadCborg } from "../src/cbor.js";
import { CorpusCorruptError, createSnapshot, decodeFrame, encodeFrame, type SectionSnapshot } from "../src/index.js";

const YEAR_1 = -62135596800000;
const YEAR_9999_END = 253402300799000;
const wholeSecondDate = fc.integer({ min: YEAR_1 / 1000, max: YEAR_9999_END / 1000 }).map((s) => new Date(s * 1000));

const snapshotArb = fc
  .record({
    sectionType: fc.oneof(fc.constantFrom("prose", "instruction", "preference"), fc.stringMatching(/^[a-z][a-z0-9_-]{0,20}$/)),
    content: fc.oneof(
      fc.string({ unit: "grapheme", maxLength: 200 }),
      fc.string({ unit: "binary", maxLength: 200 }),
      fc.constant(""),
      fc.string({ maxLength: 5 }).map((s) => s.repeat(20_000)),
    ),
    sectionId: fc.option(fc.stringMatching(/^[0-9a-f]{16}$/), { nil: undefined }),
    autoMined: fc.boolean(),
    dates: fc.tuple(wholeSecondDate, wholeSecondDate).map(([a, b]) => (a <= b ? [a, b] : [b, a])),
    trainingRunsSeen: fc.array(fc.oneof(fc.nat(30), fc.nat(), fc.maxSafeNat()), { maxLength: 40 }),
  })
  .map(({ dates, ...rest }) => createSnapshot({ ...rest, firstSeenAt: dates[0], lastSeenAt: dates[1] }));

const plain = (s: SectionSnapshot) => ({
  ...s,
  firstSeenAt: s.firstSeenAt.getTime(),
  lastSeenAt: s.lastSeenAt.getTime(),
  trainingRunsSeen: [...s.trainingRunsSeen],
});

/** Byte edits at random places: set a byte, flip bits, cut the tail, insert a byte. */
const editsArb = (length: { minLength?: number; maxLength: number }) =>
  fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom("set", "xor", "cut", "insert")), length);

/** A copy of `original` with `edits` applied in order (a position wraps to the current length). */
function edited(original: Uint8Array, edits: ReadonlyArray<readonly [number, number, "set" | "xor" | "cut" | "insert"]>): Buffer {
  let bytes = Buffer.from(original);
  for (const [pos, value, kind] of edits) {
    const at = pos % Math.max(1, bytes.length);
    if (kind === "set") bytes[at] = value;
    else if (kind === "xor") bytes[at]! ^= value || 1;
    else if (kind === "cut") bytes = bytes.subarray(0, at);
    else bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([value]), bytes.subarray(at)]);
  }
  return bytes;
}

describe("properties", () => {
  // encodePayload, and decodePayload beyond the fixed-schema reader, need cborg loaded.
  beforeAll(loadCborg);
  test("any snapshot survives encode → decode", async () => {
    await fc.assert(
      fc.asyncProperty(snapshotArb, async (s) => {
        const back = await decodeFrame(await encodeFrame(s));
        expect(plain(back)).toEqual(plain(s));
      }),
      { numRuns: 300 },
    );
  });

  test("the payload is canonical: decode then encode gives the same bytes", () => {
    fc.assert(
      fc.property(snapshotArb, (s) => {
        const bytes = encodePayload(s);
        expect(Buffer.from(encodePayload(decodePayload(bytes))).equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  test("a payload in another valid CBOR layout (keys in insertion order) still decodes, through cborg", async () => {
    const { encode, Token, Type } = await import("cborg");
    fc.assert(
      fc.property(snapshotArb, (s) => {
        const payload = encode(
          {
            training_runs_seen: [...s.trainingRunsSeen],
            section_type: s.sectionType,
            section_id: s.sectionId,
            content: s.content,
            auto_mined: s.autoMined,
            first_seen_at: s.firstSeenAt,
            last_seen_at: s.lastSeenAt,
          },
          {
            mapSorter: () => 0,
            typeEncoders: { Date: (d: unknown) => [new Token(Type.tag, 0), new Token(Type.string, (d as Date).toISOString())] },
          },
        );
        expect(plain(decodePayload(payload))).toEqual(plain(s));
      }),
      { numRuns: 200 },
    );
  });

  // The fixed-schema reader must accept exactly what cborg accepts, with the same result or
  // the same error: checked on valid payloads, mutated ones and hand-made edge cases.
  const outcome = (decode: (b: Uint8Array) => SectionSnapshot, bytes: Uint8Array) => {
    try {
      return { ok: plain(decode(bytes)) };
    } catch (e) {
      const { name, message, reason } = e as { name: string; message: string; reason?: string };
      return { error: { name, message, reason } };
    }
  };
  const sameAsCborg = (bytes: Uint8Array) => expect(outcome(decodePayload, bytes)).toEqual(outcome(decodePayloadWithCborg, bytes));

  test("the fixed-schema reader agrees with cborg on every payload, valid or mutated", () => {
    fc.assert(
      fc.property(snapshotArb, editsArb({ maxLength: 3 }), (s, edits) => {
        const bytes = edited(encodePayload(s), edits);
        sameAsCborg(bytes);
        // The same bytes not in a Buffer (a caller's Uint8Array).
        sameAsCborg(new Uint8Array(bytes));
      }),
      { numRuns: 1000 },
    );
  }, 60_000);

  test("the fixed-schema reader leaves non-shortest heads, ill-formed UTF-8, a BOM and 8-byte integers to cborg", () => {
    const s = createSnapshot({ sectionType: "prose", content: "x".repeat(100), lastSeenAt: new Date("2026-01-01T00:00:00Z"), trainingRunsSeen: [3] });
    const good = Buffer.from(encodePayload(s));
    expect(plain(decodePayload(good))).toEqual(plain(s));
    const contentAt = good.indexOf("content") + 7; // the content's head: 0x78 0x64 (text of 100 bytes)
    expect([good[contentAt], good[contentAt + 1]]).toEqual([0x78, 100]);
    const splice = (at: number, remove: number, insert: number[]) => Buffer.concat([good.subarray(0, at), Buffer.from(insert), good.subarray(at + remove)]);
    const cases = [
      // content's length as a 2-byte head (not shortest)
      splice(contentAt, 2, [0x79, 0, 100]),
      // invalid UTF-8 in the content, and a byte order mark at its start
      splice(contentAt + 2, 2, [0xc3, 0x28]),
      splice(contentAt + 2, 3, [0xef, 0xbb, 0xbf]),
      // training_runs_seen [3] as a 1-byte head, as an 8-byte head, and a run too large for a safe integer
      splice(good.length - 1, 1, [0x18, 3]),
      splice(good.length - 1, 1, [0x1b, 0, 0, 0, 1, 0, 0, 0, 0]),
      splice(good.length - 1, 1, [0x1b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
      // a trailing byte, and the map cut short
      Buffer.concat([good, Buffer.from([0])]),
      good.subarray(0, good.length - 1),
      // a date that is not one
      Buffer.from(good.toString("latin1").replace("2026-01-01T00:00:00Z", "2026-02-30T00:00:00Z"), "latin1"),
    ];
    for (const bytes of cases) sameAsCborg(bytes);
    // Non-shortest heads are refused (cborg strict), a BOM is dropped by cborg's TextDecoder.
    expect(() => decodePayload(cases[0]!)).toThrow(/minimal|shortest|encoded/i);
    expect(decodePayload(cases[2]!).content).toBe("x".repeat(97));
    expect(() => decodePayload(cases[3]!)).toThrow(/more bytes than necessary/);
    expect(decodePayload(cases[4]!).trainingRunsSeen).toEqual([2 ** 32]);
  });

  test("a mutated frame decodes to a valid snapshot or fails with CorpusCorruptError, nothing else", async () => {
    await fc.assert(
      fc.asyncProperty(snapshotArb, editsArb({ minLength: 1, maxLength: 4 }), async (s, edits) => {
        const bytes = edited(await encodeFrame(s), edits);
        try {
          const back = await decodeFrame(bytes);
          // Whatever decodes must be a well-formed snapshot.
          createSnapshot({
            ...back,
            trainingRunsSeen: [...back.trainingRunsSeen],
            firstSeenAt: new Date(Math.floor(back.firstSeenAt.getTime() / 1000) * 1000),
            lastSeenAt: new Date(Math.max(Math.floor(back.firstSeenAt.getTime() / 1000) * 1000, Math.floor(back.lastSeenAt.getTime() / 1000) * 1000)),
          });
        } catch (e) {
          expect(CorpusCorruptError.isInstance(e)).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

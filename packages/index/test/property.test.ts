import { Buffer } from "node:buffer";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  formatIndexDate,
  formatPythonFloat,
  IndexCorruptError,
  parseIndex,
  parseIndexDate,
  serializeIndex,
  sortIndexEntries,
  type IndexEntry,
} from "../src/index.js";
import { fastParseIndex } from "../src/fast-parse.js";

const MIN_MS = Date.parse("0001-01-01T00:00:00Z");
const MAX_MS = Date.parse("9999-12-31T23:59:59.999Z");

const hexId = fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 16, maxLength: 16 });
// A small pool too, so that equal ids (and the stable order among them) come up.
const sectionId = fc.oneof(hexId, fc.constantFrom("0000000000000000", "8000000000000000", "ffffffffffffffff"));
const instant = fc.oneof(
  fc.integer({ min: MIN_MS, max: MAX_MS }),
  fc.integer({ min: 1_700_000_000, max: 1_900_000_000 }).map((s) => s * 1000), // whole seconds, as stores write
);
const weight = fc.oneof(fc.constant(1), fc.constant(0), fc.double({ min: 0, max: 1e300, noNaN: true, noDefaultInfinity: true }), fc.nat(1_000_000));
const entry: fc.Arbitrary<IndexEntry> = fc.record(
  {
    sectionId,
    byteOffset: fc.maxSafeNat(),
    length: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    addedAt: instant.map((ms) => new Date(ms)),
    weight,
    sectionType: fc.stringMatching(/^[a-z][a-z0-9_-]{0,11}$/),
    autoMined: fc.boolean(),
    crc32: fc.nat(0xffff_ffff).chain((n) => fc.constantFrom(n, 0, 0xffff_ffff)),
  },
  { requiredKeys: ["sectionId", "byteOffset", "length", "addedAt", "weight"] },
);
const entries = fc.array(entry, { maxLength: 25 });

/** Random edits of a text: the mutations a damaged or hand-edited index.json shows. */
const edits = fc.array(
  fc.record({
    kind: fc.constantFrom("delete", "insert", "replace", "duplicate", "truncate", "swap"),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 40 }),
    char: fc.constantFrom(...'[]{}",:0123456789abcdef-+.eE \n\r\tTZtrnul\\x_', "\u00e9", "\u2028", "\uFEFF"),
  }),
  { minLength: 1, maxLength: 4 },
);

function mutate(text: string, list: Array<{ kind: string; at: number; length: number; char: string }>): string {
  let t = text;
  for (const { kind, at, length, char } of list) {
    const i = t.length === 0 ? 0 : at % t.length;
    if (kind === "delete") t = t.slice(0, i) + t.slice(i + length);
    else if (kind === "insert") t = t.slice(0, i) + char + t.slice(i);
    else if (kind === "replace") t = t.slice(0, i) + char + t.slice(i + 1);
    else if (kind === "duplicate") t = t.slice(0, i + length) + t.slice(i, i + length) + t.slice(i + length);
    else if (kind === "truncate") t = t.slice(0, i);
    else {
      const j = (i + length) % Math.max(1, t.length);
      const [a, b] = i < j ? [i, j] : [j, i];
      t = t.slice(0, a) + t.slice(b, b + 1) + t.slice(a + 1, b) + t.slice(a, a + 1) + t.slice(b + 1);
    }
  }
  return t;
}

/** What an entry reads back as: weight 1 when absent, only the keys it carries. */
function normalized(e: IndexEntry): IndexEntry {
  const out: Record<string, unknown> = { sectionId: e.sectionId, byteOffset: e.byteOffset, length: e.length, addedAt: e.addedAt, weight: e.weight };
  if (e.sectionType !== undefined) out["sectionType"] = e.sectionType;
  if (e.autoMined !== undefined) out["autoMined"] = e.autoMined;
  if (e.crc32 !== undefined) out["crc32"] = e.crc32;
  return out as unknown as IndexEntry;
}

describe("round trips", () => {
  it("parseIndex(serializeIndex(x)) is x in index order", () => {
    fc.assert(
      fc.property(entries, (xs) => {
        const text = serializeIndex(xs);
        const back = parseIndex(text);
        expect(back).toEqual(sortIndexEntries(xs).map(normalized));
        expect(serializeIndex(back)).toBe(text);
        expect(fastParseIndex(Buffer.from(text, "latin1"))).toEqual(back);
      }),
      { numRuns: 300 },
    );
  });

  it("the same entries in any order give the same bytes (ids unique)", () => {
    const unique = fc.uniqueArray(entry, { selector: (e) => e.sectionId, maxLength: 25 });
    fc.assert(
      fc.property(unique, fc.infiniteStream(fc.double({ min: 0, max: 1, noNaN: true })), (xs, noise) => {
        const shuffled = xs
          .map((x) => [noise.next().value, x] as const)
          .sort((a, b) => a[0] - b[0])
          .map(([, x]) => x);
        expect(serializeIndex(shuffled)).toBe(serializeIndex(xs));
      }),
    );
  });

  it("dates survive formatIndexDate → parseIndexDate to the millisecond", () => {
    fc.assert(
      fc.property(fc.integer({ min: MIN_MS, max: MAX_MS }), (ms) => {
        const text = formatIndexDate(new Date(ms));
        expect(text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}000)?$/);
        expect(parseIndexDate(text!)?.getTime()).toBe(ms);
        expect(parseIndexDate(`${text}Z`)?.getTime()).toBe(ms);
      }),
      { numRuns: 1000 },
    );
  });

  it("Python-style float text reads back as the same double", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const text = formatPythonFloat(x);
        expect(text).toMatch(/^-?\d+(\.\d+)?(e[+-]\d\d+)?$/);
        expect(text).toMatch(/\.|e/); // always a float, never an int
        expect(Object.is(Number(text), x)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("damaged index text", () => {
  it("only ever parses to valid entries or throws IndexCorruptError", () => {
    fc.assert(
      fc.property(entries, edits, (xs, list) => {
        const text = mutate(serializeIndex(xs), list);
        let parsed: IndexEntry[];
        try {
          parsed = parseIndex(text, "index.json");
        } catch (error) {
          expect(IndexCorruptError.isInstance(error)).toBe(true);
          expect((error as IndexCorruptError).path).toBe("index.json");
          return;
        }
        // Whatever was accepted can be written back and reads the same.
        expect(parseIndex(serializeIndex(parsed))).toEqual(sortIndexEntries(parsed));
      }),
      { numRuns: 1500 },
    );
  });

  it("the fast path accepts nothing the general path would read differently", () => {
    fc.assert(
      fc.property(entries, edits, (xs, list) => {
        const text = mutate(serializeIndex(xs), list);
        if (Buffer.byteLength(text) !== text.length) return; // the fast path only sees ASCII
        const fast = fastParseIndex(Buffer.from(text, "latin1"));
        if (fast === undefined) return;
        expect(parseIndex(text)).toEqual(fast);
      }),
      { numRuns: 1500 },
    );
  });

  it("random bytes are IndexCorruptError, never another error", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          parseIndex(text);
        } catch (error) {
          expect(IndexCorruptError.isInstance(error)).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

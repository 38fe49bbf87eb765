import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { formatIndexDate, formatPythonFloat, IndexEntryInvalidError, parseIndex, serializeIndex, sortIndexEntries, type IndexEntry } from "../src/index.js";

const floats = JSON.parse(await readFile(new URL("vectors/python-floats.json", import.meta.url), "utf8")) as [string, string][];
const dates = JSON.parse(await readFile(new URL("vectors/python-dates.json", import.meta.url), "utf8")) as [number, string][];

function fromBits(hex: string): number {
  return Buffer.from(hex, "hex").readDoubleBE(0);
}

const base: IndexEntry = {
  sectionId: "0123456789abcdef",
  byteOffset: 0,
  length: 10,
  addedAt: new Date("2026-01-10T12:30:45Z"),
  weight: 1,
};

describe("serializeIndex: the reference's exact layout", () => {
  it("writes [] and a newline for no entries, as json.dumps([], indent=2) + '\\n'", () => {
    expect(serializeIndex([])).toBe("[]\n");
  });

  it("writes a dlm entry with sorted keys, 2-space indent and a float weight", () => {
    expect(serializeIndex([base])).toBe(
      '[\n  {\n    "added_at": "2026-01-10T12:30:45",\n    "byte_offset": 0,\n    "length": 10,\n' +
        '    "section_id": "0123456789abcdef",\n    "weight": 1.0\n  }\n]\n',
    );
  });

  it("writes replaykit's keys only for entries that carry them, in sorted key order", () => {
    const text = serializeIndex([{ ...base, sectionType: "prose", autoMined: false, crc32: 4_294_967_295 }]);
    expect(text).toBe(
      '[\n  {\n    "added_at": "2026-01-10T12:30:45",\n    "auto_mined": false,\n    "byte_offset": 0,\n' +
        '    "crc32": 4294967295,\n    "length": 10,\n    "section_id": "0123456789abcdef",\n' +
        '    "section_type": "prose",\n    "weight": 1.0\n  }\n]\n',
    );
    const keys = (t: string) => Object.keys((JSON.parse(t) as object[])[0]!);
    expect(keys(serializeIndex([{ ...base, crc32: 7 }]))).toEqual(["added_at", "byte_offset", "crc32", "length", "section_id", "weight"]);
    expect(keys(serializeIndex([{ ...base, autoMined: true }]))).toEqual(["added_at", "auto_mined", "byte_offset", "length", "section_id", "weight"]);
    // undefined is "not carried"
    expect(keys(serializeIndex([{ ...base, sectionType: undefined, autoMined: undefined, crc32: undefined }]))).toEqual([
      "added_at",
      "byte_offset",
      "length",
      "section_id",
      "weight",
    ]);
  });

  it("writes milliseconds as Python's 6-digit microseconds, and none for whole seconds", () => {
    const at = (iso: string) => serializeIndex([{ ...base, addedAt: new Date(iso) }]).split("\n")[2];
    expect(at("2026-01-10T12:30:45.000Z")).toBe('    "added_at": "2026-01-10T12:30:45",');
    expect(at("2026-01-10T12:30:45.5Z")).toBe('    "added_at": "2026-01-10T12:30:45.500000",');
    expect(at("2026-01-10T12:30:45.007Z")).toBe('    "added_at": "2026-01-10T12:30:45.007000",');
  });

  it("writes integers as integers, up to the largest safe integer", () => {
    const text = serializeIndex([{ ...base, byteOffset: Number.MAX_SAFE_INTEGER, length: 2 ** 31, crc32: 2 ** 31 }]);
    expect(text).toContain('"byte_offset": 9007199254740991,');
    expect(text).toContain('"length": 2147483648,');
    expect(text).toContain('"crc32": 2147483648,');
  });

  it("treats a missing weight as 1", () => {
    const { weight: _, ...noWeight } = base;
    expect(serializeIndex([noWeight as IndexEntry])).toBe(serializeIndex([base]));
  });

  it("ignores properties that are not index fields", () => {
    expect(serializeIndex([{ ...base, extra: "x" } as IndexEntry])).toBe(serializeIndex([base]));
  });
});

describe("serializeIndex: order and determinism", () => {
  const ids = ["ffffffffffffffff", "0000000000000000", "a0a0a0a0a0a0a0a0", "0a0a0a0a0a0a0a0a", "9999999999999999"];
  const entries = ids.map((sectionId, i) => ({ ...base, sectionId, byteOffset: i * 10 }));

  it("sorts by section id", () => {
    const out = parseIndex(serializeIndex(entries)).map((e) => e.sectionId);
    expect(out).toEqual([...ids].sort());
  });

  it("writes the same bytes for the same entries in any order", () => {
    const text = serializeIndex(entries);
    expect(serializeIndex(entries.slice().reverse())).toBe(text);
    expect(serializeIndex([entries[2]!, entries[0]!, entries[4]!, entries[1]!, entries[3]!])).toBe(text);
  });

  it("keeps entries with the same section id in input order (stable)", () => {
    const same = [0, 1, 2, 3].map((k) => ({ ...base, sectionId: "5555555555555555", byteOffset: 100 + k }));
    const mixed = [entries[0]!, same[0]!, entries[1]!, same[1]!, same[2]!, entries[2]!, same[3]!];
    const out = parseIndex(serializeIndex(mixed)).filter((e) => e.sectionId === "5555555555555555");
    expect(out.map((e) => e.byteOffset)).toEqual([100, 101, 102, 103]);
  });

  it("sorts large inputs (the radix path) stably too", () => {
    const many: IndexEntry[] = [];
    for (let i = 0; i < 10_000; i++) {
      const id = ((i * 2_654_435_761) >>> 0).toString(16).padStart(8, "0").repeat(2).slice(0, 16);
      many.push({ ...base, sectionId: i % 7 === 0 ? "7777777777777777" : id, byteOffset: i });
    }
    const out = parseIndex(serializeIndex(many));
    const expected = sortIndexEntries(many);
    expect(out.map((e) => `${e.sectionId}:${e.byteOffset}`)).toEqual(expected.map((e) => `${e.sectionId}:${e.byteOffset}`));
  });

  it("sortIndexEntries is stable and leaves its input alone", () => {
    const input = [
      { ...base, sectionId: "bbbbbbbbbbbbbbbb", byteOffset: 1 },
      { ...base, sectionId: "aaaaaaaaaaaaaaaa", byteOffset: 2 },
      { ...base, sectionId: "bbbbbbbbbbbbbbbb", byteOffset: 3 },
    ];
    expect(sortIndexEntries(input).map((e) => e.byteOffset)).toEqual([2, 1, 3]);
    expect(input.map((e) => e.byteOffset)).toEqual([1, 2, 3]);
  });
});

describe("formatPythonFloat: Python's repr(float)", () => {
  it(`matches CPython for ${floats.length} doubles`, () => {
    for (const [bits, repr] of floats) expect(formatPythonFloat(fromBits(bits))).toBe(repr);
  });

  it("is what serializeIndex writes for weight", () => {
    for (const [bits, repr] of floats) {
      const w = fromBits(bits);
      if (!(w >= 0)) continue;
      expect(serializeIndex([{ ...base, weight: w }])).toContain(`"weight": ${repr}\n`);
    }
  });
});

describe("formatIndexDate: Python's naive isoformat()", () => {
  it(`matches CPython for ${dates.length} instants, years 0001 to 9999`, () => {
    for (const [ms, iso] of dates) expect(formatIndexDate(new Date(ms))).toBe(iso);
  });

  it("refuses what Python cannot write", () => {
    expect(formatIndexDate(new Date(Number.NaN))).toBeUndefined();
    expect(formatIndexDate(new Date(Date.parse("0001-01-01T00:00:00Z") - 1))).toBeUndefined();
    expect(formatIndexDate(new Date("+010000-01-01T00:00:00Z"))).toBeUndefined();
  });
});

describe("serializeIndex: bad entries", () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ["uppercase id", { sectionId: "0123456789ABCDEF" }, "sectionId"],
    ["short id", { sectionId: "0123" }, "sectionId"],
    ["id not a string", { sectionId: 12 }, "sectionId"],
    ["negative offset", { byteOffset: -1 }, "byteOffset"],
    ["fractional offset", { byteOffset: 1.5 }, "byteOffset"],
    ["unsafe offset", { byteOffset: 2 ** 53 }, "byteOffset"],
    ["offset as string", { byteOffset: "0" }, "byteOffset"],
    ["zero length", { length: 0 }, "length"],
    ["NaN length", { length: Number.NaN }, "length"],
    ["invalid date", { addedAt: new Date(Number.NaN) }, "addedAt"],
    ["date as string", { addedAt: "2026-01-01T00:00:00" }, "addedAt"],
    ["date as number", { addedAt: 0 }, "addedAt"],
    ["year 10000", { addedAt: new Date("+010000-01-01T00:00:00Z") }, "addedAt"],
    ["negative weight", { weight: -0.5 }, "weight"],
    ["infinite weight", { weight: Number.POSITIVE_INFINITY }, "weight"],
    ["NaN weight", { weight: Number.NaN }, "weight"],
    ["bad section type", { sectionType: "Prose" }, "sectionType"],
    ["empty section type", { sectionType: "" }, "sectionType"],
    ["autoMined not boolean", { autoMined: 1 }, "autoMined"],
    ["crc32 too big", { crc32: 2 ** 32 }, "crc32"],
    ["negative crc32", { crc32: -1 }, "crc32"],
    ["fractional crc32", { crc32: 0.5 }, "crc32"],
  ];
  it.each(cases)("%s → IndexEntryInvalidError naming the entry and field", (_, patch, field) => {
    const entries = [base, { ...base, ...patch }];
    let error: unknown;
    try {
      serializeIndex(entries as IndexEntry[]);
    } catch (e) {
      error = e;
    }
    expect(IndexEntryInvalidError.isInstance(error)).toBe(true);
    const err = error as IndexEntryInvalidError;
    expect(err.code).toBe("INDEX_ENTRY_INVALID");
    expect(err.entry).toBe(1);
    expect(err.field).toBe(field);
    expect(err.message).toContain("entry 1 (0-based)");
  });

  it("rejects a non-object entry and a non-array", () => {
    expect(() => serializeIndex([base, null as unknown as IndexEntry])).toThrow(
      expect.objectContaining({ code: "INDEX_ENTRY_INVALID", entry: 1, field: undefined }),
    );
    for (const bad of [{}, null, undefined, "[]", 5]) {
      expect(() => serializeIndex(bad as unknown as IndexEntry[])).toThrow(
        expect.objectContaining({ code: "INDEX_ARGUMENT", argument: "entries", name: "IndexArgumentError" }),
      );
    }
  });

  it("accepts weight 0 and -0 (written as Python writes them)", () => {
    expect(serializeIndex([{ ...base, weight: 0 }])).toContain('"weight": 0.0\n');
    expect(serializeIndex([{ ...base, weight: -0 }])).toContain('"weight": -0.0\n');
  });
});

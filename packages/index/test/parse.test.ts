import { describe, expect, it } from "vitest";
import { IndexCorruptError, parseIndex, parseIndexDate, serializeIndex } from "../src/index.js";

const VALID: Record<string, string> = {
  added_at: '"2026-01-10T12:30:45"',
  byte_offset: "0",
  length: "188",
  section_id: '"d5c79a46bf6fa7d6"',
  weight: "1.0",
};
const DELETE = Symbol("delete");

/** An index of two entries, the second with `key` set to the raw JSON `raw` (or removed). */
function withField(key: string, raw: string | typeof DELETE): string {
  const second = new Map(Object.entries(VALID)); // a Map, so "__proto__" is a key like any other
  if (raw === DELETE) second.delete(key);
  else second.set(key, raw);
  const object = (o: Map<string, string>) =>
    `  {\n${[...o.keys()]
      .sort()
      .map((k) => `    ${JSON.stringify(k)}: ${o.get(k)}`)
      .join(",\n")}\n  }`;
  return `[\n${object(new Map(Object.entries(VALID)))},\n${object(second)}\n]\n`;
}

function corruptionOf(text: string, source = "store/index.json"): IndexCorruptError {
  try {
    parseIndex(text, source);
  } catch (error) {
    expect(IndexCorruptError.isInstance(error)).toBe(true);
    expect(error).toBeInstanceOf(IndexCorruptError);
    return error as IndexCorruptError;
  }
  throw new Error(`expected IndexCorruptError for ${JSON.stringify(text)}`);
}

describe("parseIndex: accepted input", () => {
  it("reads a canonical dlm index", () => {
    expect(parseIndex(withField("weight", "1.0"))[1]).toEqual({
      sectionId: "d5c79a46bf6fa7d6",
      byteOffset: 0,
      length: 188,
      addedAt: new Date("2026-01-10T12:30:45Z"),
      weight: 1,
    });
  });

  it("reads [] (with or without whitespace) as no entries", () => {
    for (const text of ["[]", "[]\n", " [ ]\r\n", "[\n]"]) expect(parseIndex(text)).toEqual([]);
  });

  it("defaults a missing weight to 1 and accepts integer and zero weights", () => {
    expect(parseIndex(withField("weight", DELETE))[1]!.weight).toBe(1);
    expect(parseIndex(withField("weight", "2"))[1]!.weight).toBe(2);
    expect(parseIndex(withField("weight", "0.0"))[1]!.weight).toBe(0);
    expect(parseIndex(withField("weight", "1e-05"))[1]!.weight).toBe(1e-5);
  });

  it("reads any JSON layout and key order to the same entries", () => {
    const canonical = parseIndex(withField("weight", "1.0"));
    const compact = JSON.stringify(JSON.parse(withField("weight", "1.0")));
    expect(parseIndex(compact)).toEqual(canonical);
    const shuffled = `[${[0, 1]
      .map(() => `{"weight":1.0,"section_id":"d5c79a46bf6fa7d6","length":188,"byte_offset":0,"added_at":"2026-01-10T12:30:45"}`)
      .join(" , ")}]`;
    expect(parseIndex(shuffled)).toEqual(canonical);
    expect(parseIndex(withField("weight", "1.0").replaceAll("\n", "\r\n"))).toEqual(canonical);
    expect(parseIndex(`${withField("weight", "1.0")}\n\n  `)).toEqual(canonical);
    // a JSON escape in a string is still the same string
    expect(parseIndex(withField("section_id", '"\\u00645c79a46bf6fa7d6"'))).toEqual(canonical);
  });

  it("reads replaykit's optional keys", () => {
    const text = withField("section_type", '"preference"').replace(
      '"weight": 1.0\n  }\n]',
      '"weight": 1.0,\n    "auto_mined": true,\n    "crc32": 4294967295\n  }\n]',
    );
    const entry = parseIndex(text)[1]!;
    expect(entry).toMatchObject({ sectionType: "preference", autoMined: true, crc32: 4_294_967_295 });
  });

  it("takes the last of duplicate keys, as JSON.parse and Python do", () => {
    const text = withField("weight", "1.0").replace('"added_at"', '"weight": 5, "added_at"');
    expect(parseIndex(text)[1]!.weight).toBe(1);
  });

  it("round-trips a canonical file through parse and serialize", () => {
    const text = withField("weight", "0.5");
    expect(serializeIndex(parseIndex(text))).toBe(text);
  });
});

describe("parseIndex: dates", () => {
  const accepted: Array<[string, string]> = [
    ["2026-01-10T12:30:45", "2026-01-10T12:30:45.000Z"],
    ["2026-01-10T12:30:45Z", "2026-01-10T12:30:45.000Z"],
    ["2026-01-10T12:30:45+00:00", "2026-01-10T12:30:45.000Z"],
    ["2026-01-10T12:30:45-00:00", "2026-01-10T12:30:45.000Z"],
    ["2026-01-10T12:30:45+05:30", "2026-01-10T07:00:45.000Z"],
    ["2026-01-10T02:30:45-08:00", "2026-01-10T10:30:45.000Z"],
    ["2026-01-10T12:30:45.5", "2026-01-10T12:30:45.500Z"],
    ["2026-01-10T12:30:45.123456", "2026-01-10T12:30:45.123Z"],
    ["2026-01-10T12:30:45.999999Z", "2026-01-10T12:30:45.999Z"],
    ["2024-02-29T23:59:59", "2024-02-29T23:59:59.000Z"],
    ["2000-02-29T00:00:00", "2000-02-29T00:00:00.000Z"],
    ["0001-01-01T00:00:00", "0001-01-01T00:00:00.000Z"],
    ["0099-06-15T00:00:00", "0099-06-15T00:00:00.000Z"],
    ["9999-12-31T23:59:59.999999", "9999-12-31T23:59:59.999Z"],
  ];
  it.each(accepted)("%s → %s", (text, iso) => {
    expect(parseIndexDate(text)?.toISOString()).toBe(iso);
    expect(parseIndex(withField("added_at", JSON.stringify(text)))[1]!.addedAt.toISOString()).toBe(iso);
  });

  const rejected = [
    "2026-02-30T00:00:00",
    "2023-02-29T00:00:00",
    "1900-02-29T00:00:00",
    "2026-04-31T00:00:00",
    "2026-13-01T00:00:00",
    "2026-00-01T00:00:00",
    "2026-01-00T00:00:00",
    "2026-01-01T24:00:00",
    "2026-01-01T00:60:00",
    "2026-01-01T00:00:60",
    "0000-01-01T00:00:00",
    "0001-01-01T00:00:00+00:01",
    "9999-12-31T23:59:59-00:01",
    "2026-01-01 00:00:00",
    "2026-01-01t00:00:00",
    "2026-01-01T00:00:00z",
    "2026-01-01",
    "2026-01-01T00:00",
    "2026-1-01T00:00:00",
    "26-01-01T00:00:00",
    "+02026-01-01T00:00:00",
    "2026-01-01T00:00:00.",
    "2026-01-01T00:00:00.1234567",
    "2026-01-01T00:00:00,5",
    "2026-01-01T00:00:00+0100",
    "2026-01-01T00:00:00+01",
    "2026-01-01T00:00:00+24:00",
    "2026-01-01T00:00:00+01:60",
    "2026-01-01T00:00:00Z+01:00",
    " 2026-01-01T00:00:00",
    "2026-01-01T00:00:00 ",
    "2026-01-01T00:00:00\u0000",
    "２026-01-01T00:00:00",
    "",
  ];
  it.each(rejected)("rejects %j", (text) => {
    expect(parseIndexDate(text)).toBeUndefined();
    const error = corruptionOf(withField("added_at", JSON.stringify(text)));
    expect(error).toMatchObject({ code: "INDEX_CORRUPT", path: "store/index.json", entry: 1, field: "added_at" });
  });
});

describe("parseIndex: malformed entries name the file, the entry (0-based) and the key", () => {
  const cases: Array<[string, string, string | typeof DELETE]> = [
    ["section_id", "missing", DELETE],
    ["section_id", "a number", "123"],
    ["section_id", "null", "null"],
    ["section_id", "uppercase hex", '"D5C79A46BF6FA7D6"'],
    ["section_id", "15 characters", '"d5c79a46bf6fa7d"'],
    ["section_id", "17 characters", '"d5c79a46bf6fa7d6a"'],
    ["section_id", "not hex", '"g5c79a46bf6fa7d6"'],
    ["byte_offset", "missing", DELETE],
    ["byte_offset", "negative", "-1"],
    ["byte_offset", "fractional", "1.5"],
    ["byte_offset", "beyond 2^53", "9007199254740993"],
    ["byte_offset", "huge", "1e300"],
    ["byte_offset", "a string", '"0"'],
    ["byte_offset", "true", "true"],
    ["byte_offset", "null", "null"],
    ["length", "missing", DELETE],
    ["length", "zero", "0"],
    ["length", "negative", "-188"],
    ["length", "fractional", "0.5"],
    ["length", "an array", "[188]"],
    ["added_at", "missing", DELETE],
    ["added_at", "a number", "1767000000"],
    ["added_at", "null", "null"],
    ["weight", "negative", "-1.0"],
    ["weight", "negative zero point one", "-0.1"],
    ["weight", "infinite (1e400)", "1e400"],
    ["weight", "a string", '"1.0"'],
    ["weight", "null", "null"],
    ["weight", "a boolean", "true"],
    ["section_type", "empty", '""'],
    ["section_type", "uppercase", '"Prose"'],
    ["section_type", "leading digit", '"1prose"'],
    ["section_type", "a space", '"pro se"'],
    ["section_type", "a number", "5"],
    ["section_type", "null", "null"],
    ["auto_mined", "a string", '"true"'],
    ["auto_mined", "a number", "1"],
    ["auto_mined", "null", "null"],
    ["crc32", "negative", "-1"],
    ["crc32", "2^32", "4294967296"],
    ["crc32", "fractional", "1.5"],
    ["crc32", "a string", '"0"'],
    ["extra", "an unknown key", "1"],
    ["sectionId", "a camelCase key", '"d5c79a46bf6fa7d6"'],
    ["__proto__", "a __proto__ key", "{}"],
  ];
  it.each(cases)("%s %s", (key, _, raw) => {
    const error = corruptionOf(withField(key, raw));
    expect(error.code).toBe("INDEX_CORRUPT");
    expect(error.path).toBe("store/index.json");
    expect(error.entry).toBe(1);
    expect(error.field).toBe(key);
    expect(error.message).toContain("store/index.json");
    expect(error.message).toContain("entry 1 (0-based)");
    expect(error.message).toContain(`"${key}"`);
  });

  it("names the section when its id is valid", () => {
    expect(corruptionOf(withField("length", "0")).sectionId).toBe("d5c79a46bf6fa7d6");
    expect(corruptionOf(withField("section_id", "1")).sectionId).toBeUndefined();
  });
});

describe("parseIndex: malformed documents", () => {
  const cases: Array<[string, string]> = [
    ["empty text", ""],
    ["whitespace", "  \n"],
    ["truncated", '[\n  {\n    "added_at": "2026-01-10T12:30:45",'],
    ["a trailing comma", '[{"added_at": "2026-01-10T12:30:45", "byte_offset": 0, "length": 1, "section_id": "d5c79a46bf6fa7d6"},]'],
    ["a byte-order mark", `\uFEFF${withField("weight", "1.0")}`],
    ["NaN", withField("weight", "NaN")],
    ["Infinity", withField("weight", "Infinity")],
    ["single quotes", "['x']"],
    ["garbage after the array", "[] x"],
    ["not JSON at all", "index"],
  ];
  it.each(cases)("%s → no entry, no field", (_, text) => {
    const error = corruptionOf(text);
    expect(error).toMatchObject({ code: "INDEX_CORRUPT", path: "store/index.json", entry: undefined, field: undefined });
    expect(error.message).toMatch(/not valid JSON/);
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it.each([
    ["an object", "{}"],
    ["null", "null"],
    ["a number", "1"],
    ["a string", '"[]"'],
  ])("%s at the top → not an array", (_, text) => {
    const error = corruptionOf(text);
    expect(error).toMatchObject({ code: "INDEX_CORRUPT", path: "store/index.json", entry: undefined, field: undefined });
    expect(error.message).toMatch(/JSON array/);
  });

  it.each([
    ["a number", "[1]"],
    ["null", "[null]"],
    ["an array", "[[]]"],
    ["a string", '["d5c79a46bf6fa7d6"]'],
  ])("an entry that is %s → entry 0, no field", (_, text) => {
    expect(corruptionOf(text)).toMatchObject({ code: "INDEX_CORRUPT", entry: 0, field: undefined });
  });

  it("has no path when parseIndex gets no source", () => {
    try {
      parseIndex("{}");
    } catch (error) {
      expect((error as IndexCorruptError).path).toBeUndefined();
      expect((error as IndexCorruptError).message).toMatch(/^corrupt index: /);
    }
    expect.assertions(2);
  });

  it("rejects a non-string argument with IndexArgumentError naming it", () => {
    for (const bad of [Buffer.from("[]"), 5, null, undefined, {}]) {
      expect(() => parseIndex(bad as unknown as string)).toThrow(expect.objectContaining({ code: "INDEX_ARGUMENT", argument: "text" }));
    }
    expect(() => parseIndex("[]", 5 as unknown as string)).toThrow(expect.objectContaining({ code: "INDEX_ARGUMENT", argument: "source" }));
    expect(parseIndex("[]", undefined)).toEqual([]);
  });
});

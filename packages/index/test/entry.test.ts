import { describe, expect, it } from "vitest";
import { isSectionId as corpusIsSectionId } from "@replaykit/corpus";
import {
  entryFor,
  formatIndexDate,
  formatPythonFloat,
  hasReplaykitKeys,
  indexFormatOf,
  isSectionId,
  isSectionType,
  parseIndex,
  parseIndexDate,
  serializeIndex,
  sortIndexEntries,
  toDlmEntry,
  type IndexEntry,
} from "../src/index.js";

const dlm: IndexEntry = { sectionId: "0123456789abcdef", byteOffset: 0, length: 1, addedAt: new Date(0), weight: 1 };

describe("indexFormatOf", () => {
  it("is undefined for an empty index, dlm without replaykit keys, replaykit with any", () => {
    expect(indexFormatOf([])).toBeUndefined();
    expect(indexFormatOf([dlm, dlm])).toBe("dlm");
    expect(indexFormatOf([dlm, { ...dlm, crc32: 1 }])).toBe("replaykit");
    expect(indexFormatOf([{ ...dlm, sectionType: "prose" }])).toBe("replaykit");
    expect(indexFormatOf([{ ...dlm, autoMined: false }])).toBe("replaykit");
    expect(indexFormatOf([{ ...dlm, sectionType: undefined }])).toBe("dlm");
  });

  it("hasReplaykitKeys looks at one entry", () => {
    expect(hasReplaykitKeys(dlm)).toBe(false);
    expect(hasReplaykitKeys({ ...dlm, autoMined: false })).toBe(true);
  });
});

describe("toDlmEntry", () => {
  it("drops replaykit's keys and keeps the rest", () => {
    const full = { ...dlm, sectionType: "prose", autoMined: true, crc32: 5 };
    expect(toDlmEntry(full)).toEqual(dlm);
    expect(Object.keys(toDlmEntry(full))).toEqual(["sectionId", "byteOffset", "length", "addedAt", "weight"]);
  });
});

describe("shape checks", () => {
  it("isSectionId: 16 lowercase hex characters", () => {
    expect(isSectionId("0123456789abcdef")).toBe(true);
    for (const bad of ["0123456789ABCDEF", "0123456789abcde", "0123456789abcdef0", "0123456789abcdeg", "", 5, null]) {
      expect(isSectionId(bad)).toBe(false);
    }
  });

  it("isSectionType: /^[a-z][a-z0-9_-]*$/", () => {
    for (const good of ["prose", "instruction", "preference", "chat-turn", "x_1", "a"]) expect(isSectionType(good)).toBe(true);
    for (const bad of ["", "Prose", "1x", "-x", "pro se", "prosé", 3, undefined]) expect(isSectionType(bad)).toBe(false);
  });
});

describe("entryFor", () => {
  const fields = {
    sectionId: "0123456789abcdef",
    byteOffset: 188,
    length: 20,
    addedAt: new Date("2026-01-10T12:30:45Z"),
    sectionType: "prose",
    autoMined: true,
    crc32: 7,
  };

  it("gives the dlm shape: the reference's keys only, weight 1 by default", () => {
    const entry = entryFor("dlm", fields);
    expect(Object.keys(entry)).toEqual(["sectionId", "byteOffset", "length", "addedAt", "weight"]);
    expect(entry).toEqual({ sectionId: "0123456789abcdef", byteOffset: 188, length: 20, addedAt: fields.addedAt, weight: 1 });
    expect(indexFormatOf([entry])).toBe("dlm");
    expect(entryFor("dlm", { ...fields, weight: 0.5 }).weight).toBe(0.5);
  });

  it("gives the replaykit shape, with crc32 only when given", () => {
    const entry = entryFor("replaykit", fields);
    expect(entry).toEqual({ ...fields, weight: 1 });
    expect(indexFormatOf([entry])).toBe("replaykit");
    const { crc32: _, ...withoutCrc } = fields;
    expect("crc32" in entryFor("replaykit", withoutCrc)).toBe(false);
  });

  it("builds entries that save and read back unchanged, in either format", () => {
    for (const format of ["dlm", "replaykit"] as const) {
      const entry = entryFor(format, fields);
      expect(parseIndex(serializeIndex([entry]))).toEqual([entry]);
    }
  });

  it("rejects a bad format or fields with IndexArgumentError naming the argument", () => {
    for (const bad of ["v2", undefined, null, 1]) {
      expect(() => entryFor(bad as unknown as "dlm", fields)).toThrow(
        expect.objectContaining({ code: "INDEX_ARGUMENT", argument: "format", functionName: "entryFor" }),
      );
    }
    for (const bad of [null, undefined, 5, "x", []]) {
      expect(() => entryFor("dlm", bad as unknown as typeof fields)).toThrow(expect.objectContaining({ code: "INDEX_ARGUMENT", argument: "fields" }));
    }
  });

  it("rejects fields that cannot be written with IndexEntryInvalidError naming the field", () => {
    const cases: Array<[string, Record<string, unknown>, "dlm" | "replaykit"]> = [
      ["sectionId", { sectionId: "XYZ" }, "dlm"],
      ["byteOffset", { byteOffset: -1 }, "dlm"],
      ["length", { length: 0 }, "dlm"],
      ["addedAt", { addedAt: new Date(Number.NaN) }, "dlm"],
      ["addedAt", { addedAt: "2026-01-01" }, "dlm"],
      ["weight", { weight: -1 }, "replaykit"],
      ["sectionType", { sectionType: "Prose" }, "replaykit"],
      ["sectionType", { sectionType: undefined }, "replaykit"],
      ["autoMined", { autoMined: undefined }, "replaykit"],
      ["autoMined", { autoMined: "yes" }, "replaykit"],
      ["crc32", { crc32: 2 ** 32 }, "replaykit"],
    ];
    for (const [field, change, format] of cases) {
      expect(() => entryFor(format, { ...fields, ...change } as typeof fields), field).toThrow(
        expect.objectContaining({ code: "INDEX_ENTRY_INVALID", field, name: "IndexEntryInvalidError" }),
      );
    }
    // The dlm shape ignores replaykit's fields, so their values do not matter there.
    expect(() => entryFor("dlm", { ...fields, sectionType: "Bad type" })).not.toThrow();
  });
});

describe("bad arguments", () => {
  it("every function taking entries rejects a non-array / non-object with IndexArgumentError", () => {
    const arg = (argument: string) => expect.objectContaining({ code: "INDEX_ARGUMENT", argument });
    for (const bad of [null, undefined, 5, "x"]) {
      expect(() => indexFormatOf(bad as unknown as IndexEntry[])).toThrow(arg("entries"));
      expect(() => sortIndexEntries(bad as unknown as IndexEntry[])).toThrow(arg("entries"));
      expect(() => hasReplaykitKeys(bad as unknown as IndexEntry)).toThrow(arg("entry"));
      expect(() => toDlmEntry(bad as unknown as IndexEntry)).toThrow(arg("entry"));
      expect(() => formatIndexDate(bad as unknown as Date)).toThrow(arg("date"));
    }
    for (const bad of [null, undefined, 5, new Date(0)]) expect(() => parseIndexDate(bad as unknown as string)).toThrow(arg("text"));
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, "1", null, undefined]) {
      expect(() => formatPythonFloat(bad as unknown as number)).toThrow(arg("x"));
    }
  });
});

it("uses corpus's one section-id check", () => {
  expect(isSectionId).toBe(corpusIsSectionId);
});

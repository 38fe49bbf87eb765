import { describe, expect, it } from "vitest";
import { hasReplaykitKeys, indexFormatOf, isSectionId, isSectionType, toDlmEntry, type IndexEntry } from "../src/index.js";

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

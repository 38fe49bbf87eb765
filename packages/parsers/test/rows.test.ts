import { describe, expect, test } from "vitest";
import {
  defaultExpanders,
  instructionExpander,
  InstructionParseError,
  preferenceExpander,
  PreferenceParseError,
  proseExpander,
  replayRowId,
  RowSourceInvalidError,
  type RowSource,
} from "../src/index.js";

const source = (sectionType: string, content: string): RowSource => ({
  sectionId: "0123456789abcdef",
  sectionType,
  content,
  lastSeenAt: new Date("2026-01-02T03:04:05Z"),
  autoMined: false,
});

describe("replayRowId", () => {
  test("writes Python's isoformat of an aware UTC datetime", () => {
    expect(replayRowId("abc", new Date("2026-01-02T03:04:05Z"))).toBe("replay:abc:2026-01-02T03:04:05+00:00");
    expect(replayRowId("abc", new Date("0999-12-31T23:59:59Z"))).toBe("replay:abc:0999-12-31T23:59:59+00:00");
  });

  test("adds microseconds only for a fractional second", () => {
    expect(replayRowId("abc", new Date("2026-01-02T03:04:05.120Z"))).toBe("replay:abc:2026-01-02T03:04:05.120000+00:00");
  });

  test("rejects what Python's datetime cannot hold, with a typed error", () => {
    for (const bad of [new Date(Number.NaN), new Date("+010000-01-01T00:00:00Z"), new Date("-000001-01-01T00:00:00Z"), "2026", 0]) {
      expect(() => replayRowId("abc", bad as Date)).toThrow(RowSourceInvalidError);
    }
    const error = (() => {
      try {
        replayRowId(5 as unknown as string, new Date());
      } catch (e) {
        return e;
      }
    })();
    expect(RowSourceInvalidError.isInstance(error)).toBe(true);
    expect((error as RowSourceInvalidError).code).toBe("ROW_SOURCE_INVALID");
    expect((error as RowSourceInvalidError).field).toBe("sectionId");
  });
});

describe("built-in expanders", () => {
  test("defaultExpanders is a frozen record of the three built-ins", () => {
    expect(Object.keys(defaultExpanders).sort()).toEqual(["instruction", "preference", "prose"]);
    expect(Object.isFrozen(defaultExpanders)).toBe(true);
    expect(defaultExpanders.prose).toBe(proseExpander);
    expect(defaultExpanders.instruction).toBe(instructionExpander);
    expect(defaultExpanders.preference).toBe(preferenceExpander);
  });

  test("prose: trimmed text, none for blank content", () => {
    expect(proseExpander(source("prose", "\ufeff x \x85"), "id")).toEqual([{ text: "\ufeff x", _dlm_section_id: "id" }]);
    expect(proseExpander(source("prose", " \u3000\n\x1c"), "id")).toEqual([]);
  });

  test("instruction: one messages row per pair, probe markers normalised", () => {
    const rows = instructionExpander(source("instruction", "### Q !probe\nq1\n### A\na1\n### Q\nq2\n### A\na2"), "id");
    expect(rows).toEqual([
      { messages: [{ role: "user", content: "q1" }, { role: "assistant", content: "a1" }], _dlm_section_id: "id" },
      { messages: [{ role: "user", content: "q2" }, { role: "assistant", content: "a2" }], _dlm_section_id: "id" },
    ]);
  });

  test("preference: one row per triple, whatever autoMined says", () => {
    const s = { ...source("preference", "### Prompt\np\n### Chosen\nc\n### Rejected\nr"), autoMined: true };
    expect(preferenceExpander(s, "id")).toEqual([{ prompt: "p", chosen: "c", rejected: "r", _dlm_section_id: "id" }]);
  });

  test("parse errors name the source's section id", () => {
    expect(() => instructionExpander(source("instruction", "nope"), "id")).toThrow(InstructionParseError);
    try {
      preferenceExpander(source("preference", "### Prompt\n"), "id");
    } catch (error) {
      expect(PreferenceParseError.isInstance(error)).toBe(true);
      expect((error as PreferenceParseError).sectionId).toBe("0123456789abcdef");
    }
  });

  test("a malformed source is a typed error", () => {
    for (const expander of Object.values(defaultExpanders)) {
      expect(() => expander({ ...source("x", "y"), content: 1 as unknown as string }, "id")).toThrow(RowSourceInvalidError);
      expect(() => expander(null as unknown as RowSource, "id")).toThrow(RowSourceInvalidError);
      expect(() => expander(source("x", "y"), undefined as unknown as string)).toThrow(RowSourceInvalidError);
    }
  });
});

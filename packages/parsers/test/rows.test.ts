import { describe, expect, test } from "vitest";
import {
  defaultExpanders,
  instructionExpander,
  InstructionParseError,
  preferenceExpander,
  PreferenceParseError,
  proseExpander,
  ParsersArgumentError,
  replayRowId,
  rowShape,
  RowSourceInvalidError,
  toPromptCompletion,
  type MessagesRow,
  type Row,
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

  test("rejects what Python's datetime cannot hold, and bad arguments, with an argument error", () => {
    for (const bad of [new Date(Number.NaN), new Date("+010000-01-01T00:00:00Z"), new Date("-000001-01-01T00:00:00Z"), "not a date", "2026", 0, null]) {
      expect(() => replayRowId("abc", bad as Date)).toThrow(expect.objectContaining({ code: "PARSERS_ARGUMENT", argument: "lastSeenAt" }));
    }
    const error = (() => {
      try {
        replayRowId(5 as unknown as string, new Date());
      } catch (e) {
        return e;
      }
    })();
    expect(ParsersArgumentError.isInstance(error)).toBe(true);
    expect((error as ParsersArgumentError).code).toBe("PARSERS_ARGUMENT");
    expect((error as ParsersArgumentError).argument).toBe("sectionId");
    expect((error as ParsersArgumentError).message).toBe("parsers: sectionId must be a string, got 5");
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
      {
        messages: [
          { role: "user", content: "q1" },
          { role: "assistant", content: "a1" },
        ],
        _dlm_section_id: "id",
      },
      {
        messages: [
          { role: "user", content: "q2" },
          { role: "assistant", content: "a2" },
        ],
        _dlm_section_id: "id",
      },
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

describe("rowShape", () => {
  test("names each of the four shapes, and the built-ins' rows", () => {
    const cases: Array<[Row, string]> = [
      [{ text: "t", _dlm_section_id: "id" }, "text"],
      [{ messages: [{ role: "user", content: "q" }], _dlm_section_id: "id" }, "messages"],
      [{ messages: [], _dlm_section_id: "id" }, "messages"],
      [{ prompt: "p", completion: "c", _dlm_section_id: "id" }, "prompt-completion"],
      [{ prompt: "p", chosen: "c", rejected: "r", _dlm_section_id: "id" }, "preference"],
    ];
    for (const [row, shape] of cases) expect(rowShape(row)).toBe(shape);
    expect(proseExpander(source("prose", "x"), "id").map(rowShape)).toEqual(["text"]);
    expect(instructionExpander(source("instruction", "### Q\nq\n### A\na"), "id").map(rowShape)).toEqual(["messages"]);
    expect(preferenceExpander(source("preference", "### Prompt\np\n### Chosen\nc\n### Rejected\nr"), "id").map(rowShape)).toEqual(["preference"]);
  });

  test("anything else is an argument error saying why", () => {
    const bad: Array<[unknown, RegExp]> = [
      [null, /row is null, not an object/],
      [undefined, /row is undefined/],
      ["text", /row is "text"/],
      [[], /row is an array/],
      [{ text: "t" }, /_dlm_section_id is undefined/],
      [{ text: "t", extra: 1, _dlm_section_id: "id" }, /keys \[extra,text\]/],
      [{ prompt: "p", _dlm_section_id: "id" }, /keys \[prompt\]/],
      [{ prompt: "p", completion: 3, _dlm_section_id: "id" }, /completion is 3, not a string/],
      [{ messages: [{ role: "robot", content: "x" }], _dlm_section_id: "id" }, /role is "robot"/],
    ];
    for (const [row, message] of bad) {
      expect(() => rowShape(row as Row)).toThrow(expect.objectContaining({ code: "PARSERS_ARGUMENT", argument: "row" }));
      expect(() => rowShape(row as Row)).toThrow(message);
    }
  });
});

describe("toPromptCompletion", () => {
  test("the user turn becomes the prompt, the assistant turn the completion, same row id", () => {
    const [row] = instructionExpander(source("instruction", "### Q\nWhat is 2+2?\n### A\n4"), "replay:x") as [MessagesRow];
    expect(toPromptCompletion(row)).toEqual({ prompt: "What is 2+2?", completion: "4", _dlm_section_id: "replay:x" });
    expect(Object.keys(toPromptCompletion(row))).toEqual(["prompt", "completion", "_dlm_section_id"]);
  });

  test("rows it cannot turn into one prompt and one completion are argument errors", () => {
    const m = (...roles: Array<"user" | "assistant" | "system">): MessagesRow => ({
      messages: roles.map((role) => ({ role, content: role })),
      _dlm_section_id: "id",
    });
    for (const row of [m(), m("user"), m("assistant", "user"), m("system", "user", "assistant"), m("user", "assistant", "user", "assistant")]) {
      expect(() => toPromptCompletion(row)).toThrow(expect.objectContaining({ code: "PARSERS_ARGUMENT", argument: "row.messages" }));
    }
    for (const row of [null, { text: "t", _dlm_section_id: "id" }, { messages: "x", _dlm_section_id: "id" }]) {
      expect(() => toPromptCompletion(row as unknown as MessagesRow)).toThrow(expect.objectContaining({ code: "PARSERS_ARGUMENT", argument: "row" }));
    }
    expect(() => toPromptCompletion({ text: "t", _dlm_section_id: "id" } as unknown as MessagesRow)).toThrow(/must be a messages row: it is a text row/);
  });
});

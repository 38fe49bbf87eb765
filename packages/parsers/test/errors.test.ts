import { expect, test } from "vitest";
import {
  InstructionParseError,
  isReplaykitError,
  ParsersArgumentError,
  ParsersError,
  PreferenceParseError,
  RowSourceInvalidError,
  SectionParseError,
} from "../src/index.js";
import { ConformanceError } from "../src/testing.js";

test("each error has a stable code and name", () => {
  const where = { sectionId: "s", sectionLine: 2 };
  expect(new InstructionParseError("why", where)).toMatchObject({ code: "INSTRUCTION_PARSE", name: "InstructionParseError", ...where, reason: "why" });
  expect(new PreferenceParseError("why", where)).toMatchObject({ code: "PREFERENCE_PARSE", name: "PreferenceParseError", ...where });
  expect(new RowSourceInvalidError("content", "bad")).toMatchObject({ code: "PARSERS_ROW_SOURCE", field: "content" });
  expect(new InstructionParseError("why", where).message).toBe("section s, line 2: why");
  expect(new ParsersArgumentError("body", "must be a string")).toMatchObject({ code: "PARSERS_ARGUMENT", name: "ParsersArgumentError", argument: "body" });
  expect(new ParsersArgumentError("body", "must be a string").message).toBe("parsers: body must be a string");
});

test('every error carries the replaykit marker with the value "parsers"', () => {
  const where = { sectionId: "s", sectionLine: 2 };
  const errors = [
    new InstructionParseError("x", where),
    new PreferenceParseError("x", where),
    new RowSourceInvalidError("content", "bad"),
    new ParsersArgumentError("body", "bad"),
    new ConformanceError("row-id", "bad"),
  ];
  for (const error of errors) {
    expect(error).toBeInstanceOf(ParsersError);
    expect((error as unknown as Record<symbol, unknown>)[Symbol.for("replaykit.error")]).toBe("parsers");
    expect(isReplaykitError(error)).toBe(true);
  }
  for (const value of [null, undefined, 5, "x", new Error("x"), Object.assign(new Error("x"), { code: "INSTRUCTION_PARSE" })]) {
    expect(isReplaykitError(value)).toBe(false);
  }
});

test("isInstance tells the classes apart", () => {
  const i = new InstructionParseError("x", { sectionId: "s", sectionLine: 1 });
  const p = new PreferenceParseError("x", { sectionId: "s", sectionLine: 1 });
  expect(InstructionParseError.isInstance(i)).toBe(true);
  expect(InstructionParseError.isInstance(p)).toBe(false);
  expect(PreferenceParseError.isInstance(p)).toBe(true);
  expect(SectionParseError.isInstance(i) && SectionParseError.isInstance(p)).toBe(true);
  expect(RowSourceInvalidError.isInstance(i)).toBe(false);
  expect(ParsersArgumentError.isInstance(new ParsersArgumentError("a", "b"))).toBe(true);
  expect(ParsersArgumentError.isInstance(i)).toBe(false);
  expect(SectionParseError.isInstance(new ParsersArgumentError("a", "b"))).toBe(false);
  for (const value of [null, undefined, "x", new Error("x"), { code: "INSTRUCTION_PARSE" }]) {
    expect(InstructionParseError.isInstance(value)).toBe(false);
  }
});

test("isInstance survives a second copy of the package (the brand is a global symbol)", () => {
  const foreign = Object.assign(new Error("from another copy"), {
    code: "INSTRUCTION_PARSE",
    sectionId: "s",
    sectionLine: 3,
    [Symbol.for("replaykit.error")]: "parsers",
  });
  expect(foreign instanceof InstructionParseError).toBe(false);
  expect(InstructionParseError.isInstance(foreign)).toBe(true);
  expect(SectionParseError.isInstance(foreign)).toBe(true);
});

test("a plugin grammar can extend SectionParseError", () => {
  class ChatParseError extends SectionParseError {
    readonly code = "CHAT_PARSE" as const;
    override readonly name = "ChatParseError";
  }
  const error = new ChatParseError("bad turn", { sectionId: "c", sectionLine: 4, cause: "why" });
  expect(SectionParseError.isInstance(error)).toBe(true);
  expect(error.message).toBe("section c, line 4: bad turn");
  expect(error.cause).toBe("why");
});

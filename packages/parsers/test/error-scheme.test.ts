// Every exported error class (of the main entry and /testing) follows the shared scheme of
// @replaykit/errors; renamed codes keep matching under their old names.
import { errorSchemeProblems } from "@replaykit/errors/testing";
import { expect, test } from "vitest";
import * as api from "../src/index.js";
import * as testing from "../src/testing.js";

const where = { sectionId: "0123456789abcdef", sectionLine: 3 };
const samples = [
  new api.InstructionParseError("expected `### A`", where),
  new api.PreferenceParseError("expected `### Chosen`", where),
  new api.RowSourceInvalidError("content", "must be a string"),
  new api.ParsersArgumentError("body", "must be a string"),
  new testing.ConformanceError("row-id", "rows lack the row id"),
];

test("every exported error class follows the shared scheme", () => {
  expect(errorSchemeProblems({ ...api, ...testing }, samples, ["parsers"])).toEqual([]);
});

test("codes and kinds; the old names of renamed codes are aliases", () => {
  expect(samples.map((e) => [e.code, e.kind])).toEqual([
    ["INSTRUCTION_PARSE", "corrupt"],
    ["PREFERENCE_PARSE", "corrupt"],
    ["PARSERS_ROW_SOURCE", "argument"],
    ["PARSERS_ARGUMENT", "argument"],
    ["PARSERS_CONFORMANCE", "argument"],
  ]);
  expect(api.RowSourceInvalidError.aliases).toEqual(["ROW_SOURCE_INVALID"]);
  expect(testing.ConformanceError.aliases).toEqual(["EXPANDER_CONFORMANCE"]);
  const old = { [Symbol.for("replaykit.error")]: "parsers", code: "ROW_SOURCE_INVALID", field: "content" };
  expect(api.RowSourceInvalidError.isInstance(old)).toBe(true);
});

test("SectionParseError.isInstance matches any section parse error, a plugin's too; its subclasses only their own", () => {
  class ChatParseError extends api.SectionParseError {
    readonly code = "CHAT_PARSE" as const;
    override readonly name = "ChatParseError";
  }
  const chat = new ChatParseError("expected `### User`", where);
  expect(chat.kind).toBe("corrupt");
  expect([api.SectionParseError.isInstance(chat), api.SectionParseError.isInstance(samples[1])]).toEqual([true, true]);
  expect([api.InstructionParseError.isInstance(samples[1]), api.InstructionParseError.isInstance(chat)]).toEqual([false, false]);
  expect(api.SectionParseError.isInstance(samples[2])).toBe(false); // no section, no line
});

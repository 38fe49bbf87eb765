// Every public function checks its arguments: a bad one is a ParsersArgumentError naming it,
// never a raw TypeError or a silently wrong answer.
import { expect, test } from "vitest";
import {
  fenceMask,
  isBlank,
  isLineBreakCode,
  isWhitespaceCode,
  normalizeProbeMarkers,
  ParsersArgumentError,
  parseInstructionBody,
  parsePreferenceBody,
  pythonRepr,
  replayRowId,
  rowShape,
  splitLines,
  stripWhitespace,
  toPromptCompletion,
} from "../src/index.js";

const any = (value: unknown) => value as never;

test.each([
  ["parseInstructionBody(123, …)", () => parseInstructionBody(any(123), { sectionId: "s" }), "body"],
  ["parseInstructionBody(body, null)", () => parseInstructionBody("### Q\nq\n### A\na", any(null)), "options"],
  ["parsePreferenceBody(null, …)", () => parsePreferenceBody(any(null), { sectionId: "s" }), "body"],
  ["parsePreferenceBody(body, { sectionId: 1 })", () => parsePreferenceBody("x", any({ sectionId: 1 })), "options.sectionId"],
  ["normalizeProbeMarkers(undefined)", () => normalizeProbeMarkers(any(undefined)), "body"],
  ['replayRowId("x", "not a date")', () => replayRowId("x", any("not a date")), "lastSeenAt"],
  ["replayRowId(null, date)", () => replayRowId(any(null), new Date(0)), "sectionId"],
  ["splitLines(null)", () => splitLines(any(null)), "text"],
  ["stripWhitespace(5)", () => stripWhitespace(any(5)), "text"],
  ["isBlank({})", () => isBlank(any({})), "text"],
  ['isWhitespaceCode(" ")', () => isWhitespaceCode(any(" ")), "code"],
  ["isLineBreakCode(undefined)", () => isLineBreakCode(any(undefined)), "code"],
  ['fenceMask("```")', () => fenceMask(any("```")), "lines"],
  ['fenceMask(["a", 1])', () => fenceMask(any(["a", 1])), "lines[1]"],
  ["pythonRepr(Symbol())", () => pythonRepr(any(Symbol("s"))), "text"],
  ["rowShape(undefined)", () => rowShape(any(undefined)), "row"],
  ["toPromptCompletion(null)", () => toPromptCompletion(any(null)), "row"],
])("%s", (_, call, argument) => {
  let thrown: unknown;
  try {
    call();
  } catch (error) {
    thrown = error;
  }
  expect(ParsersArgumentError.isInstance(thrown)).toBe(true);
  expect(thrown).toBeInstanceOf(ParsersArgumentError);
  expect(thrown).toMatchObject({ code: "PARSERS_ARGUMENT", name: "ParsersArgumentError", argument });
  expect((thrown as Error).message).toMatch(new RegExp(`^parsers: ${argument.replace(/[[\]]/g, "\\$&")} must be`));
});

import { describe, expect, test } from "vitest";
import { parsePreferenceBody, PreferenceParseError, SectionParseError } from "../src/index.js";

const parse = (body: string) => parsePreferenceBody(body, { sectionId: "p1" });

function errorOf(body: unknown): PreferenceParseError {
  try {
    parsePreferenceBody(body as string, { sectionId: "p1" });
  } catch (error) {
    expect(PreferenceParseError.isInstance(error)).toBe(true);
    return error as PreferenceParseError;
  }
  throw new Error("expected a PreferenceParseError");
}

describe("parsePreferenceBody", () => {
  test("triples in order, repeated, key order prompt / chosen / rejected", () => {
    const triples = parse("### Prompt\np1\n### Chosen\nc1\n### Rejected\nr1\n### Prompt\np2\n### Chosen\nc2\n### Rejected\nr2");
    expect(triples).toEqual([
      { prompt: "p1", chosen: "c1", rejected: "r1" },
      { prompt: "p2", chosen: "c2", rejected: "r2" },
    ]);
    expect(Object.keys(triples[0]!)).toEqual(["prompt", "chosen", "rejected"]);
  });

  test("errors carry code, section id, line and the quoted line", () => {
    const error = errorOf("### Prompt\np\n### Rejected\nr");
    expect(error).toBeInstanceOf(SectionParseError);
    expect(error.code).toBe("PREFERENCE_PARSE");
    expect(error.name).toBe("PreferenceParseError");
    expect(error.sectionId).toBe("p1");
    expect(error.sectionLine).toBe(3);
    expect(error.message).toContain("got '### Rejected'");
    expect(errorOf("### Prompt\np\n### Chosen\nc\n").reason).toBe("expected `### Rejected` header, got end of section");
  });

  test("instruction headers are plain text in a preference body", () => {
    expect(parse("### Prompt\n### Q\n### Chosen\n### A\n### Rejected\n### Q")).toEqual([{ prompt: "### Q", chosen: "### A", rejected: "### Q" }]);
  });

  test("a header inside a closed fence is body text; an unclosed fence is not a fence", () => {
    expect(parse("### Prompt\np\n### Chosen\n~~~\n### Rejected\n~~~\n### Rejected\nr")).toEqual([
      { prompt: "p", chosen: "~~~\n### Rejected\n~~~", rejected: "r" },
    ]);
    expect(parse("### Prompt\np\n### Chosen\n```\n### Rejected\nr")).toEqual([{ prompt: "p", chosen: "```", rejected: "r" }]);
  });

  test("a non-string body or bad options are an argument error", () => {
    for (const body of [undefined, 7]) {
      expect(() => parsePreferenceBody(body as unknown as string, { sectionId: "s" })).toThrow(
        expect.objectContaining({ code: "PARSERS_ARGUMENT", argument: "body" }),
      );
    }
    expect(() => parsePreferenceBody("### Prompt\np", null as never)).toThrow(expect.objectContaining({ code: "PARSERS_ARGUMENT", argument: "options" }));
  });
});

import { describe, expect, test } from "vitest";
import { InstructionParseError, parseInstructionBody, SectionParseError } from "../src/index.js";

const parse = (body: string) => parseInstructionBody(body, { sectionId: "s1" });

function errorOf(body: unknown): InstructionParseError {
  try {
    parseInstructionBody(body as string, { sectionId: "s1" });
  } catch (error) {
    expect(InstructionParseError.isInstance(error)).toBe(true);
    return error as InstructionParseError;
  }
  throw new Error("expected an InstructionParseError");
}

describe("parseInstructionBody", () => {
  test("pairs with multi-line bodies, inner blank lines kept, outer ones trimmed", () => {
    expect(parse("\n### Q\n  line one\nline two  \n\n### A\n\nfirst\n\n\nsecond\n\n")).toEqual([
      { question: "line one\nline two", answer: "first\n\n\nsecond" },
    ]);
  });

  test("returns fresh plain objects", () => {
    const [pair] = parse("### Q\nq\n### A\na");
    expect(Object.getPrototypeOf(pair)).toBe(Object.prototype);
    expect(Object.keys(pair!)).toEqual(["question", "answer"]);
  });

  test("errors carry code, section id, 1-based line and the quoted line", () => {
    const error = errorOf("### Q\nq\n### Q\nq2");
    expect(error).toBeInstanceOf(InstructionParseError);
    expect(error).toBeInstanceOf(SectionParseError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe("INSTRUCTION_PARSE");
    expect(error.name).toBe("InstructionParseError");
    expect(error.sectionId).toBe("s1");
    expect(error.sectionLine).toBe(3);
    expect(error.message).toBe("section s1, line 3: ### Q must be followed by `### A` alone on its line, got '### Q'");
  });

  test("quotes with Python repr: double quotes around a single quote, escapes for the invisible", () => {
    expect(errorOf("### Q it's\n").reason).toBe(`expected \`### Q\` header alone on its line, got "### Q it's"`);
    expect(errorOf("\u200b### Q\nq\n### A\na").reason).toContain("got '\\u200b### Q'");
    expect(errorOf("x\x00\ty\\").reason).toContain("got 'x\\x00\\ty\\\\'");
    expect(errorOf(`'"`).reason).toContain(`got '\\'"'`);
  });

  test("a non-string body or bad options are an argument error, not a TypeError", () => {
    for (const body of [undefined, null, 42, {}, ["### Q"]]) {
      expect(() => parseInstructionBody(body as unknown as string, { sectionId: "s" })).toThrow(
        expect.objectContaining({ code: "PARSERS_ARGUMENT", argument: "body" }),
      );
    }
    for (const [options, argument] of [
      [undefined, "options"],
      [null, "options"],
      [{}, "options.sectionId"],
      [{ sectionId: 7 }, "options.sectionId"],
    ] as const) {
      expect(() => parseInstructionBody("### Q\nq\n### A\na", options as never)).toThrow(expect.objectContaining({ code: "PARSERS_ARGUMENT", argument }));
    }
  });

  test("preference headers are plain text in an instruction body", () => {
    expect(parse("### Q\n### Prompt\n### A\n### Chosen")).toEqual([{ question: "### Prompt", answer: "### Chosen" }]);
  });

  describe("fenced code (deliberate difference from the reference)", () => {
    test("a header inside a closed backtick or tilde fence is body text", () => {
      const body = "### Q\nshow me\n### A\n~~~md\n### Q\n### A\n~~~\n\n````\n```\n### Q\n```\n````\nend";
      expect(parse(body)).toEqual([{ question: "show me", answer: body.slice(body.indexOf("~~~md")) }]);
    });

    test("an unclosed fence is plain text, so the body parses as the reference parses it", () => {
      expect(parse("### Q\nq\n### A\n```md\n### Q\nq2\n### A\na2")).toEqual([
        { question: "q", answer: "```md" },
        { question: "q2", answer: "a2" },
      ]);
    });

    test("a fence closes only with the same character, at least as long, and nothing else on the line", () => {
      const body = "### Q\nq\n### A\n````\n```\n~~~~\n```` x\n### Q\n````  \n### Q\nq2\n### A\na2";
      expect(parse(body)).toEqual([
        { question: "q", answer: "````\n```\n~~~~\n```` x\n### Q\n````" },
        { question: "q2", answer: "a2" },
      ]);
    });

    test("inline code with backticks is not a fence; indented fences are", () => {
      expect(parse("### Q\nq\n### A\n```x```\n### Q\nq2\n### A\n```\na2")).toHaveLength(2);
      expect(parse("### Q\nq\n### A\n    ```\n### Q\n\t```\n")).toEqual([{ question: "q", answer: "```\n### Q\n\t```" }]);
    });

    test("a fence can span from a question into its answer (then the A header is text)", () => {
      expect(errorOf("### Q\n```\n### A\n```\n").sectionLine).toBe(5);
    });
  });
});

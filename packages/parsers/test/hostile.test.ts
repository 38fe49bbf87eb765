import { describe, expect, test } from "vitest";
import {
  defaultExpanders,
  fenceMask,
  InstructionParseError,
  normalizeProbeMarkers,
  parseInstructionBody,
  parsePreferenceBody,
  PreferenceParseError,
  splitLines,
} from "../src/index.js";

// Linear time is checked by size, not by a stopwatch: each body below is several
// megabytes or hundreds of thousands of lines, so anything quadratic (or a backtracking
// regex) would run for minutes and hit the test timeout, while a linear parser takes
// milliseconds. No assertion depends on how fast this machine is.

const MB = 1024 * 1024;

function errorOf(fn: () => unknown): Error & { code?: string; sectionLine?: number } {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a throw");
}

describe("hostile and huge inputs", () => {
  test("a 5 MB instruction body with thousands of headers and fences parses once, fully", () => {
    const pair = (i: number) => `### Q\nquestion ${i}\n### A\n\`\`\`md\n### Q\n### A\ninside ${i}\n\`\`\`\nafter\n\n`;
    const count = Math.ceil((5 * MB) / pair(0).length);
    const body = Array.from({ length: count }, (_, i) => pair(i)).join("");
    expect(body.length).toBeGreaterThan(5 * MB);
    const pairs = parseInstructionBody(body, { sectionId: "big" });
    expect(pairs).toHaveLength(count);
    expect(pairs[count - 1]).toEqual({ question: `question ${count - 1}`, answer: `\`\`\`md\n### Q\n### A\ninside ${count - 1}\n\`\`\`\nafter` });
  });

  test("a 5 MB preference body parses once, fully", () => {
    const triple = "### Prompt\np\n### Chosen\n~~~\n### Rejected\n~~~\n### Rejected\nr\n";
    const count = Math.ceil((5 * MB) / triple.length);
    expect(parsePreferenceBody(triple.repeat(count), { sectionId: "big" })).toHaveLength(count);
  });

  test("hundreds of thousands of unclosed fence openers (the worst case for fence matching)", () => {
    const body = `### Q\nq\n### A\n${"```a\n".repeat(200_000)}### Q\nq2\n### A\na2`;
    expect(parseInstructionBody(body, { sectionId: "x" })).toHaveLength(2);
    const nested = `### Q\nq\n### A\n${"`".repeat(100_000)}\n${"```\n".repeat(100_001)}`;
    expect(fenceMask(splitLines(nested)).length).toBe(100_005);
  });

  test("alternating fence lengths and characters", () => {
    const body = `### Q\nq\n### A\n${Array.from({ length: 100_000 }, (_, i) => ["````", "~~~", "```", "~~~~~"][i % 4]).join("\n")}`;
    expect(parseInstructionBody(body, { sectionId: "x" })).toHaveLength(1);
  });

  test("an error on a huge line quotes its start and says how much was left out", () => {
    const line = `x'"\\\ufeff${"\u200b".repeat(20 * MB)}`;
    const error = errorOf(() => parseInstructionBody(line, { sectionId: "x" }));
    expect(InstructionParseError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/got 'x\\'"\\\\\\ufeff(\\u200b)+'… \(\d+ more characters\)$/);
    expect(error.message.length).toBeLessThan(30_000);
    // A surrogate pair at the cut is kept whole.
    const emoji = `${"a".repeat(4095)}\u{1F680}${"b".repeat(10)}`;
    expect(errorOf(() => parseInstructionBody(emoji, { sectionId: "x" })).message).toContain(`${"a".repeat(4095)}'… (12 more characters)`);
  });

  test("a 5 MB run of whitespace, of line breaks, of lone surrogates", () => {
    expect(errorOf(() => parseInstructionBody(" ".repeat(5 * MB), { sectionId: "x" })).sectionLine).toBe(1);
    expect(errorOf(() => parsePreferenceBody("\r".repeat(5 * MB), { sectionId: "x" })).sectionLine).toBe(1);
    expect(errorOf(() => parseInstructionBody("\r\n".repeat(MB) + "x", { sectionId: "x" })).sectionLine).toBe(MB + 1);
    const surrogates = "\ud800".repeat(MB);
    const error = errorOf(() => parseInstructionBody(surrogates, { sectionId: "x" }));
    expect(error.message).toContain("'\\ud800\\ud800");
    expect(defaultExpanders.prose({ sectionId: "x", sectionType: "prose", content: surrogates, lastSeenAt: new Date(0), autoMined: false }, "id")).toHaveLength(
      1,
    );
  });

  test("a long line of leading whitespace on every one of many lines", () => {
    const body = `### Q\nq\n### A\n${`${" ".repeat(1000)}x\n`.repeat(5000)}`;
    expect(parseInstructionBody(body, { sectionId: "x" })[0]?.answer.length).toBeGreaterThan(5_000_000);
  });

  test("100 000 questions in a row fail at the second, without reading further", () => {
    const error = errorOf(() => parseInstructionBody("### Q\nq\n".repeat(100_000), { sectionId: "x" }));
    expect(error.sectionLine).toBe(3);
  });

  test("100 000 probe markers normalise in one pass", () => {
    const body = "### Q !probe\nq\n### A\na\n".repeat(100_000);
    const normalized = normalizeProbeMarkers(body);
    expect(normalized.startsWith("### Q\nq\n### A\na\n### Q\n")).toBe(true);
    expect(parseInstructionBody(normalized, { sectionId: "x" })).toHaveLength(100_000);
  });

  test("prototype-ish and control content stays data", () => {
    const body = "### Prompt\n__proto__\n### Chosen\nconstructor\n### Rejected\n\0\x07\x1b[31m";
    const [triple] = parsePreferenceBody(body, { sectionId: "x" });
    expect(triple).toEqual({ prompt: "__proto__", chosen: "constructor", rejected: "\0\x07\x1b[31m" });
    expect(Object.getPrototypeOf(triple)).toBe(Object.prototype);
    expect(PreferenceParseError.isInstance(errorOf(() => parsePreferenceBody("### Prompt\n\0", { sectionId: "x" })))).toBe(true);
  });
});

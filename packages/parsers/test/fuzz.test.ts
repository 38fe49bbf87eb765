import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  defaultExpanders,
  fenceMask,
  InstructionParseError,
  normalizeProbeMarkers,
  parseInstructionBody,
  parsePreferenceBody,
  PreferenceParseError,
  pythonRepr,
  splitLines,
  stripWhitespace,
} from "../src/index.js";

// ---------------------------------------------------------------------------------------
// An oracle: the reference parsers ported statement by statement, with no fence awareness
// and its own (slow, obvious) splitlines and strip. Where no header line sits inside a
// closed fence, the real parsers must agree with it exactly: same pairs, or the same error
// message at the same line.

const BREAKS = new Set(["\n", "\r", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]);
const SPACE = new Set([..."\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000"]);
for (let c = 0x2000; c <= 0x200a; c++) SPACE.add(String.fromCharCode(c));

function oracleSplitlines(s: string): string[] {
  const out: string[] = [];
  let line = "";
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    if (!BREAKS.has(ch)) {
      line += ch;
      continue;
    }
    if (ch === "\r" && s[i + 1] === "\n") i++;
    out.push(line);
    line = "";
  }
  if (line !== "") out.push(line);
  return out;
}

function oracleStrip(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && SPACE.has(s[a] as string)) a++;
  while (b > a && SPACE.has(s[b - 1] as string)) b--;
  return s.slice(a, b);
}

type Outcome = { ok: true; items: unknown[] } | { ok: false; message: string; line: number };

function oracleParse(body: string, headers: string[], fieldsPerItem: string[]): Outcome {
  const lines = oracleSplitlines(body);
  let i = 0;
  const fail = (message: string, line: number): never => {
    throw { oracle: true, message, line };
  };
  const readBody = (): string => {
    const buf: string[] = [];
    while (i < lines.length && !headers.includes(oracleStrip(lines[i] as string))) buf.push(lines[i++] as string);
    return oracleStrip(buf.join("\n"));
  };
  const skipBlank = () => {
    while (i < lines.length && oracleStrip(lines[i] as string) === "") i++;
  };
  try {
    skipBlank();
    const items: unknown[] = [];
    while (i < lines.length) items.push(fieldsPerItem.length === 2 ? pair() : triple());
    if (items.length === 0) {
      fail(
        fieldsPerItem.length === 2 ? "instruction block has no ### Q / ### A pairs" : "preference block has no ### Prompt / ### Chosen / ### Rejected triples",
        1,
      );
    }
    return { ok: true, items };
  } catch (error) {
    const e = error as { oracle?: boolean; message: string; line: number };
    if (!e.oracle) throw error;
    return { ok: false, message: e.message, line: e.line };
  }

  function pair() {
    if (oracleStrip(lines[i] as string) !== "### Q") fail(`expected \`### Q\` header alone on its line, got ${pythonRepr(lines[i] as string)}`, i + 1);
    i++;
    const question = readBody();
    if (!question) fail("### Q body is empty", i + 1);
    if (i >= lines.length) fail("### Q without matching `### A` at end of section", i + 1);
    if (oracleStrip(lines[i] as string) !== "### A")
      fail(`### Q must be followed by \`### A\` alone on its line, got ${pythonRepr(lines[i] as string)}`, i + 1);
    i++;
    const answer = readBody();
    if (!answer) fail("### A body is empty", i + 1);
    skipBlank();
    return { question, answer };
  }

  function triple() {
    const values: string[] = [];
    for (const header of headers) {
      if (i >= lines.length) fail(`expected \`${header}\` header, got end of section`, i + 1);
      if (oracleStrip(lines[i] as string) !== header) fail(`expected \`${header}\` header alone on its line, got ${pythonRepr(lines[i] as string)}`, i + 1);
      i++;
      const value = readBody();
      if (!value) fail(`\`${header}\` body is empty`, i + 1);
      values.push(value);
    }
    skipBlank();
    return { prompt: values[0], chosen: values[1], rejected: values[2] };
  }
}

function oracleNormalize(body: string): string {
  if (!body.includes("### Q !probe")) return body;
  return oracleSplitlines(body)
    .map((line) => (oracleStrip(line) === "### Q !probe" ? "### Q" : line))
    .join("\n");
}

// ---------------------------------------------------------------------------------------

const INSTRUCTION = ["### Q", "### A"];
const PREFERENCE = ["### Prompt", "### Chosen", "### Rejected"];

function ours(body: string, kind: "instruction" | "preference"): Outcome {
  try {
    const items = kind === "instruction" ? parseInstructionBody(body, { sectionId: "f" }) : parsePreferenceBody(body, { sectionId: "f" });
    return { ok: true, items };
  } catch (error) {
    const typed = kind === "instruction" ? InstructionParseError.isInstance(error) : PreferenceParseError.isInstance(error);
    if (!typed) throw error; // anything else escaping is a bug
    const e = error as InstructionParseError;
    expect(e.sectionId).toBe("f");
    expect(Number.isInteger(e.sectionLine) && e.sectionLine >= 1).toBe(true);
    expect(e.sectionLine).toBeLessThanOrEqual(splitLines(body).length + 1);
    return { ok: false, message: e.reason, line: e.sectionLine };
  }
}

/** True when some line that strips to one of `headers` lies inside a closed fence. */
function fencedHeader(body: string, headers: string[]): boolean {
  const lines = splitLines(body);
  const mask = fenceMask(lines);
  return lines.some((line, i) => mask[i] === 1 && headers.includes(stripWhitespace(line)));
}

const fragment = fc.constantFrom(
  "### Q",
  "### A",
  "### Q !probe",
  "### Prompt",
  "### Chosen",
  "### Rejected",
  "###",
  "### Q ",
  " ### A",
  "```",
  "```md",
  "~~~",
  "````",
  "\n",
  "\n",
  "\n",
  "\n",
  "\r\n",
  "\r",
  "\u2028",
  "\u2029",
  "\x85",
  "\f",
  "\v",
  "\x1c",
  "\x1d",
  "\x1e",
  "\x1f",
  " ",
  "\t",
  "\xa0",
  "\u3000",
  "\u2000",
  "\ufeff",
  "\u200b",
  "q",
  "answer",
  "it's",
  '"',
  "\\",
  "é",
  "日本",
  "🚀",
  "\ud800",
  "\udc00",
  "\0",
);
const structuredBody = fc.array(fragment, { maxLength: 60 }).map((parts) => parts.join(""));
const anyBody = fc.oneof(structuredBody, fc.string({ unit: "binary", maxLength: 200 }), fc.string({ maxLength: 200 }));

describe("fuzz", () => {
  test("any string gives pairs or a typed error, never anything else", () => {
    fc.assert(
      fc.property(anyBody, (body) => {
        for (const kind of ["instruction", "preference"] as const) {
          const outcome = ours(body, kind);
          if (outcome.ok) {
            for (const item of outcome.items) {
              for (const value of Object.values(item as object)) {
                expect(typeof value).toBe("string");
                expect(value).not.toBe("");
                expect(stripWhitespace(value as string)).toBe(value);
              }
            }
          }
        }
        ours(normalizeProbeMarkers(body), "instruction");
      }),
      { numRuns: 2000 },
    );
  }, 30_000);

  test("agrees with the reference algorithm wherever no header sits inside a closed fence", () => {
    let compared = 0;
    fc.assert(
      fc.property(anyBody, (body) => {
        if (!fencedHeader(body, INSTRUCTION)) {
          compared++;
          expect(ours(body, "instruction")).toEqual(oracleParse(body, INSTRUCTION, INSTRUCTION));
        }
        if (!fencedHeader(body, PREFERENCE)) {
          expect(ours(body, "preference")).toEqual(oracleParse(body, PREFERENCE, PREFERENCE));
        }
        if (!fencedHeader(body, ["### Q !probe"])) expect(normalizeProbeMarkers(body)).toBe(oracleNormalize(body));
      }),
      { numRuns: 2000 },
    );
    expect(compared).toBeGreaterThan(1000);
  }, 30_000);

  test("splitLines and stripWhitespace match the oracle on arbitrary strings", () => {
    fc.assert(
      fc.property(fc.oneof(structuredBody, fc.string({ unit: "binary" })), (s) => {
        expect(splitLines(s)).toEqual(oracleSplitlines(s));
        expect(stripWhitespace(s)).toBe(oracleStrip(s));
      }),
      { numRuns: 2000 },
    );
  });

  test("pairs written out as a body parse back to themselves", () => {
    // A field: lines that are neither blank-edged nor headers nor fences, joined with \n.
    const lineArb = fc
      .string({ unit: fc.constantFrom("a", "b", " ", "#", "Q", "A", "é", "🙂", "'", "\t"), minLength: 1, maxLength: 12 })
      .filter((l) => stripWhitespace(l) !== "" && !["### Q", "### A"].includes(stripWhitespace(l)));
    const field = fc.array(lineArb, { minLength: 1, maxLength: 4 }).map((ls) => stripWhitespace(ls.join("\n")));
    const pairs = fc.array(fc.record({ question: field, answer: field }), { minLength: 1, maxLength: 6 });
    const eol = fc.constantFrom("\n", "\r\n", "\r", "\u2028");
    fc.assert(
      fc.property(pairs, eol, (ps, nl) => {
        const body = ps.map((p) => `### Q${nl}${p.question.replaceAll("\n", nl)}${nl}### A${nl}${p.answer.replaceAll("\n", nl)}${nl}`).join(nl);
        expect(parseInstructionBody(body, { sectionId: "rt" })).toEqual(ps);
      }),
      { numRuns: 500 },
    );
  });
});

// ---------------------------------------------------------------- hostile bodies (was hostile.test.ts)

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

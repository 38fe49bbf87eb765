import { LineCursor } from "./cursor.js";
import { checkString, InstructionParseError, sectionIdOption } from "./errors.js";
import { quoteLine } from "./repr.js";

/** One instruction turn: a question and its answer, both trimmed and non-empty. */
export interface QAPair {
  question: string;
  answer: string;
}

/** Options of {@link parseInstructionBody}. */
export interface InstructionParseOptions {
  /** Stamped on any error, so the caller can point back at the section. */
  sectionId: string;
}

const Q = "### Q";
const A = "### A";
const HEADERS = [Q, A] as const;

/**
 * Parse the `### Q` / `### A` pairs of an instruction section body.
 *
 * Grammar, as the reference: leading blank lines are skipped; each pair is a `### Q` line,
 * its question, a `### A` line, its answer. Headers stand alone on their line (surrounding
 * whitespace allowed, Python `str.strip` semantics). A field body runs to the next header,
 * keeps inner blank lines, and is trimmed; text after the last answer belongs to it. Lines
 * split as Python's `str.splitlines` (so `\r\n`, `\r`, U+2028 … end lines).
 *
 * Deliberate difference: a header line inside a closed ``` or ~~~ fence is body text.
 * `### Q !probe` is rejected here; run {@link normalizeProbeMarkers} first to accept it.
 *
 * Linear in the body's length.
 *
 * @throws {ParsersArgumentError} when `body` is not a string or `options` has no string `sectionId`.
 * @throws {InstructionParseError} when the body is empty, a header is missing, out of
 *   order or carries inline text, or a field body is empty; `sectionLine` is 1-based.
 *
 * @example
 * ```ts
 * parseInstructionBody("### Q\nWhat is 2+2?\n### A\n4", { sectionId: "s1" });
 * // [{ question: "What is 2+2?", answer: "4" }]
 * ```
 */
export function parseInstructionBody(body: string, options: InstructionParseOptions): QAPair[] {
  checkString(body, "body");
  const sectionId = sectionIdOption(options);
  const fail = (reason: string, sectionLine: number): never => {
    throw new InstructionParseError(reason, { sectionId, sectionLine });
  };

  const it = new LineCursor(body);
  it.skipBlank();
  const pairs: QAPair[] = [];
  while (!it.eof()) {
    if (!it.atHeader(Q)) {
      fail(`expected \`${Q}\` header alone on its line, got ${quoteLine(it.peek() as string)}`, it.lineNo());
    }
    it.advance();
    const question = it.readFieldBody(HEADERS);
    if (question === "") fail(`${Q} body is empty`, it.lineNo());

    const aLine = it.peek();
    if (aLine === undefined) fail(`${Q} without matching \`${A}\` at end of section`, it.lineNo());
    if (!it.atHeader(A)) {
      fail(`${Q} must be followed by \`${A}\` alone on its line, got ${quoteLine(aLine as string)}`, it.lineNo());
    }
    it.advance();
    const answer = it.readFieldBody(HEADERS);
    if (answer === "") fail(`${A} body is empty`, it.lineNo());

    pairs.push({ question, answer });
    it.skipBlank();
  }
  if (pairs.length === 0) fail(`instruction block has no ${Q} / ${A} pairs`, 1);
  return pairs;
}

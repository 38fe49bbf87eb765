import { LineCursor } from "./cursor.js";
import { checkString, PreferenceParseError, sectionIdOption } from "./errors.js";
import { quoteLine } from "./repr.js";

/** One preference example: a prompt, the chosen and the rejected completion, all trimmed and non-empty. */
export interface PreferenceTriple {
  prompt: string;
  chosen: string;
  rejected: string;
}

/** Options of {@link parsePreferenceBody}. */
export interface PreferenceParseOptions {
  /** Stamped on any error, so the caller can point back at the section. */
  sectionId: string;
}

const PROMPT = "### Prompt";
const CHOSEN = "### Chosen";
const REJECTED = "### Rejected";
const HEADERS = [PROMPT, CHOSEN, REJECTED] as const;

/**
 * Parse the `### Prompt` / `### Chosen` / `### Rejected` triples of a preference section
 * body. The three headers come in that order, repeated; the rules for headers, field
 * bodies, line splitting and fences are those of {@link parseInstructionBody}. A field body
 * ends at any of the three headers (`### Q` and `### A` are plain text here).
 *
 * Linear in the body's length.
 *
 * @throws {ParsersArgumentError} when `body` is not a string or `options` has no string `sectionId`.
 * @throws {PreferenceParseError} when the body is empty, a header is missing, duplicated,
 *   out of order or carries inline text, or a field body is empty; `sectionLine` is 1-based.
 *
 * @example
 * ```ts
 * parsePreferenceBody("### Prompt\nSay hi.\n### Chosen\nHi!\n### Rejected\nGo away.", { sectionId: "s2" });
 * // [{ prompt: "Say hi.", chosen: "Hi!", rejected: "Go away." }]
 * ```
 */
export function parsePreferenceBody(body: string, options: PreferenceParseOptions): PreferenceTriple[] {
  checkString(body, "body");
  const sectionId = sectionIdOption(options);
  const fail = (reason: string, sectionLine: number): never => {
    throw new PreferenceParseError(reason, { sectionId, sectionLine });
  };

  const it = new LineCursor(body);
  const field = (header: string): string => {
    const line = it.peek();
    if (line === undefined) fail(`expected \`${header}\` header, got end of section`, it.lineNo());
    if (!it.atHeader(header)) {
      fail(`expected \`${header}\` header alone on its line, got ${quoteLine(line as string)}`, it.lineNo());
    }
    it.advance();
    const text = it.readFieldBody(HEADERS);
    if (text === "") fail(`\`${header}\` body is empty`, it.lineNo());
    return text;
  };

  it.skipBlank();
  const triples: PreferenceTriple[] = [];
  while (!it.eof()) {
    const prompt = field(PROMPT);
    const chosen = field(CHOSEN);
    const rejected = field(REJECTED);
    triples.push({ prompt, chosen, rejected });
    it.skipBlank();
  }
  if (triples.length === 0) fail(`preference block has no ${PROMPT} / ${CHOSEN} / ${REJECTED} triples`, 1);
  return triples;
}

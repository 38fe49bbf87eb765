import { describeValue } from "@replaykit/errors";
import { checkString, ParsersArgumentError } from "./errors.js";
import { indexOfLines, type LineIndex } from "./split-lines.js";
import { skipWhitespace, skipWhitespaceBack } from "./whitespace.js";

const BACKTICK = 0x60;
const TILDE = 0x7e;

/**
 * Which lines belong to a fenced code block (``` or ~~~), so a header-looking line inside
 * one stays body text.
 *
 * A fence opens on a line that, after Python-style whitespace stripping, starts with three
 * or more backticks or tildes (a backtick fence's info string may not contain a backtick,
 * as in CommonMark, so inline code such as "```x```" opens nothing). It closes on the first
 * later line made only of the same character, at least as many of them. Leading
 * indentation of any width is allowed on both lines.
 *
 * Deliberate choice: **a fence counts only if it closes.** An opener with no closer below
 * it is plain text, so a stray or truncated fence never swallows the rest of a section and
 * such bodies parse exactly as the reference parsers parse them.
 *
 * Linear time: one pass classifies lines, one backward pass records the longest closer
 * still to come for each character, one forward pass pairs openers with closers.
 *
 * @param lines The body's lines, as {@link splitLines} returns them.
 * @returns One byte per line: 1 when the line is an opener, a closer or inside a closed
 *   fence, 0 otherwise.
 *
 * @throws {ParsersArgumentError} when `lines` is not an array of strings.
 *
 * @example
 * ```ts
 * fenceMask(["```md", "### Q", "```", "### Q"]); // Uint8Array [1, 1, 1, 0]
 * fenceMask(["```md", "### Q"]);                 // Uint8Array [0, 0] (never closed)
 * ```
 */
export function fenceMask(lines: readonly string[]): Uint8Array {
  if (!Array.isArray(lines)) throw new ParsersArgumentError("lines", `must be an array of strings, got ${describeValue(lines)}`);
  for (let i = 0; i < lines.length; i++) checkString(lines[i], `lines[${i}]`);
  return fenceMaskOf(indexOfLines(lines));
}

/** {@link fenceMask} over indexed lines. Internal. */
export function fenceMaskOf(index: LineIndex): Uint8Array {
  const { text, count: n, starts, ends } = index;
  const mask = new Uint8Array(n);
  // Per line: run length of the fence character (0 = not a fence line); negative when
  // the line has an info string and can only open a fence, positive when it can also close one.
  let run: Int32Array | undefined;
  let kind: Uint8Array | undefined; // BACKTICK, TILDE or 0
  for (let i = 0; i < n; i++) {
    const lineEnd = ends[i] as number;
    const start = skipWhitespace(text, starts[i] as number, lineEnd);
    const c = start < lineEnd ? text.charCodeAt(start) : 0;
    if (c !== BACKTICK && c !== TILDE) continue;
    let j = start;
    while (j < lineEnd && text.charCodeAt(j) === c) j++;
    const length = j - start;
    if (length < 3) continue;
    const end = skipWhitespaceBack(text, lineEnd, j);
    let signed: number;
    if (end === j)
      signed = length; // only the fence characters: opens or closes
    // A backtick in the info string makes it inline code, not a fence. (Searching back
    // from the line's end stops at the run itself, so this stays linear in the line.)
    else if (c === BACKTICK && text.lastIndexOf("`", end - 1) >= j) continue;
    else signed = -length; // an info string: opens only
    run ??= new Int32Array(n);
    kind ??= new Uint8Array(n);
    run[i] = signed;
    kind[i] = c;
  }
  if (run === undefined || kind === undefined) return mask;

  // longest*[i]: the longest closer of that character on lines i .. n-1.
  const longestBacktick = new Int32Array(n + 1);
  const longestTilde = new Int32Array(n + 1);
  for (let i = n - 1; i >= 0; i--) {
    let b = longestBacktick[i + 1] as number;
    let t = longestTilde[i + 1] as number;
    const r = run[i] as number;
    if (r > 0) {
      if (kind[i] === BACKTICK) b = Math.max(b, r);
      else t = Math.max(t, r);
    }
    longestBacktick[i] = b;
    longestTilde[i] = t;
  }

  for (let i = 0; i < n; i++) {
    const c = kind[i] as number;
    if (c === 0) continue;
    const length = Math.abs(run[i] as number);
    const longest = c === BACKTICK ? longestBacktick : longestTilde;
    if ((longest[i + 1] as number) < length) continue; // never closed: plain text
    mask[i] = 1;
    let j = i + 1;
    // A closer exists below, so this loop stops at it before running off the end.
    while (!(kind[j] === c && (run[j] as number) >= length)) mask[j++] = 1;
    mask[j] = 1;
    i = j;
  }
  return mask;
}

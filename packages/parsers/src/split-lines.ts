import { checkNumber, checkString } from "./errors.js";

/**
 * Python `str.splitlines()` line breaks: `\n`, `\r`, `\r\n` (one break), `\v`, `\f`,
 * U+001C, U+001D, U+001E, U+0085, U+2028 and U+2029. Each alternative matches one or two
 * fixed code units, so splitting is a single pass with no backtracking.
 */
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/;
const LINE_BREAKS = /\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/g;
const NOT_LF_BREAK = /[\r\v\f\x1c-\x1e\x85\u2028\u2029]/;

/**
 * True when the UTF-16 code unit `code` ends a line for Python's `str.splitlines`.
 *
 * @throws {ParsersArgumentError} when `code` is not a number.
 */
export function isLineBreakCode(code: number): boolean {
  checkNumber(code, "code");
  return breaksLine(code);
}

function breaksLine(code: number): boolean {
  return (code >= 0x0a && code <= 0x0d) || (code >= 0x1c && code <= 0x1e) || code === 0x85 || code === 0x2028 || code === 0x2029;
}

/**
 * Split `text` into lines exactly as Python's `text.splitlines()`: the breaks are dropped,
 * a final break does not start an empty last line, and `""` has no lines.
 *
 * @throws {ParsersArgumentError} when `text` is not a string.
 *
 * @example
 * ```ts
 * splitLines("a\r\nb\u2028c\n"); // ["a", "b", "c"]
 * splitLines("");                // []
 * splitLines("\n");              // [""]
 * ```
 */
export function splitLines(text: string): string[] {
  checkString(text, "text");
  if (text.length === 0) return [];
  const lines = text.split(LINE_BREAK);
  // A break at the very end leaves one empty string behind it; Python does not count it.
  if (breaksLine(text.charCodeAt(text.length - 1))) lines.pop();
  return lines;
}

/**
 * The lines of a text as offsets, without allocating a string per line: line `i` is
 * `text.slice(starts[i], ends[i])`, the same lines {@link splitLines} returns. Internal.
 */
export interface LineIndex {
  readonly text: string;
  readonly count: number;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  /** True when every line break in `text` is a lone `\n` (no rewriting needed to join lines with `\n`). */
  readonly lfOnly: boolean;
}

/** Index the lines of `text` (Python `str.splitlines` semantics) in one linear pass. Internal. */
export function indexLines(text: string): LineIndex {
  const n = text.length;
  let starts = new Int32Array(64);
  let ends = new Int32Array(64);
  let count = 0;
  const push = (start: number, end: number): void => {
    if (count === starts.length) {
      const grownStarts = new Int32Array(count * 2);
      const grownEnds = new Int32Array(count * 2);
      grownStarts.set(starts);
      grownEnds.set(ends);
      starts = grownStarts;
      ends = grownEnds;
    }
    starts[count] = start;
    ends[count] = end;
    count++;
  };
  const lfOnly = !NOT_LF_BREAK.test(text);
  let start = 0;
  if (lfOnly) {
    // The common case: let the engine's indexOf find the breaks.
    for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", start)) {
      push(start, at);
      start = at + 1;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const code = text.charCodeAt(i);
      if (code > 0x0d ? code < 0x1c || (code > 0x1e && code !== 0x85 && code !== 0x2028 && code !== 0x2029) : code < 0x0a) {
        continue;
      }
      push(start, i);
      if (code === 0x0d && text.charCodeAt(i + 1) === 0x0a) i++;
      start = i + 1;
    }
  }
  if (start < n) push(start, n);
  return { text, count, starts, ends, lfOnly };
}

/** Index already-split lines, as if they were joined with `\n`. Internal. */
export function indexOfLines(lines: readonly string[]): LineIndex {
  const count = lines.length;
  const starts = new Int32Array(count);
  const ends = new Int32Array(count);
  let at = 0;
  for (let i = 0; i < count; i++) {
    starts[i] = at;
    at += (lines[i] as string).length;
    ends[i] = at;
    at += 1;
  }
  return { text: lines.join("\n"), count, starts, ends, lfOnly: false };
}

/**
 * `text.slice(from, to)` with every line break turned into `\n`: the lines in that range
 * joined with `\n`, as the reference's `"\n".join(lines)`. Internal.
 */
export function sliceJoined(index: LineIndex, from: number, to: number): string {
  const slice = index.text.slice(from, to);
  return index.lfOnly ? slice : slice.replace(LINE_BREAKS, "\n");
}

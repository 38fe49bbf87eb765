import { checkNumber, checkString } from "./errors.js";

/**
 * Python `str.isspace` / `str.strip()` semantics, which the reference parsers use to
 * recognise blank lines and headers and to trim field bodies.
 *
 * JavaScript's `String.prototype.trim` differs in both directions: it strips U+FEFF (a BOM
 * is not whitespace to Python) and keeps U+001C–U+001F and U+0085 (whitespace to Python).
 */

/**
 * True when the UTF-16 code unit `code` is whitespace to Python's `str.isspace`:
 * `\t \n \v \f \r`, U+001C–U+001F, space, U+0085, U+00A0, U+1680, U+2000–U+200A,
 * U+2028, U+2029, U+202F, U+205F and U+3000. Not U+FEFF, not U+200B.
 *
 * @throws {ParsersArgumentError} when `code` is not a number.
 */
export function isWhitespaceCode(code: number): boolean {
  checkNumber(code, "code");
  return isSpace(code);
}

/** {@link isWhitespaceCode} without the argument check, for the scanning loops. */
function isSpace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d) || (code >= 0x1c && code <= 0x1f);
  if (code < 0x85) return false;
  if (code === 0x85 || code === 0xa0 || code === 0x1680 || code === 0x3000) return true;
  if (code < 0x2000 || code > 0x205f) return false;
  return code <= 0x200a || code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f;
}

/** Index of the first non-whitespace code unit of `text` in `[from, to)`, or `to`. Internal. */
export function skipWhitespace(text: string, from = 0, to = text.length): number {
  let i = from;
  while (i < to && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** One past the last non-whitespace code unit of `text` in `[from, to)`, or `from`. Internal. */
export function skipWhitespaceBack(text: string, to = text.length, from = 0): number {
  let j = to;
  while (j > from && isSpace(text.charCodeAt(j - 1))) j--;
  return j;
}

/**
 * `text` without leading and trailing whitespace, exactly as Python's `text.strip()`.
 *
 * @throws {ParsersArgumentError} when `text` is not a string.
 *
 * @example
 * ```ts
 * stripWhitespace("\u3000 ### Q \u00a0"); // "### Q"
 * stripWhitespace("\ufeff### Q");        // "\ufeff### Q" (a BOM is not whitespace)
 * ```
 */
export function stripWhitespace(text: string): string {
  checkString(text, "text");
  const start = skipWhitespace(text);
  const end = skipWhitespaceBack(text, text.length, start);
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/**
 * True when `text` is empty or whitespace only (Python: `text.strip() == ""`).
 *
 * @throws {ParsersArgumentError} when `text` is not a string.
 */
export function isBlank(text: string): boolean {
  checkString(text, "text");
  return skipWhitespace(text) === text.length;
}

/**
 * True when `text.slice(from, to).strip() == token` in Python, without allocating.
 * Internal.
 */
export function strippedEquals(text: string, token: string, from = 0, to = text.length): boolean {
  const start = skipWhitespace(text, from, to);
  const end = skipWhitespaceBack(text, to, start);
  return end - start === token.length && text.startsWith(token, start);
}

import { checkString } from "./errors.js";

/**
 * Python's `repr()` of a `str`, used to quote the offending line in parse-error messages
 * exactly as the reference does.
 */

// Python's str.isprintable() is false for these general categories (space excepted).
// Unicode versions differ slightly (Python 3.11 ships Unicode 14, the JS engine its own),
// which only matters for code points assigned in between.
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, "0");
}

/**
 * Quote `text` as Python's `repr(text)` does: single quotes unless the text contains a
 * single quote and no double quote; `\\`, `\t`, `\n`, `\r` and the quote escaped;
 * non-printable code points as `\xhh`, `\uhhhh` or `\Uhhhhhhhh` (lowercase hex). Lone
 * surrogates are escaped too.
 *
 * @throws {ParsersArgumentError} when `text` is not a string.
 *
 * @example
 * ```ts
 * pythonRepr("\ufeff### Q");          // "'\\ufeff### Q'"
 * pythonRepr("### Q What's this?");   // "\"### Q What's this?\""
 * ```
 */
export function pythonRepr(text: string): string {
  checkString(text, "text");
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  let plainFrom = 0;
  let i = 0;
  while (i < text.length) {
    const code = text.codePointAt(i) as number;
    const width = code > 0xffff ? 2 : 1;
    let escaped: string | undefined;
    if (code === 0x5c) escaped = "\\\\";
    else if (code === 0x09) escaped = "\\t";
    else if (code === 0x0a) escaped = "\\n";
    else if (code === 0x0d) escaped = "\\r";
    else if (code === quote.charCodeAt(0)) escaped = `\\${quote}`;
    else if (code >= 0x20 && code < 0x7f)
      escaped = undefined; // printable ASCII, the common case
    else if (code === 0x20 || !NON_PRINTABLE.test(String.fromCodePoint(code))) escaped = undefined;
    else if (code < 0x100) escaped = `\\x${hex(code, 2)}`;
    else if (code < 0x10000) escaped = `\\u${hex(code, 4)}`;
    else escaped = `\\U${hex(code, 8)}`;
    if (escaped !== undefined) {
      out += text.slice(plainFrom, i) + escaped;
      plainFrom = i + width;
    }
    i += width;
  }
  return out + text.slice(plainFrom) + quote;
}

/** Lines longer than this are quoted in part in error messages. */
const QUOTE_LIMIT = 4096;

/**
 * `pythonRepr(line)`, as the reference quotes an offending line, except that a line
 * longer than 4096 code units is quoted in part, followed by how much was left out: a
 * multi-megabyte line must not make a multi-megabyte (or impossible) error message.
 * Internal.
 */
export function quoteLine(line: string): string {
  if (line.length <= QUOTE_LIMIT) return pythonRepr(line);
  let cut = QUOTE_LIMIT;
  const last = line.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut--; // do not split a surrogate pair
  return `${pythonRepr(line.slice(0, cut))}… (${line.length - cut} more characters)`;
}

import { fenceMaskOf } from "./fence.js";
import { indexLines, sliceJoined, type LineIndex } from "./split-lines.js";
import { skipWhitespace, skipWhitespaceBack, strippedEquals } from "./whitespace.js";

/**
 * A line-at-a-time reader over a section body, the shape of the reference parsers'
 * `_PeekableLines`, plus fence awareness: a header-looking line inside a closed fenced
 * block is not a header. Lines are offsets into the body (no string per line), so a
 * multi-megabyte body costs one scan plus one slice per field. Internal.
 */
export class LineCursor {
  private readonly index: LineIndex;
  private readonly fenced: Uint8Array;
  private at = 0;

  constructor(body: string) {
    this.index = indexLines(body);
    this.fenced = fenceMaskOf(this.index);
  }

  eof(): boolean {
    return this.at >= this.index.count;
  }

  /** The current line, or `undefined` at the end. */
  peek(): string | undefined {
    const { text, count, starts, ends } = this.index;
    return this.at < count ? text.slice(starts[this.at], ends[this.at]) : undefined;
  }

  advance(): void {
    this.at++;
  }

  /** 1-based number of the current line (one past the last line at the end). */
  lineNo(): number {
    return this.at + 1;
  }

  /** True when the current line is `header` alone on its line, outside any fence. */
  atHeader(header: string): boolean {
    return this.headerAt(this.at, [header]);
  }

  private headerAt(i: number, headers: readonly string[]): boolean {
    const { text, count, starts, ends } = this.index;
    if (i >= count || this.fenced[i] !== 0) return false;
    const start = skipWhitespace(text, starts[i], ends[i]);
    if (text.charCodeAt(start) !== 0x23) return false; // every header starts with "#"
    for (const header of headers) if (strippedEquals(text, header, start, ends[i])) return true;
    return false;
  }

  skipBlank(): void {
    const { text, count, starts, ends } = this.index;
    while (this.at < count && skipWhitespace(text, starts[this.at], ends[this.at]) === ends[this.at]) this.at++;
  }

  /**
   * Read a field body: every line up to the next header in `headers` (or the end),
   * joined with `\n` and stripped, as the reference's `_read_field_body`.
   */
  readFieldBody(headers: readonly string[]): string {
    const first = this.at;
    while (this.at < this.index.count && !this.headerAt(this.at, headers)) this.at++;
    if (first === this.at) return "";
    const { text, starts, ends } = this.index;
    // Every line break is whitespace to Python, so stripping the raw range equals
    // stripping the lines joined with "\n".
    const from = skipWhitespace(text, starts[first], ends[this.at - 1]);
    const to = skipWhitespaceBack(text, ends[this.at - 1], from);
    return from === to ? "" : sliceJoined(this.index, from, to);
  }
}

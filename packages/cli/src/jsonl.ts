import { createReadStream } from "node:fs";
import { CliFailure } from "./errors.js";

/** One line of a text input, numbered from 1, without its line ending. */
export interface NumberedLine {
  readonly lineNumber: number;
  readonly text: string;
}

/** A chunk source: a Node readable stream, or any async iterable of text or bytes. */
export type ChunkSource = AsyncIterable<string | Uint8Array>;

/**
 * Splits a stream of UTF-8 chunks into numbered lines. Lines end at `\n`; a `\r` before it
 * is dropped (CRLF files); a final line without a newline is still a line; an empty input
 * gives no lines; a UTF-8 BOM at the very start is skipped. Only `\n` ends a line, because
 * inside JSON text any other line separator (U+2028, a lone `\r` …) can only appear in a
 * string, where it is data. Lines are cut at the byte level (a `\n` byte is never part of a
 * multi-byte character) and decoded one by one, so bad UTF-8 is reported on its own line.
 *
 * `onBytes` is told how many bytes were consumed so far (for progress).
 *
 * @throws {CliFailure} when a line is not valid UTF-8 (naming the line).
 */
export async function* readLines(source: ChunkSource, name: string, onBytes?: (bytes: number) => void): AsyncGenerator<NumberedLine> {
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  let carry: Uint8Array[] = [];
  let lineNumber = 0;
  let bytes = 0;
  const decode = (line: Uint8Array): string => {
    let body = line;
    if (lineNumber === 1 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) body = body.subarray(3);
    if (body[body.length - 1] === 0x0d) body = body.subarray(0, -1);
    try {
      return decoder.decode(body);
    } catch (error) {
      throw new CliFailure(`${name} line ${lineNumber}: not valid UTF-8 text`, { cause: error });
    }
  };
  for await (const chunk of source) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    bytes += buf.byteLength;
    onBytes?.(bytes);
    let start = 0;
    for (let nl = buf.indexOf(0x0a, start); nl !== -1; nl = buf.indexOf(0x0a, start)) {
      const piece = buf.subarray(start, nl);
      const line = carry.length === 0 ? piece : Buffer.concat([...carry, piece]);
      carry = [];
      lineNumber++;
      yield { lineNumber, text: decode(line) };
      start = nl + 1;
    }
    if (start < buf.byteLength) carry.push(buf.subarray(start));
  }
  if (carry.length > 0) {
    lineNumber++;
    yield { lineNumber, text: decode(Buffer.concat(carry)) };
  }
}

/** The chunks of a file, or of stdin when `path` is `-`. */
export function openInput(path: string, stdin: ChunkSource): ChunkSource {
  if (path === "-") return stdin;
  return createReadStream(path);
}

function stripCR(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}

import { createReadStream } from "node:fs";
import { formatBytes } from "./size.js";

/**
 * One line of a text input, numbered from 1, without its line ending: its text, or why it
 * has none (not UTF-8, too long).
 */
export type NumberedLine =
  | { readonly lineNumber: number; readonly text: string; readonly problem?: undefined }
  | { readonly lineNumber: number; readonly text?: undefined; readonly problem: string };

/** A chunk source: a Node readable stream, or any async iterable of text or bytes. */
export type ChunkSource = AsyncIterable<string | Uint8Array>;

/**
 * The longest line read (bytes). A section's frame may hold at most 64 MiB (the store's
 * default `maxFrameBytes`), so a longer line could never be read back; it also keeps one
 * line far below V8's string limit (~512 MiB), past which decoding fails with a misleading
 * error.
 */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

/**
 * Splits a stream of UTF-8 chunks into numbered lines. Lines end at `\n`; a `\r` before it
 * is dropped (CRLF files); a final line without a newline is still a line; an empty input
 * gives no lines; a UTF-8 BOM at the very start is skipped. Only `\n` ends a line, because
 * inside JSON text any other line separator (U+2028, a lone `\r` …) can only appear in a
 * string, where it is data. Lines are cut at the byte level (a `\n` byte is never part of a
 * multi-byte character) and decoded one by one, so bad UTF-8 is reported on its own line.
 * A line longer than `maxLineBytes` is not kept in memory: it comes back as a problem
 * naming its length.
 *
 * `onBytes` is told how many bytes were consumed so far (for progress).
 */
export async function* readLines(source: ChunkSource, onBytes?: (bytes: number) => void, maxLineBytes = MAX_LINE_BYTES): AsyncGenerator<NumberedLine> {
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  let carry: Uint8Array[] = [];
  let carried = 0;
  let lineNumber = 0;
  let bytes = 0;
  const finish = (piece: Uint8Array): NumberedLine => {
    lineNumber++;
    const length = carried + piece.byteLength;
    if (length > maxLineBytes) {
      return {
        lineNumber,
        problem: `the line is ${formatBytes(length)} long; a section line may be at most ${formatBytes(maxLineBytes)} (the largest frame the store reads back)`,
      };
    }
    let body = carry.length === 0 ? piece : Buffer.concat([...carry, piece]);
    if (lineNumber === 1 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) body = body.subarray(3);
    if (body[body.length - 1] === 0x0d) body = body.subarray(0, -1);
    try {
      return { lineNumber, text: decoder.decode(body) };
    } catch {
      return { lineNumber, problem: "not valid UTF-8 text" };
    }
  };
  for await (const chunk of source) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    bytes += buf.byteLength;
    onBytes?.(bytes);
    let start = 0;
    for (let nl = buf.indexOf(0x0a, start); nl !== -1; nl = buf.indexOf(0x0a, start)) {
      yield finish(buf.subarray(start, nl));
      carry = [];
      carried = 0;
      start = nl + 1;
    }
    if (start < buf.byteLength) {
      const rest = buf.subarray(start);
      // Past the limit only the length is kept, so a 600 MB line costs no memory.
      if (carried + rest.byteLength <= maxLineBytes) carry.push(rest);
      else carry = [];
      carried += rest.byteLength;
    }
  }
  if (carried > 0) yield finish(new Uint8Array(0));
}

/** The chunks of a file, or of stdin when `path` is `-`. */
export function openInput(path: string, stdin: ChunkSource): ChunkSource {
  if (path === "-") return stdin;
  return createReadStream(path);
}

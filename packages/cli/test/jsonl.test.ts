import { describe, expect, test } from "vitest";
import { readLines, type ChunkSource } from "../src/jsonl.js";

async function lines(chunks: Array<string | Uint8Array>, maxLineBytes?: number): Promise<Array<[number, string]>> {
  const source: ChunkSource = (async function* () {
    yield* chunks;
  })();
  const out: Array<[number, string]> = [];
  for await (const line of readLines(source, undefined, maxLineBytes)) out.push([line.lineNumber, line.text ?? `problem: ${line.problem}`]);
  return out;
}
const bytes = (text: string) => new TextEncoder().encode(text);

describe("readLines", () => {
  test("LF, CRLF, and a last line without a newline", async () => {
    expect(await lines([bytes("a\r\nb\nc")])).toEqual([
      [1, "a"],
      [2, "b"],
      [3, "c"],
    ]);
  });
  test("a final newline gives no extra empty line; blank lines keep their numbers", async () => {
    expect(await lines([bytes("a\n\n\nb\n")])).toEqual([
      [1, "a"],
      [2, ""],
      [3, ""],
      [4, "b"],
    ]);
  });
  test("an empty input gives no lines", async () => {
    expect(await lines([])).toEqual([]);
    expect(await lines([bytes("")])).toEqual([]);
  });
  test("a BOM at the start is skipped (bytes or text)", async () => {
    expect(await lines([bytes("\uFEFF{}\n")])).toEqual([[1, "{}"]]);
    expect(await lines(["\uFEFF{}\n"])).toEqual([[1, "{}"]]);
  });
  test("chunks split anywhere, even inside a multi-byte character or a CRLF", async () => {
    const all = bytes("héllo 🌍\r\nwörld\n");
    const split = Array.from(all, (b) => new Uint8Array([b]));
    expect(await lines(split)).toEqual([
      [1, "héllo 🌍"],
      [2, "wörld"],
    ]);
  });
  test("U+2028 and a lone CR do not end a line (they can only be inside JSON strings)", async () => {
    expect(await lines([bytes("a\u2028b\rc\n")])).toEqual([[1, "a\u2028b\rc"]]);
  });
  test("invalid UTF-8 is a problem of its line; the lines after it are still read", async () => {
    const bad = new Uint8Array([...bytes("ok\n"), 0xff, 0x0a, ...bytes("next\n")]);
    expect(await lines([bad])).toEqual([
      [1, "ok"],
      [2, "problem: not valid UTF-8 text"],
      [3, "next"],
    ]);
  });
  test("a line over the limit is reported by its length (not as bad UTF-8), across chunks, and the next line is read", async () => {
    const long = [bytes("x".repeat(600)), bytes("y".repeat(600)), bytes("\u00e9".repeat(300)), bytes("\nshort\n")];
    const out = await lines(long, 1024);
    expect(out).toEqual([
      [1, "problem: the line is 1.76 KiB long; a section line may be at most 1.00 KiB (the largest frame the store reads back)"],
      [2, "short"],
    ]);
    // A last line without a newline, over the limit.
    expect(await lines([bytes("a\n"), bytes("z".repeat(2000))], 1024)).toEqual([
      [1, "a"],
      [2, expect.stringMatching(/^problem: the line is 1.95 KiB long/)],
    ]);
  });
});

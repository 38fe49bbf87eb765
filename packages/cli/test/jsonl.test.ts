import { describe, expect, test } from "vitest";
import { CliFailure } from "../src/errors.js";
import { readLines, type ChunkSource } from "../src/jsonl.js";

async function lines(chunks: Array<string | Uint8Array>): Promise<Array<[number, string]>> {
  const source: ChunkSource = (async function* () {
    yield* chunks;
  })();
  const out: Array<[number, string]> = [];
  for await (const { lineNumber, text } of readLines(source, "input")) out.push([lineNumber, text]);
  return out;
}
const bytes = (text: string) => new TextEncoder().encode(text);

describe("readLines", () => {
  test("LF, CRLF, and a last line without a newline", async () => {
    expect(await lines([bytes("a\r\nb\nc")])).toEqual([[1, "a"], [2, "b"], [3, "c"]]);
  });
  test("a final newline gives no extra empty line; blank lines keep their numbers", async () => {
    expect(await lines([bytes("a\n\n\nb\n")])).toEqual([[1, "a"], [2, ""], [3, ""], [4, "b"]]);
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
    expect(await lines(split)).toEqual([[1, "héllo 🌍"], [2, "wörld"]]);
  });
  test("U+2028 and a lone CR do not end a line (they can only be inside JSON strings)", async () => {
    expect(await lines([bytes("a\u2028b\rc\n")])).toEqual([[1, "a\u2028b\rc"]]);
  });
  test("invalid UTF-8 is a failure naming the line", async () => {
    const bad = new Uint8Array([...bytes("ok\n"), 0xff, 0x0a]);
    await expect(lines([bad])).rejects.toThrow(CliFailure);
    await expect(lines([bad])).rejects.toThrow(/input line 2: not valid UTF-8/);
  });
});

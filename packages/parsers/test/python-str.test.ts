import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { isBlank, isWhitespaceCode, pythonRepr, splitLines, stripWhitespace } from "../src/index.js";

// Golden outputs of CPython 3.11 (test/vectors/python-str.py); strings are code point arrays
// so lone surrogates survive the JSON.
const golden = JSON.parse(readFileSync(new URL("./vectors/python-str.json", import.meta.url), "utf8")) as {
  whitespace: number[];
  cases: Array<{ s: number[]; splitlines: number[][]; strip: number[]; repr: string }>;
};
const str = (points: number[]): string => points.map((p) => String.fromCodePoint(p)).join("");

describe("Python str semantics", () => {
  test("isWhitespaceCode is str.isspace over the whole BMP", () => {
    const expected = new Set(golden.whitespace);
    for (let code = 0; code <= 0xffff; code++) {
      if (isWhitespaceCode(code) !== expected.has(code)) throw new Error(`U+${code.toString(16)} disagrees`);
    }
    expect(golden.whitespace.every((code) => code <= 0xffff)).toBe(true);
  });

  test.each(golden.cases.map((c, i) => [i, c] as const))("case %i: splitlines, strip, repr", (_, c) => {
    const s = str(c.s);
    expect(splitLines(s)).toEqual(c.splitlines.map(str));
    expect(stripWhitespace(s)).toBe(str(c.strip));
    expect(isBlank(s)).toBe(c.strip.length === 0);
    expect(pythonRepr(s)).toBe(c.repr);
  });

  test("the differences from JavaScript's own trim and split", () => {
    expect(stripWhitespace("\ufeffx\ufeff")).toBe("\ufeffx\ufeff"); // BOM is not whitespace
    expect(stripWhitespace("\x1cx\x85")).toBe("x"); // but these are
    expect(stripWhitespace("\u200bx")).toBe("\u200bx"); // zero-width space is not
    expect(splitLines("a\x1fb")).toEqual(["a\x1fb"]); // U+001F is whitespace, not a line break
    expect(splitLines("a\r\rb\r\n")).toEqual(["a", "", "b"]);
  });
});

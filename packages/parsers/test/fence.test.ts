import { expect, test } from "vitest";
import { fenceMask, splitLines } from "../src/index.js";

const mask = (body: string) => [...fenceMask(splitLines(body))];

test("marks the opener, the content and the closer of a closed fence", () => {
  expect(mask("a\n```js\nx\n```\nb")).toEqual([0, 1, 1, 1, 0]);
  expect(mask("~~~\n~~~\n~~~")).toEqual([1, 1, 0]);
});

test("unclosed, too short, mismatched or inline fences mark nothing", () => {
  expect(mask("```\nx")).toEqual([0, 0]);
  expect(mask("``\nx\n``")).toEqual([0, 0, 0]);
  expect(mask("```\nx\n~~~")).toEqual([0, 0, 0]);
  expect(mask("````\nx\n```")).toEqual([0, 0, 0]);
  expect(mask("```a```\nx\n```")).toEqual([0, 0, 0]);
});

test("a closer may be longer than its opener and surrounded by whitespace", () => {
  expect(mask("```\nx\n \u3000`````\t")).toEqual([1, 1, 1]);
});

test("a line with an info string cannot close a fence", () => {
  expect(mask("```\n```js\n```")).toEqual([1, 1, 1]);
  expect(mask("```\n``` js\nx")).toEqual([0, 0, 0]);
});

test("tilde info strings may contain backticks", () => {
  expect(mask("~~~ `x`\ny\n~~~")).toEqual([1, 1, 1]);
});

test("consecutive fences pair up in order", () => {
  expect(mask("```\na\n```\nb\n```\nc\n```\n```")).toEqual([1, 1, 1, 0, 1, 1, 1, 0]);
});

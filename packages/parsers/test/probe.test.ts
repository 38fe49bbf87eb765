import { expect, test } from "vitest";
import { normalizeProbeMarkers, parseInstructionBody } from "../src/index.js";

test("returns the body itself when it holds no probe marker", () => {
  const body = "### Q\r\nq\r\n### A\r\na\r\n";
  expect(normalizeProbeMarkers(body)).toBe(body);
});

test("rewrites marker lines, rejoining all lines with \\n as the reference does", () => {
  expect(normalizeProbeMarkers("\u3000### Q !probe\t\r\nq\u2028### A\ra\n")).toBe("### Q\nq\n### A\na");
});

test("leaves near-misses alone", () => {
  for (const line of ["### Q  !probe", "### Q !PROBE", "### Q !probe x", "#### Q !probe"]) {
    expect(normalizeProbeMarkers(`${line}\nq`)).toBe(`${line}\nq`);
  }
});

test("leaves a marker inside a closed fence alone (it is code there)", () => {
  const body = "### Q !probe\nshow\n### A\n```\n### Q !probe\n```";
  expect(normalizeProbeMarkers(body)).toBe("### Q\nshow\n### A\n```\n### Q !probe\n```");
  expect(parseInstructionBody(normalizeProbeMarkers(body), { sectionId: "x" })).toEqual([{ question: "show", answer: "```\n### Q !probe\n```" }]);
});

test("a non-string body is an argument error", () => {
  for (const body of [undefined, null, 5, ["### Q !probe"]]) {
    expect(() => normalizeProbeMarkers(body as unknown as string)).toThrow(expect.objectContaining({ code: "PARSERS_ARGUMENT", argument: "body" }));
  }
});

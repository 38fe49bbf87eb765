// The CLI's error classes follow the shared scheme of @replaykit/errors (kind, code, brand
// "cli", isInstance by brand and code) and carry their exit code.
import { errorSchemeProblems } from "@replaykit/errors/testing";
import { expect, test } from "vitest";
import * as errors from "../src/errors.js";
import * as api from "../src/index.js";
import { SectionLineError } from "../src/section-json.js";

test("every error class of the CLI follows the shared scheme", () => {
  const samples = [
    new api.UsageError("--k: not a number"),
    new api.CliFailure("2 bad lines"),
    new SectionLineError(3, [{ key: "content", problem: "missing" }]),
  ];
  expect(errorSchemeProblems({ ...api, ...errors, SectionLineError }, samples, ["cli"])).toEqual([]);
  expect(samples.map((e) => [e.code, e.kind, e.exitCode])).toEqual([
    ["CLI_USAGE", "argument", 2],
    ["CLI_FAILURE", "corrupt", 1],
    ["CLI_SECTION_LINE", "corrupt", 1],
  ]);
});

// SamplerError follows the shared scheme of @replaykit/errors: kind "argument", code
// "SAMPLER", brand "sampler", isInstance by brand and code.
import { errorSchemeProblems } from "@replaykit/errors/testing";
import { expect, test } from "vitest";
import * as api from "../src/index.js";

test("every exported error class follows the shared scheme", () => {
  const error = new api.SamplerError("k must be a non-negative integer", { index: 2, sectionId: "aa" });
  expect(errorSchemeProblems(api, [error], ["sampler"])).toEqual([]);
  expect([error.code, error.kind]).toEqual(["SAMPLER", "argument"]);
});

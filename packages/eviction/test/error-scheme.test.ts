// EvictionError follows the shared scheme of @replaykit/errors: kind "argument", code
// "EVICTION", brand "eviction", isInstance by brand and code.
import { errorSchemeProblems } from "@replaykit/errors/testing";
import { expect, test } from "vitest";
import * as api from "../src/index.js";

test("every exported error class follows the shared scheme", () => {
  let thrown: unknown;
  try {
    api.evictUntil([], { maxBytes: -1 });
  } catch (error) {
    thrown = error;
  }
  expect(errorSchemeProblems(api, [thrown], ["eviction"])).toEqual([]);
  expect(thrown).toMatchObject({ code: "EVICTION", kind: "argument", argument: "options.maxBytes" });
});

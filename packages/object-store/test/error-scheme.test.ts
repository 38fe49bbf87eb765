// Every exported error class follows the shared scheme of @replaykit/errors (kind, code,
// brand "object-store", isInstance by brand and code); codes and kinds as the contract says.
import { errorSchemeProblems } from "@replaykit/errors/testing";
import { expect, test } from "vitest";
import * as api from "../src/index.js";

const at = { bucket: "b", key: "k/index.rkx" };
const samples = [
  new api.ObjectStoreError("status 503", { ...at, operation: "get", status: 503, attempts: 3 }),
  new api.ObjectStoreAmbiguousError("timed out", { ...at, mode: "create" }),
  new api.PreconditionFailedError({ ...at, mode: "create", reason: "exists" }),
  new api.ObjectNotFoundError(at),
  new api.ObjectRangeError({ ...at, offset: 10, length: 5, size: 12 }),
  new api.ObjectStoreArgumentError("options.maxAttempts", "must be a positive integer"),
  new api.UnsafeEndpointError({ ...at, endpoint: "http://127.0.0.1:9000", condition: "If-None-Match" }),
];

test("every exported error class follows the shared scheme", () => {
  expect(errorSchemeProblems(api, samples, ["object-store"])).toEqual([]);
  expect(samples.map((e) => `${e.code} ${e.kind}`)).toEqual([
    "OBJECT_STORE io",
    "OBJECT_STORE_AMBIGUOUS io",
    "OBJECT_STORE_PRECONDITION conflict",
    "OBJECT_STORE_NOT_FOUND not-found",
    "OBJECT_STORE_RANGE argument",
    "OBJECT_STORE_ARGUMENT argument",
    "OBJECT_STORE_UNSAFE unsupported",
  ]);
});

import { describe, expect, test } from "vitest";
// Every error class, through the package's public entry.
import * as api from "../src/index.js";

const at = { bucket: "b", key: "k/1" };
const all = [
  new api.ObjectStoreError("boom", { ...at, operation: "get", status: 500, attempts: 3 }),
  new api.ObjectStoreAmbiguousError("timed out", { ...at, mode: "create" }),
  new api.PreconditionFailedError({ ...at, mode: "create", reason: "exists", status: 412 }),
  new api.ObjectNotFoundError({ ...at, status: 404 }),
  new api.ObjectRangeError({ ...at, offset: 10, length: 5, size: 12 }),
  new api.ObjectStoreArgumentError("key", "expected a string"),
  new api.UnsafeEndpointError({ ...at, endpoint: "http://127.0.0.1:1" }),
];

describe("errors", () => {
  test("codes, kinds and the shared brand", () => {
    expect(all.map((e) => [e.code, e.kind])).toEqual([
      ["OBJECT_STORE", "io"],
      ["OBJECT_STORE_AMBIGUOUS", "io"],
      ["OBJECT_STORE_PRECONDITION", "conflict"],
      ["OBJECT_STORE_NOT_FOUND", "not-found"],
      ["OBJECT_STORE_RANGE", "argument"],
      ["OBJECT_STORE_ARGUMENT", "argument"],
      ["OBJECT_STORE_UNSAFE", "unsupported"],
    ]);
    for (const e of all) {
      expect(e).toBeInstanceOf(Error);
      expect(api.isReplaykitError(e)).toBe(true);
      expect((e as unknown as Record<symbol, unknown>)[Symbol.for("replaykit.error")]).toBe("object-store");
      expect(e.name).toBe(e.constructor.name);
    }
  });

  test("isInstance checks brand and code, so it works across copies and rejects look-alikes", () => {
    const classes = [
      api.ObjectStoreError,
      api.ObjectStoreAmbiguousError,
      api.PreconditionFailedError,
      api.ObjectNotFoundError,
      api.ObjectRangeError,
      api.ObjectStoreArgumentError,
      api.UnsafeEndpointError,
    ];
    classes.forEach((C, i) => {
      all.forEach((e, j) => {
        expect(C.isInstance(e), `${C.name} vs ${e.name}`).toBe(i === j);
      });
      // An error from another copy of the package: same brand and code, another class.
      const foreign = Object.assign(new Error("x"), { code: all[i]!.code, [Symbol.for("replaykit.error")]: "object-store" });
      expect(C.isInstance(foreign)).toBe(true);
      expect(C.isInstance({ code: all[i]!.code })).toBe(false);
      expect(C.isInstance(null)).toBe(false);
    });
  });

  test("messages name the operation, bucket, key and status", () => {
    expect(all[0]!.message).toBe('get bucket "b", key "k/1": status 500, boom (after 3 attempts)');
    expect(all[2]!.message).toContain("412");
    expect(all[2]!.message).toContain('"k/1"');
    expect(all[4]!.message).toContain("12 bytes");
    expect(all[6]!.message).toContain("http://127.0.0.1:1");
  });
});

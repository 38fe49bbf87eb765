// The store's own error classes follow the shared scheme of @replaykit/errors; a call given
// options that are not an object is a StoreArgumentError (kind "argument") thrown before
// the writer lock is taken, never a TypeError.
import * as corpus from "@replaykit/corpus";
import { errorSchemeProblems } from "@replaykit/errors/testing";
import * as eviction from "@replaykit/eviction";
import * as index from "@replaykit/index";
import * as parsers from "@replaykit/parsers";
import * as sampler from "@replaykit/sampler";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import * as api from "../src/index.js";
import { withLock } from "../src/lock.js";
import { tempDir } from "./helpers.js";

const below = { ...corpus, ...index, ...sampler, ...eviction, ...parsers };
const own = Object.fromEntries(Object.entries(api).filter(([name]) => !(name in below)));

const samples = [
  new api.StoreLockedError("/s/index.json.lock", { pid: 1, hostname: "h", since: "2026-01-01T00:00:00Z" }, 10),
  new api.UnknownSectionTypeError("chat", "0123456789abcdef"),
  new api.StoreIOError("/s", "open the store directory", Object.assign(new Error("denied"), { code: "EACCES" })),
  new api.StoreNotFoundError("/s"),
  new api.StoreArgumentError("options", "must be an object"),
  new api.StoreChangedError("/s/corpus.zst", 1, 2),
  new api.StoreIndexLostError("/s/index.rkx", "/s/corpus.zst"),
  new api.StoreNotEmptyError("s3://bucket/replay", "already holds a store"),
  new api.StoreDamagedError("/s", [{ sectionId: "0123456789abcdef", byteOffset: 0, message: "CRC-32 mismatch" }], "has damaged frames"),
  new api.StoreConflictError("s3://b/p", 7, 8, "append: another writer committed first every time"),
  new api.StoreObjectCorruptError("b", "p/commits/00000000000000000007.rkc", "its body fails its CRC-32"),
  new api.StoreUnsupportedError("upgrade", "works on a store in a directory"),
  new api.DrawReceiptError("receipt version must be 1", { reason: "invalid" }),
  new api.DrawReceiptError("2 picks are gone", { reason: "missing", missing: [] }),
  new api.DrawReceiptError("a pick holds other content", { reason: "changed", missing: [] }),
];

describe("error classes", () => {
  test("every exported error class of the store follows the shared scheme", () => {
    expect(errorSchemeProblems(own, samples, ["store"])).toEqual([]);
  });

  test("codes and kinds; STORE_ARGUMENT was STORE_INVALID_ARGUMENT", () => {
    expect(samples.map((e) => `${e.name} ${e.code} ${e.kind}`)).toEqual([
      "StoreLockedError STORE_LOCKED locked",
      "UnknownSectionTypeError UNKNOWN_SECTION_TYPE unsupported",
      "StoreIOError STORE_IO io",
      "StoreNotFoundError STORE_NOT_FOUND not-found",
      "StoreArgumentError STORE_ARGUMENT argument",
      "StoreChangedError STORE_CHANGED conflict",
      "StoreIndexLostError STORE_INDEX_LOST corrupt",
      "StoreNotEmptyError STORE_NOT_EMPTY conflict",
      "StoreDamagedError STORE_DAMAGED corrupt",
      "StoreConflictError STORE_CONFLICT conflict",
      "StoreObjectCorruptError STORE_OBJECT_CORRUPT corrupt",
      "StoreUnsupportedError STORE_UNSUPPORTED unsupported",
      "DrawReceiptError DRAW_RECEIPT corrupt",
      "DrawReceiptError DRAW_RECEIPT not-found",
      "DrawReceiptError DRAW_RECEIPT conflict",
    ]);
    expect(api.StoreArgumentError.aliases).toEqual(["STORE_INVALID_ARGUMENT"]);
    expect(api.StoreArgumentError.isInstance({ [Symbol.for("replaykit.error")]: "store", code: "STORE_INVALID_ARGUMENT" })).toBe(true);
  });

  test("StoreIOError: systemCode, and errno as its deprecated alias", () => {
    expect(samples[2]).toMatchObject({ systemCode: "EACCES", errno: "EACCES" });
  });

  test("the facade re-exports the shared scheme's check and types", () => {
    expect(samples.every(api.isReplaykitError)).toBe(true);
    expect(api.isReplaykitError(new Error("x"))).toBe(false);
  });
});

describe("options that are not an object", () => {
  const bad: unknown[] = [undefined, null, 42, "x"];

  test("evict: a StoreArgumentError before the lock is taken, for each", async () => {
    const store = await api.ReplayStore.open(join(tempDir(), "store"), { lockTimeoutMs: 100 });
    await store.append(api.createSnapshot({ sectionType: "prose", content: "kept" }));
    // Hold the writer lock: a check made after taking it would end in StoreLockedError instead.
    await withLock(store.lockPath, 10_000, async () => {
      for (const value of bad) {
        const error = await store.evict(value as never).catch((e: unknown) => e);
        expect(api.StoreArgumentError.isInstance(error), String(value)).toBe(true);
        expect(error).toMatchObject({ code: "STORE_ARGUMENT", kind: "argument", argument: "options" });
      }
    });
    expect(await store.load()).toHaveLength(1);
  });

  test("every other method taking options: a StoreArgumentError naming them, never a TypeError", async () => {
    const store = await api.ReplayStore.open(join(tempDir(), "store"), { lockTimeoutMs: 100 });
    const snapshot = api.createSnapshot({ sectionType: "prose", content: "one" });
    await store.append(snapshot);
    const calls: Record<string, (o: unknown) => Promise<unknown>> = {
      sampleRows: (o) => store.sampleRows(o as never),
      samplePreferenceRows: (o) => store.samplePreferenceRows(o as never),
      draw: (o) => store.draw(o as never),
      redraw: (o) => store.redraw(o as never),
    };
    const optional: Record<string, (o: unknown) => Promise<unknown>> = {
      verify: (o) => store.verify(o as never),
      compact: (o) => store.compact(o as never),
      appendMany: (o) => store.appendMany([snapshot], o as never),
      ingest: (o) => store.ingest([snapshot], o as never),
      remove: (o) => store.remove([], o as never),
      open: (o) => api.ReplayStore.open(join(tempDir(), "other"), o as never),
    };
    await withLock(store.lockPath, 10_000, async () => {
      for (const [name, call] of Object.entries({ ...calls, ...optional })) {
        for (const value of name in optional ? bad.slice(1) : bad) {
          const error = await call(value).catch((e: unknown) => e);
          expect(api.StoreArgumentError.isInstance(error) || api.DrawReceiptError.isInstance(error), `${name}(${String(value)}): ${String(error)}`).toBe(true);
          expect((error as api.StoreError).kind, name).toBe(name === "redraw" ? "corrupt" : "argument"); // a receipt that is not one
        }
      }
    });
  });
});

import { describe, expect, test } from "vitest";
import {
  checkConditionalWrites,
  type MemoryObjectState,
  memoryObjectStore,
  ObjectNotFoundError,
  ObjectStoreAmbiguousError,
  ObjectStoreArgumentError,
  ObjectStoreError,
  type ObjectStore,
  PreconditionFailedError,
  UnsafeEndpointError,
} from "../src/index.js";
import { objectStoreConformance } from "../src/testing.js";

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

objectStoreConformance(async () => memoryObjectStore(), { name: "memoryObjectStore conformance", listKeys: 2500 });

// The same contract through a handle that meets latency and retried 503s and resets on every
// operation: retries must make them invisible (a conditional put that may have landed is
// the exception, so the faults here strike before the request is applied).
objectStoreConformance(
  async () =>
    memoryObjectStore({
      faults: {
        seed: 42,
        rules: [
          { fault: { kind: "latency", minMs: 0, maxMs: 2 }, probability: 0.5 },
          { fault: { kind: "status", status: 503 }, operations: ["get", "head", "list", "delete"], probability: 0.1 },
          { fault: { kind: "reset" }, operations: ["get", "list"], probability: 0.05 },
          { fault: { kind: "status", status: 429 }, probability: 0.05 },
        ],
      },
      retry: { maxAttempts: 10, baseDelayMs: 0, maxDelayMs: 0 },
    }),
  { name: "memoryObjectStore conformance under retried faults", listKeys: 1100, largeBytes: 1024 },
);

describe("memoryObjectStore faults", () => {
  test("a 503 on the 2nd get is retried; with maxAttempts 1 it surfaces as ObjectStoreError with the status", async () => {
    const store = memoryObjectStore({ faults: { rules: [{ fault: { kind: "status", status: 503 }, operations: ["get"], nth: 2 }] } });
    await store.put("k", utf8("v"), { kind: "create" });
    await store.get("k");
    expect(text(await store.get("k"))).toBe("v");
    expect(store.requests.map((r) => `${r.operation}${r.fault ? `:${r.fault}` : ""}`)).toEqual(["put", "get", "get:status", "get"]);

    const strict = memoryObjectStore({
      state: store.state,
      bucket: "b1",
      retry: { maxAttempts: 1 },
      faults: { rules: [{ fault: { kind: "status", status: 503, message: "SlowDown" }, operations: ["get"], nth: 1 }] },
    });
    const error = await strict.get("k").catch((e: unknown) => e);
    expect(ObjectStoreError.isInstance(error)).toBe(true);
    const e = error as ObjectStoreError;
    expect([e.code, e.kind, e.status, e.bucket, e.key, e.operation, e.attempts]).toEqual(["OBJECT_STORE", "io", 503, "b1", "k", "get", 1]);
    expect(e.message).toContain("503");
    expect(e.message).toContain('"k"');
    expect(e.message).toContain('"b1"');
  });

  test("retries give up after maxAttempts and say how many were made", async () => {
    const store = memoryObjectStore({
      retry: { maxAttempts: 3, baseDelayMs: 0 },
      faults: { rules: [{ fault: { kind: "status", status: 500 }, operations: ["head"] }] },
    });
    const e = (await store.head("x").catch((err: unknown) => err)) as ObjectStoreError;
    expect(ObjectStoreError.isInstance(e)).toBe(true);
    expect(e.attempts).toBe(3);
    expect(e.message).toContain("after 3 attempts");
    expect(store.requests.length).toBe(3);
  });

  test("a 4xx other than 429 is not retried", async () => {
    const store = memoryObjectStore({ faults: { rules: [{ fault: { kind: "status", status: 403 }, operations: ["get"], times: 1 }] } });
    const e = (await store.get("x").catch((err: unknown) => err)) as ObjectStoreError;
    expect(e.status).toBe(403);
    expect(store.requests.length).toBe(1);
  });

  test("429 throttling on a create is retried (the request was refused, not applied)", async () => {
    const store = memoryObjectStore({
      retry: { baseDelayMs: 0 },
      faults: { rules: [{ fault: { kind: "status", status: 429 }, operations: ["put"], nth: [1, 2] }] },
    });
    await store.put("k", utf8("v"), { kind: "create" });
    expect(store.requests.map((r) => r.fault ?? "ok")).toEqual(["status", "status", "ok"]);
    expect(text(await store.get("k"))).toBe("v");
  });

  test("timed out after the write landed: a create rejects as ambiguous, not retried, and the object is there", async () => {
    const store = memoryObjectStore({ faults: { rules: [{ fault: { kind: "timeout-after-write" }, operations: ["put"], prefix: "commits/", times: 1 }] } });
    const e = await store.put("commits/1", utf8("mine"), { kind: "create" }).catch((err: unknown) => err);
    expect(ObjectStoreAmbiguousError.isInstance(e)).toBe(true);
    expect((e as ObjectStoreAmbiguousError).landed).toBe("unknown");
    expect((e as ObjectStoreAmbiguousError).kind).toBe("io");
    expect(store.requests.filter((r) => r.operation === "put").length).toBe(1);
    // The write did land: reading it back tells the caller.
    expect(text(await store.get("commits/1"))).toBe("mine");
    // A put outside the prefix is untouched by the rule.
    await store.put("segments/1", utf8("x"), { kind: "create" });
  });

  test("a timeout that did not land: an update rejects as ambiguous and the old object stays", async () => {
    const store = memoryObjectStore({ faults: { rules: [{ fault: { kind: "timeout" }, operations: ["put"], nth: 2 }] } });
    const { etag } = await store.put("k", utf8("v1"), { kind: "create" });
    const e = await store.put("k", utf8("v2"), { kind: "update", etag }).catch((err: unknown) => err);
    expect(ObjectStoreAmbiguousError.isInstance(e)).toBe(true);
    expect((e as ObjectStoreAmbiguousError).mode).toBe("update");
    expect(text(await store.get("k"))).toBe("v1");
  });

  test("an overwrite that timed out after landing is retried (idempotent) and succeeds", async () => {
    const store = memoryObjectStore({ faults: { rules: [{ fault: { kind: "timeout-after-write" }, operations: ["put"], nth: 1 }] } });
    await store.put("k", utf8("v"), { kind: "overwrite" });
    expect(store.requests.map((r) => r.fault ?? "ok")).toEqual(["timeout-after-write", "ok"]);
    expect(text(await store.get("k"))).toBe("v");
  });

  test("a 500 after the commit (landed) on a create: ambiguous, and the object exists", async () => {
    const store = memoryObjectStore({ faults: { rules: [{ fault: { kind: "status", status: 500, landed: true }, operations: ["put"], nth: 1 }] } });
    const e = await store.put("k", utf8("v"), { kind: "create" }).catch((err: unknown) => err);
    expect(ObjectStoreAmbiguousError.isInstance(e)).toBe(true);
    expect((e as ObjectStoreAmbiguousError).status).toBe(500);
    expect(await store.head("k")).toBeDefined();
  });

  test("probabilities and random latencies replay exactly from the seed", async () => {
    const run = async (seed: number) => {
      const store = memoryObjectStore({
        retry: { maxAttempts: 1 },
        faults: {
          seed,
          rules: [
            { fault: { kind: "status", status: 503 }, probability: 0.3 },
            { fault: { kind: "reset" }, probability: 0.2 },
          ],
        },
      });
      const outcomes: string[] = [];
      for (let i = 0; i < 60; i++) {
        outcomes.push(
          await store.head(`k${i}`).then(
            () => "ok",
            (e: ObjectStoreError) => `${e.status ?? "reset"}`,
          ),
        );
      }
      return outcomes.join(",");
    };
    const a = await run(7);
    expect(await run(7)).toBe(a);
    expect(await run(8)).not.toBe(a);
    // About 30% 503s and some resets: the probabilities are honoured, roughly.
    const n503 = a.split(",").filter((x) => x === "503").length;
    expect(n503).toBeGreaterThan(5);
    expect(n503).toBeLessThan(35);
    expect(a).toContain("reset");
  });

  test("latency delays requests (fixed)", async () => {
    const store = memoryObjectStore({ faults: { rules: [{ fault: { kind: "latency", ms: 30 }, operations: ["head"] }] } });
    let settled = false;
    const p = store.head("k").then(() => {
      settled = true;
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(settled).toBe(false);
    await p;
    expect(settled).toBe(true);
  });

  test("bad fault plans are typed argument errors naming the rule", () => {
    const bad: unknown[] = [
      { rules: "x" },
      { rules: [{ fault: { kind: "explode" } }] },
      { rules: [{ fault: { kind: "status", status: 200 } }] },
      { rules: [{ fault: { kind: "reset" }, probability: 2 }] },
      { rules: [{ fault: { kind: "reset" }, nth: 0 }] },
      { rules: [{ fault: { kind: "reset" }, operations: ["copy"] }] },
      { rules: [{ fault: { kind: "latency", minMs: 5, maxMs: 1 } }] },
      { seed: 1.5, rules: [] },
    ];
    for (const faults of bad) {
      let error: unknown;
      try {
        memoryObjectStore({ faults } as never);
      } catch (e) {
        error = e;
      }
      expect(ObjectStoreArgumentError.isInstance(error), JSON.stringify(faults)).toBe(true);
      expect((error as ObjectStoreArgumentError).argument).toMatch(/^faults/);
    }
    expect(() => memoryObjectStore({ retry: { maxAttempts: 0 } })).toThrow(/options\.retry\.maxAttempts/);
    expect(() => memoryObjectStore({ state: {} as MemoryObjectState })).toThrow(/options\.state/);
  });
});

describe("memoryObjectStore shared state and cut-off handles", () => {
  test("handles on one state see each other's writes; preconditions hold across them", async () => {
    const a = memoryObjectStore();
    const b = a.fork();
    const c = memoryObjectStore({ state: a.state });
    await a.put("k", utf8("from a"), { kind: "create" });
    expect(text(await b.get("k"))).toBe("from a");
    await expect(c.put("k", utf8("from c"), { kind: "create" })).rejects.toSatisfy(PreconditionFailedError.isInstance);
    expect(a.state.keys()).toEqual(["k"]);
    expect(a.state.size).toBe(1);
  });

  test("a cut-off writer: later calls reject, its in-flight write never lands, readers carry on", async () => {
    const reader = memoryObjectStore();
    const writer = reader.fork({ faults: { rules: [{ fault: { kind: "latency", ms: 20 }, operations: ["put"] }] } });
    await writer.put("commits/1", utf8("1"), { kind: "create" });
    const inFlight = writer.put("commits/2", utf8("2"), { kind: "create" });
    writer.cutOff();
    const e = await inFlight.catch((err: unknown) => err);
    expect(ObjectStoreError.isInstance(e)).toBe(true);
    expect((e as ObjectStoreError).message).toContain("cut off");
    await expect(writer.get("commits/1")).rejects.toSatisfy(ObjectStoreError.isInstance);
    expect(await reader.head("commits/2")).toBeUndefined();
    expect(text(await reader.get("commits/1"))).toBe("1");
    // Another writer takes over.
    await reader.put("commits/2", utf8("2 by the new writer"), { kind: "create" });
  });

  test('a handle cut off with "hang" never settles', async () => {
    const a = memoryObjectStore();
    a.cutOff("hang");
    const outcome = await Promise.race([a.head("k").then(() => "settled"), new Promise((r) => setTimeout(() => r("pending"), 30))]);
    expect(outcome).toBe("pending");
    expect(() => a.cutOff("sideways" as "hang")).toThrow(ObjectStoreArgumentError);
  });

  test("objects are stored by copy and get returns fresh copies", async () => {
    const store = memoryObjectStore();
    const body = utf8("abc");
    await store.put("k", body, { kind: "create" });
    body[0] = 0;
    const first = await store.get("k");
    first[1] = 0;
    expect(text(await store.get("k"))).toBe("abc");
    await expect(store.get("missing")).rejects.toSatisfy(ObjectNotFoundError.isInstance);
  });

  test("every write gets a new etag, even of the same bytes", async () => {
    const store = memoryObjectStore();
    const a = await store.put("k", utf8("same"), { kind: "overwrite" });
    const b = await store.put("k", utf8("same"), { kind: "overwrite" });
    expect(a.etag).not.toBe(b.etag);
    // An update accepts the etag with or without its quotes.
    await store.put("k", utf8("next"), { kind: "update", etag: b.etag.replaceAll('"', "") });
  });
});

describe("checkConditionalWrites", () => {
  test("the memory store passes and the probe is gone afterwards", async () => {
    const store = memoryObjectStore();
    await checkConditionalWrites(store, "probe/1");
    expect(store.state.size).toBe(0);
  });

  test("a store that turns creates into overwrites is refused, naming the endpoint, and nothing is left", async () => {
    const inner = memoryObjectStore({ bucket: "lax" });
    const lax: ObjectStore & { endpoint: string; bucket: string } = {
      endpoint: "http://127.0.0.1:1/lax",
      bucket: "lax",
      get: (k, r) => inner.get(k, r),
      head: (k) => inner.head(k),
      put: (k, b) => inner.put(k, b, { kind: "overwrite" }),
      list: (p, s) => inner.list(p, s),
      delete: (k) => inner.delete(k),
    };
    const e = await checkConditionalWrites(lax, "probe/1").catch((err: unknown) => err);
    expect(UnsafeEndpointError.isInstance(e)).toBe(true);
    expect((e as UnsafeEndpointError).endpoint).toBe("http://127.0.0.1:1/lax");
    expect((e as UnsafeEndpointError).message).toContain("http://127.0.0.1:1/lax");
    expect(inner.state.size).toBe(0);
  });

  test("a failing store makes the check fail with that error, not a verdict", async () => {
    const store = memoryObjectStore({ retry: { maxAttempts: 1 }, faults: { rules: [{ fault: { kind: "status", status: 500 }, operations: ["put"] }] } });
    const e = await checkConditionalWrites(store, "probe/1").catch((err: unknown) => err);
    expect(ObjectStoreAmbiguousError.isInstance(e) || ObjectStoreError.isInstance(e)).toBe(true);
    expect(UnsafeEndpointError.isInstance(e)).toBe(false);
    await expect(checkConditionalWrites(store, "")).rejects.toSatisfy(ObjectStoreArgumentError.isInstance);
  });
});

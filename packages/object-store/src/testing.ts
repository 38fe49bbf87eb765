/**
 * The contract every {@link ObjectStore} implementation passes, as a vitest suite (in the
 * spirit of pure-rand's shared generator properties): put/get/head/list/delete, ranges,
 * preconditions under races, pagination, awkward keys, empty and large bodies, typed errors.
 * `vitest` is an optional peer dependency: only this entry point needs it.
 *
 * @example
 * ```ts
 * import { memoryObjectStore } from "@replaykit/object-store";
 * import { objectStoreConformance } from "@replaykit/object-store/testing";
 *
 * objectStoreConformance(async () => memoryObjectStore());
 * ```
 *
 * @packageDocumentation
 */
import { afterAll, describe, expect, test } from "vitest";
import { ObjectNotFoundError, ObjectRangeError, ObjectStoreAmbiguousError, ObjectStoreArgumentError, PreconditionFailedError } from "./errors.js";
import { bareEtag, compareKeys, type ObjectStore } from "./object-store.js";

/** Options of {@link objectStoreConformance}. */
export interface ObjectStoreConformanceOptions {
  /** The suite's name. Default `"ObjectStore conformance"`. */
  name?: string;
  /** Where the suite writes: every key starts with it. Default a fresh `conformance-<random>/`. */
  prefix?: string;
  /** Objects in the pagination test (pages are 1000 keys). Default 1100. */
  listKeys?: number;
  /** Size of the large body. Default 5 MiB + 3 bytes. */
  largeBytes?: number;
  /** Per-test timeout. Default 120000 ms. */
  timeoutMs?: number;
  /** Delete what the suite wrote, after it. Default true. */
  cleanup?: boolean;
}

const utf8 = (s: string) => new TextEncoder().encode(s);

/** Compares bytes without printing megabytes on failure. */
function expectBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  expect(actual, `${what}: a Uint8Array`).toBeInstanceOf(Uint8Array);
  expect(actual.length, `${what}: length`).toBe(expected.length);
  const at = actual.findIndex((b, i) => b !== expected[i]);
  expect(at, `${what}: first differing byte`).toBe(-1);
}

function pseudoRandomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = s & 0xff;
  }
  return out;
}

async function expectRejects(p: Promise<unknown>, check: (e: unknown) => boolean, what: string): Promise<unknown> {
  let error: unknown;
  try {
    await p;
  } catch (e) {
    error = e;
  }
  expect(error, `${what}: should reject`).toBeDefined();
  expect(check(error), `${what}: wrong error ${String((error as Error)?.stack ?? error)}`).toBe(true);
  return error;
}

async function collect(it: AsyncIterable<{ key: string; size: number }>) {
  const out: { key: string; size: number }[] = [];
  for await (const e of it) out.push(e);
  return out;
}

async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Registers the conformance suite (vitest `describe`/`test`) for the stores `make` builds;
 * `make` is called once per test. Writes only under `options.prefix`.
 */
export function objectStoreConformance(make: () => Promise<ObjectStore>, options: ObjectStoreConformanceOptions = {}): void {
  const base = options.prefix ?? `conformance-${Math.random().toString(36).slice(2, 10)}/`;
  const listKeys = options.listKeys ?? 1100;
  const largeBytes = options.largeBytes ?? 5 * 1024 * 1024 + 3;
  const timeout = options.timeoutMs ?? 120_000;
  let n = 0;
  /** A fresh prefix for one test. */
  const fresh = (name: string) => `${base}${String(++n).padStart(2, "0")}-${name}/`;

  describe(options.name ?? "ObjectStore conformance", () => {
    if (options.cleanup !== false) {
      afterAll(async () => {
        const store = await make();
        const keys = (await collect(store.list(base))).map((e) => e.key);
        await mapLimit(keys, 16, (k) => store.delete(k));
      }, timeout);
    }

    test("put (create) then get, head and list see the object", { timeout }, async () => {
      const store = await make();
      const p = fresh("basic");
      const body = utf8("hello, object");
      const { etag } = await store.put(`${p}a`, body, { kind: "create" });
      expect(typeof etag).toBe("string");
      expect(etag.length).toBeGreaterThan(0);
      expectBytes(await store.get(`${p}a`), body, "get");
      const head = await store.head(`${p}a`);
      expect(head?.size).toBe(body.length);
      expect(bareEtag(head?.etag ?? "")).toBe(bareEtag(etag));
      expect(await collect(store.list(p))).toEqual([{ key: `${p}a`, size: body.length }]);
    });

    test("a missing key: get rejects with ObjectNotFoundError, head gives undefined", { timeout }, async () => {
      const store = await make();
      const p = fresh("missing");
      const e = await expectRejects(store.get(`${p}nope`), ObjectNotFoundError.isInstance, "get");
      expect((e as ObjectNotFoundError).key).toBe(`${p}nope`);
      expect((e as ObjectNotFoundError).kind).toBe("not-found");
      expect(await store.head(`${p}nope`)).toBeUndefined();
      await expectRejects(store.get(`${p}nope`, { offset: 0, length: 1 }), ObjectNotFoundError.isInstance, "range get");
    });

    test("overwrite replaces the object and changes its etag", { timeout }, async () => {
      const store = await make();
      const p = fresh("overwrite");
      const first = await store.put(`${p}k`, utf8("one"), { kind: "overwrite" });
      const second = await store.put(`${p}k`, utf8("two!"), { kind: "overwrite" });
      expect(bareEtag(second.etag)).not.toBe(bareEtag(first.etag));
      expectBytes(await store.get(`${p}k`), utf8("two!"), "get");
      expect((await store.head(`${p}k`))?.size).toBe(4);
    });

    test("create of an existing key rejects with PreconditionFailedError and writes nothing", { timeout }, async () => {
      const store = await make();
      const p = fresh("create-exists");
      const { etag } = await store.put(`${p}k`, utf8("first"), { kind: "create" });
      const e = await expectRejects(store.put(`${p}k`, utf8("second"), { kind: "create" }), PreconditionFailedError.isInstance, "second create");
      expect((e as PreconditionFailedError).reason).toBe("exists");
      expect((e as PreconditionFailedError).kind).toBe("conflict");
      expectBytes(await store.get(`${p}k`), utf8("first"), "get");
      expect(bareEtag((await store.head(`${p}k`))?.etag ?? "")).toBe(bareEtag(etag));
    });

    test("update succeeds with the current etag only", { timeout }, async () => {
      const store = await make();
      const p = fresh("update");
      const v1 = await store.put(`${p}k`, utf8("v1"), { kind: "create" });
      const v2 = await store.put(`${p}k`, utf8("v2"), { kind: "update", etag: v1.etag });
      expect(bareEtag(v2.etag)).not.toBe(bareEtag(v1.etag));
      expectBytes(await store.get(`${p}k`), utf8("v2"), "after update");
      const stale = await expectRejects(store.put(`${p}k`, utf8("v3"), { kind: "update", etag: v1.etag }), PreconditionFailedError.isInstance, "stale update");
      expect((stale as PreconditionFailedError).reason).toBe("etag-mismatch");
      expectBytes(await store.get(`${p}k`), utf8("v2"), "after stale update");
      // The etag from head works as well as the one put returned.
      const head = await store.head(`${p}k`);
      await store.put(`${p}k`, utf8("v3"), { kind: "update", etag: head?.etag ?? "" });
      expectBytes(await store.get(`${p}k`), utf8("v3"), "after head-etag update");
      const missing = await expectRejects(
        store.put(`${p}absent`, utf8("x"), { kind: "update", etag: v1.etag }),
        PreconditionFailedError.isInstance,
        "update of a missing key",
      );
      expect((missing as PreconditionFailedError).reason).toBe("missing");
      expect(await store.head(`${p}absent`)).toBeUndefined();
    });

    test("8 concurrent creators of one key: one wins, the others get PreconditionFailedError (or an ambiguous 5xx), never two land", { timeout }, async () => {
      const store = await make();
      const p = fresh("create-race");
      const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => store.put(`${p}k`, utf8(`writer ${i}`), { kind: "create" })));
      const body = new TextDecoder().decode(await store.get(`${p}k`));
      expect(raceWinners(results, body, undefined)).toBe(1);
    });

    test("8 concurrent updates from one etag: one wins, the others get PreconditionFailedError (or an ambiguous 5xx), never two land", {
      timeout,
    }, async () => {
      const store = await make();
      const p = fresh("update-race");
      const { etag } = await store.put(`${p}k`, utf8("base"), { kind: "create" });
      const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => store.put(`${p}k`, utf8(`writer ${i}`), { kind: "update", etag })));
      const body = new TextDecoder().decode(await store.get(`${p}k`));
      raceWinners(results, body, "base");
    });

    test("range reads: start, middle, end, whole, zero-length; past the end is an ObjectRangeError", { timeout }, async () => {
      const store = await make();
      const p = fresh("range");
      const body = pseudoRandomBytes(1000, 7);
      await store.put(`${p}k`, body, { kind: "create" });
      for (const [offset, length] of [
        [0, 10],
        [0, 1],
        [123, 456],
        [990, 10],
        [999, 1],
        [0, 1000],
        [0, 0],
        [500, 0],
        [1000, 0],
      ] as const) {
        expectBytes(await store.get(`${p}k`, { offset, length }), body.subarray(offset, offset + length), `range ${offset}+${length}`);
      }
      for (const [offset, length] of [
        [990, 11],
        [0, 1001],
        [1000, 1],
        [1001, 0],
        [5000, 10],
      ] as const) {
        const e = await expectRejects(store.get(`${p}k`, { offset, length }), ObjectRangeError.isInstance, `range ${offset}+${length}`);
        expect((e as ObjectRangeError).size).toBe(1000);
        expect((e as ObjectRangeError).offset).toBe(offset);
      }
    });

    test("list: lexicographic order, prefix only, startAfter exclusive, sizes", { timeout }, async () => {
      const store = await make();
      const p = fresh("list");
      const names = ["b", "a", "a/1", "a/2", "ab", "c/d/e", "B", "0"];
      await Promise.all(names.map((k, i) => store.put(`${p}${k}`, new Uint8Array(i), { kind: "create" })));
      await store.put(`${p.slice(0, -1)}~outside`, utf8("x"), { kind: "overwrite" });
      const all = await collect(store.list(p));
      expect(all.map((e) => e.key)).toEqual([...names].sort(compareKeys).map((k) => `${p}${k}`));
      for (const e of all) expect(e.size).toBe(names.indexOf(e.key.slice(p.length)));
      expect((await collect(store.list(`${p}a`))).map((e) => e.key.slice(p.length))).toEqual(["a", "a/1", "a/2", "ab"]);
      expect((await collect(store.list(p, `${p}a/1`))).map((e) => e.key.slice(p.length))).toEqual(["a/2", "ab", "b", "c/d/e"]);
      // startAfter need not be a key.
      expect((await collect(store.list(p, `${p}a/15`))).map((e) => e.key.slice(p.length))).toEqual(["a/2", "ab", "b", "c/d/e"]);
      expect(await collect(store.list(p, `${p}zzz`))).toEqual([]);
      expect(await collect(store.list(`${p}nothing-here/`))).toEqual([]);
      await store.delete(`${p.slice(0, -1)}~outside`);
    });

    test(`list pages through ${listKeys} keys`, { timeout }, async () => {
      const store = await make();
      const p = fresh("pages");
      const keys = Array.from({ length: listKeys }, (_, i) => `${p}${String(i).padStart(5, "0")}`);
      await mapLimit(keys, 32, (k) => store.put(k, utf8(k.slice(-5)), { kind: "create" }));
      const listed = await collect(store.list(p));
      expect(listed.length).toBe(listKeys);
      expect(listed.map((e) => e.key)).toEqual(keys);
      expect(listed.every((e) => e.size === 5)).toBe(true);
      const after = await collect(store.list(p, keys[999]));
      expect(after.map((e) => e.key)).toEqual(keys.slice(1000));
    });

    test("keys with spaces, unicode, +, %, = and & round-trip and list in byte order", { timeout }, async () => {
      const store = await make();
      const p = fresh("keys");
      const names = [
        "with space",
        "plus+sign",
        "100%",
        "pct%2Fescaped",
        "ünïcödé/日本語",
        "emoji-😀",
        "a=b&c",
        "tilde~",
        "quote'",
        "\uE000private",
        "semi;colon",
        "z\uE000",
        "z😀",
      ];
      for (const k of names) {
        const key = `${p}${k}`;
        await store.put(key, utf8(k), { kind: "create" });
        expectBytes(await store.get(key), utf8(k), `get ${k}`);
        expect((await store.head(key))?.size, `head ${k}`).toBe(utf8(k).length);
      }
      const listed = (await collect(store.list(p))).map((e) => e.key.slice(p.length));
      expect(listed).toEqual([...names].sort(compareKeys));
      for (const k of names) await store.delete(`${p}${k}`);
      expect(await collect(store.list(p))).toEqual([]);
    });

    test("empty bodies", { timeout }, async () => {
      const store = await make();
      const p = fresh("empty");
      await store.put(`${p}k`, new Uint8Array(0), { kind: "create" });
      expectBytes(await store.get(`${p}k`), new Uint8Array(0), "get");
      expect((await store.head(`${p}k`))?.size).toBe(0);
      expectBytes(await store.get(`${p}k`, { offset: 0, length: 0 }), new Uint8Array(0), "zero range");
      await expectRejects(store.get(`${p}k`, { offset: 0, length: 1 }), ObjectRangeError.isInstance, "range past an empty object");
      expect(await collect(store.list(p))).toEqual([{ key: `${p}k`, size: 0 }]);
    });

    test("a body over 5 MiB round-trips whole and by range", { timeout }, async () => {
      const store = await make();
      const p = fresh("large");
      const body = pseudoRandomBytes(largeBytes, 11);
      await store.put(`${p}k`, body, { kind: "create" });
      expect((await store.head(`${p}k`))?.size).toBe(largeBytes);
      expectBytes(await store.get(`${p}k`), body, "whole");
      expectBytes(await store.get(`${p}k`, { offset: largeBytes - 100, length: 100 }), body.subarray(largeBytes - 100), "tail");
      await store.delete(`${p}k`);
    });

    test("delete is idempotent", { timeout }, async () => {
      const store = await make();
      const p = fresh("delete");
      await store.delete(`${p}never-existed`);
      await store.put(`${p}k`, utf8("x"), { kind: "create" });
      await store.delete(`${p}k`);
      await store.delete(`${p}k`);
      expect(await store.head(`${p}k`)).toBeUndefined();
      await expectRejects(store.get(`${p}k`), ObjectNotFoundError.isInstance, "get after delete");
      // The key can be created again.
      await store.put(`${p}k`, utf8("again"), { kind: "create" });
      expectBytes(await store.get(`${p}k`), utf8("again"), "recreated");
    });

    test("bodies are copied: mutating the caller's buffers changes nothing stored", { timeout }, async () => {
      const store = await make();
      const p = fresh("copies");
      const body = utf8("original");
      await store.put(`${p}k`, body, { kind: "create" });
      body.fill(0);
      const got = await store.get(`${p}k`);
      expectBytes(got, utf8("original"), "after mutating the put body");
      got.fill(0);
      expectBytes(await store.get(`${p}k`), utf8("original"), "after mutating a get result");
    });

    test("bad arguments reject with ObjectStoreArgumentError before any request", { timeout }, async () => {
      const store = await make();
      const p = fresh("arguments");
      const bad: [string, () => Promise<unknown>][] = [
        ["get(123)", () => store.get(123 as unknown as string)],
        ['get("")', () => store.get("")],
        ["get(range -1)", () => store.get(`${p}k`, { offset: -1, length: 1 })],
        ["get(range 1.5)", () => store.get(`${p}k`, { offset: 0, length: 1.5 })],
        ["head(null)", () => store.head(null as unknown as string)],
        ["put(body string)", () => store.put(`${p}k`, "text" as unknown as Uint8Array, { kind: "create" })],
        ["put(mode bogus)", () => store.put(`${p}k`, utf8("x"), { kind: "bogus" } as unknown as { kind: "create" })],
        ["put(update without etag)", () => store.put(`${p}k`, utf8("x"), { kind: "update" } as unknown as { kind: "create" })],
        ["put(key over 1024 bytes)", () => store.put(`${p}${"x".repeat(1025)}`, utf8("x"), { kind: "create" })],
        ["delete(undefined)", () => store.delete(undefined as unknown as string)],
        ["list(1)", () => collect(store.list(1 as unknown as string))],
      ];
      for (const [what, call] of bad) await expectRejects(call(), ObjectStoreArgumentError.isInstance, what);
      expect(await collect(store.list(p))).toEqual([]);
    });
  });
}

/**
 * Checks a race of conditional writes by writers `writer 0` … `writer 7`: each loser was told
 * `PreconditionFailedError`, or an ambiguous outcome (`ObjectStoreAmbiguousError`: a real
 * server may answer a racing conditional write with a 5xx — Ceph RGW does — and the client
 * must not guess); at most one write was acknowledged, and the stored body is the
 * acknowledged writer's — or, with none acknowledged, one of the ambiguous writers' (or
 * `before`, the body before the race). Returns how many writes landed (0 or 1).
 */
function raceWinners(results: ReadonlyArray<PromiseSettledResult<unknown>>, body: string, before: string | undefined): number {
  const won = results.flatMap((r, i) => (r.status === "fulfilled" ? [i] : []));
  const unsure = results.flatMap((r, i) => (r.status === "rejected" && ObjectStoreAmbiguousError.isInstance(r.reason) ? [i] : []));
  for (const r of results) {
    if (r.status === "rejected")
      expect(PreconditionFailedError.isInstance(r.reason) || ObjectStoreAmbiguousError.isInstance(r.reason), String(r.reason)).toBe(true);
  }
  // Without an ambiguous answer, exactly one writer must have won.
  if (unsure.length === 0) expect(won.length, "acknowledged writers").toBe(1);
  expect(won.length, "acknowledged writers").toBeLessThanOrEqual(1);
  if (won.length === 1) {
    expect(body, "the winner's body").toBe(`writer ${won[0]}`);
    return 1;
  }
  const possible = [...unsure.map((i) => `writer ${i}`), ...(before === undefined ? [] : [before])];
  expect(possible, "the stored body is an ambiguous writer's").toContain(body);
  return body === before ? 0 : 1;
}

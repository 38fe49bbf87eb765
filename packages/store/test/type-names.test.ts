// Section type names are plain keys: a type called `constructor` (a valid name) must not find
// Object.prototype's members where the store looks up its expanders or counts its types.
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import {
  createSnapshot,
  ReplayStore,
  type Row,
  type RowExpander,
  SamplerError,
  SnapshotInvalidError,
  StoreArgumentError,
  UnknownSectionTypeError,
} from "../src/index.js";
import { tempDir } from "./helpers.js";

const NOW = new Date("2026-06-01T00:00:00Z");
const day = (n: number) => new Date(Date.UTC(2026, 0, 1 + n));

/** One `{text}` row per section, tagged so the test sees which expander made it. */
const tagged: RowExpander = (source, rowId) => [{ text: `[${source.sectionType}] ${source.content}`, _dlm_section_id: rowId }];

const textOf = (row: Row): string => String((row as { text?: unknown }).text);

const sections = (type: string, n: number) =>
  Array.from({ length: n }, (_, i) => createSnapshot({ sectionType: type, content: `${type} section ${i}.`, lastSeenAt: day(i) }));

describe("a section type named constructor", () => {
  test("add, sampleRows, draw (with a mix), stats and export through an expander registered for it", async () => {
    const store = await ReplayStore.open(join(tempDir(), "store"), { expanders: { constructor: tagged } });
    await store.appendMany([...sections("constructor", 6), ...sections("prose", 4)]);

    const stats = await store.stats();
    expect(stats.byType).toEqual({ constructor: 6, prose: 4 });
    expect(typeof stats.byType.constructor).toBe("number");

    const rows = await store.sampleRows({ k: 10, now: NOW, seed: 1 });
    expect(rows).toHaveLength(10);
    expect(rows.filter((r) => textOf(r).startsWith("[constructor] "))).toHaveLength(6);

    const { rows: mixed, receipt } = await store.draw({ k: 4, now: NOW, seed: 2, mix: { constructor: 1, prose: 1 } });
    expect(mixed.filter((r) => textOf(r).startsWith("[constructor] "))).toHaveLength(2);
    expect(mixed.filter((r) => textOf(r).startsWith("prose "))).toHaveLength(2);
    expect(receipt.picks.filter((p) => p.sectionType === "constructor")).toHaveLength(2);
    expect(receipt.shortfall).toBeUndefined();
    expect((await store.redraw(receipt)).rows).toEqual(mixed);

    // More than the store holds: the shortfall is an own key too.
    const short = await store.draw({ k: 20, now: NOW, seed: 2, mix: { constructor: 1, prose: 1 } });
    expect(short.receipt.shortfall).toEqual({ constructor: 4, prose: 6 });

    const exported: string[] = [];
    for await (const { snapshot } of store.exportSnapshots()) exported.push(snapshot.sectionType);
    expect(exported.filter((t) => t === "constructor")).toHaveLength(6);
  });

  test("without an expander it is an unknown type (never Object's constructor called as one)", async () => {
    const store = await ReplayStore.open(join(tempDir(), "store"));
    await expect(store.appendMany(sections("constructor", 1))).rejects.toBeInstanceOf(UnknownSectionTypeError);
    await store.appendMany(sections("constructor", 2), { validate: false });
    expect((await store.stats()).byType).toEqual({ constructor: 2 });
    const error = await store.sampleRows({ k: 1, now: NOW, seed: 1 }).catch((e: unknown) => e);
    expect(UnknownSectionTypeError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ sectionType: "constructor" });
    await expect(store.draw({ k: 1, now: NOW, seed: 1, mix: { constructor: 1 } })).rejects.toMatchObject({ code: "UNKNOWN_SECTION_TYPE" });
  });

  test("an expander for constructor is checked like any other", async () => {
    const error = await ReplayStore.open(join(tempDir(), "store"), { expanders: { constructor: "no" as unknown as RowExpander } }).catch((e: unknown) => e);
    expect(StoreArgumentError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ argument: "options.expanders.constructor" });
  });
});

describe("__proto__, toString, hasOwnProperty", () => {
  test.each(["__proto__", "toString", "hasOwnProperty", "valueOf"])("%s is not a section type name (so it can never reach a lookup)", (type) => {
    expect(() => createSnapshot({ sectionType: type, content: "x" })).toThrow(SnapshotInvalidError);
  });

  test("expanders registered under those keys change nothing for the built-in types", async () => {
    // JSON.parse makes `__proto__` an own key, as a config file would.
    const expanders = JSON.parse('{"__proto__": null, "toString": null, "hasOwnProperty": null}') as Record<string, RowExpander | undefined>;
    for (const key of Object.keys(expanders)) expanders[key] = tagged;
    const store = await ReplayStore.open(join(tempDir(), "store"), { expanders });
    await store.appendMany(sections("prose", 5));
    expect((await store.stats()).byType).toEqual({ prose: 5 });
    const rows = await store.sampleRows({ k: 5, now: NOW, seed: 3 });
    expect(rows.map(textOf).sort()).toEqual(
      sections("prose", 5)
        .map((s) => s.content)
        .sort(),
    );
    const { rows: drawn } = await store.draw({ k: 5, now: NOW, seed: 3, mix: { prose: 1 } });
    expect(drawn).toHaveLength(5);
  });
});

describe("seeds: sampleRows needs seed or random; draw makes one up and records it", () => {
  test("sampleRows and samplePreferenceRows without either are a SamplerError; draw's made-up seed repeats it", async () => {
    const store = await ReplayStore.open(join(tempDir(), "store"));
    await store.appendMany(sections("prose", 3));
    for (const call of [() => store.sampleRows({ k: 1, now: NOW }), () => store.samplePreferenceRows({ k: 1, now: NOW })]) {
      const error = await call().catch((e: unknown) => e);
      expect(SamplerError.isInstance(error)).toBe(true);
      expect((error as Error).message).toMatch(/give a seed or a random source, got neither/);
    }
    const { rows, receipt } = await store.draw({ k: 2, now: NOW });
    expect(Number.isSafeInteger(receipt.seed)).toBe(true);
    // The recorded seed repeats the draw, and sampleRows with it picks the same sections.
    expect((await store.draw({ k: 2, now: NOW, seed: receipt.seed })).rows).toEqual(rows);
    expect(await store.sampleRows({ k: 2, now: NOW, seed: receipt.seed })).toEqual(rows);
  });
});

import { describe, expect, test } from "vitest";
import {
  DrawReceiptError,
  ReplayStore,
  StoreError,
  createSnapshot,
  estimateRowTokens,
  isReplaykitError,
  largestRemainder,
  rowTexts,
  type DrawReceipt,
  type IndexEntry,
  type Row,
  type SectionSnapshot,
} from "../src/index.js";
import { referenceStoreCopy, tempDir } from "./helpers.js";

const DAY = 86_400_000;
const at = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * DAY);
const NOW = at(400);

// Deterministic, varied section lengths (so token budgets bite at different places).
const words = (i: number) => "lorem ipsum dolor sit amet ".repeat(1 + ((i * 7) % 11)).trim();
const prose = (i: number, day = i % 300) => createSnapshot({ sectionType: "prose", content: `Prose ${i}: ${words(i)}.`, lastSeenAt: at(day) });
const instruction = (i: number, day = i % 300, pairs = 1 + (i % 3)) =>
  createSnapshot({
    sectionType: "instruction",
    content: Array.from({ length: pairs }, (_, p) => `### Q\nQuestion ${i}.${p}?\n### A\nAnswer ${i}.${p}: ${words(i + p)}.`).join("\n\n"),
    lastSeenAt: at(day),
  });
const preference = (i: number, day = i % 300, autoMined = false) =>
  createSnapshot({
    sectionType: "preference",
    content: `### Prompt\nP${i}\n### Chosen\nC${i} ${words(i)}\n### Rejected\nR${i}`,
    lastSeenAt: at(day),
    autoMined,
  });

/** 120 prose, 50 instruction (1–3 pairs each), 30 preference (every fifth auto-mined) sections. */
function corpus(offset = 0, days = (i: number) => i % 300): SectionSnapshot[] {
  return [
    ...Array.from({ length: 120 }, (_, i) => prose(offset + i, days(i))),
    ...Array.from({ length: 50 }, (_, i) => instruction(offset + i, days(i))),
    ...Array.from({ length: 30 }, (_, i) => preference(offset + i, days(i), i % 5 === 0)),
  ];
}

async function storeWith(snapshots: SectionSnapshot[]): Promise<ReplayStore> {
  const store = await ReplayStore.open(tempDir());
  await store.appendMany(snapshots);
  return store;
}

const keyOf = (p: { sectionId: string; addedAt: string }) => `${p.sectionId}@${p.addedAt}`;
const bytes = (rows: readonly Row[]) => rows.map((r) => JSON.stringify(r)).join("\n");
const tokensOf = (rows: readonly Row[]) => rows.reduce((sum, r) => sum + estimateRowTokens(r), 0);

describe("draw budgets", () => {
  test("k: the same sections and rows as sampleRows; the receipt lists the k picks", async () => {
    const store = await storeWith(corpus());
    const { rows, receipt } = await store.draw({ k: 20, now: NOW, seed: 5 });
    expect(bytes(rows)).toBe(bytes(await store.sampleRows({ k: 20, now: NOW, seed: 5 })));
    expect(receipt.picks).toHaveLength(20);
    expect(receipt).toMatchObject({ version: 1, seed: 5, now: NOW.toISOString(), scheme: "recency", options: { k: 20, includeAutoMined: true } });
    expect(receipt.shortfall).toBeUndefined();
    expect((await store.draw({ k: 0, now: NOW, seed: 5 })).rows).toEqual([]);
  });

  test("rows: at least N rows, whole sections, in key order (the last section's rows all come)", async () => {
    const store = await storeWith(corpus());
    for (const n of [1, 7, 40, 100]) {
      const { rows, receipt } = await store.draw({ rows: n, now: NOW, seed: 9 });
      expect(rows.length).toBeGreaterThanOrEqual(n);
      const lastId = receipt.picks.at(-1)!.sectionId;
      const withoutLast = rows.filter((r) => !r._dlm_section_id.includes(lastId));
      expect(withoutLast.length).toBeLessThan(n);
      // Sections in key order: the first picks are the k-draw's picks, in order.
      const k = await store.draw({ k: receipt.picks.length, now: NOW, seed: 9 });
      expect(receipt.picks.map(keyOf)).toEqual(k.receipt.picks.map(keyOf));
    }
    expect((await store.draw({ rows: 0, now: NOW, seed: 9 })).rows).toEqual([]);
  });

  test("rows beyond the store: every section with weight > 0, in key order, weight-0 entries never", async () => {
    const store = await storeWith(corpus());
    const entries = await store.load();
    await store.save(entries.map((e, i): IndexEntry => (i % 10 === 0 ? { ...e, weight: 0 } : e)));
    const { receipt } = await store.draw({ rows: 100_000, now: NOW, seed: 3, scheme: "uniform" });
    expect(receipt.picks).toHaveLength(180);
    const zero = new Set(entries.filter((_, i) => i % 10 === 0).map((e) => e.sectionId));
    for (const p of receipt.picks) expect(zero.has(p.sectionId)).toBe(false);
    // All but the last are the 179 largest keys, largest first.
    const top = await store.draw({ k: 179, now: NOW, seed: 3, scheme: "uniform" });
    expect(receipt.picks.slice(0, 179).map(keyOf)).toEqual(top.receipt.picks.map(keyOf));
  });

  test("maxTokens: sections in key order while their rows' tokens fit (default: UTF-8 bytes / 4)", async () => {
    const store = await storeWith(corpus());
    const budget = 1500;
    const { rows, receipt } = await store.draw({ maxTokens: budget, now: NOW, seed: 11 });
    expect(tokensOf(rows)).toBeLessThanOrEqual(budget);
    expect(receipt.options).toEqual({ maxTokens: budget, includeAutoMined: true, countTokens: "bytes/4" });
    // The next section in key order would not have fitted.
    const more = await store.draw({ k: receipt.picks.length + 1, now: NOW, seed: 11 });
    expect(more.receipt.picks.slice(0, -1).map(keyOf)).toEqual(receipt.picks.map(keyOf));
    expect(tokensOf(more.rows)).toBeGreaterThan(budget);
  });

  test("maxTokens with the caller's countTokens", async () => {
    const store = await storeWith(corpus());
    const seen: Row[] = [];
    const { rows, receipt } = await store.draw({
      maxTokens: 10,
      now: NOW,
      seed: 2,
      countTokens: (row) => {
        seen.push(row);
        return 1;
      },
    });
    expect(rows.length).toBeLessThanOrEqual(10);
    expect(rows.length).toBeGreaterThanOrEqual(8); // stops only when a section's rows would pass 10
    expect(seen.length).toBeGreaterThan(0);
    expect(receipt.options.countTokens).toBe("custom");
    await expect(store.draw({ maxTokens: 10, now: NOW, seed: 2, countTokens: () => Number.NaN })).rejects.toMatchObject({
      code: "STORE_ARGUMENT",
      argument: "options.countTokens",
    });
  });

  test("the default token count reads the text fields of every row shape, not ids or roles", () => {
    const id = { _dlm_section_id: "replay:0123456789abcdef:2026-01-01T00:00:00+00:00" };
    expect(estimateRowTokens({ text: "abcdefgh", ...id } as Row)).toBe(2);
    expect(estimateRowTokens({ text: "é", ...id } as Row)).toBe(1); // 2 bytes → ⌈0.5⌉
    const messages = {
      messages: [
        { role: "user", content: "abcd" },
        { role: "assistant", content: "efghi" },
      ],
      ...id,
    } as Row;
    expect(rowTexts(messages)).toEqual(["abcd", "efghi"]);
    expect(estimateRowTokens(messages)).toBe(3);
    expect(rowTexts({ prompt: "p", chosen: "c", rejected: "r", ...id } as Row)).toEqual(["p", "c", "r"]);
    expect(rowTexts({ prompt: "p", completion: "c", ...id } as Row)).toEqual(["p", "c"]);
  });
});

describe("mix", () => {
  test("largest remainder: whole numbers adding up to the total", () => {
    expect(largestRemainder(10, [0.5, 0.3, 0.2])).toEqual([5, 3, 2]);
    expect(largestRemainder(7, [1, 1, 1])).toEqual([3, 2, 2]);
    expect(largestRemainder(1, [0.5, 0.3, 0.2])).toEqual([1, 0, 0]);
    expect(largestRemainder(5, [0, 1])).toEqual([0, 5]);
    expect(largestRemainder(100, [1, 2, 3, 4]).reduce((a, b) => a + b)).toBe(100);
    expect(largestRemainder(0, [1, 2])).toEqual([0, 0]);
  });

  test("k by type: each type's quota drawn among its own sections with the scheme", async () => {
    const store = await storeWith(corpus());
    const { rows, receipt } = await store.draw({ k: 10, mix: { prose: 0.5, instruction: 0.3, preference: 0.2 }, now: NOW, seed: 4 });
    expect(receipt.picks.map((p) => p.sectionType)).toEqual([...Array(5).fill("prose"), ...Array(3).fill("instruction"), ...Array(2).fill("preference")]);
    expect(receipt.shortfall).toBeUndefined();
    expect(rows.filter((r) => "text" in r)).toHaveLength(5);
    // Shares are normalised: 5:3:2 is the same mix.
    const again = await store.draw({ k: 10, mix: { prose: 5, instruction: 3, preference: 2 }, now: NOW, seed: 4 });
    expect(bytes(again.rows)).toBe(bytes(rows));
    // The preference picks are what samplePreferenceRows draws.
    const pref = await store.samplePreferenceRows({ k: 2, now: NOW, seed: 4 });
    expect(bytes(rows.filter((r) => "chosen" in r))).toBe(bytes(pref));
  });

  test("a type with too few sections gives all it has; the shortfall is reported, never refilled", async () => {
    const store = await storeWith(corpus());
    const { receipt } = await store.draw({ k: 100, mix: { prose: 0.5, preference: 0.5 }, now: NOW, seed: 1 });
    const count = (type: string) => receipt.picks.filter((p) => p.sectionType === type).length;
    expect(count("prose")).toBe(50);
    expect(count("preference")).toBe(30);
    expect(receipt.shortfall).toEqual({ preference: 20 });
    const none = await store.draw({ rows: 5, mix: { prose: 1, chat: 1 }, now: NOW, seed: 1 });
    expect(none.receipt.shortfall).toEqual({ chat: 2 }); // 5 rows by 1:1 → prose 3, chat 2
    expect(none.receipt.picks.every((p) => p.sectionType === "prose")).toBe(true);
  });

  test("rows and maxTokens by type", async () => {
    const store = await storeWith(corpus());
    const byRows = await store.draw({ rows: 30, mix: { prose: 2, instruction: 1 }, now: NOW, seed: 6 });
    expect(byRows.rows.filter((r) => "text" in r).length).toBe(20);
    expect(byRows.rows.filter((r) => "messages" in r).length).toBeGreaterThanOrEqual(10);
    const byTokens = await store.draw({ maxTokens: 2000, mix: { prose: 1, instruction: 1 }, now: NOW, seed: 6 });
    expect(tokensOf(byTokens.rows.filter((r) => "text" in r))).toBeLessThanOrEqual(1000);
    expect(tokensOf(byTokens.rows.filter((r) => "messages" in r))).toBeLessThanOrEqual(1000);
    expect(byTokens.receipt.options.mix).toEqual({ prose: 1, instruction: 1 });
  });

  test("includeAutoMined: false leaves auto-mined sections out", async () => {
    const store = await storeWith(corpus());
    const { receipt } = await store.draw({ k: 100, mix: { preference: 1 }, includeAutoMined: false, now: NOW, seed: 1 });
    expect(receipt.picks).toHaveLength(24);
    expect(receipt.shortfall).toEqual({ preference: 76 });
  });

  test("on a dlm store (no types in its index) a mix decodes frames to learn the types", async () => {
    const store = await ReplayStore.open(referenceStoreCopy());
    const { rows, receipt } = await store.draw({ k: 4, mix: { preference: 1 }, now: NOW, seed: 1 });
    expect(receipt.picks.length).toBeGreaterThan(0);
    for (const row of rows) expect(Object.keys(row).sort()).toEqual(["_dlm_section_id", "chosen", "prompt", "rejected"]);
  });
});

describe("draws stay stable as the store grows", () => {
  // Old entries in the new draw must be a prefix (in key order) of the old draw; every other pick is new.
  function expectOnlyNewEntriesChanged(before: DrawReceipt, after: DrawReceipt, added: ReadonlySet<string>) {
    const types = [...new Set([...before.picks, ...after.picks].map((p) => p.sectionType))];
    for (const type of types) {
      const old = before.picks.filter((p) => p.sectionType === type).map(keyOf);
      const now = after.picks.filter((p) => p.sectionType === type).map(keyOf);
      const kept = now.filter((k) => !added.has(k));
      expect(kept).toEqual(old.slice(0, kept.length));
      for (const k of now) if (!old.includes(k)) expect(added.has(k)).toBe(true);
    }
  }

  const budgets = [
    { k: 40 },
    { rows: 60 },
    { maxTokens: 3000 },
    { k: 40, mix: { prose: 0.5, instruction: 0.3, preference: 0.2 } },
    { rows: 60, mix: { prose: 0.5, instruction: 0.3, preference: 0.2 } },
    { maxTokens: 3000, mix: { prose: 0.5, instruction: 0.3, preference: 0.2 } },
  ];
  for (const budget of budgets) {
    test(`${JSON.stringify(budget)}`, async () => {
      const store = await storeWith(corpus());
      const before = await store.draw({ ...budget, now: NOW, seed: 21 });
      // Add older and newer sections of every type.
      const extra = corpus(1000, (i) => (i * 37) % 390);
      const added = await store.appendMany(extra);
      const addedKeys = new Set(added.map((e) => `${e.sectionId}@${e.addedAt.toISOString()}`));
      const after = await store.draw({ ...budget, now: NOW, seed: 21 });
      expectOnlyNewEntriesChanged(before.receipt, after.receipt, addedKeys);
      expect(after.receipt.picks.some((p) => addedKeys.has(keyOf(p)))).toBe(true);
      expect(after.receipt.picks.some((p) => !addedKeys.has(keyOf(p)))).toBe(true);
      if ("k" in budget) expect(after.receipt.picks).toHaveLength(before.receipt.picks.length);
    });
  }
});

describe("receipts and redraw", () => {
  test("a receipt is plain JSON; redraw gives the same rows byte for byte", async () => {
    const store = await storeWith(corpus());
    const { rows, receipt } = await store.draw({ rows: 50, mix: { prose: 1, instruction: 1, preference: 1 }, now: NOW, seed: 8 });
    const parsed = JSON.parse(JSON.stringify(receipt)) as DrawReceipt;
    expect(parsed).toEqual(receipt);
    expect(receipt.store).toEqual({ digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), entries: 200, commit: 1 });
    for (const p of receipt.picks) expect(Object.keys(p).sort()).toEqual(["addedAt", "content", "sectionId", "sectionType", "weight"]);
    expect(bytes((await store.redraw(parsed)).rows)).toBe(bytes(rows));
  });

  test("redraw works after unrelated appends and a compaction (picks are found by id and date, not offset)", async () => {
    const store = await storeWith(corpus());
    const { rows, receipt } = await store.draw({ k: 30, now: NOW, seed: 8 });
    await store.appendMany(corpus(5000));
    const picked = new Set(receipt.picks.map((p) => p.sectionId));
    const entries = await store.load();
    // Evict something that was not picked, then compact: offsets of the picks move.
    const unpicked = entries.filter((e) => !picked.has(e.sectionId)).sort((a, b) => a.byteOffset - b.byteOffset)[0]!;
    await store.save(entries.filter((e) => e !== unpicked));
    await store.compact();
    const moved = await store.load();
    expect(moved.some((e) => picked.has(e.sectionId) && entries.find((o) => o.sectionId === e.sectionId)!.byteOffset !== e.byteOffset)).toBe(true);
    expect(bytes((await store.redraw(receipt)).rows)).toBe(bytes(rows));
    // The digest names the state: it changed.
    expect((await store.draw({ k: 1, now: NOW, seed: 8 })).receipt.store.digest).not.toBe(receipt.store.digest);
  });

  test("a pick gone from the store: DrawReceiptError naming it", async () => {
    const store = await storeWith(corpus());
    const { receipt } = await store.draw({ k: 10, now: NOW, seed: 8 });
    const gone = receipt.picks[3]!;
    const entries = await store.load();
    await store.save(entries.filter((e) => e.sectionId !== gone.sectionId));
    const error = await store.redraw(receipt).catch((e: unknown) => e);
    expect(DrawReceiptError.isInstance(error)).toBe(true);
    expect(isReplaykitError(error)).toBe(true);
    expect((error as Record<symbol, unknown>)[Symbol.for("replaykit.error")]).toBe("store");
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ name: "DrawReceiptError" });
    expect(error).toMatchObject({ code: "DRAW_RECEIPT", reason: "missing", missing: [{ sectionId: gone.sectionId, addedAt: gone.addedAt }] });
    expect((error as Error).message).toContain(gone.sectionId);
  });

  test("malformed receipts are DrawReceiptError (invalid), naming the field", async () => {
    const store = await storeWith([prose(1)]);
    const cases: Array<[unknown, RegExp]> = [
      [null, /must be an object/],
      [[], /must be an object/],
      [{ version: 2, picks: [] }, /version must be 1/],
      [{ version: 1 }, /picks must be an array/],
      [{ version: 1, picks: [null] }, /picks\[0\] must be an object/],
      [{ version: 1, picks: [{ sectionId: 7, addedAt: "2026-01-01T00:00:00Z" }] }, /picks\[0\]\.sectionId/],
      [{ version: 1, picks: [{ sectionId: "0123456789abcdef", addedAt: "yesterday" }] }, /picks\[0\]\.addedAt/],
    ];
    for (const [receipt, message] of cases) {
      const error = await store.redraw(receipt as DrawReceipt).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "DRAW_RECEIPT", reason: "invalid" });
      expect((error as Error).message).toMatch(message);
    }
    expect((await store.redraw({ version: 1, seed: 0, now: "", scheme: "", options: {}, store: { digest: "", entries: 0 }, picks: [] })).rows).toEqual([]);
  });

  test("a caller's scheme is recorded as custom and called with the store's entries; redraw re-reads the picks", async () => {
    const store = await storeWith(corpus());
    const seen = new Set<string>();
    const scheme = (entry: IndexEntry) => {
      seen.add(entry.sectionType ?? "?");
      return entry.sectionId < "8" ? 1 : 0;
    };
    const { rows, receipt } = await store.draw({ rows: 20, now: NOW, seed: 8, scheme });
    expect(receipt.scheme).toBe("custom");
    expect(seen.has("prose")).toBe(true);
    for (const p of receipt.picks) expect(p.sectionId < "8").toBe(true);
    expect(bytes((await store.redraw(receipt)).rows)).toBe(bytes(rows));
  });

  test("random picks the seed (recorded); without seed or random a seed is generated and recorded", async () => {
    const store = await storeWith(corpus());
    const viaRandom = await store.draw({ k: 5, now: NOW, random: () => 0.25 });
    expect(viaRandom.receipt.seed).toBe(2 ** 30);
    expect(viaRandom.receipt.options.seedFrom).toBe("random");
    expect(bytes(viaRandom.rows)).toBe(bytes((await store.draw({ k: 5, now: NOW, seed: 2 ** 30 })).rows));
    const generated = await store.draw({ k: 5, now: NOW });
    expect(Number.isSafeInteger(generated.receipt.seed)).toBe(true);
    expect(bytes(generated.rows)).toBe(bytes((await store.draw({ k: 5, now: NOW, seed: generated.receipt.seed })).rows));
  });
});

describe("bad options", () => {
  test("each is a StoreArgumentError naming the option", async () => {
    const store = await storeWith([prose(1)]);
    const cases: Array<[unknown, string]> = [
      [null, "options"],
      [undefined, "options"],
      [{ now: NOW, seed: 1 }, "options"],
      [{ now: NOW, seed: 1, k: 1, rows: 1 }, "options"],
      [{ now: NOW, seed: 1, k: -1 }, "options.k"],
      [{ now: NOW, seed: 1, rows: 1.5 }, "options.rows"],
      [{ now: NOW, seed: 1, maxTokens: "10" }, "options.maxTokens"],
      [{ now: "2026-01-01", seed: 1, k: 1 }, "options.now"],
      [{ now: new Date(Number.NaN), seed: 1, k: 1 }, "options.now"],
      [{ now: NOW, seed: 1.5, k: 1 }, "options.seed"],
      [{ now: NOW, seed: 1, random: () => 0.5, k: 1 }, "options"],
      [{ now: NOW, random: () => 1, k: 1 }, "options.random"],
      [{ now: NOW, random: 3, k: 1 }, "options.random"],
      [{ now: NOW, seed: 1, k: 1, scheme: "newest" }, "options.scheme"],
      [{ now: NOW, seed: 1, k: 1, mix: [] }, "options.mix"],
      [{ now: NOW, seed: 1, k: 1, mix: {} }, "options.mix"],
      [{ now: NOW, seed: 1, k: 1, mix: { prose: 0 } }, "options.mix"],
      [{ now: NOW, seed: 1, k: 1, mix: { prose: -1 } }, "options.mix.prose"],
      [{ now: NOW, seed: 1, k: 1, mix: { prose: Number.POSITIVE_INFINITY } }, "options.mix.prose"],
      [{ now: NOW, seed: 1, k: 1, includeAutoMined: "no" }, "options.includeAutoMined"],
      [{ now: NOW, seed: 1, maxTokens: 1, countTokens: 4 }, "options.countTokens"],
      [{ now: NOW, seed: 1, k: 1, recordExposure: "yes" }, "options.recordExposure"],
    ];
    for (const [options, argument] of cases) {
      const error = await store.draw(options as never).catch((e: unknown) => e);
      expect(error, JSON.stringify(options)).toMatchObject({ code: "STORE_ARGUMENT", argument });
    }
  });

  test("a bad entry weight or a throwing scheme is the sampler's error", async () => {
    const store = await storeWith([prose(1), prose(2), prose(3)]);
    const scheme = () => {
      throw new Error("boom");
    };
    await expect(store.draw({ rows: 2, now: NOW, seed: 1, scheme })).rejects.toMatchObject({ code: "SAMPLER" });
  });
});

// Draws over a v2 index's columns pick exactly what draws over the same entries as objects
// pick (every budget kind, mixes, filters, scheme functions), with the same receipt; a
// scheme function sees the entries' exposure.
import { join } from "node:path";
import type { SectionSnapshot } from "@replaykit/corpus";
import { IndexJournal, writeIndexV2, type IndexEntry } from "@replaykit/index";
import type { Row } from "@replaykit/parsers";
import { sample, type SchemeFn } from "@replaykit/sampler";
import { mulberry32 as random } from "@replaykit/test-support";
import { afterEach, describe, expect, test } from "vitest";
import { drawRows, pickEntries, type DrawOptions, type DrawSource } from "../src/draw.js";
import { recordingScheme, tempDir } from "./helpers.js";

const DAY = 86_400_000;
const NOW = new Date(Date.UTC(2026, 3, 18));
const TYPES = ["prose", "instruction", "preference"];

/** `n` entries: random ids (some repeated, with the same time: duplicates), times with milliseconds, weights 0–3, every type, some auto-mined. */
function entriesOf(n: number, seed: number): IndexEntry[] {
  const r = random(seed);
  const hex8 = () =>
    Math.floor(r() * 2 ** 32)
      .toString(16)
      .padStart(8, "0");
  const out: IndexEntry[] = [];
  for (let i = 0; i < n; i++) {
    const again = i > 0 && r() < 0.05 ? out[Math.floor(r() * i)]! : undefined;
    out.push({
      sectionId: again?.sectionId ?? hex8() + hex8(),
      byteOffset: i * 100,
      length: 100,
      addedAt: again?.addedAt ?? new Date(NOW.getTime() - Math.floor(r() * 400 * DAY) + (i % 1000)),
      weight: i % 17 === 0 ? 0 : i % 5 === 0 ? 2.5 : 1,
      sectionType: TYPES[i % 3]!,
      autoMined: i % 4 === 0,
      crc32: i,
    });
  }
  return out;
}

const journals: IndexJournal[] = [];
afterEach(async () => {
  for (const j of journals.splice(0)) await j.close();
});

async function journalOf(entries: readonly IndexEntry[]): Promise<IndexJournal> {
  const path = join(tempDir(), "index.rkx");
  await writeIndexV2(path, entries);
  const journal = await IndexJournal.open(path);
  journals.push(journal);
  return journal;
}

/** A source whose frames are stand-ins: one row per section naming it, a type from the entry. */
function sourceOf(entries: readonly IndexEntry[], journal?: IndexJournal): DrawSource {
  return {
    entries,
    columns: journal?.view,
    read: async (es) => es.map((e) => ({ sectionType: e.sectionType ?? "prose", sectionId: e.sectionId, content: e.sectionId }) as unknown as SectionSnapshot),
    rowsOf: (e) => Array.from({ length: 1 + (e.byteOffset % 3) }, (_, i) => ({ text: `${e.sectionId} ${i}`, _dlm_section_id: e.sectionId }) as unknown as Row),
    classify: async (es) => es.map((e) => ({ sectionType: e.sectionType ?? "prose", autoMined: e.autoMined ?? false })),
  };
}

const favourPreference: SchemeFn<IndexEntry> = (e) => (e.sectionType === "preference" ? 3 : 1) * (1 + (e.replayCount ?? 0));

describe("draws over columns pick what draws over entries pick", () => {
  const cases: Array<[string, Omit<DrawOptions, "now">]> = [
    ["k, recency", { k: 40, seed: 1 }],
    ["k, uniform", { k: 40, seed: 2, scheme: "uniform" }],
    ["k, scheme function", { k: 40, seed: 3, scheme: favourPreference }],
    ["k over every entry (stable order)", { k: 10_000, seed: 4 }],
    ["rows", { rows: 120, seed: 5 }],
    ["rows beyond the store", { rows: 100_000, seed: 6, scheme: "uniform" }],
    ["maxTokens", { maxTokens: 400, seed: 7 }],
    ["mix", { k: 60, seed: 8, mix: { prose: 0.5, instruction: 0.3, preference: 0.2 } }],
    ["mix of rows, no auto-mined", { rows: 90, seed: 9, mix: { prose: 1, preference: 1 }, includeAutoMined: false }],
    ["maxTokens, scheme function, no auto-mined", { maxTokens: 300, seed: 10, scheme: favourPreference, includeAutoMined: false }],
  ];
  test.each(cases)("%s", async (_, options) => {
    const entries = entriesOf(1500, 42);
    const journal = await journalOf(entries);
    const viaColumns = await drawRows(sourceOf(entries, journal), { ...options, now: NOW });
    const viaEntries = await drawRows(sourceOf(entries), { ...options, now: NOW });
    expect(viaColumns.receipt.picks.length).toBeGreaterThan(0);
    expect(viaColumns).toEqual(viaEntries);
  });

  test("pickEntries over columns is sample over the entries, for many seeds", async () => {
    const entries = entriesOf(3000, 7);
    const journal = await journalOf(entries);
    const withColumns = sourceOf(entries, journal);
    for (let seed = 0; seed < 30; seed++) {
      for (const scheme of ["recency", "uniform"] as const) {
        const k = 1 + ((seed * 37) % 400);
        const expected = sample(entries, { k, now: NOW, seed, scheme }).map((e) => e.byteOffset);
        expect(pickEntries(withColumns, undefined, { k, now: NOW, seed, scheme }).map((e) => e.byteOffset)).toEqual(expected);
        expect(pickEntries(sourceOf(entries), undefined, { k, now: NOW, seed, scheme }).map((e) => e.byteOffset)).toEqual(expected);
      }
    }
  });

  test("a scheme function reads replayCount and lastReplayAt from the columns", async () => {
    const entries = entriesOf(50, 3);
    const journal = await journalOf(entries);
    const when = new Date(NOW.getTime() - DAY);
    await journal.commit({ exposure: [{ sectionId: entries[5]!.sectionId, byteOffset: entries[5]!.byteOffset, replayCount: 4, lastReplayAt: when }] });
    const { seen, scheme } = recordingScheme((e) => e.byteOffset);
    await drawRows(sourceOf(entries, journal), { k: 3, now: NOW, seed: 1, scheme });
    expect(seen.get(entries[5]!.byteOffset)).toMatchObject({ replayCount: 4, lastReplayAt: when });
    expect(seen.get(entries[6]!.byteOffset)).toMatchObject({ replayCount: 0 });
    expect(seen.get(entries[6]!.byteOffset)?.lastReplayAt).toBeUndefined();
  });
});

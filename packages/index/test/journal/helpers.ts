import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import type { IndexEntry } from "../../src/index.js";

const dirs: string[] = [];

/** A fresh temporary directory, removed after the file's tests. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "replaykit-index-journal-"));
  dirs.push(dir);
  return dir;
}

afterAll(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const TYPES = ["prose", "instruction", "preference"];

/** Entry number `i`: ids, offsets and dates differ per entry, optional keys vary. */
export function entry(i: number, overrides: Partial<IndexEntry> = {}): IndexEntry {
  const base: { -readonly [K in keyof IndexEntry]: IndexEntry[K] } = {
    sectionId: ((i * 2654435761) >>> 0).toString(16).padStart(8, "0") + (i >>> 0).toString(16).padStart(8, "0"),
    byteOffset: i * 250,
    length: 200 + (i % 50),
    addedAt: new Date(Date.UTC(2026, 0, 1) + i * 1_234_567 + (i % 1000)),
    weight: i % 7 === 0 ? 0.5 : 1,
  };
  if (i % 5 !== 4) base.sectionType = TYPES[i % 3]!;
  if (i % 4 !== 3) base.autoMined = i % 2 === 0;
  if (i % 6 !== 5) base.crc32 = (i * 2246822519) >>> 0;
  return { ...base, ...overrides };
}

/** Entries in canonical order (offset, then id) for comparisons with a rewritten file. */
export function byOffset(entries: readonly IndexEntry[]): IndexEntry[] {
  return entries.slice().sort((a, b) => a.byteOffset - b.byteOffset || (a.sectionId < b.sectionId ? -1 : a.sectionId > b.sectionId ? 1 : 0));
}

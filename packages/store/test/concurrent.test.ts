// Several processes writing one store at once; readers during writes and compactions.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ReplayStore, createSnapshot } from "../src/index.js";
import { tempDir } from "./helpers.js";
import { acked, run } from "./proc.js";

describe("concurrent writers", () => {
  test("four single appenders and one appendMany writer: every entry arrives once, verify is clean, readers never see a partial index", async () => {
    const dir = join(tempDir(), "store");
    mkdirSync(dir); // the readers start before any write creates it
    const writers = [0, 1, 2, 3].map((i) => run("writer.mjs", [dir, `w${i}`, "single", "40"]));
    writers.push(run("writer.mjs", [dir, "many", "many", "100"]));
    const reader = run("reader.mjs", [dir, "60"]);
    const codes = await Promise.all(writers.map((w) => w.exited));
    expect(codes).toEqual([0, 0, 0, 0, 0]);
    expect(await reader.exited).toBe(0);
    const ids = writers.flatMap((w) => acked(w.lines));
    expect(ids).toHaveLength(260);
    const store = await ReplayStore.open(dir);
    const entries = await store.load();
    expect(entries.map((e) => e.sectionId).sort()).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(260);
    expect((await store.verify()).problems).toEqual([]);
    // Readers saw growing, complete indexes and could read every frame of each.
    expect(reader.lines.filter((l) => l.startsWith("error"))).toEqual([]);
    const counts = reader.lines.map((l) => Number(l.split(" ")[1]));
    expect(counts.every((c, i) => i === 0 || c >= counts[i - 1]!)).toBe(true);
  }, 120_000);

  test("readers during repeated compactions always see a matching index and corpus", async () => {
    const dir = join(tempDir(), "store");
    const store = await ReplayStore.open(dir);
    const entries = await store.appendMany(
      Array.from({ length: 300 }, (_, i) =>
        createSnapshot({ sectionType: "prose", content: `compaction section ${i} `.repeat(6), lastSeenAt: new Date(Date.UTC(2026, 0, 1, 0, i)) }),
      ),
    );
    await store.evict({ maxBytes: entries.slice(100).reduce((n, e) => n + e.length, 0) });
    const live = (await store.load()).length;
    const readers = [run("reader.mjs", [dir, "40", String(live)]), run("reader.mjs", [dir, "40", String(live)])];
    // Every compaction writes a new corpus file and swaps it in, even with no dead space.
    for (let i = 0; i < 15; i++) await store.compact();
    for (const r of readers) expect(await r.exited).toBe(0);
    for (const r of readers) {
      expect(r.lines.filter((l) => l.startsWith("error"))).toEqual([]);
      for (const line of r.lines) expect(line).toBe(`ok ${live} ${live}`);
    }
  }, 120_000);
});

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { cli, jsonl, NOW, parseJsonl, referenceStoreCopy, REPO, tempDir, VECTORS } from "./helpers.js";

describe("replaykit export", () => {
  test("every section in the add format, in append order, dates as YYYY-MM-DDTHH:MM:SSZ", async () => {
    const dir = join(tempDir(), "store");
    const sections = [
      { section_type: "prose", content: "B comes first in the file.", last_seen_at: "2026-02-01T10:20:30" },
      {
        section_type: "instruction",
        content: "### Q\nq?\n### A\na",
        auto_mined: true,
        first_seen_at: "2026-01-01T00:00:00+01:00",
        last_seen_at: "2026-01-02T00:00:00Z",
        training_runs_seen: [4, 7],
      },
    ];
    await cli(["add", dir, "-"], { stdin: jsonl(sections) });
    const { code, stdout, stderr } = await cli(["export", dir]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    const rows = parseJsonl(stdout);
    expect(rows.map((r) => r.content)).toEqual([sections[0]!.content, sections[1]!.content]);
    expect(Object.keys(rows[0]!)).toEqual(["section_id", "section_type", "content", "auto_mined", "first_seen_at", "last_seen_at", "training_runs_seen"]);
    expect(rows[1]).toMatchObject({
      auto_mined: true,
      first_seen_at: "2025-12-31T23:00:00Z",
      last_seen_at: "2026-01-02T00:00:00Z",
      training_runs_seen: [4, 7],
    });
    expect(rows[0]).toMatchObject({ first_seen_at: "2026-02-01T10:20:30Z", last_seen_at: "2026-02-01T10:20:30Z", training_runs_seen: [] });
  });

  test("export → add into an empty store → export round-trips (the dlm reference store, Unicode and all)", async () => {
    const first = await cli(["export", referenceStoreCopy()]);
    expect(first.code).toBe(0);
    expect(parseJsonl(first.stdout)).toHaveLength(13);
    const file = join(tempDir(), "export.jsonl");
    writeFileSync(file, first.stdout);
    const copy = join(tempDir(), "copy");
    expect((await cli(["add", copy, file])).code).toBe(0);
    const second = await cli(["export", copy]);
    expect(second.stdout).toBe(first.stdout);
    // The copy samples the same rows as the original.
    const expected = JSON.parse(readFileSync(join(VECTORS, "expected.json"), "utf8")) as Record<string, { rows: unknown[] }>;
    expect(parseJsonl((await cli(["sample", copy, "--k", "13", "--seed", "0"])).stdout)).toEqual(expected.sample_rows_full_sweep!.rows);
  });

  test("the example sections round-trip too", async () => {
    const a = join(tempDir(), "a");
    expect((await cli(["add", a, join(REPO, "examples", "sections.jsonl")])).code).toBe(0);
    const first = await cli(["export", a]);
    const b = join(tempDir(), "b");
    expect((await cli(["add", b, "-"], { stdin: first.stdout })).code).toBe(0);
    expect((await cli(["export", b])).stdout).toBe(first.stdout);
    expect(parseJsonl(first.stdout)).toHaveLength(300);
  });

  test("an empty store exports nothing; a missing one is a failure", async () => {
    const dir = join(tempDir(), "store");
    await cli(["add", dir, "-"], { stdin: jsonl([{ section_type: "prose", content: "x" }]) });
    await cli(["evict", dir, "--max-bytes", "0"]);
    expect(await cli(["export", dir])).toEqual({ code: 0, stdout: "", stderr: `nothing to export: ${dir} is empty\n` });
    const missing = await cli(["export", join(tempDir(), "missing")]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/^replaykit: no store at /);
  });
});

describe("replaykit upgrade", () => {
  test("converts a dlm store, says dlm can no longer open it; a second run does nothing and says so", async () => {
    const dir = referenceStoreCopy();
    const before = JSON.parse(readFileSync(join(dir, "index.json"), "utf8")) as Array<Record<string, unknown>>;
    expect(Object.keys(before[0]!).sort()).toEqual(["added_at", "byte_offset", "length", "section_id", "weight"]);
    const { code, stdout, stderr } = await cli(["upgrade", dir], { now: NOW });
    expect(code).toBe(0);
    expect(stdout).toBe("");
    const backup = join(dir, "index.json.dlm-backup-20260401-000000");
    expect(stderr).toBe(
      `upgraded ${dir}: 13 entries now record section_type, auto_mined and crc32\n` +
        `note: dlm can no longer open this store; the old index is kept as ${backup}\n` +
        `to go back: replaykit downgrade ${dir}\n`,
    );
    // The backup is the dlm index as it was, byte for byte.
    expect(JSON.parse(readFileSync(backup, "utf8"))).toEqual(before);
    // A replaykit store now: its index is the v2 journal (index.json is gone).
    expect(existsSync(join(dir, "index.json"))).toBe(false);
    expect(existsSync(join(dir, "index.rkx"))).toBe(true);
    expect((await cli(["verify", dir])).stdout).toMatch(/^integrity {3}crc32 /m);
    expect((await cli(["stats", dir, "--json"])).stdout).toContain('"format": "replaykit"');

    const again = await cli(["upgrade", dir]);
    expect(again.code).toBe(0);
    expect(again.stderr).toBe(`${dir} is already in replaykit format: nothing to do\n`);
  });

  test("a store replaykit created is left alone; a missing store is a failure", async () => {
    const dir = join(tempDir(), "store");
    await cli(["add", dir, "-"], { stdin: jsonl([{ section_type: "prose", content: "x" }]) });
    const index = readFileSync(join(dir, "index.rkx"));
    expect((await cli(["upgrade", dir])).stderr).toMatch(/already in replaykit format: nothing to do/);
    expect(readFileSync(join(dir, "index.rkx"))).toEqual(index);
    expect((await cli(["upgrade", join(tempDir(), "missing")])).code).toBe(3);
  });
});

import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { cli, jsonl, referenceStoreCopy, tempDir } from "./helpers.js";

describe("replaykit stats", () => {
  test("a readable summary: counts by type, bytes, format, oldest/newest relative to now, an age histogram", async () => {
    const dir = referenceStoreCopy();
    const { code, stdout, stderr } = await cli(["stats", dir, "--now", "2026-04-01T00:00:00Z"]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(stdout).toContain(`store       ${dir} (dlm format)`);
    expect(stdout).toContain("sections    13: 6 prose, 4 instruction, 3 preference");
    expect(stdout).toContain("auto-mined  1 section");
    expect(stdout).toContain("corpus      2.65 KiB on disk: 2.65 KiB live, 0 B dead (0.0%)");
    expect(stdout).toContain("oldest      2026-01-01T00:00:00Z (90 days ago)");
    expect(stdout).toContain("newest      2026-03-20T07:00:00Z (11 days ago)");
    expect(stdout).toContain("age of sections (relative to 2026-04-01T00:00:00Z)");
    expect(stdout).toMatch(/2 weeks–30 days │█+[▏▎▍▌▋▊▉]? +\d+/);
    const bars = stdout.split("\n").filter((l) => l.includes("│"));
    expect(bars.reduce((n, l) => n + Number(l.trim().split(/\s+/).at(-1)), 0)).toBe(13);
  });

  test("--json prints the store's stats() object, dates as ISO", async () => {
    const dir = referenceStoreCopy();
    const { code, stdout } = await cli(["stats", dir, "--json"]);
    expect(code).toBe(0);
    const stats = JSON.parse(stdout) as Record<string, unknown>;
    expect(stats).toMatchObject({
      entries: 13,
      liveBytes: 2709,
      fileBytes: 2709,
      deadBytes: 0,
      autoMined: 1,
      format: "dlm",
      byType: { prose: 6, instruction: 4, preference: 3 },
      oldest: "2026-01-01T00:00:00.000Z",
      newest: "2026-03-20T07:00:00.000Z",
    });
    for (const key of ["entries", "liveBytes", "fileBytes", "byType", "oldest", "newest", "deadBytes", "autoMined", "format"])
      expect(stats).toHaveProperty(key);
  });

  test("a replaykit store with dead space says so and points at compact", async () => {
    const dir = join(tempDir(), "store");
    await cli(["add", dir, "-"], {
      stdin: jsonl([
        { section_type: "prose", content: "a", last_seen_at: "2026-01-01" },
        { section_type: "prose", content: "b" },
      ]),
    });
    await cli(["evict", dir, "--max-bytes", "0"]);
    const { stdout } = await cli(["stats", dir]);
    expect(stdout).toContain("(replaykit format)");
    expect(stdout).toContain("sections    0 (empty store)");
    expect(stdout).toMatch(/dead \(100\.0%\)/);
    expect(stdout).toContain("`replaykit compact` reclaims the dead bytes");
    expect(stdout).not.toContain("age of sections");
  });

  test("entries dated after now fall in a future bucket", async () => {
    const dir = join(tempDir(), "store");
    await cli(["add", dir, "-"], { stdin: jsonl([{ section_type: "prose", content: "a", last_seen_at: "2026-05-01T00:00:00Z" }]) });
    const { stdout } = await cli(["stats", dir, "--now", "2026-04-01"]);
    expect(stdout).toContain("(in 30 days)");
    expect(stdout).toMatch(/future │█+ 1/);
  });

  test("a missing store: exit 3 (not found), nothing created", async () => {
    const dir = join(tempDir(), "missing");
    const { code, stderr } = await cli(["stats", dir, "--json"]);
    expect(code).toBe(3);
    expect(stderr).toMatch(/^replaykit: no store at /);
    expect(existsSync(dir)).toBe(false);
  });

  test("a directory without a store: the message names both index files a store may have", async () => {
    const dir = join(tempDir(), "empty");
    mkdirSync(dir);
    const { code, stderr } = await cli(["stats", dir]);
    expect(code).toBe(3);
    expect(stderr).toBe(`replaykit: no store at ${dir} (no index.rkx, index.json or corpus.zst in it)\n`);
  });
});

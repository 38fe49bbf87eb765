import { ReplayStore } from "@replaykit/store";
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { cli, jsonl, tempDir } from "./helpers.js";

/** 10 prose sections, one a day from 2026-01-01 (the oldest first). */
async function storeOf10(): Promise<{ dir: string; ids: string[]; lengths: number[] }> {
  const dir = join(tempDir(), "store");
  const sections = Array.from({ length: 10 }, (_, i) => ({
    section_type: "prose",
    content: `Day ${i}: ${"the same sentence again. ".repeat(10)}`,
    last_seen_at: `2026-01-${String(i + 1).padStart(2, "0")}T00:00:00Z`,
  }));
  expect((await cli(["add", dir, "-"], { stdin: jsonl(sections) })).code).toBe(0);
  const entries = (await (await ReplayStore.open(dir)).load()).sort((a, b) => a.addedAt.getTime() - b.addedAt.getTime());
  return { dir, ids: entries.map((e) => e.sectionId), lengths: entries.map((e) => e.length) };
}

describe("replaykit evict", () => {
  test("drops the oldest until the budget holds; reports on stderr; --list prints the evicted on stdout", async () => {
    const { dir, ids, lengths } = await storeOf10();
    const budget = lengths.slice(4).reduce((a, b) => a + b, 0); // room for the 6 newest
    const { code, stdout, stderr } = await cli(["evict", dir, "--max-bytes", String(budget), "--list"]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/^evicted 4 sections \(.*oldest first, added 2026-01-01T00:00:00Z … 2026-01-04T00:00:00Z\)\n/);
    expect(stderr).toMatch(/\nkept 6 sections \(.* live, budget .*\)\n/);
    expect(stderr).toContain("dead space until `replaykit compact");
    expect(
      stdout
        .trimEnd()
        .split("\n")
        .map((l) => l.split("\t")[0]),
    ).toEqual(ids.slice(0, 4));
    const left = await (await ReplayStore.open(dir)).load();
    expect(left.map((e) => e.sectionId).sort()).toEqual(ids.slice(4).sort());
  });

  test("sizes with units; within budget nothing happens", async () => {
    const { dir } = await storeOf10();
    const { code, stderr } = await cli(["evict", dir, "--max-bytes", "1MiB"]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/^nothing to evict: .* live in 10 sections \(budget 1\.00 MiB\)\n$/);
    expect(await (await ReplayStore.open(dir)).load()).toHaveLength(10);
  });

  test("--protect: listed ids survive, comments and blank lines are ignored; over budget is a warning", async () => {
    const { dir, ids } = await storeOf10();
    const file = join(tempDir(), "keep.txt");
    writeFileSync(file, `# keep the two oldest\n\n${ids[0]}\n  ${ids[1]}   # and this one\r\n`);
    const { code, stderr } = await cli(["evict", dir, "--max-bytes", "0", "--protect", file]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/kept 2 sections \(.*, 2 protected\)/);
    expect(stderr).toMatch(/warning: still over budget: the 2 protected sections alone hold more than 0 B/);
    expect((await (await ReplayStore.open(dir)).load()).map((e) => e.sectionId).sort()).toEqual([ids[0], ids[1]].sort());
  });

  test("an invalid id in the protect file is a usage error naming the line; nothing is evicted", async () => {
    const { dir } = await storeOf10();
    const file = join(tempDir(), "keep.txt");
    writeFileSync(file, "# ids\n0123456789abcdef\n0123456789ABCDEF\n");
    const { code, stderr } = await cli(["evict", dir, "--max-bytes", "0", "--protect", file]);
    expect(code).toBe(2);
    expect(stderr).toBe(`replaykit: --protect: ${file} line 3: "0123456789ABCDEF" is not a section id (16 lowercase hex characters)\n`);
    expect(await (await ReplayStore.open(dir)).load()).toHaveLength(10);
  });

  test("a missing protect file is a usage error", async () => {
    const { dir } = await storeOf10();
    const { code, stderr } = await cli(["evict", dir, "--max-bytes", "0", "--protect", join(tempDir(), "nope.txt")]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^replaykit: --protect .*nope\.txt: cannot read: no such file or directory \(ENOENT\)\n$/);
  });

  test("--compact shrinks the corpus file and prints before/after", async () => {
    const { dir } = await storeOf10();
    const before = statSync(join(dir, "corpus.zst")).size;
    const { code, stderr } = await cli(["evict", dir, "--max-bytes", "1KiB", "--compact"]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/\ncompacted: .* → .*\n$/);
    expect(statSync(join(dir, "corpus.zst")).size).toBeLessThan(before);
    expect((await cli(["verify", dir])).code).toBe(0);
  });

  test("a missing store is a failure and is not created", async () => {
    const { code, stderr } = await cli(["evict", join(tempDir(), "nope"), "--max-bytes", "0"]);
    expect(code).toBe(3);
    expect(stderr).toMatch(/^replaykit: no store at /);
  });
});

describe("replaykit compact", () => {
  test("prints bytes before and after on stderr; reclaims evicted space", async () => {
    const { dir } = await storeOf10();
    await cli(["evict", dir, "--max-bytes", "1KiB"]);
    const before = statSync(join(dir, "corpus.zst")).size;
    const { code, stdout, stderr } = await cli(["compact", dir]);
    expect(code).toBe(0);
    expect(stdout).toBe("");
    const after = statSync(join(dir, "corpus.zst")).size;
    expect(after).toBeLessThan(before);
    expect(stderr).toMatch(new RegExp(`^compacted .*: ${before} → ${after} bytes \\(.* → .*, .* reclaimed\\)\n$`));
    expect((await cli(["verify", dir])).stdout).toContain("reclaimable 0 B");
  });

  test("a missing store is a failure", async () => {
    const { code, stderr } = await cli(["compact", join(tempDir(), "nope")]);
    expect(code).toBe(3);
    expect(stderr).toMatch(/^replaykit: no store at /);
  });
});

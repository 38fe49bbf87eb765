import { ReplayStore } from "@replaykit/store";
import { existsSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { cli, jsonl, referenceStoreCopy, tempDir } from "./helpers.js";

async function storeOf(n: number): Promise<string> {
  const dir = join(tempDir(), "store");
  const sections = Array.from({ length: n }, (_, i) => ({ section_type: "prose", content: `Paragraph ${i}: ${"words ".repeat(20 + i)}` }));
  expect((await cli(["add", dir, "-"], { stdin: jsonl(sections) })).code).toBe(0);
  return dir;
}

describe("replaykit verify", () => {
  test("an intact replaykit store: exit 0, integrity crc32, reclaimable bytes", async () => {
    const dir = await storeOf(5);
    const { code, stdout, stderr } = await cli(["verify", dir]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(stdout).toContain("(replaykit format)");
    expect(stdout).toContain("entries     5");
    expect(stdout).toMatch(/^integrity   crc32 /m);
    expect(stdout).toContain("reclaimable 0 B");
    expect(stdout).toContain("ok: all 5 entries are intact");
  });

  test("a dlm store is checked by decoding only, and says so", async () => {
    const { code, stdout } = await cli(["verify", referenceStoreCopy()]);
    expect(code).toBe(0);
    expect(stdout).toContain("(dlm format)");
    expect(stdout).toMatch(/^integrity   decode-only /m);
  });

  test("reclaimable bytes after an eviction", async () => {
    const dir = await storeOf(4);
    await cli(["evict", dir, "--max-bytes", "0"]);
    const { code, stdout } = await cli(["verify", dir]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^reclaimable \d.* \(run `replaykit compact`\)$/m);
  });

  test("a damaged frame: exit 1, one report line per problem with section id, byte offset and message", async () => {
    const dir = await storeOf(5);
    const entries = await (await ReplayStore.open(dir)).load();
    const victim = entries.sort((a, b) => a.byteOffset - b.byteOffset)[2]!;
    const corpus = readFileSync(join(dir, "corpus.zst"));
    const at = victim.byteOffset + Math.floor(victim.length / 2);
    corpus[at] = corpus[at]! ^ 0x40;
    writeFileSync(join(dir, "corpus.zst"), corpus);
    const { code, stdout, stderr } = await cli(["verify", dir]);
    expect(code).toBe(1);
    const problems = stdout.split("\n").filter((l) => l.startsWith("  section "));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^  section ${victim.sectionId} at byte ${victim.byteOffset}: CRC-32 mismatch`));
    expect(stdout).toContain("1 problem:");
    expect(stderr).toBe(`replaykit: verify found 1 problem in ${dir}\n`);
  });

  test("a truncated dlm corpus: the frames past the end are reported", async () => {
    const dir = referenceStoreCopy();
    truncateSync(join(dir, "corpus.zst"), 2400);
    const { code, stdout } = await cli(["verify", dir]);
    expect(code).toBe(1);
    expect(stdout).toContain("2 problems:");
    expect(stdout).toMatch(/^  section d5c79a46bf6fa7d6 at byte 2351: .*past the end/m);
    expect(stdout).toMatch(/^  section bd329994e8a868b8 at byte 2536: /m);
  });

  test("a missing store: exit 1, nothing created", async () => {
    const dir = join(tempDir(), "missing");
    const { code, stderr } = await cli(["verify", dir]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^replaykit: no store at /);
    expect(existsSync(dir)).toBe(false);
  });

  test("a corrupt index is a failure (exit 1) with one line", async () => {
    const dir = await storeOf(1);
    writeFileSync(join(dir, "index.json"), "[{not json");
    const { code, stderr } = await cli(["verify", dir]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^replaykit: .*index\.json/);
    expect(stderr.trimEnd().split("\n")).toHaveLength(1);
  });
});

// --mix with a type the store does not hold; section types named like Object.prototype's
// members; the seeds of the command and of the library.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createSnapshot, ReplayStore, type RowExpander } from "@replaykit/store";
import { describe, expect, test } from "vitest";
import { cli, jsonl, parseJsonl, tempDir } from "./helpers.js";

const NOW = "2026-03-01T00:00:00Z";
const day = (i: number) => `2026-01-${String(1 + (i % 28)).padStart(2, "0")}T00:00:00Z`;

/** 12 prose, 6 instruction, 3 preference sections. */
async function store(): Promise<string> {
  const dir = join(tempDir(), "store");
  const sections = [
    ...Array.from({ length: 12 }, (_, i) => ({ section_type: "prose", content: `Prose ${i}.`, last_seen_at: day(i) })),
    ...Array.from({ length: 6 }, (_, i) => ({ section_type: "instruction", content: `### Q\nQ${i}?\n### A\nA${i}.`, last_seen_at: day(i) })),
    ...Array.from({ length: 3 }, (_, i) => ({
      section_type: "preference",
      content: `### Prompt\nP${i}\n### Chosen\nC${i}\n### Rejected\nR${i}`,
      last_seen_at: day(i),
    })),
  ];
  expect((await cli(["add", dir, "-"], { stdin: jsonl(sections) })).code).toBe(0);
  return dir;
}

describe("--mix with a type the store holds no section of", () => {
  test("is a usage error naming the type and the types the store holds; nothing is drawn or written", async () => {
    const dir = await store();
    const out = join(tempDir(), "out");
    const { code, stdout, stderr } = await cli(["sample", dir, "--k", "10", "--mix", "prose=1,chat=1", "--seed", "1", "--out", out, "--record-exposure"]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      "replaykit: --mix: the store holds no chat section; it holds prose (12), instruction (6), preference (3) (give --allow-missing-types to draw the other types' shares anyway)\n",
    );
    const stats = JSON.parse((await cli(["stats", dir, "--json"])).stdout) as { replayed: { sections: number } };
    expect(stats.replayed.sections).toBe(0);
    expect(existsSync(out)).toBe(false);
    // Two missing types (a misspelling among them), and a type with share 0 is not asked for.
    const two = await cli(["sample", dir, "--k", "10", "--mix", "prose=1,instrution=1,chat=0.5,preference=0", "--seed", "1"]);
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(/^replaykit: --mix: the store holds no instrution or chat sections; it holds prose \(12\)/);
    // Every type present: no error.
    expect((await cli(["sample", dir, "--k", "10", "--mix", "prose=1,preference=1,chat=0", "--seed", "1"])).code).toBe(0);
  });

  test("an empty store holds no type", async () => {
    const dir = join(tempDir(), "empty");
    expect((await cli(["add", dir, "-"], { stdin: `${JSON.stringify({ section_type: "prose", content: "x" })}\n` })).code).toBe(0);
    expect((await cli(["evict", dir, "--max-bytes", "0"])).code).toBe(0);
    const { code, stderr } = await cli(["sample", dir, "--k", "3", "--mix", "prose=1", "--seed", "1"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/the store holds no prose section; it holds no sections at all/);
  });

  test("--allow-missing-types: today's behaviour, the shortfall on stderr and in the receipt", async () => {
    const dir = await store();
    const receipt = join(tempDir(), "receipt.json");
    const args = ["sample", dir, "--k", "10", "--mix", "prose=1,chat=1", "--seed", "1", "--now", NOW, "--receipt", receipt, "--allow-missing-types"];
    const { code, stdout, stderr } = await cli(args);
    expect(code).toBe(0);
    expect(parseJsonl(stdout)).toHaveLength(5);
    expect(stderr).toBe("shortfall: chat is 5 sections short of its share (the store has too few chat sections); not refilled\n");
    expect(JSON.parse(readFileSync(receipt, "utf8"))).toMatchObject({ shortfall: { chat: 5 } });
    // Without --mix it means nothing: a usage error, not silently ignored.
    const alone = await cli(["sample", dir, "--k", "3", "--seed", "1", "--allow-missing-types"]);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toBe("replaykit: --allow-missing-types works with --mix; give --mix too\n");
  });

  test("--help names the flag", async () => {
    expect((await cli(["sample", "--help"])).stdout).toContain("--allow-missing-types");
  });
});

describe("section types named like Object.prototype's members are plain keys", () => {
  test("--mix constructor=1 is one type, not 'given twice'; absent from the store, it is the missing-type error", async () => {
    const dir = await store();
    const { code, stderr } = await cli(["sample", dir, "--k", "3", "--mix", "constructor=1,prose=1", "--seed", "1"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^replaykit: --mix: the store holds no constructor section; it holds prose/);
    const twice = await cli(["sample", dir, "--k", "3", "--mix", "constructor=1,constructor=2", "--seed", "1"]);
    expect(twice.stderr).toMatch(/constructor is given twice/);
  });

  test("add refuses a constructor line (no expander) cleanly; a store holding such sections is counted, exported, and sampled with one clear error", async () => {
    const dir = join(tempDir(), "store");
    const refused = await cli(["add", dir, "-"], { stdin: `${JSON.stringify({ section_type: "constructor", content: "x" })}\n` });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^stdin line 1: section_type: "constructor" has no row expander/);

    // Written through the library with an expander of its own.
    const tagged: RowExpander = (source, rowId) => [{ text: source.content, _dlm_section_id: rowId }];
    const library = await ReplayStore.open(dir, { expanders: { constructor: tagged } });
    await library.appendMany([
      ...Array.from({ length: 3 }, (_, i) => createSnapshot({ sectionType: "constructor", content: `C ${i}`, lastSeenAt: new Date(day(i)) })),
      createSnapshot({ sectionType: "prose", content: "P", lastSeenAt: new Date(day(5)) }),
    ]);
    const stats = await cli(["stats", dir, "--json"]);
    expect(JSON.parse(stats.stdout)).toMatchObject({ byType: { constructor: 3, prose: 1 } });
    expect((await cli(["stats", dir])).stdout).toMatch(/sections\s+4: 3 constructor, 1 prose/);
    expect(parseJsonl((await cli(["export", dir])).stdout).filter((s) => s.section_type === "constructor")).toHaveLength(3);
    // The command has no expander for it: one line naming the type, exit 8 (unsupported; never "x is not iterable").
    const sampled = await cli(["sample", dir, "--k", "4", "--mix", "constructor=1", "--seed", "1"]);
    expect(sampled.code).toBe(8);
    expect(sampled.stderr).toMatch(/^replaykit: section [0-9a-f]{16} has type "constructor", which has no row expander/);
    expect(sampled.stderr.trimEnd().split("\n")).toHaveLength(1);
    // Prose alone still samples.
    expect(parseJsonl((await cli(["sample", dir, "--k", "1", "--mix", "prose=1", "--seed", "1"])).stdout)).toEqual([
      { text: "P", _dlm_section_id: expect.stringMatching(/^replay:/) },
    ]);
  });
});

describe("the command's seeds and the library's", () => {
  test("--seed S gives the rows of draw({ seed: S }) and of sampleRows({ k, seed: S }); without --seed the reported seed repeats it", async () => {
    const dir = await store();
    const now = new Date(NOW);
    const library = await ReplayStore.open(dir, { create: false });
    const fromCli = parseJsonl((await cli(["sample", dir, "--k", "7", "--seed", "12345", "--now", NOW])).stdout);
    expect(fromCli).toEqual((await library.draw({ k: 7, now, seed: 12345 })).rows);
    expect(fromCli).toEqual(await library.sampleRows({ k: 7, now, seed: 12345 }));
    // A mix and a rows budget: the same as draw with the same options.
    const mixed = parseJsonl((await cli(["sample", dir, "--rows", "6", "--mix", "prose=1,instruction=1", "--seed", "5", "--now", NOW])).stdout);
    expect(mixed).toEqual((await library.draw({ rows: 6, mix: { prose: 1, instruction: 1 }, now, seed: 5 })).rows);

    const unseeded = await cli(["sample", dir, "--k", "7", "--now", NOW]);
    const seed = Number(/^seed: (\d+)\n$/.exec(unseeded.stderr)?.[1]);
    expect(Number.isSafeInteger(seed)).toBe(true);
    expect(parseJsonl(unseeded.stdout)).toEqual((await library.draw({ k: 7, now, seed })).rows);
  });
});

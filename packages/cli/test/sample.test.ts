import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ReplayStore, createSnapshot } from "@replaykit/store";
import { describe, expect, test } from "vitest";
import { cli, jsonl, NOW, parseJsonl, referenceStoreCopy, tempDir, VECTORS } from "./helpers.js";

const expected = JSON.parse(readFileSync(join(VECTORS, "expected.json"), "utf8")) as Record<string, { rows: unknown[] }>;

/** A store of 40 prose sections, 10 instruction and 6 preference (2 auto-mined), one per day. */
async function exampleStore(): Promise<string> {
  const dir = join(tempDir(), "store");
  const day = (i: number) => new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 19) + "Z";
  const sections = [
    ...Array.from({ length: 40 }, (_, i) => ({
      section_type: "prose",
      content: `Fact number ${i}: the number ${i} squared is ${i * i}.`,
      last_seen_at: day(i),
    })),
    ...Array.from({ length: 10 }, (_, i) => ({ section_type: "instruction", content: `### Q\nWhat is ${i} + ${i}?\n### A\n${2 * i}`, last_seen_at: day(i) })),
    ...Array.from({ length: 6 }, (_, i) => ({
      section_type: "preference",
      content: `### Prompt\nSay ${i}.\n### Chosen\n${i}\n### Rejected\n${i + 1}`,
      auto_mined: i < 2,
      last_seen_at: day(i),
    })),
  ];
  const { code } = await cli(["add", dir, "-"], { stdin: jsonl(sections) });
  expect(code).toBe(0);
  return dir;
}

describe("replaykit sample", () => {
  test("rows as JSONL on stdout; the same seed gives the same rows; no seed line when a seed is given", async () => {
    const dir = await exampleStore();
    const a = await cli(["sample", dir, "--k", "8", "--seed", "1", "--now", "2026-03-01T00:00:00Z"]);
    expect(a.code).toBe(0);
    expect(a.stderr).toBe("");
    const rows = parseJsonl(a.stdout);
    expect(rows).toHaveLength(8);
    for (const row of rows) expect(row._dlm_section_id).toMatch(/^replay:[0-9a-f]{16}:2026-\d\d-\d\dT00:00:00\+00:00$/);
    const b = await cli(["sample", dir, "--k", "8", "--seed", "1", "--now", "2026-03-01T00:00:00"]);
    expect(b.stdout).toBe(a.stdout);
    const c = await cli(["sample", dir, "--k", "8", "--seed", "2", "--now", "2026-03-01T00:00:00Z"]);
    expect(c.stdout).not.toBe(a.stdout);
  });

  test("without --seed a random seed is reported on stderr, and repeating it repeats the draw", async () => {
    const dir = await exampleStore();
    const first = await cli(["sample", dir, "--k", "5", "--now", "2026-03-01T00:00:00Z"]);
    expect(first.code).toBe(0);
    const seed = /^seed: (\d+)\n$/.exec(first.stderr)?.[1];
    expect(seed).toBeDefined();
    const again = await cli(["sample", dir, "--k", "5", "--seed", seed!, "--now", "2026-03-01T00:00:00Z"]);
    expect(again.stdout).toBe(first.stdout);
  });

  test("--now defaults to the current time (io.now)", async () => {
    const dir = await exampleStore();
    const withNow = await cli(["sample", dir, "--k", "5", "--seed", "3"], { now: new Date("2026-02-01T00:00:00Z") });
    const explicit = await cli(["sample", dir, "--k", "5", "--seed", "3", "--now", "2026-02-01T00:00:00Z"]);
    expect(withNow.stdout).toBe(explicit.stdout);
  });

  test("--k 0 prints nothing; a k larger than the store prints every section", async () => {
    const dir = await exampleStore();
    expect((await cli(["sample", dir, "--k", "0", "--seed", "1"])).stdout).toBe("");
    expect(parseJsonl((await cli(["sample", dir, "--k", "1000", "--seed", "1", "--scheme", "uniform"])).stdout)).toHaveLength(56);
  });

  test("--preference samples preference rows; --no-auto-mined leaves the auto-mined ones out", async () => {
    const dir = await exampleStore();
    const all = parseJsonl((await cli(["sample", dir, "--k", "100", "--seed", "1", "--preference"])).stdout);
    expect(all).toHaveLength(6);
    for (const row of all) expect(Object.keys(row).sort()).toEqual(["_dlm_section_id", "chosen", "prompt", "rejected"]);
    const human = parseJsonl((await cli(["sample", dir, "--k", "100", "--seed", "1", "--preference", "--no-auto-mined"])).stdout);
    expect(human.map((r) => r.prompt).sort()).toEqual(["Say 2.", "Say 3.", "Say 4.", "Say 5."]);
  });

  test("on a copy of the dlm reference store, k ≥ 13 gives the reference's full sweep, row for row", async () => {
    const dir = referenceStoreCopy();
    for (const k of ["13", "1000"]) {
      const { code, stdout } = await cli(["sample", dir, "--k", k, "--seed", "0", "--now", "2026-04-01T00:00:00"]);
      expect(code).toBe(0);
      expect(parseJsonl(stdout)).toEqual(expected.sample_rows_full_sweep!.rows);
    }
    const pref = await cli(["sample", dir, "--k", "13", "--seed", "5", "--preference"], { now: NOW });
    expect(parseJsonl(pref.stdout)).toEqual(expected.sample_preference_rows_full_sweep!.rows);
    const human = await cli(["sample", dir, "--k", "13", "--seed", "5", "--preference", "--no-auto-mined"], { now: NOW });
    expect(parseJsonl(human.stdout)).toEqual(expected.sample_preference_rows_full_sweep_exclude_auto_mined!.rows);
  });

  test("a missing store: 'no store at <dir>', exit 1, and nothing is created", async () => {
    const dir = join(tempDir(), "nothing-here");
    const { code, stdout, stderr } = await cli(["sample", dir, "--k", "3", "--seed", "1"]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(new RegExp(`^replaykit: no store at ${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
    expect(existsSync(dir)).toBe(false);
  });

  test("a directory that holds no store is not a store", async () => {
    const dir = tempDir();
    const { code, stderr } = await cli(["sample", dir, "--k", "3", "--seed", "1"]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^replaykit: no store at .*\(no index\.json or corpus\.zst in it\)\n$/);
  });
});

describe("replaykit sample, failures", () => {
  test("a section type without an expander: exit 1 and a message a shell user can act on", async () => {
    const dir = join(tempDir(), "store");
    // `add` refuses bodies it cannot expand; the library's validate: false stores them anyway.
    const store = await ReplayStore.open(dir);
    await store.appendMany([createSnapshot({ sectionType: "chat", content: "### User\nhi\n### Assistant\nhello" })], { validate: false });
    const { code, stdout, stderr } = await cli(["sample", dir, "--k", "1", "--seed", "1"]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(
      /^replaykit: section [0-9a-f]{16} has type "chat", which has no row expander: the replaykit command samples prose, instruction and preference sections/,
    );
  });

  test("a malformed instruction body: exit 1 naming the section", async () => {
    const dir = join(tempDir(), "store");
    const store = await ReplayStore.open(dir);
    await store.appendMany([createSnapshot({ sectionType: "instruction", content: "### A\nan answer without a question" })], { validate: false });
    const { code, stderr } = await cli(["sample", dir, "--k", "1", "--seed", "1"]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^replaykit: .*[0-9a-f]{16}/);
    expect(stderr.trimEnd().split("\n")).toHaveLength(1);
  });
});

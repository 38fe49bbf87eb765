import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ReplayStore, createSnapshot } from "@replaykit/store";
import { describe, expect, test } from "vitest";
import { cli, jsonl, NOW, parseJsonl, referenceStoreCopy, tempDir, VECTORS } from "./helpers.js";

const expected = JSON.parse(readFileSync(join(VECTORS, "expected.json"), "utf8")) as Record<string, { rows: unknown[] }>;

/**
 * A store of 40 prose sections, 10 instruction (`pairs` Q/A pairs each) and 6 preference (2
 * auto-mined), one per day.
 */
async function exampleStore(pairs = 1): Promise<string> {
  const dir = join(tempDir(), "store");
  const day = (i: number) => new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 19) + "Z";
  const qa = (i: number) => [`### Q\nWhat is ${i} + ${i}?\n### A\n${2 * i}`, `### Q\nWhat is ${i} squared?\n### A\n${i * i}`].slice(0, pairs).join("\n\n");
  const sections = [
    ...Array.from({ length: 40 }, (_, i) => ({
      section_type: "prose",
      content: `Fact number ${i}: the number ${i} squared is ${i * i}.`,
      last_seen_at: day(i),
    })),
    ...Array.from({ length: 10 }, (_, i) => ({ section_type: "instruction", content: qa(i), last_seen_at: day(i) })),
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

  test("--rank R --world-size W: the parts of every rank, in rank order, are the unsharded rows; the flags are checked", async () => {
    const dir = await exampleStore();
    const base = ["sample", dir, "--k", "23", "--seed", "9", "--now", "2026-03-01T00:00:00Z"];
    const whole = await cli(base);
    expect(whole.code).toBe(0);
    for (const w of [1, 3, 5]) {
      let joined = "";
      for (let r = 0; r < w; r++) {
        const part = await cli([...base, "--rank", String(r), "--world-size", String(w)]);
        expect(part.code).toBe(0);
        joined += part.stdout;
      }
      expect(joined).toBe(whole.stdout);
    }
    const receipt = join(tempDir(), "part.json");
    expect((await cli([...base, "--rank", "1", "--world-size", "2", "--receipt", receipt])).code).toBe(0);
    expect(JSON.parse(readFileSync(receipt, "utf8")).options.shard).toEqual({ rank: 1, worldSize: 2 });
    for (const [argv, pattern] of [
      [[...base, "--rank", "0"], /go together/],
      [[...base, "--rank", "2", "--world-size", "2"], /--rank must be below --world-size/],
      [["sample", dir, "--k", "3", "--rank", "0", "--world-size", "2"], /--rank needs --seed and --now/],
    ] as const) {
      const r = await cli([...argv]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(pattern);
    }
  });

  test("--now defaults to the current time (io.now)", async () => {
    const dir = await exampleStore();
    const withNow = await cli(["sample", dir, "--k", "5", "--seed", "3"], { now: new Date("2026-02-01T00:00:00Z") });
    const explicit = await cli(["sample", dir, "--k", "5", "--seed", "3", "--now", "2026-02-01T00:00:00Z"]);
    expect(withNow.stdout).toBe(explicit.stdout);
  });

  test("--record-exposure counts the picks as replayed: stats shows them; the rows are the same", async () => {
    const dir = await exampleStore();
    const args = ["sample", dir, "--k", "4", "--seed", "9", "--now", "2026-03-01T00:00:00Z"];
    const plain = await cli(args);
    const recorded = await cli([...args, "--record-exposure"]);
    expect(recorded.code).toBe(0);
    expect(recorded.stdout).toBe(plain.stdout);
    await cli([...args, "--record-exposure"]);
    const stats = JSON.parse((await cli(["stats", dir, "--json"])).stdout) as { replayed: { sections: number; total: number } };
    expect(stats.replayed).toEqual({ sections: 4, total: 8 });
    expect((await cli(["stats", dir])).stdout).toMatch(/replayed\s+4 sections, 8 replays in all/);
    const again = await cli(["sample", dir, "--from-receipt", join(dir, "none.json"), "--record-exposure"]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("--record-exposure");
  });

  test("--record-exposure on a dlm store is refused, naming the option", async () => {
    const dir = referenceStoreCopy();
    const { code, stderr } = await cli(["sample", dir, "--k", "2", "--seed", "1", "--record-exposure"]);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/recordExposure/);
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

  test("a missing store: 'no store at <dir>', exit 3 (not found), and nothing is created", async () => {
    const dir = join(tempDir(), "nothing-here");
    const { code, stdout, stderr } = await cli(["sample", dir, "--k", "3", "--seed", "1"]);
    expect(code).toBe(3);
    expect(stdout).toBe("");
    expect(stderr).toMatch(new RegExp(`^replaykit: no store at ${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
    expect(existsSync(dir)).toBe(false);
  });

  test("a directory that holds no store is not a store", async () => {
    const dir = tempDir();
    const { code, stderr } = await cli(["sample", dir, "--k", "3", "--seed", "1"]);
    expect(code).toBe(3);
    expect(stderr).toMatch(/^replaykit: no store at .*\(no index\.rkx, index\.json or corpus\.zst in it\)\n$/);
  });
});

describe("replaykit sample, failures", () => {
  test("a section type without an expander: exit 8 (unsupported) and a message a shell user can act on", async () => {
    const dir = join(tempDir(), "store");
    // `add` refuses bodies it cannot expand; the library's validate: false stores them anyway.
    const store = await ReplayStore.open(dir);
    await store.appendMany([createSnapshot({ sectionType: "chat", content: "### User\nhi\n### Assistant\nhello" })], { validate: false });
    const { code, stdout, stderr } = await cli(["sample", dir, "--k", "1", "--seed", "1"]);
    expect(code).toBe(8);
    expect(stdout).toBe("");
    expect(stderr).toMatch(
      /^replaykit: section [0-9a-f]{16} has type "chat", which has no row expander: the replaykit command samples prose, instruction and preference sections/,
    );
  });

  test("a malformed instruction body: exit 4 (corrupt) naming the section", async () => {
    const dir = join(tempDir(), "store");
    const store = await ReplayStore.open(dir);
    await store.appendMany([createSnapshot({ sectionType: "instruction", content: "### A\nan answer without a question" })], { validate: false });
    const { code, stderr } = await cli(["sample", dir, "--k", "1", "--seed", "1"]);
    expect(code).toBe(4);
    expect(stderr).toMatch(/^replaykit: .*[0-9a-f]{16}/);
    expect(stderr.trimEnd().split("\n")).toHaveLength(1);
  });
});

const TOKENIZER = resolve(fileURLToPath(import.meta.url), "../fixtures/tokenizer.json");
const NOW_FLAGS = ["--now", "2026-03-01T00:00:00Z"];

/** The fixture tokenizer splits on whitespace: one token per word. */
const words = (row: Record<string, unknown>) => {
  const texts: string[] = [];
  for (const [key, value] of Object.entries(row)) {
    if (key.startsWith("_")) continue;
    if (typeof value === "string") texts.push(value);
    else for (const m of value as Array<{ content: string }>) texts.push(m.content);
  }
  return texts.reduce((n, t) => n + t.split(/\s+/).filter(Boolean).length, 0);
};

describe("replaykit sample budgets", () => {
  test("exactly one of --k, --rows, --tokens: none or two is a usage error (exit 2)", async () => {
    const dir = await exampleStore(2);
    for (const args of [[], ["--k", "1", "--rows", "2"], ["--rows", "1", "--tokens", "9"]]) {
      const { code, stderr, stdout } = await cli(["sample", dir, "--seed", "1", ...args]);
      expect(code).toBe(2);
      expect(stdout).toBe("");
      expect(stderr).toMatch(/^replaykit: give exactly one of --k, --rows and --tokens/);
    }
    expect((await cli(["sample", dir, "--seed", "1", "-k", "2"])).code).toBe(0);
  });

  test("--rows N: at least N rows, whole sections", async () => {
    const dir = await exampleStore(2);
    const { code, stdout, stderr } = await cli(["sample", dir, "--rows", "25", "--seed", "3", ...NOW_FLAGS]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    const rows = parseJsonl(stdout);
    expect(rows.length).toBeGreaterThanOrEqual(25);
    expect(rows.length).toBeLessThanOrEqual(26); // instruction sections give two rows
  });

  test("--tokens without --tokenizer estimates bytes / 4 and says so", async () => {
    const dir = await exampleStore(2);
    const { code, stdout, stderr } = await cli(["sample", dir, "--tokens", "200", "--seed", "3", ...NOW_FLAGS]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/^tokens: estimated as UTF-8 bytes \/ 4/);
    // Per row: ⌈UTF-8 bytes of its texts / 4⌉.
    const tokens = parseJsonl(stdout).reduce((n, row) => {
      const texts = Object.entries(row).filter(([k]) => !k.startsWith("_"));
      const bytes = texts.reduce(
        (m, [, v]) => m + Buffer.byteLength(typeof v === "string" ? v : (v as Array<{ content: string }>).map((x) => x.content).join("")),
        0,
      );
      return n + Math.ceil(bytes / 4);
    }, 0);
    expect(tokens).toBeLessThanOrEqual(200);
    expect(parseJsonl(stdout).length).toBeGreaterThan(5);
  });

  test("--tokens with --tokenizer counts with the tokenizer.json", async () => {
    const dir = await exampleStore(2);
    const { code, stdout, stderr } = await cli(["sample", dir, "--tokens", "100", "--tokenizer", TOKENIZER, "--mix", "prose=1", "--seed", "3", ...NOW_FLAGS]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    const rows = parseJsonl(stdout);
    const tokens = rows.reduce((n, r) => n + words(r), 0);
    expect(tokens).toBeLessThanOrEqual(100);
    expect(tokens).toBeGreaterThan(100 - 9); // a prose row here has 8 or 9 words
  });

  test("--tokenizer: without --tokens, or not a tokenizer.json, is a usage error", async () => {
    const dir = await exampleStore(2);
    expect((await cli(["sample", dir, "--k", "3", "--tokenizer", TOKENIZER, "--seed", "1"])).stderr).toMatch(/--tokenizer counts tokens for --tokens/);
    const bad = join(tempDir(), "tokenizer.json");
    writeFileSync(bad, JSON.stringify({ version: "1.0" }));
    const { code, stderr } = await cli(["sample", dir, "--tokens", "30", "--tokenizer", bad, "--seed", "1"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^replaykit: --tokenizer .*not a usable tokenizer\.json/);
    writeFileSync(bad, "{ not json");
    expect((await cli(["sample", dir, "--tokens", "30", "--tokenizer", bad, "--seed", "1"])).code).toBe(2);
  });
});

describe("replaykit sample --mix", () => {
  test("shares by type; a type with too few sections reports its shortfall on stderr", async () => {
    const dir = await exampleStore(2);
    const { code, stdout, stderr } = await cli(["sample", dir, "--k", "20", "--mix", "prose=0.5,preference=0.5", "--seed", "2", ...NOW_FLAGS]);
    expect(code).toBe(0);
    const rows = parseJsonl(stdout);
    expect(rows.filter((r) => "text" in r)).toHaveLength(10);
    expect(rows.filter((r) => "chosen" in r)).toHaveLength(6);
    expect(stderr).toBe("shortfall: preference is 4 sections short of its share (the store has too few preference sections); not refilled\n");
  });

  test("bad --mix values are usage errors", async () => {
    const dir = await exampleStore(2);
    for (const mix of ["prose", "prose=x", "prose=0", "prose=1,prose=2", "Prose=1", "prose=-1", "--preference"]) {
      const args = mix === "--preference" ? ["--mix", "prose=1", "--preference"] : ["--mix", mix];
      const { code, stderr } = await cli(["sample", dir, "--k", "3", "--seed", "1", ...args]);
      expect(code, mix).toBe(2);
      expect(stderr).toMatch(/^replaykit: /);
    }
  });

  test("--no-auto-mined leaves auto-mined sections out of any draw", async () => {
    const dir = await exampleStore(2);
    const rows = parseJsonl((await cli(["sample", dir, "--k", "1000", "--seed", "1", "--no-auto-mined"])).stdout);
    expect(rows.filter((r) => "chosen" in r)).toHaveLength(4);
  });
});

describe("replaykit sample --out and --shape", () => {
  test("--out DIR writes one JSONL per row shape, only the non-empty ones, and removes stale ones", async () => {
    const dir = await exampleStore(2);
    const out = join(tempDir(), "rows");
    const all = await cli(["sample", dir, "--k", "1000", "--seed", "1", "--out", out, ...NOW_FLAGS]);
    expect(all.code).toBe(0);
    expect(all.stdout).toBe("");
    expect(readdirSync(out).sort()).toEqual(["messages.jsonl", "preference.jsonl", "text.jsonl"]);
    expect(all.stderr).toContain(`wrote ${join(out, "text.jsonl")} (40 rows)`);
    const keys = (file: string) => new Set(parseJsonl(readFileSync(join(out, file), "utf8")).map((r) => Object.keys(r).sort().join(",")));
    expect(keys("text.jsonl")).toEqual(new Set(["_dlm_section_id,text"]));
    expect(keys("messages.jsonl")).toEqual(new Set(["_dlm_section_id,messages"]));
    expect(keys("preference.jsonl")).toEqual(new Set(["_dlm_section_id,chosen,prompt,rejected"]));
    // The same rows as stdout, split by shape.
    const stdout = parseJsonl((await cli(["sample", dir, "--k", "1000", "--seed", "1", ...NOW_FLAGS])).stdout);
    expect(parseJsonl(readFileSync(join(out, "text.jsonl"), "utf8"))).toEqual(stdout.filter((r) => "text" in r));
    // A second run with fewer shapes leaves no stale file behind.
    expect((await cli(["sample", dir, "--k", "5", "--mix", "prose=1", "--seed", "1", "--out", out])).code).toBe(0);
    expect(readdirSync(out)).toEqual(["text.jsonl"]);
  });

  test("--shape prompt-completion turns instruction rows into {prompt, completion}; other shapes are left out and counted", async () => {
    const dir = await exampleStore(2);
    const { code, stdout, stderr } = await cli(["sample", dir, "--k", "1000", "--seed", "1", "--shape", "prompt-completion", ...NOW_FLAGS]);
    expect(code).toBe(0);
    const rows = parseJsonl(stdout);
    expect(rows).toHaveLength(20);
    for (const row of rows) expect(Object.keys(row).sort()).toEqual(["_dlm_section_id", "completion", "prompt"]);
    expect(rows).toContainEqual(expect.objectContaining({ prompt: "What is 3 + 3?", completion: "6" }));
    expect(stderr).toBe("--shape prompt-completion: left out 46 rows of other shapes (--mix picks the section types)\n");
    const out = join(tempDir(), "pc");
    await cli(["sample", dir, "--k", "1000", "--seed", "1", "--shape", "prompt-completion", "--out", out]);
    expect(readdirSync(out)).toEqual(["prompt-completion.jsonl"]);
    const text = parseJsonl((await cli(["sample", dir, "--k", "1000", "--seed", "1", "--shape", "text", "--mix", "prose=1"])).stdout);
    expect(text).toHaveLength(40);
    expect((await cli(["sample", dir, "--k", "3", "--seed", "1", "--shape", "chat"])).code).toBe(2);
  });
});

describe("replaykit sample --receipt / --from-receipt", () => {
  test("a receipt repeats the draw byte for byte, also after appends", async () => {
    const dir = await exampleStore(2);
    const receipt = join(tempDir(), "receipt.json");
    const first = await cli(["sample", dir, "--rows", "15", "--mix", "prose=2,instruction=1", "--receipt", receipt, ...NOW_FLAGS]);
    expect(first.code).toBe(0);
    const recorded = JSON.parse(readFileSync(receipt, "utf8")) as { seed: number; options: Record<string, unknown>; picks: unknown[] };
    expect(first.stderr).toBe(`seed: ${recorded.seed}\n`);
    expect(recorded.options).toEqual({ rows: 15, mix: { prose: 2, instruction: 1 }, includeAutoMined: true });
    await cli(["add", dir, "-"], { stdin: jsonl([{ section_type: "prose", content: "A newer fact.", last_seen_at: "2026-02-27T00:00:00Z" }]) });
    const again = await cli(["sample", dir, "--from-receipt", receipt]);
    expect(again.code).toBe(0);
    expect(again.stderr).toBe("");
    expect(again.stdout).toBe(first.stdout);
    const out = join(tempDir(), "again");
    expect((await cli(["sample", dir, "--from-receipt", receipt, "--out", out])).code).toBe(0);
    expect(existsSync(join(out, "text.jsonl"))).toBe(true);
  });

  test("the tokenizer a draw counted with is recorded", async () => {
    const dir = await exampleStore(2);
    const receipt = join(tempDir(), "receipt.json");
    await cli(["sample", dir, "--tokens", "50", "--tokenizer", TOKENIZER, "--seed", "1", "--receipt", receipt]);
    expect(JSON.parse(readFileSync(receipt, "utf8")).options).toMatchObject({ maxTokens: 50, countTokens: "custom", tokenizer: TOKENIZER });
  });

  test("a pick gone from the store: exit 3 naming it; draw flags with --from-receipt: exit 2; a bad file: exit 4, a missing one 1", async () => {
    const dir = await exampleStore(2);
    const receipt = join(tempDir(), "receipt.json");
    await cli(["sample", dir, "--k", "5", "--seed", "4", "--receipt", receipt, ...NOW_FLAGS]);
    const gone = (JSON.parse(readFileSync(receipt, "utf8")) as { picks: Array<{ sectionId: string }> }).picks[2]!.sectionId;
    const store = await ReplayStore.open(dir);
    await store.save((await store.load()).filter((e) => e.sectionId !== gone));
    const missing = await cli(["sample", dir, "--from-receipt", receipt]);
    expect(missing.code).toBe(3);
    expect(missing.stdout).toBe("");
    expect(missing.stderr).toMatch(new RegExp(`^replaykit: .*1 of the receipt's 5 picks are no longer in the store.*${gone}`));
    const clash = await cli(["sample", dir, "--from-receipt", receipt, "--k", "3", "--seed", "2"]);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toMatch(/--from-receipt repeats a recorded draw; it takes no --k, --seed/);
    const notJson = join(tempDir(), "bad.json");
    writeFileSync(notJson, "{");
    expect(await cli(["sample", dir, "--from-receipt", notJson])).toMatchObject({ code: 4, stderr: expect.stringMatching(/is not JSON/) });
    writeFileSync(notJson, "{}");
    expect(await cli(["sample", dir, "--from-receipt", notJson])).toMatchObject({ code: 4, stderr: expect.stringMatching(/receipt version must be 1/) });
    expect((await cli(["sample", dir, "--from-receipt", join(tempDir(), "nope.json")])).code).toBe(1); // a failed read of a path you gave
  });
});

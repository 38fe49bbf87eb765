// A tokenizer.json is input like any other: a hostile pattern must not hang `sample`.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { nestedQuantifier, regexPatterns } from "../src/tokenizer.js";
import { cli, jsonl, parseJsonl, tempDir } from "./helpers.js";

const FIXTURE = resolve(fileURLToPath(import.meta.url), "../fixtures/tokenizer.json");

// The pre-tokenizer patterns of real tokenizers (GPT-2, Llama 3, GPT-4o's o200k): never refused.
const REAL = [
  "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
  "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
];

describe("nestedQuantifier", () => {
  test.each([
    ["(a+)+$", "(…+)+"],
    ["^(a*)*b", "(…*)*"],
    ["(?:\\s*\\w+)*x", "(…*)*"],
    ["((ab)*c)+", "(…*)+"],
    ["(x+){2,}", "(…+){2,}"],
    ["(?<word>[a-z]+\\s?)+!", "(…+)+"],
    ["(\\p{L}+ )+$", "(…+)+"],
  ])("%s nests unbounded quantifiers", (pattern, described) => {
    expect(nestedQuantifier(pattern)).toBe(described);
  });

  test.each([...REAL, "\\p{L}+", "[(+)]+x", "(a|b)+", "(ab)+", "a{1,3}", "(a+)?", "(a+){2}", "\\(a+\\)+", "[\\]+]*(a)+", "(a+)b(c+)", ""])(
    "%s does not",
    (pattern) => {
      expect(nestedQuantifier(pattern)).toBeUndefined();
    },
  );
});

test("regexPatterns finds every Regex of a tokenizer.json, with its place", () => {
  const json = {
    normalizer: { type: "Sequence", normalizers: [{ type: "Replace", pattern: { Regex: " {2,}" }, content: " " }] },
    pre_tokenizer: { type: "Split", pattern: { Regex: "\\s+" }, behavior: "Isolated" },
    decoder: { type: "Replace", pattern: { String: "▁" }, content: " " },
  };
  expect(regexPatterns(json)).toEqual([
    { path: "normalizer.normalizers[0].pattern", pattern: " {2,}" },
    { path: "pre_tokenizer.pattern", pattern: "\\s+" },
  ]);
});

/** The fixture tokenizer with a Split pre-tokenizer on `pattern`. */
function tokenizerWith(pattern: string): string {
  const json = JSON.parse(readFileSync(FIXTURE, "utf8")) as Record<string, unknown>;
  json.pre_tokenizer = { type: "Split", pattern: { Regex: pattern }, behavior: "Isolated", invert: false };
  const file = join(tempDir(), "tokenizer.json");
  writeFileSync(file, JSON.stringify(json));
  return file;
}

/** Prose sections, one of them a run of `a`s that makes an ambiguous pattern backtrack exponentially. */
async function store(): Promise<string> {
  const dir = join(tempDir(), "store");
  const sections = [
    ...Array.from({ length: 5 }, (_, i) => ({ section_type: "prose", content: `what is the number ${i}`, last_seen_at: "2026-01-01T00:00:00Z" })),
    { section_type: "prose", content: `${"a".repeat(40)}!`, last_seen_at: "2026-01-02T00:00:00Z" },
  ];
  expect((await cli(["add", dir, "-"], { stdin: jsonl(sections) })).code).toBe(0);
  return dir;
}

describe("sample --tokenizer with a hostile pattern", () => {
  test("a pattern that nests quantifiers is refused on load: one line naming the file and the pattern (exit 2)", { timeout: 120_000 }, async () => {
    const dir = await store();
    const file = tokenizerWith("(a+)+$");
    const { code, stdout, stderr } = await cli(["sample", dir, "--tokens", "1000", "--tokenizer", file, "--seed", "1"]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      `replaykit: --tokenizer ${file}: refused: the pattern "(a+)+$" (at pre_tokenizer.pattern) nests unbounded quantifiers ((…+)+), which can backtrack for ever on some text\n`,
    );
  });

  test("a pattern that backtracks without nesting is stopped by the time budget: one line naming the file and the pattern (exit 2)", {
    timeout: 120_000,
  }, async () => {
    const dir = await store();
    const file = tokenizerWith("(a|a)*$");
    // Exponential on the run of 40 `a`s: without the budget this would not end in a lifetime.
    const { code, stdout, stderr } = await cli(["sample", dir, "--tokens", "1000", "--tokenizer", file, "--seed", "1"], {
      env: { REPLAYKIT_TOKENIZER_TIMEOUT_MS: "300" },
    });
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(
      new RegExp(
        `^replaykit: --tokenizer ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: counting the tokens of row replay:[0-9a-f]{16}:\\S+ took longer than 0\\.3 s: a pattern of the tokenizer backtracks catastrophically on it \\(its patterns: "\\(a\\|a\\)\\*\\$"\\)\\n$`,
      ),
    );
  });

  test("the same kind of tokenizer with an honest pattern counts as before", { timeout: 120_000 }, async () => {
    const dir = await store();
    // The default budget: a busy machine may pause the worker for a moment, which must not fail an honest count.
    const { code, stdout } = await cli(["sample", dir, "--tokens", "1000", "--tokenizer", tokenizerWith("\\s+"), "--seed", "1"]);
    expect(code).toBe(0);
    expect(parseJsonl(stdout)).toHaveLength(6);
  });

  test("REPLAYKIT_TOKENIZER_TIMEOUT_MS must be a positive whole number", async () => {
    const dir = await store();
    const { code, stderr } = await cli(["sample", dir, "--tokens", "10", "--tokenizer", FIXTURE, "--seed", "1"], {
      env: { REPLAYKIT_TOKENIZER_TIMEOUT_MS: "soon" },
    });
    expect(code).toBe(2);
    expect(stderr).toBe('replaykit: REPLAYKIT_TOKENIZER_TIMEOUT_MS must be a positive whole number of milliseconds, got "soon"\n');
  });
});

test.skipIf(!existsSync("/dev/zero"))("--tokenizer naming a device or a directory is refused before any read", async () => {
  const dir = await store();
  const device = await cli(["sample", dir, "--tokens", "10", "--tokenizer", "/dev/zero", "--seed", "1"]);
  expect(device.code).toBe(2);
  expect(device.stderr).toBe("replaykit: --tokenizer /dev/zero: not a regular file (a tokenizer.json is a file)\n");
  const folder = tempDir();
  const directory = await cli(["sample", dir, "--tokens", "10", "--tokenizer", folder, "--seed", "1"]);
  expect(directory.stderr).toBe(`replaykit: --tokenizer ${folder}: cannot read: it is a directory (EISDIR)\n`);
});

// Paths the operator gives: every failure on one is one line naming the flag or argument
// and the path (never Node's raw `ENOENT: … open '…'`), output folders are made before
// anything is written, and swapped arguments are spotted.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { cli, jsonl, parseJsonl, tempDir } from "./helpers.js";

const NOW_FLAGS = ["--now", "2026-03-01T00:00:00Z"];
const SECTIONS = [
  ...Array.from({ length: 8 }, (_, i) => ({ section_type: "prose", content: `Prose ${i}.`, last_seen_at: `2026-01-0${1 + i}T00:00:00Z` })),
  ...Array.from({ length: 4 }, (_, i) => ({
    section_type: "instruction",
    content: `### Q\nQ${i}?\n### A\nA${i}.`,
    last_seen_at: `2026-01-0${1 + i}T00:00:00Z`,
  })),
];

async function store(): Promise<string> {
  const dir = join(tempDir(), "store");
  expect((await cli(["add", dir, "-"], { stdin: jsonl(SECTIONS) })).code).toBe(0);
  return dir;
}

/** One `replaykit:` line and nothing else on stderr. */
function oneLine(stderr: string): string {
  expect(stderr.endsWith("\n")).toBe(true);
  const lines = stderr.trimEnd().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^replaykit: /);
  expect(lines[0]).not.toMatch(/^replaykit: E[A-Z]+: /);
  return lines[0]!;
}

// Root ignores permission bits: the EACCES cases only mean something for other users.
const asRoot = process.getuid?.() === 0;

describe("sample --out and --receipt", () => {
  test("the store README's recipe: --receipt inside a new --out folder works (the folder is made first)", async () => {
    const dir = await store();
    const cwd = tempDir();
    const out = join(cwd, "mix");
    const receipt = join(out, "receipt.json");
    const { code, stderr } = await cli(["sample", dir, "--k", "10", "--seed", "1", "--out", out, "--receipt", receipt, ...NOW_FLAGS]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/^wrote .*text\.jsonl \(\d+ rows?\)\nwrote .*messages\.jsonl/);
    expect(readdirSync(out).sort()).toEqual(["messages.jsonl", "receipt.json", "text.jsonl"]);
    const written = JSON.parse(readFileSync(receipt, "utf8")) as { picks: unknown[]; seed: number };
    expect(written.seed).toBe(1);
    expect(written.picks).toHaveLength(10);
    // The receipt repeats the rows byte for byte.
    const again = await cli(["sample", dir, "--from-receipt", receipt]);
    const rows = [...parseJsonl(readFileSync(join(out, "text.jsonl"), "utf8")), ...parseJsonl(readFileSync(join(out, "messages.jsonl"), "utf8"))];
    expect(parseJsonl(again.stdout).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual(
      rows.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    );
    // Nested folders are made too; no temporary file is left beside the receipt.
    const deep = join(cwd, "a", "b", "c");
    expect((await cli(["sample", dir, "--k", "2", "--seed", "1", "--out", deep, "--receipt", join(deep, "r.json")])).code).toBe(0);
    expect(readdirSync(deep).filter((n) => n.endsWith(".tmp"))).toEqual([]);
  });

  test("--out naming an existing file is one line naming --out and the path (exit 2); nothing is drawn", async () => {
    const dir = await store();
    const file = join(tempDir(), "mix");
    writeFileSync(file, "not a folder");
    const { code, stdout, stderr } = await cli(["sample", dir, "--k", "3", "--seed", "1", "--out", file, "--record-exposure"]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(oneLine(stderr)).toBe(`replaykit: --out ${file} is a file; --out takes a directory (it gets text.jsonl, messages.jsonl, …)`);
    expect(readFileSync(file, "utf8")).toBe("not a folder");
    // The draw did not happen, so no exposure was recorded.
    const stats = JSON.parse((await cli(["stats", dir, "--json"])).stdout) as { replayed: { sections: number } };
    expect(stats.replayed.sections).toBe(0);
  });

  test("--out under a file (ENOTDIR) names --out", async () => {
    const dir = await store();
    const file = join(tempDir(), "plain");
    writeFileSync(file, "");
    const { code, stderr } = await cli(["sample", dir, "--k", "3", "--seed", "1", "--out", join(file, "mix")]);
    expect(code).toBe(1);
    expect(oneLine(stderr)).toBe(`replaykit: --out ${join(file, "mix")}: cannot create the directory: a part of the path is not a directory (ENOTDIR)`);
  });

  test.skipIf(asRoot)("--out in a folder without write permission (EACCES) names --out", async () => {
    const dir = await store();
    const locked = join(tempDir(), "locked");
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    try {
      const { code, stderr } = await cli(["sample", dir, "--k", "3", "--seed", "1", "--out", join(locked, "mix")]);
      expect(code).toBe(1);
      expect(oneLine(stderr)).toBe(`replaykit: --out ${join(locked, "mix")}: cannot create the directory: permission denied (EACCES)`);
      // An existing --out folder that cannot be written: the file's write names --out too.
      const readOnlyOut = join(tempDir(), "ro-out");
      mkdirSync(readOnlyOut);
      chmodSync(readOnlyOut, 0o500);
      const second = await cli(["sample", dir, "--k", "3", "--seed", "1", "--out", readOnlyOut]);
      expect(second.code).toBe(1);
      expect(oneLine(second.stderr)).toMatch(/^replaykit: --out .*ro-out: cannot write .*text\.jsonl: permission denied \(EACCES\)$/);
      chmodSync(readOnlyOut, 0o700);
    } finally {
      chmodSync(locked, 0o700);
    }
  });

  test("--receipt in a missing folder, or naming a folder, fails before the draw with one line naming --receipt", async () => {
    const dir = await store();
    const missing = join(tempDir(), "nowhere", "receipt.json");
    const a = await cli(["sample", dir, "--k", "3", "--seed", "1", "--receipt", missing]);
    expect(a.code).toBe(1);
    expect(a.stdout).toBe("");
    expect(oneLine(a.stderr)).toBe(`replaykit: --receipt ${missing}: cannot write: the directory ${join(missing, "..")} does not exist`);
    const folder = tempDir();
    const b = await cli(["sample", dir, "--k", "3", "--seed", "1", "--receipt", folder]);
    expect(b.code).toBe(2);
    expect(oneLine(b.stderr)).toBe(`replaykit: --receipt ${folder} is a directory; --receipt takes a file name`);
    const file = join(tempDir(), "plain");
    writeFileSync(file, "");
    const c = await cli(["sample", dir, "--k", "3", "--seed", "1", "--receipt", join(file, "r.json")]);
    expect(c.code).toBe(2);
    expect(oneLine(c.stderr)).toBe(`replaykit: --receipt ${join(file, "r.json")}: ${file} is a file, not a directory`);
  });

  test("--receipt with rows on stdout is written (in one piece) and repeats the draw", async () => {
    const dir = await store();
    const receipt = join(tempDir(), "r.json");
    writeFileSync(receipt, "an older receipt");
    const first = await cli(["sample", dir, "--k", "5", "--seed", "9", "--receipt", receipt, ...NOW_FLAGS]);
    expect(first.code).toBe(0);
    expect(JSON.parse(readFileSync(receipt, "utf8"))).toMatchObject({ seed: 9 });
    expect((await cli(["sample", dir, "--from-receipt", receipt])).stdout).toBe(first.stdout);
  });

  test("--from-receipt and --tokenizer that do not exist name their flag", async () => {
    const dir = await store();
    const missing = join(tempDir(), "missing.json");
    const a = await cli(["sample", dir, "--from-receipt", missing]);
    expect(a.code).toBe(1);
    expect(oneLine(a.stderr)).toBe(`replaykit: --from-receipt ${missing}: cannot read: no such file or directory (ENOENT)`);
    const b = await cli(["sample", dir, "--tokens", "10", "--tokenizer", missing, "--seed", "1"]);
    expect(b.code).toBe(2);
    expect(oneLine(b.stderr)).toBe(`replaykit: --tokenizer ${missing}: cannot read: no such file or directory (ENOENT)`);
    const folder = tempDir();
    const c = await cli(["sample", dir, "--from-receipt", folder]);
    expect(oneLine(c.stderr)).toBe(`replaykit: --from-receipt ${folder}: cannot read: it is a directory (EISDIR)`);
  });
});

describe("add: input and --rejects", () => {
  test("an input that is a directory, and a --rejects that cannot be written, name their argument", async () => {
    const folder = tempDir();
    const a = await cli(["add", join(tempDir(), "store"), folder]);
    expect(a.code).toBe(1);
    expect(oneLine(a.stderr)).toBe(`replaykit: <file> ${folder}: cannot read: it is a directory (EISDIR)`);
    const rejects = join(tempDir(), "no", "such", "dir", "rejects.jsonl");
    const b = await cli(["add", join(tempDir(), "store"), "-", "--skip-invalid", "--rejects", rejects], {
      stdin: `${JSON.stringify(SECTIONS[0])}\nnot json\n`,
    });
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/^stdin line 2: not valid JSON/);
    expect(b.stderr.trimEnd().split("\n").at(-1)).toBe(`replaykit: --rejects ${rejects}: cannot write: no such file or directory (ENOENT); nothing was added`);
  });
});

describe("<store-dir>: a file given where the store goes", () => {
  test("add file.jsonl ./store (swapped, store missing or a folder): did you mean …? (exit 2), nothing created", async () => {
    const file = join(tempDir(), "day 12.jsonl");
    writeFileSync(file, jsonl(SECTIONS));
    const missing = join(tempDir(), "store");
    const a = await cli(["add", file, missing]);
    expect(a.code).toBe(2);
    expect(oneLine(a.stderr)).toBe(
      `replaykit: <store-dir> ${file} is a file, not a store directory; did you mean \`replaykit add ${missing} '${file}'\`? (the store comes first)`,
    );
    expect(existsSync(missing)).toBe(false);
    const existing = await store();
    const b = await cli(["add", file, existing]);
    expect(b.code).toBe(2);
    expect(oneLine(b.stderr)).toMatch(/did you mean `replaykit add .*\/store '.*day 12\.jsonl'`\?/);
    // The suggestion works.
    expect((await cli(["add", existing, file])).code).toBe(0);
  });

  test("add file.jsonl other.jsonl (two files): the first is not a store, no swap offered", async () => {
    const file = join(tempDir(), "a.jsonl");
    const other = join(tempDir(), "b.jsonl");
    writeFileSync(file, jsonl(SECTIONS));
    writeFileSync(other, jsonl(SECTIONS));
    const { code, stderr } = await cli(["add", file, other]);
    expect(code).toBe(2);
    expect(oneLine(stderr)).toBe(`replaykit: <store-dir> ${file} is a file, not a store directory; to add its sections: \`replaykit add <store-dir> ${file}\``);
  });

  test("every other command given a file as <store-dir> says so (exit 2)", async () => {
    const file = join(tempDir(), "sections.jsonl");
    writeFileSync(file, jsonl(SECTIONS));
    const ids = join(tempDir(), "ids.txt");
    writeFileSync(ids, "0123456789abcdef\n");
    const commands = [
      ["sample", file, "--k", "3", "--seed", "1"],
      ["stats", file],
      ["verify", file],
      ["export", file],
      ["evict", file, "--max-bytes", "1KiB"],
      ["remove", file, "--ids", ids],
      ["compact", file],
      ["recover", file],
      ["upgrade", file],
      ["downgrade", file],
    ];
    for (const args of commands) {
      const { code, stdout, stderr } = await cli(args);
      expect(code, args[0]).toBe(2);
      expect(stdout).toBe("");
      expect(oneLine(stderr), args[0]).toBe(
        `replaykit: <store-dir> ${file} is a file, not a store directory; to add its sections: \`replaykit add <store-dir> ${file}\``,
      );
    }
    expect(readFileSync(file, "utf8")).toBe(jsonl(SECTIONS));
  });

  test("a store directory under a file, or one that cannot be read, names <store-dir>", async () => {
    const file = join(tempDir(), "plain");
    writeFileSync(file, "");
    const { code, stderr } = await cli(["stats", join(file, "store")]);
    expect(code).toBe(/^replaykit: no store at/.test(stderr) ? 3 : 1); // not found, or the generic failure naming <store-dir>
    expect(oneLine(stderr)).toMatch(
      /^replaykit: (no store at .*plain\/store|<store-dir> .*plain\/store: cannot open: a part of the path is not a directory \(ENOTDIR\))/,
    );
    const add = await cli(["add", join(file, "store"), "-"], { stdin: jsonl(SECTIONS) });
    expect(add.code).toBe(1);
    expect(oneLine(add.stderr)).toMatch(/^replaykit: <store-dir> .*plain\/store: cannot open: a part of the path is not a directory \(ENOTDIR\)$/);
  });
});

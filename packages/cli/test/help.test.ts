import { describe, expect, test } from "vitest";
import { cli } from "./helpers.js";
import { EXIT_CODES } from "../src/index.js";

const COMMANDS = ["add", "sample", "stats", "verify", "evict", "remove", "compact", "recover", "export", "upgrade"];

describe("help and usage", () => {
  test.each(COMMANDS)("replaykit %s --help prints usage and flags on stdout, exit 0", async (command) => {
    const { code, stdout, stderr } = await cli([command, "--help"]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(stdout).toContain(`Usage: replaykit ${command}`);
    expect(stdout).toContain("<store-dir>");
    expect(stdout).toContain("-h, --help");
    expect(stdout).toMatch(/Examples?:/);
  });

  test("each command documents its flags", async () => {
    const help = async (c: string) => (await cli([c, "--help"])).stdout;
    expect(await help("sample")).toMatch(/--k <n>[\s\S]*--seed <s>[\s\S]*--scheme <scheme>[\s\S]*--now <iso>[\s\S]*--preference[\s\S]*--no-auto-mined/);
    expect(await help("stats")).toMatch(/--json[\s\S]*--now <iso>/);
    expect(await help("evict")).toMatch(/--max-bytes <size>[\s\S]*--protect <file>[\s\S]*--compact[\s\S]*--dry-run[\s\S]*--wait <seconds>/);
    expect(await help("add")).toMatch(/--skip-invalid[\s\S]*--rejects <file>[\s\S]*--supersede[\s\S]*--keep-duplicates[\s\S]*--wait <seconds>/);
    expect(await help("verify")).toMatch(/--json[\s\S]*--repair/);
    expect(await help("remove")).toMatch(/--ids <file>[\s\S]*--purge/);
    expect(await help("compact")).toMatch(/--force[\s\S]*--wait <seconds>/);
    expect(await help("add")).toMatch(/section_type[\s\S]*training_runs_seen/);
  });

  test("replaykit --help lists every command; `help <command>` works too", async () => {
    const { code, stdout } = await cli(["--help"]);
    expect(code).toBe(0);
    for (const c of COMMANDS) expect(stdout).toContain(c);
    expect(stdout).toContain("Exit codes");
    const sub = await cli(["help", "evict"]);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain("Usage: replaykit evict");
  });

  test("--help gives every exit code, each with the kind of error it means", async () => {
    const { stdout } = await cli(["--help"]);
    const text = stdout.replace(/\s+/g, " ");
    const meanings: Record<number, string> = {
      0: "success",
      1: "failure",
      2: "usage error",
      3: "not found",
      4: "corrupt",
      5: "I/O error",
      6: "locked",
      7: "conflict",
      8: "unsupported",
    };
    for (const [code, meaning] of Object.entries(meanings)) expect(text).toContain(`${code} ${meaning}`);
    for (const exit of Object.values(EXIT_CODES)) expect(meanings[exit]).toBeDefined();
  });

  test("--version prints the package version", async () => {
    const { code, stdout } = await cli(["--version"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\d+\.\d+\.\d+/);
  });

  test("no command: help on stderr, exit 2", async () => {
    const { code, stdout, stderr } = await cli([]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain("Usage: replaykit");
  });

  test.each([
    [["nope"], /^replaykit: unknown command 'nope' \(see `replaykit --help`\)\n$/],
    [["stats"], /^replaykit: missing required argument 'store-dir' \(see `replaykit stats --help`\)\n$/],
    [["sample", "dir"], /^replaykit: give exactly one of --k, --rows and --tokens/],
    [["sample", "dir", "--k", "-1"], /^replaykit: option '-k, --k <n>' argument '-1' is invalid\. must be a non-negative integer\./],
    [["sample", "dir", "-k", "x"], /^replaykit: option '-k, --k <n>' argument 'x' is invalid/],
    [["add", "dir", "-", "--wait", "soon"], /^replaykit: option '--wait <seconds>' argument 'soon' is invalid/],
    [["remove", "dir"], /^replaykit: required option '--ids <file>' not specified/],
    [["sample", "dir", "--k", "2.5"], /must be a non-negative integer/],
    [["sample", "dir", "--k", "3", "--seed", "x"], /option '--seed <s>' argument 'x' is invalid\. must be an integer/],
    [["sample", "dir", "--k", "3", "--scheme", "newest"], /Allowed choices are recency, uniform/],
    [["sample", "dir", "--k", "3", "--now", "tomorrow"], /option '--now <iso>' argument 'tomorrow' is invalid\. is not an ISO 8601 date-time/],
    [["evict", "dir"], /required option '--max-bytes <size>' not specified/],
    [["evict", "dir", "--max-bytes", "10M"], /argument '10M' is invalid\. "10M" is not a size; say MiB \(powers of 1024\) or MB/],
    [["evict", "dir", "--max-bytes", "-5"], /is not a size/],
    [["stats", "dir", "--bogus"], /^replaykit: unknown option '--bogus' \(see `replaykit stats --help`\)/],
    [["verify", "a", "b"], /too many arguments for 'verify'/],
    [["add", "dir"], /missing required argument 'file'/],
  ])("%j is a usage error: one line on stderr, exit 2", async (argv, message) => {
    const { code, stdout, stderr } = await cli(argv);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(message);
    expect(stderr.trimEnd().split("\n")).toHaveLength(1);
  });
});

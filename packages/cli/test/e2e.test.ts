// The built command as a user runs it: `node dist/bin.js …` in a child process, stderr piped.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import module from "node:module";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { parseJsonl, tempDir } from "./helpers.js";

const BIN = resolve(fileURLToPath(import.meta.url), "../../dist/bin.js");

function replaykit(args: string[], input?: string) {
  const result = spawnSync(process.execPath, [BIN, ...args], { input, encoding: "utf8", stdio: "pipe", timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe.skipIf(!existsSync(BIN))("node dist/bin.js (run `tsc -b` first)", () => {
  test("node's compile cache: on node >= 22.1 a call leaves its modules' compiled code in node's cache directory (none with NODE_DISABLE_COMPILE_CACHE); on node 20 nothing is written", () => {
    const hasCache = typeof (module as { enableCompileCache?: unknown }).enableCompileCache === "function";
    for (const disabled of [false, true]) {
      // The default cache directory is node-compile-cache in the temp directory: a temp directory of the test's own.
      const tmp = tempDir();
      const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp, TMP: tmp, TEMP: tmp };
      delete env.NODE_COMPILE_CACHE;
      delete env.NODE_DISABLE_COMPILE_CACHE;
      if (disabled) env.NODE_DISABLE_COMPILE_CACHE = "1";
      const result = spawnSync(process.execPath, [BIN, "--version"], { env, encoding: "utf8", stdio: "pipe", timeout: 120_000 });
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/^\d+\.\d+\.\d+/);
      const cache = join(tmp, "node-compile-cache");
      const files = existsSync(cache) ? readdirSync(cache, { recursive: true }) : [];
      if (hasCache && !disabled) expect(files.length, "files in the compile cache").toBeGreaterThan(0);
      else expect(files, `disabled: ${disabled}`).toEqual([]);
    }
  });

  test("add 2,500 sections, sample, stats, verify, export: exit codes right, no progress bar when piped", () => {
    const dir = join(tempDir(), "store");
    const file = join(tempDir(), "many.jsonl");
    const lines = Array.from({ length: 2500 }, (_, i) =>
      JSON.stringify({
        section_type: i % 5 === 0 ? "instruction" : "prose",
        content: i % 5 === 0 ? `### Q\nWhat is ${i}?\n### A\nThe number ${i}.` : `Section ${i} of the end-to-end test.`,
        last_seen_at: `2026-0${1 + (i % 5)}-10T00:00:00Z`,
      }),
    );
    writeFileSync(file, lines.join("\n") + "\n");

    const add = replaykit(["add", dir, file]);
    expect(add.code).toBe(0);
    expect(add.stdout).toBe("");
    expect(add.stderr).toMatch(/^added 2,500 sections to .* corpus\)\n$/);

    const sample = replaykit(["sample", dir, "--k", "10", "--seed", "4", "--now", "2026-06-01T00:00:00Z"]);
    expect(sample.code).toBe(0);
    expect(sample.stderr).toBe("");
    expect(parseJsonl(sample.stdout)).toHaveLength(10);

    const verify = replaykit(["verify", dir]);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain("ok: all 2,500 entries are intact");
    expect(verify.stderr).toBe("");

    const stats = replaykit(["stats", dir, "--json"]);
    expect(JSON.parse(stats.stdout)).toMatchObject({ entries: 2500, byType: { prose: 2000, instruction: 500 } });

    const exported = replaykit(["export", dir]);
    expect(exported.code).toBe(0);
    expect(parseJsonl(exported.stdout)).toHaveLength(2500);

    const compact = replaykit(["compact", dir]);
    expect(compact.code).toBe(0);
    expect(compact.stderr).toMatch(/^compacted .* bytes \(.*\)\n$/);

    // Nothing a terminal would draw: no carriage returns, escape codes or bar characters.
    for (const { stderr } of [add, sample, verify, stats, exported, compact]) {
      expect(stderr).not.toMatch(/[\r\x1B█░]/);
    }
  });

  test("exit codes: 2 for usage errors, 3 for no store, 1 for bad input, with one line on stderr", () => {
    const usage = replaykit(["sample", "somewhere", "--k", "many"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^replaykit: option '-k, --k <n>' argument 'many' is invalid/);
    const missing = replaykit(["stats", join(tempDir(), "missing")]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/^replaykit: no store at .*\n$/);
    const bad = replaykit(["add", join(tempDir(), "s"), "-"], '{"section_type":"prose"}\n');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe("stdin line 1: content: missing (it is required)\nreplaykit: 1 bad line in stdin; nothing was added\n");
    const help = replaykit(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: replaykit");
  });

  test("output errors (a full disk, a read-only descriptor) are one line and exit 1, never a stack; a pipe closed early is exit 0, quietly", () => {
    const dir = join(tempDir(), "store");
    const input = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ section_type: "prose", content: `Line ${i} ${"x".repeat(200)}` })).join("\n");
    expect(replaykit(["add", dir, "-"], input).code).toBe(0);
    const cases: Array<[string, string, RegExp]> = [
      [`export ${JSON.stringify(dir)} | head -c 100 > /dev/null`, "0", /^$/],
      [`sample ${JSON.stringify(dir)} -k 3000 --seed 1 | head -c 100 > /dev/null`, "0", /^$/],
      ...(existsSync("/dev/full")
        ? ([
            [`export ${JSON.stringify(dir)} > /dev/full`, "1", /^replaykit: cannot write to stdout: no space left on the device \(ENOSPC\)\n$/],
            [`stats ${JSON.stringify(dir)} > /dev/full`, "1", /^replaykit: cannot write to stdout: no space left on the device \(ENOSPC\)\n$/],
            [`--help > /dev/full`, "1", /^replaykit: cannot write to stdout: no space left on the device \(ENOSPC\)\n$/],
          ] as Array<[string, string, RegExp]>)
        : []),
      [`stats ${JSON.stringify(dir)} 1< /dev/null`, "1", /^replaykit: cannot write to stdout: the stream is closed \(EBADF\)\n$/],
    ];
    for (const [command, code, expected] of cases) {
      const script = `node ${JSON.stringify(BIN)} ${command}; echo "\${PIPESTATUS[0]}" >&3`;
      const result = spawnSync("bash", ["-c", `exec 3>&1; { ${script} ; } 2>&1 1>/dev/null | cat >&2`], { encoding: "utf8", timeout: 120_000 });
      expect(result.stdout.trim(), command).toBe(code);
      expect(result.stderr, command).toMatch(expected);
    }
  });

  test.skipIf(!existsSync("/usr/bin/script"))("on a real terminal a phase longer than a second shows a line that is cleared before the summary", () => {
    const dir = join(tempDir(), "store");
    const line = JSON.stringify({ section_type: "prose", content: "Arrives late." });
    // stderr is the pseudo-terminal `script` gives; stdin is a pipe that stays open until that
    // terminal has shown the line (`script -f` writes its log at once), so the phase outlasts
    // the one-second delay however long the command takes to start (a fixed `sleep 4` made it
    // depend on the command starting within 3 s). The wait gives up after 60 s; the test then fails.
    const log = join(tempDir(), "terminal.log");
    const waitForLine = `for i in $(seq 600); do grep -q 'reading stdin' ${JSON.stringify(log)} 2>/dev/null && break; sleep 0.1; done`;
    const inner = `(${waitForLine}; echo '${line}') | ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} add ${JSON.stringify(dir)} -`;
    const result = spawnSync("script", ["-qefc", inner, log], { encoding: "utf8", timeout: 120_000 });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("reading stdin…");
    // The bar's line is cleared, so the summary starts a clean line and nothing follows it.
    expect(result.stdout).toMatch(/\x1B\[2K\s*added 1 section to [^\n]*\r?\n$/);
  });
});

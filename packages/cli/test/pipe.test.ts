// `replaykit … | head -1`: a reader that closes the pipe after the first line ends the
// command quietly with exit 0, whatever the command writes to stdout. The built command is
// spawned (as e2e.test.ts does) and its stdout read by this process, which closes it after
// the first line.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { tempDir } from "./helpers.js";

const BIN = resolve(fileURLToPath(import.meta.url), "../../dist/bin.js");

/** Runs the command to the end: its exit code and stderr (the reference for a quiet early close). */
function runToEnd(args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs the command with stdout read up to the first newline, then closed; resolves when the process has exited. */
function headOne(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; first: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    let out = "";
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (text: string) => {
      stderr += text;
    });
    child.stdout.setEncoding("utf8").on("data", (text: string) => {
      out += text;
      if (out.includes("\n")) child.stdout.destroy();
    });
    child.on("error", fail);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, first: out.split("\n")[0]!, stderr });
    });
  });
}

describe.skipIf(!existsSync(BIN))("a reader that closes the pipe after one line (node dist/bin.js; run `tsc -b` first)", () => {
  test("every command that writes to stdout ends with exit 0 and nothing more on stderr than a full run", { timeout: 300_000 }, async () => {
    const dir = join(tempDir(), "store");
    // ~0.7 MB of export and rows, 130 KB of evict listing: far more than a pipe holds (64 KiB).
    const input = Array.from({ length: 3000 }, (_, i) =>
      JSON.stringify({
        section_type: "prose",
        content: `Line ${i} ${"x".repeat(200)}`,
        last_seen_at: `2026-01-${String(1 + (i % 28)).padStart(2, "0")}T00:00:00Z`,
      }),
    ).join("\n");
    const file = join(tempDir(), "sections.jsonl");
    writeFileSync(file, input);
    expect(runToEnd(["add", dir, file]).code).toBe(0);
    const receipt = join(tempDir(), "receipt.json");
    expect(runToEnd(["sample", dir, "--k", "3000", "--seed", "1", "--receipt", receipt, "--now", "2026-02-01T00:00:00Z"]).code).toBe(0);

    const commands: string[][] = [
      ["export", dir],
      ["sample", dir, "--k", "3000", "--seed", "1", "--now", "2026-02-01T00:00:00Z"],
      ["sample", dir, "--from-receipt", receipt],
      ["sample", dir, "--rows", "2500", "--seed", "2", "--now", "2026-02-01T00:00:00Z"],
      ["evict", dir, "--max-bytes", "0", "--dry-run", "--list"],
      ["stats", dir],
      ["stats", dir, "--json"],
      ["verify", dir],
      ["verify", dir, "--json"],
      ["--help"],
      ["help", "sample"],
    ];
    for (const args of commands) {
      const full = runToEnd(args);
      expect(full.code, args.join(" ")).toBe(0);
      const early = await headOne(args);
      expect({ code: early.code, signal: early.signal, stderr: early.stderr }, args.join(" ")).toEqual({ code: 0, signal: null, stderr: full.stderr });
      expect(early.first, args.join(" ")).toBe(full.stdout.split("\n")[0]);
      expect(early.stderr).not.toMatch(/EPIPE|replaykit:/);
    }
    // The store is untouched by the dry run and readable after all the closed pipes.
    expect(runToEnd(["verify", dir]).stdout).toContain("ok: all 3,000 entries are intact");

    // A real eviction listed into a closed pipe: the eviction is done (it precedes the list), exit 0.
    const evict = await headOne(["evict", dir, "--max-bytes", "0", "--list"]);
    expect(evict.code).toBe(0);
    expect(evict.first).toMatch(/^[0-9a-f]{16}\t/);
    expect(evict.stderr).not.toMatch(/EPIPE|replaykit:/);
    expect(JSON.parse(runToEnd(["stats", dir, "--json"]).stdout)).toMatchObject({ entries: 0 });
  });
});

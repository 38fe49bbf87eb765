// Consumer 4 — an operator: `npm install @replaykit/cli` and drive a store from the shell
// through the installed `replaykit` bin (its shebang and permissions come from the tarball).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const bin = resolve("node_modules", ".bin", "replaykit");
// stdout and stderr together: reports go to stdout, progress and notes to stderr.
const cli = (...args) => {
  const r = spawnSync(bin, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`replaykit ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return { out: r.stdout, all: r.stdout + r.stderr };
};
const dir = mkdtempSync(join(tmpdir(), "replaykit-operator-"));
try {
  const sections = [
    { section_type: "prose", content: "Replay keeps old material in the mix.", last_seen_at: "2026-01-10T00:00:00Z" },
    { section_type: "instruction", content: "### Q\nWhat is replay?\n### A\nMixing old data back in.", last_seen_at: "2026-02-10T00:00:00Z" },
    {
      section_type: "preference",
      content: "### Prompt\nBe brief.\n### Chosen\nOK.\n### Rejected\nWell, let me explain at length…",
      last_seen_at: "2026-03-10T00:00:00Z",
    },
  ];
  const input = join(dir, "sections.jsonl");
  writeFileSync(input, sections.map((s) => JSON.stringify(s)).join("\n") + "\n");
  const store = join(dir, "replay");

  assert.match(cli("--version").out, /^\d+\.\d+\.\d+/);
  assert.match(cli("add", store, input).all, /added 3 sections/);
  const rows = cli("sample", store, "--k", "3", "--seed", "1", "--now", "2026-04-01T00:00:00Z")
    .out.trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.equal(rows.length, 3);
  assert.ok(rows.every((r) => r._dlm_section_id.startsWith("replay:")));
  const stats = JSON.parse(cli("stats", store, "--json").out);
  assert.equal(stats.entries, 3);
  assert.match(cli("verify", store).all, /ok: all 3 entries are intact/);
  const usage = spawnSync(bin, ["sample", store], { encoding: "utf8" });
  assert.equal(usage.status, 2, "a usage error exits 2");
  console.log("operator: ok (add, sample, stats, verify through the installed `replaykit` bin)");
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// The TRL check of issue 15: the files `replaykit sample --out` writes must load with
// `datasets.load_dataset("json", …)` and train in TRL as is. Builds a store from
// examples/sections.jsonl with the built CLI, samples it into one JSONL per row shape (and a
// prompt-completion file), then trains one step on each file (scripts/trl/check.py).
// Python: $REPLAYKIT_PYTHON or python3. Where trl, datasets or torch are missing it prints
// "skipped: …" and exits 0, so CI passes on machines without them.
//   python3 -m venv /tmp/trlenv && /tmp/trlenv/bin/pip install trl datasets torch
//   REPLAYKIT_PYTHON=/tmp/trlenv/bin/python node scripts/trl-check.mjs
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "packages", "cli", "dist", "bin.js");
const python = process.env.REPLAYKIT_PYTHON || "python3";

if (!existsSync(bin)) {
  console.error("trl-check: packages/cli/dist/bin.js is missing; build first (pnpm build)");
  process.exit(1);
}

const tmp = mkdtempSync(join(tmpdir(), "replaykit-trl-"));
process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));

function replaykit(...args) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: "utf8" });
  if (result.status !== 0) {
    console.error(`trl-check: \`replaykit ${args.join(" ")}\` exited with ${result.status ?? result.signal}\n${result.stderr}`);
    process.exit(1);
  }
  return result;
}

const store = join(tmp, "store");
const rows = join(tmp, "rows");
const pc = join(tmp, "prompt-completion");
const now = ["--now", "2026-06-01T00:00:00Z", "--seed", "1"];
replaykit("add", store, join(root, "examples", "sections.jsonl"));
replaykit("sample", store, "--k", "1000", ...now, "--out", rows);
replaykit("sample", store, "--k", "1000", ...now, "--shape", "prompt-completion", "--out", pc);
const files = [...readdirSync(rows).map((f) => join(rows, f)), join(pc, "prompt-completion.jsonl")];
console.log(`trl-check: sampled ${files.map((f) => f.slice(tmp.length + 1)).join(", ")}`);

const probe = spawnSync(python, ["-c", "import trl, datasets, torch"], { encoding: "utf8" });
if (probe.status !== 0) {
  console.log(`skipped: trl/datasets/torch not installed (for ${python}; set REPLAYKIT_PYTHON to a Python that has them)`);
  process.exit(0);
}
const check = spawnSync(python, [join(root, "scripts", "trl", "check.py"), ...files], { cwd: root, stdio: "inherit" });
process.exit(check.status ?? 1);

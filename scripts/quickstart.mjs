// The README quick start: a fresh store under .tmp/quickstart-store, filled from
// examples/sections.jsonl with the built CLI, then sampled, summarised and verified.
// Run it with `pnpm quickstart` (which installs and builds first) or `node scripts/quickstart.mjs`.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "packages", "cli", "dist", "bin.js");
const store = join(root, ".tmp", "quickstart-store");
const rel = (p) => relative(root, p) || ".";

if (!existsSync(bin)) {
  console.error(`quickstart: ${rel(bin)} is missing; build first (pnpm build, or pnpm quickstart)`);
  process.exit(1);
}
rmSync(store, { recursive: true, force: true });
mkdirSync(dirname(store), { recursive: true });

const steps = [
  ["add", rel(store), "examples/sections.jsonl"],
  ["sample", rel(store), "--k", "8", "--seed", "1", "--now", "2026-06-01T00:00:00Z"],
  ["stats", rel(store), "--now", "2026-06-01T00:00:00Z"],
  ["verify", rel(store)],
];

for (const args of steps) {
  console.log(`\n$ replaykit ${args.join(" ")}`);
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`quickstart: \`replaykit ${args[0]}\` exited with ${result.status ?? result.signal}`);
    process.exit(result.status ?? 1);
  }
}
console.log(`\nThe store is in ${rel(store)}/. Try: node ${rel(bin)} --help`);

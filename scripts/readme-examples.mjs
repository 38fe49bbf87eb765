// Runs the first ```js block under "## Use" of every package README, from inside that
// package (so its imports resolve to the built workspace packages), and fails if one throws.
// A README example that no longer runs is a bug. The examples make their stores under
// os.tmpdir() and, being short examples for readers, do not delete them: each runs with
// TMPDIR set to a fresh directory that is removed afterwards, so CI leaves nothing in /tmp.
//   node scripts/readme-examples.mjs        (build first)
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
let failed = 0;
for (const name of readdirSync(join(root, "packages")).sort()) {
  const dir = join(root, "packages", name);
  const readme = readFileSync(join(dir, "README.md"), "utf8");
  const use = readme.slice(readme.indexOf("\n## Use"));
  const match = /```js\n([\s\S]*?)```/.exec(use);
  if (readme.indexOf("\n## Use") < 0 || match === null) {
    console.log(`${name.padEnd(9)} no js example under "## Use" (skipped)`);
    continue;
  }
  const file = join(dir, `.readme-example-${process.pid}.mjs`);
  writeFileSync(file, match[1]);
  const started = Date.now();
  const tmp = mkdtempSync(join(tmpdir(), `replaykit-readme-${name}-`));
  const env = { ...process.env, TMPDIR: tmp, TMP: tmp, TEMP: tmp };
  const run = spawnSync(process.execPath, [file], { cwd: dir, encoding: "utf8", timeout: 60_000, env });
  rmSync(file, { force: true });
  rmSync(tmp, { recursive: true, force: true });
  const ok = run.status === 0;
  if (!ok) failed++;
  console.log(`${name.padEnd(9)} ${ok ? "ok" : "FAILED"} (${Date.now() - started} ms)`);
  if (!ok) console.log(`${run.stdout}\n${run.stderr}`.trim().replace(/^/gm, "    "));
}
process.exit(failed === 0 ? 0 : 1);

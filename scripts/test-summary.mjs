// Sums the vitest "Tests" lines of one or more test runs' output into one closing line,
// "tests: N passed, M failed", so a reader of the CI log sees the totals at a glance; with
// several runs (one per Node version) it prints a line per run first, and the closing line
// covers them all and says which run has no results or failed tasks.
//   node scripts/test-summary.mjs <output-file>
//   node scripts/test-summary.mjs "node 20=<file>" "node 22=<file>" "node 24=<file>"
import { existsSync, readFileSync } from "node:fs";

/** Counts of one run's output: vitest's "Tests" lines and turbo's closing "Tasks"/"Cached" lines. */
export function summarise(text) {
  const plain = text.replace(/\x1b\[[0-9;]*m/g, "");
  const out = { suites: 0, passed: 0, failed: 0, skipped: 0, tasks: undefined, tasksOk: undefined, cached: undefined, testsRun: 0, testsReplayed: 0 };
  for (const line of plain.split("\n")) {
    const m = /^(?:\S+:test: )?\s*Tests\s+(.*)\(\d+\)\s*$/.exec(line);
    if (m !== null) {
      out.suites++;
      for (const [, n, kind] of m[1].matchAll(/(\d+) (passed|failed|skipped)/g)) out[kind] += Number(n);
      continue;
    }
    // A test task replayed from turbo's cache did not run under this Node (the cache is keyed on it).
    const hit = /^\S+:test: cache (hit|miss|bypass)/.exec(line);
    if (hit !== null) out[hit[1] === "hit" ? "testsReplayed" : "testsRun"]++;
    const tasks = /^\s*Tasks:\s+(\d+) successful, (\d+) total/.exec(line);
    if (tasks !== null) [out.tasksOk, out.tasks] = [Number(tasks[1]), Number(tasks[2])];
    const cached = /^\s*Cached:\s+(\d+) cached, \d+ total/.exec(line);
    if (cached !== null) out.cached = Number(cached[1]);
  }
  return out;
}

const runs = process.argv.slice(2).map((arg) => {
  const at = arg.indexOf("=");
  const [label, file] = at > 0 ? [arg.slice(0, at), arg.slice(at + 1)] : [arg, arg];
  return { label, file, ...(existsSync(file) ? summarise(readFileSync(file, "utf8")) : { missing: true, suites: 0, passed: 0, failed: 0, skipped: 0 }) };
});
if (runs.length === 0) {
  console.error("usage: node scripts/test-summary.mjs <output-file> | <label>=<output-file>...");
  process.exit(2);
}

const total = { passed: 0, failed: 0, skipped: 0, suites: 0 };
const notes = [];
for (const r of runs) {
  for (const k of Object.keys(total)) total[k] += r[k];
  const turbo =
    r.tasks === undefined
      ? ""
      : `; turbo: ${r.tasksOk}/${r.tasks} tasks ok, ${r.cached} replayed from cache (test tasks: ${r.testsRun} run, ${r.testsReplayed} replayed)`;
  if (runs.length > 1) {
    console.log(
      r.missing
        ? `${r.label}: no output (${r.file} is missing)`
        : `${r.label}: ${r.suites} test suites, ${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ""}${turbo}`,
    );
  }
  if (r.suites === 0) notes.push(`${r.label} has no test results`);
  else if (r.tasks !== undefined && r.tasksOk < r.tasks) notes.push(`${r.label}: ${r.tasks - r.tasksOk} task(s) failed`);
}
const most = Math.max(...runs.map((r) => r.suites));
for (const r of runs) if (r.suites > 0 && r.suites < most) notes.push(`${r.label} reported ${r.suites} of ${most} test suites`);

if (runs.length === 1) {
  const [r] = runs;
  const replay = r.tasks === undefined ? "" : `; test tasks: ${r.testsRun} run, ${r.testsReplayed} replayed from turbo's cache`;
  console.log(`(${total.suites} test suites${total.skipped ? `, ${total.skipped} skipped` : ""}${replay})`);
}
const scope =
  runs.length > 1
    ? ` (${runs.length} runs: ${runs.map((r) => r.label).join(", ")}${notes.length ? `; ${notes.join("; ")}` : ""})`
    : notes.length
      ? ` (${notes.join("; ")})`
      : "";
console.log(`tests: ${total.passed} passed, ${total.failed} failed${scope}`);

// Sums the vitest "Tests" lines of a test run's output into one closing line,
// "tests: N passed, M failed", so a reader of the CI log sees the totals at a glance.
//   node scripts/test-summary.mjs <output-file>
import { readFileSync } from "node:fs";

const text = readFileSync(process.argv[2], "utf8").replace(/\x1b\[[0-9;]*m/g, "");
let passed = 0;
let failed = 0;
let skipped = 0;
let suites = 0;
for (const line of text.split("\n")) {
  const m = /^(?:\S+:test: )?\s*Tests\s+(.*)\(\d+\)\s*$/.exec(line);
  if (m === null) continue;
  suites++;
  for (const [, n, kind] of m[1].matchAll(/(\d+) (passed|failed|skipped)/g)) {
    if (kind === "passed") passed += Number(n);
    else if (kind === "failed") failed += Number(n);
    else skipped += Number(n);
  }
}
console.log(`(${suites} test suites${skipped ? `, ${skipped} skipped` : ""})`);
console.log(`tests: ${passed} passed, ${failed} failed`);

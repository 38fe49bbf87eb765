// The one benchmark harness of the workspace: every package's bench/run.mjs uses it.
//
// A benchmark is a list of cases; each case times a subject beside a same-run limit (the
// cost of the plain work the subject cannot beat: compressing the same payloads, one weight
// pass, reading the index bytes …) and prints both medians, the ratio and the allowed
// factor. Timing uses tinybench; subject and limit are measured in alternating rounds, so a
// busy machine slows both alike. Nothing here asserts: a ratio over its factor is printed
// as "over", and the run's exit code stays 0 unless `--strict` is given.
//
//   import { runCases } from "../../../scripts/lib/bench.mjs";
//   await runCases("sampler", [
//     { name: "sample k=1000 of 1M", subject: () => sample(...), limit: () => weighAll(...),
//       limitName: "weight pass", factor: 3 },
//   ]);
//
// Options (argv): --quick (fewer rounds), --strict (exit 1 when a case is over its factor),
// --filter TEXT (only cases whose name contains TEXT).
import { readFileSync } from "node:fs";
import { Bench } from "tinybench";

const argv = process.argv.slice(2);
const quick = argv.includes("--quick");
const strict = argv.includes("--strict");
const filterAt = argv.indexOf("--filter");
const filter = filterAt >= 0 ? argv[filterAt + 1] : undefined;

/**
 * @typedef {object} BenchCase
 * @property {string} name               what the subject does, with its size
 * @property {() => unknown} subject      the operation a user calls (sync or async)
 * @property {() => unknown} [limit]      the same-run limit it is compared with
 * @property {string} [limitName]         what the limit is
 * @property {number} [factor]            the allowed subject / limit ratio
 * @property {() => unknown} [setup]      run before every round of this case (untimed)
 * @property {number} [rounds]            rounds of subject + limit (default 7, 3 with --quick)
 */

/**
 * Times every case and prints one table. Returns the rows (median ms, ratio, within).
 * @param {string} title
 * @param {BenchCase[]} cases
 */
export async function runCases(title, cases) {
  const rows = [];
  for (const c of cases) {
    if (filter !== undefined && !c.name.includes(filter)) continue;
    const rounds = c.rounds ?? (quick ? 3 : 7);
    const subject = [];
    const limit = [];
    for (let r = 0; r < rounds + 1; r++) {
      await c.setup?.();
      const s = await timeOnce(c.subject);
      const l = c.limit === undefined ? undefined : await timeOnce(c.limit);
      if (r === 0) continue; // the first round warms the code up
      subject.push(s);
      if (l !== undefined) limit.push(l);
    }
    const row = { name: c.name, subjectMs: median(subject), limitName: c.limitName, limitMs: limit.length > 0 ? median(limit) : undefined, factor: c.factor };
    row.ratio = row.limitMs === undefined ? undefined : row.subjectMs / row.limitMs;
    row.within = row.ratio === undefined || row.factor === undefined ? undefined : row.ratio <= row.factor;
    rows.push(row);
    printRow(title, row);
  }
  const over = rows.filter((r) => r.within === false);
  console.log(`${title}: ${rows.length} cases, ${over.length} over their limit${over.length ? `: ${over.map((r) => r.name).join("; ")}` : ""}`);
  if (strict && over.length > 0) process.exitCode = 1;
  return rows;
}

/** One timed call (ms), through tinybench so timer overhead is handled the same everywhere. */
async function timeOnce(fn) {
  const bench = new Bench({ iterations: 1, warmup: false, time: 0 });
  // `async: true` stops tinybench from calling a plain function once more, unawaited, to find
  // out whether it returns a promise (a subject with side effects would run twice, overlapping).
  bench.add("x", fn, { async: true });
  await bench.run();
  const result = bench.tasks[0].result;
  if (result.state === "errored") throw result.error;
  return result.latency.p50;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const ms = (x) => (x === undefined ? "—" : x >= 100 ? `${x.toFixed(0)} ms` : x >= 1 ? `${x.toFixed(1)} ms` : `${(x * 1000).toFixed(0)} µs`);

function printRow(title, r) {
  const limit = r.limitMs === undefined ? "" : `  limit (${r.limitName ?? "baseline"}) ${ms(r.limitMs)}  ratio ${r.ratio.toFixed(2)}×`;
  const verdict = r.within === undefined ? "" : r.within ? `  ≤ ${r.factor}× ok` : `  > ${r.factor}× OVER`;
  console.log(`${title} | ${r.name}: median ${ms(r.subjectMs)}${limit}${verdict}`);
}

/** Peak resident set size of this process so far, in MiB (Linux: VmHWM; elsewhere the current RSS). */
export function peakRssMiB() {
  try {
    const status = readFileSync("/proc/self/status", "utf8");
    const m = /VmHWM:\s+(\d+) kB/.exec(status);
    if (m) return Number(m[1]) / 1024;
  } catch {}
  return process.memoryUsage().rss / 1024 / 1024;
}

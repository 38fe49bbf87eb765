// sample(k = 1,000) over 100,000 and 1,000,000 in-memory entries, each beside a same-run
// baseline: one plain pass computing recencyWeight for every entry into a Float64Array.
//   node bench/run.mjs [--quick]
//
// Entries look like a store's index entries (16-hex-digit ids from a random source, some
// sharing their first 8 digits as sha256 ids do; Date addedAt; weight 1). "sorted" is the
// order loadIndex returns (index.json is sorted by section id); "unsorted" is the same kind
// of entries in no particular order. Every case runs a few times before any is timed, so the
// table shows steady state; then runs alternate between the baseline and the sample call so
// a busy machine slows both alike, and the table shows medians. Two more rows: a million ids
// that all share their first 8 units, in shuffled order (the slow case: every entry is keyed
// by its whole id, through the fallback route), and the first call in a fresh process.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { recencyWeight, sample } from "../dist/index.js";

const quick = process.argv.includes("--quick");
const RUNS = quick ? 5 : 11;
const WARMUP = 4;
const K = 1000;
const now = new Date("2026-04-18T00:00:00Z");

export function makeEntries(n, sorted) {
  // splitmix32-style output of a counter: random-looking, and ids can share a prefix.
  let c = 0x2545f491;
  const next = () => {
    c = (c + 0x9e3779b9) | 0;
    let z = c;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  const ids = new Array(n);
  // The sum of two outputs, so the first 8 digits repeat by chance as sha256 prefixes do
  // (about n² / 2^33 pairs share them: ~116 in a million).
  const hex8 = (x) => (x >>> 0).toString(16).padStart(8, "0");
  for (let i = 0; i < n; i++) ids[i] = hex8(next() + next()) + hex8(next());
  if (sorted) ids.sort();
  // Built from JSON text, as loadIndex builds them, so ids are plain flat strings.
  const rows = JSON.parse(
    JSON.stringify(ids.map((id, i) => ({ id, at: now.getTime() - (next() % (400 * 86_400)) * 1000, offset: i * 200 }))),
  );
  return rows.map((r) => ({ sectionId: r.id, byteOffset: r.offset, length: 200, addedAt: new Date(r.at), weight: 1 }));
}

/** Ids that all share their first 8 units (`chapter-0000000` …), in shuffled order: the slow case. */
export function makeSharedHeadEntries(n) {
  let x = 12345;
  const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 4_294_967_296;
  const entries = Array.from({ length: n }, (_, i) => ({
    sectionId: `chapter-${String(i).padStart(7, "0")}`,
    addedAt: new Date(now.getTime() - Math.floor(next() * 400) * 86_400_000),
  }));
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [entries[i], entries[j]] = [entries[j], entries[i]];
  }
  return entries;
}

function median(xs) {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

let seed = 0;

function measure(entries, scheme, runs = RUNS) {
  const out = new Float64Array(entries.length);
  const baseline = () => {
    for (let i = 0; i < entries.length; i++) out[i] = recencyWeight(entries[i], now);
  };
  const ours = () => sample(entries, { k: K, now, seed: seed++, scheme });
  const b = [];
  const o = [];
  for (let r = 0; r < runs; r++) {
    let t = performance.now();
    baseline();
    b.push(performance.now() - t);
    t = performance.now();
    ours();
    o.push(performance.now() - t);
  }
  return { ours: median(o), baseline: median(b) };
}

/** The first sample call of a fresh process (no warm-up), beside that process's first weight pass. */
function firstCall() {
  const child = `
    import { recencyWeight, sample } from ${JSON.stringify(new URL("../dist/index.js", import.meta.url).href)};
    import { makeEntries } from ${JSON.stringify(import.meta.url)};
    const now = new Date(${now.getTime()});
    const entries = makeEntries(1_000_000, true);
    const out = new Float64Array(entries.length);
    let t = performance.now();
    for (let i = 0; i < entries.length; i++) out[i] = recencyWeight(entries[i], now);
    const baseline = performance.now() - t;
    t = performance.now();
    sample(entries, { k: ${K}, now, seed: 1 });
    console.log(JSON.stringify({ baseline, ours: performance.now() - t }));`;
  const text = execFileSync(process.execPath, ["--input-type=module", "-e", child], { encoding: "utf8", env: { ...process.env, REPLAYKIT_BENCH_CHILD: "1" } });
  return JSON.parse(text);
}

if (process.env.REPLAYKIT_BENCH_CHILD === undefined && process.argv[1] === fileURLToPath(import.meta.url)) {
  const cases = [];
  for (const n of [100_000, 1_000_000]) {
    for (const sorted of [true, false]) {
      const entries = makeEntries(n, sorted);
      for (const scheme of ["recency", "uniform"]) cases.push({ n, sorted, scheme, entries });
    }
  }
  for (let r = 0; r < WARMUP; r++) for (const c of cases) sample(c.entries, { k: K, now, seed: seed++, scheme: c.scheme });
  const rows = [];
  for (const c of cases) {
    const { ours, baseline } = measure(c.entries, c.scheme);
    rows.push({
      benchmark: `sample k=${K} of ${c.n.toLocaleString("en")} (${c.scheme}, ${c.sorted ? "sorted" : "unsorted"})`,
      "median ms": ours.toFixed(1),
      "baseline ms (weight pass)": baseline.toFixed(1),
      "ours/baseline": (ours / baseline).toFixed(2),
    });
  }
  {
    const entries = makeSharedHeadEntries(1_000_000);
    sample(entries, { k: K, now, seed: seed++ });
    const { ours, baseline } = measure(entries, "recency", quick ? 1 : 3);
    rows.push({
      benchmark: `sample k=${K} of 1,000,000 ids under one head, shuffled (recency)`,
      "median ms": ours.toFixed(1),
      "baseline ms (weight pass)": baseline.toFixed(1),
      "ours/baseline": (ours / baseline).toFixed(2),
    });
  }
  const first = firstCall();
  rows.push({
    benchmark: `first call of a process, k=${K} of 1,000,000 (recency, sorted)`,
    "median ms": first.ours.toFixed(1),
    "baseline ms (weight pass)": first.baseline.toFixed(1),
    "ours/baseline": (first.ours / first.baseline).toFixed(2),
  });
  console.table(rows);
  console.log("Target: ours/baseline ≤ 2. Python reference, k = 1,000 of 1,000,000: 3,300 ms (recency), 1,800 ms (uniform).");
}

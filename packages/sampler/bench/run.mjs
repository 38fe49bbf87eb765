// sample(k = 1,000) over 100,000 and 1,000,000 in-memory entries, each beside a same-run
// baseline: one plain pass computing recencyWeight for every entry into a Float64Array.
//   node bench/run.mjs [--quick]
//
// Entries look like a store's index entries (16-hex-digit ids, Date addedAt, weight 1).
// "sorted" is the order loadIndex returns (index.json is sorted by section id); "unsorted"
// is the same kind of entries in no particular order. Runs alternate between the baseline
// and the sample call so a busy machine slows both alike; the table shows medians.
import { recencyWeight, sample } from "../dist/index.js";

const quick = process.argv.includes("--quick");
const RUNS = quick ? 5 : 11;
const WARMUP = 5;
const K = 1000;
const now = new Date("2026-04-18T00:00:00Z");

function makeEntries(n, sorted) {
  let x = 0x2545f491;
  const next = () => (x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0);
  const ids = new Array(n);
  for (let i = 0; i < n; i++) ids[i] = next().toString(16).padStart(8, "0") + next().toString(16).padStart(8, "0");
  if (sorted) ids.sort();
  // Built from JSON text, as loadIndex builds them, so ids are plain flat strings.
  const rows = JSON.parse(
    JSON.stringify(ids.map((id, i) => ({ id, at: now.getTime() - (next() % (400 * 86_400)) * 1000, offset: i * 200 }))),
  );
  return rows.map((r) => ({ sectionId: r.id, byteOffset: r.offset, length: 200, addedAt: new Date(r.at), weight: 1 }));
}

function median(xs) {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function measure(entries, scheme) {
  const out = new Float64Array(entries.length);
  const baseline = () => {
    for (let i = 0; i < entries.length; i++) out[i] = recencyWeight(entries[i], now);
  };
  let seed = 0;
  const ours = () => sample(entries, { k: K, now, seed: seed++, scheme });
  const b = [];
  const o = [];
  for (let r = 0; r < WARMUP + RUNS; r++) {
    let t = performance.now();
    baseline();
    const tb = performance.now() - t;
    t = performance.now();
    ours();
    const to = performance.now() - t;
    if (r >= WARMUP) {
      b.push(tb);
      o.push(to);
    }
  }
  return { ours: median(o), baseline: median(b) };
}

const rows = [];
for (const n of [100_000, 1_000_000]) {
  for (const sorted of [true, false]) {
    const entries = makeEntries(n, sorted);
    for (const scheme of ["recency", "uniform"]) {
      const { ours, baseline } = measure(entries, scheme);
      rows.push({
        benchmark: `sample k=${K} of ${n.toLocaleString("en")} (${scheme}, ${sorted ? "sorted" : "unsorted"})`,
        "median ms": ours.toFixed(1),
        "baseline ms (weight pass)": baseline.toFixed(1),
        "ours/baseline": (ours / baseline).toFixed(2),
      });
    }
  }
}
console.table(rows);
console.log("Target: ours/baseline ≤ 2. Python reference, k = 1,000 of 1,000,000: 3,300 ms (recency), 1,800 ms (uniform).");

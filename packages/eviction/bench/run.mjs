// evictUntil over 1,000,000 entries beside a same-run limit: sorting 1,000,000 timestamps
// in a Float64Array. Runs alternate between the limit and evictUntil, so a busy machine
// slows both alike; the table shows medians.
//   node bench/run.mjs [--quick]
import { evictUntil } from "../dist/index.js";

const quick = process.argv.includes("--quick");
const RUNS = quick ? 5 : 11;
const WARMUP = 3;
const n = 1_000_000;

let x = 12345;
const rand = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32;
// In section-id order, as loadIndex returns a store's entries; times spread over a year.
const entries = Array.from({ length: n }, (_, i) => ({
  sectionId: i.toString(16).padStart(16, "0"),
  addedAt: new Date(Date.UTC(2025, 0, 1) + Math.floor(rand() * 365 * 86_400) * 1000),
  length: 100 + (i % 400),
}));
const total = entries.reduce((s, e) => s + e.length, 0);
const times = new Float64Array(entries.map((e) => e.addedAt.getTime()));

function median(xs) {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function measure(evict) {
  const limit = [];
  const ours = [];
  for (let r = 0; r < WARMUP + RUNS; r++) {
    let t = performance.now();
    times.slice().sort();
    const tl = performance.now() - t;
    t = performance.now();
    evict();
    const to = performance.now() - t;
    if (r >= WARMUP) {
      limit.push(tl);
      ours.push(to);
    }
  }
  return { ours: median(ours), limit: median(limit) };
}

const cases = [
  ["half the bytes, one protected id", () => evictUntil(entries, { maxBytes: Math.floor(total / 2), protectIds: ["00000000000000ff"] })],
  ["maxBytes 0 (every entry dropped)", () => evictUntil(entries, { maxBytes: 0 })],
  ["within budget (nothing dropped)", () => evictUntil(entries, { maxBytes: total })],
];
const rows = cases.map(([name, evict]) => {
  const { ours, limit } = measure(evict);
  return {
    benchmark: `evictUntil 1,000,000 entries: ${name}`,
    "median ms": ours.toFixed(1),
    "limit ms (Float64Array sort)": limit.toFixed(1),
    "ours/limit": (ours / limit).toFixed(2),
  };
});
console.table(rows);
console.log("Target: ours/limit ≤ 2. Python reference: 1,800 ms.");

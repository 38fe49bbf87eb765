// evictUntil over 1,000,000 entries, through the workspace's one harness
// (scripts/lib/bench.mjs): each case beside a same-run limit.
//
// - The DESIGN §7 limit: sorting the 1,000,000 timestamps in a Float64Array (factor 2).
// - The plain version below (a Float64Array of times, the engine's sort of the indices
//   with a comparator, fresh arrays every call): the radix sort (src/time-order.ts) stays
//   only while evictUntil is at least 1.5× faster than it (factor 0.67), timed on repeated
//   calls (the pool warm) and on a first call (the pool dropped, as in a one-shot process).
// - A first call: the scratch pool (src/scratch.ts) stays only while a repeated call is at
//   least 1.5× faster than a first one.
//
//   node bench/run.mjs [--quick] [--strict] [--filter TEXT]      (after tsc -b)
//   node bench/run.mjs --alone pooled|fresh|plain                 (one variant by itself)
import { runCases, peakRssMiB } from "../../../scripts/lib/bench.mjs";
import { evictUntil } from "../dist/index.js";
import { dropScratch } from "../dist/scratch.js";

const n = 1_000_000;
let x = 12345;
const rand = () => {
  x = (Math.imul(x, 1103515245) + 12345) >>> 0;
  return x / 2 ** 32;
};
// In section-id order, as a store's index lists them; times spread over a year.
const entries = Array.from({ length: n }, (_, i) => ({
  sectionId: i.toString(16).padStart(16, "0"),
  addedAt: new Date(Date.UTC(2025, 0, 1) + Math.floor(rand() * 365 * 86_400) * 1000),
  length: 100 + (i % 400),
}));
const total = entries.reduce((s, e) => s + e.length, 0);
const times = new Float64Array(entries.map((e) => e.addedAt.getTime()));
const half = { maxBytes: Math.floor(total / 2), protectIds: ["00000000000000ff"] };
/** A call as the first of a process makes it: the scratch pool dropped beforehand (which costs nothing). */
const firstCall = () => {
  dropScratch();
  return evictUntil(entries, half);
};

/**
 * The plain version evictUntil is measured against: same answers (checked below), no
 * radix sort, no scratch pool. Argument checks are left out; they cost little beside the sort.
 */
function plainEvictUntil(list, { maxBytes, protectIds }) {
  const count = list.length;
  const at = new Float64Array(count);
  const protect = new Set(protectIds ?? []);
  let sum = 0;
  for (let i = 0; i < count; i++) {
    const e = list[i];
    at[i] = typeof e.addedAt === "number" ? e.addedAt : e.addedAt.getTime();
    sum += e.length;
  }
  if (sum <= maxBytes) return { kept: list.slice(), evicted: [] };
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  order.sort((a, b) => {
    const d = at[a] - at[b];
    if (d !== 0) return d;
    const p = list[a].sectionId;
    const q = list[b].sectionId;
    return p < q ? -1 : p > q ? 1 : a - b;
  });
  const dropped = new Uint8Array(count);
  const evicted = [];
  let left = sum - maxBytes;
  for (let j = 0; j < count && left > 0; j++) {
    const i = order[j];
    if (protect.has(list[i].sectionId)) continue;
    dropped[i] = 1;
    evicted.push(list[i]);
    left -= list[i].length;
  }
  const kept = [];
  for (let i = 0; i < count; i++) if (dropped[i] === 0) kept.push(list[i]);
  return { kept, evicted };
}

// The comparison is only fair if both give the same answer.
for (const options of [half, { maxBytes: 0 }]) {
  const ours = evictUntil(entries, options).evicted;
  const plain = plainEvictUntil(entries, options).evicted;
  if (ours.length !== plain.length || ours.some((e, i) => e !== plain[i])) throw new Error("plain version disagrees with evictUntil");
}

// --alone VARIANT: time one variant by itself (no limit in the same process, so no other
// variant's garbage is collected during its timing): pooled, fresh (radix sort, fresh
// scratch every call) or plain. Run each in its own process and compare the medians.
const aloneAt = process.argv.indexOf("--alone");
if (aloneAt >= 0) {
  const variant = process.argv[aloneAt + 1];
  const subjects = {
    pooled: () => evictUntil(entries, half),
    fresh: firstCall,
    plain: () => plainEvictUntil(entries, half),
  };
  if (!(variant in subjects)) throw new Error("--alone takes pooled, fresh or plain");
  await runCases("eviction", [{ name: `evictUntil 1M half, ${variant} alone, repeated calls`, subject: subjects[variant], rounds: 9 }]);
  process.exit(0);
}

const typedSort = () => times.slice().sort();
await runCases("eviction", [
  {
    name: "evictUntil 1M: half the bytes, one protected id",
    subject: () => evictUntil(entries, half),
    limit: typedSort,
    limitName: "Float64Array sort",
    factor: 2,
  },
  {
    name: "evictUntil 1M: maxBytes 0 (every entry dropped)",
    subject: () => evictUntil(entries, { maxBytes: 0 }),
    limit: typedSort,
    limitName: "Float64Array sort",
    factor: 2,
  },
  {
    name: "evictUntil 1M: within budget (nothing dropped)",
    subject: () => evictUntil(entries, { maxBytes: total }),
    limit: typedSort,
    limitName: "Float64Array sort",
    factor: 2,
  },
  {
    name: "evictUntil 1M half, repeated calls, vs plain version",
    subject: () => evictUntil(entries, half),
    limit: () => plainEvictUntil(entries, half),
    limitName: "plain version",
    factor: 0.67,
  },
  {
    name: "evictUntil 1M half, first call, vs plain version",
    setup: dropScratch,
    subject: () => evictUntil(entries, half),
    limit: () => plainEvictUntil(entries, half),
    limitName: "plain version",
    factor: 0.67,
  },
  // The pool alone: a repeated call beside a first call (dropping the pool costs nothing).
  {
    name: "evictUntil 1M half, repeated calls, vs a first call",
    subject: () => evictUntil(entries, half),
    limit: firstCall,
    limitName: "first call",
    factor: 0.67,
  },
]);
console.log(`peak RSS ${peakRssMiB().toFixed(0)} MiB. Python reference: about 1,800 ms for the first case.`);

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
// - The 1 % case (about 1 % of the bytes evicted, the everyday budget trim): the walk can
//   reach only the oldest entries, so `reachable` (src/evict-indices.ts) sorts those alone.
//   It stays only while evictUntil is at least 1.5× faster than the same code sorting every
//   entry (`sortAllEvictUntil` below), and the radix sort only while it beats the engine's
//   comparison sort of the same reached entries (`plainReachEvictUntil`) by 1.5×.
//
//   node bench/run.mjs [--quick] [--strict] [--filter TEXT]      (after tsc -b)
//   node bench/run.mjs --alone pooled|fresh|plain                 (one variant by itself)
import { runCases, peakRssMiB } from "../../../scripts/lib/bench.mjs";
import { DROPPED, dropOldest, evictIndices, protect, reachable, SCRATCH_PER_ENTRY, tieOrder } from "../dist/evict-indices.js";
import { evictUntil } from "../dist/index.js";
import { dropScratch, withScratch } from "../dist/scratch.js";

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
const onePercent = { maxBytes: Math.floor(total * 0.99), protectIds: ["00000000000000ff"] };
// The same entries as columns, as the store hands them to evictIndices (hex ids as numbers).
const lengthsColumn = new Float64Array(entries.map((e) => e.length));
const hexIds = { hi: new Uint32Array(n), lo: new Uint32Array(n) };
for (let i = 0; i < n; i++) {
  hexIds.hi[i] = Number.parseInt(entries[i].sectionId.slice(0, 8), 16);
  hexIds.lo[i] = Number.parseInt(entries[i].sectionId.slice(8), 16);
}
const columns = { length: n, addedAt: times, lengths: lengthsColumn, sectionId: (i) => entries[i].sectionId, hexIds };
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

/** The inputs every variant below starts from (argument checks left out, as in the plain version). */
function columnsOf(list, protectIds, at, lengths) {
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < list.length; i++) {
    const e = list[i];
    const t = typeof e.addedAt === "number" ? e.addedAt : e.addedAt.getTime();
    at[i] = t;
    lengths[i] = e.length;
    sum += e.length;
    if (t < min) min = t;
    if (t > max) max = t;
  }
  const source = { length: list.length, addedAt: at, lengths, sectionId: (i) => list[i].sectionId };
  const state = new Uint8Array(list.length);
  protect(source, protectIds, state);
  return { sum, range: { min, max }, source, state };
}

/**
 * evictUntil as it is (radix sort, scratch pool) but without the `reachable` cut: it sorts
 * every entry, whatever the budget. What the cut is measured against in the 1 % case.
 */
function sortAllEvictUntil(list, { maxBytes, protectIds }) {
  const count = list.length;
  return withScratch((16 + SCRATCH_PER_ENTRY) * count, (buffer) => {
    const at = new Float64Array(buffer, 0, count);
    const lengths = new Float64Array(buffer, 8 * count, count);
    const { sum, source, state } = columnsOf(list, protectIds, at, lengths);
    if (sum <= maxBytes) return { kept: list.slice(), evicted: [] };
    const droppedAt = dropOldest(at, lengths, state, sum - maxBytes, tieOrder(source), buffer, 16 * count, undefined);
    const evicted = Array.from(droppedAt, (i) => list[i]);
    const kept = [];
    for (let i = 0; i < count; i++) if (state[i] !== DROPPED) kept.push(list[i]);
    return { kept, evicted };
  });
}

/**
 * evictUntil with the engine's comparison sort of the reached entries instead of the radix
 * sort (the same `reachable` cut, the same pooled scratch for times and lengths): what the
 * radix sort is measured against when only 1 % is sorted.
 */
function plainReachEvictUntil(list, options) {
  return withScratch(16 * list.length, (buffer) => plainReachIn(list, options, buffer));
}

function plainReachIn(list, { maxBytes, protectIds }, buffer) {
  const count = list.length;
  const at = new Float64Array(buffer, 0, count);
  const lengths = new Float64Array(buffer, 8 * count, count);
  const { sum, range, source, state } = columnsOf(list, protectIds, at, lengths);
  if (sum <= maxBytes) return { kept: list.slice(), evicted: [] };
  const reach = reachable(at, lengths, state, sum - maxBytes, sum, range) ?? Uint32Array.from({ length: count }, (_, i) => i);
  const tie = tieOrder(source);
  const order = reach.slice().sort((a, b) => at[a] - at[b] || tie(a, b));
  const evicted = [];
  let left = sum - maxBytes;
  for (let j = 0; j < order.length && left > 0; j++) {
    const i = order[j];
    if (state[i] !== 0) continue; // protected
    state[i] = DROPPED;
    evicted.push(list[i]);
    left -= lengths[i];
  }
  const kept = [];
  for (let i = 0; i < count; i++) if (state[i] !== DROPPED) kept.push(list[i]);
  return { kept, evicted };
}

// The comparison is only fair if every variant gives the same answer.
for (const options of [half, { maxBytes: 0 }, onePercent]) {
  const ours = evictUntil(entries, options).evicted;
  const indices = evictIndices(columns, options);
  if (ours.length !== indices.length || ours.some((e, i) => e !== entries[indices[i]])) throw new Error("evictIndices disagrees with evictUntil");
  for (const variant of [plainEvictUntil, sortAllEvictUntil, plainReachEvictUntil]) {
    const other = variant(entries, options).evicted;
    if (ours.length !== other.length || ours.some((e, i) => e !== other[i])) throw new Error(`${variant.name} disagrees with evictUntil`);
  }
}
const reached = (() => {
  const at = new Float64Array(n);
  const lengths = new Float64Array(n);
  const { sum, range, state } = columnsOf(entries, onePercent.protectIds, at, lengths);
  return reachable(at, lengths, state, sum - onePercent.maxBytes, sum, range)?.length ?? n;
})();
console.log(`1 % case: ${evictUntil(entries, onePercent).evicted.length} of ${n} entries evicted, ${reached} sorted`);

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
  // The 1 % case, through every fast path it has.
  {
    name: "evictUntil 1M: 1 % of the bytes, one protected id",
    subject: () => evictUntil(entries, onePercent),
    limit: typedSort,
    limitName: "Float64Array sort",
    factor: 2,
  },
  {
    name: "evictIndices 1M columns (the store's path): 1 % of the bytes",
    subject: () => evictIndices(columns, onePercent),
    limit: typedSort,
    limitName: "Float64Array sort",
    factor: 2,
  },
  {
    name: "evictUntil 1M 1 %, vs the same sorting every entry (reachable cut)",
    subject: () => evictUntil(entries, onePercent),
    limit: () => sortAllEvictUntil(entries, onePercent),
    limitName: "sort-all version",
    factor: 0.67,
  },
  {
    name: "evictUntil 1M 1 %, vs the cut with a comparison sort (radix sort)",
    subject: () => evictUntil(entries, onePercent),
    limit: () => plainReachEvictUntil(entries, onePercent),
    limitName: "cut + engine sort",
    factor: 0.67,
  },
  {
    name: "evictUntil 1M 1 %, repeated calls, vs a first call (scratch pool)",
    subject: () => evictUntil(entries, onePercent),
    limit: () => {
      dropScratch();
      return evictUntil(entries, onePercent);
    },
    limitName: "first call",
    factor: 0.67,
  },
  {
    name: "evictUntil 1M 1 %, first call, vs plain version",
    setup: dropScratch,
    subject: () => evictUntil(entries, onePercent),
    limit: () => plainEvictUntil(entries, onePercent),
    limitName: "plain version",
    factor: 0.67,
  },
]);
console.log(`peak RSS ${peakRssMiB().toFixed(0)} MiB. Python reference: about 1,800 ms for the first case.`);

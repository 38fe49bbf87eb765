// sample(k = 1,000) over 100,000 and 1,000,000 in-memory entries, each beside its same-run
// limit: one plain pass computing recencyWeight for every entry into a Float64Array (DESIGN §7).
// Target: within 3× of that pass, sorted or not.
//   node bench/run.mjs [--quick] [--filter TEXT] [--strict]
//
// Entries look like a store's index entries: 16-hex-digit ids from a random source, Date
// addedAt, weight 1, built from JSON text as the index loader builds them. "sorted" is by
// section id (as index.json keeps them); "unsorted" is the same kind of entries in no order.
// One more case: a million ids sharing a long prefix (`chapter-0000000` …), shuffled.
import { runCases } from "../../../scripts/lib/bench.mjs";
import { recencyWeight, sample } from "../dist/index.js";

const K = 1000;
const now = new Date("2026-04-18T00:00:00Z");

function makeEntries(n, sorted) {
  // splitmix32-style output of a counter: random-looking ids.
  let c = 0x2545f491;
  const next = () => {
    c = (c + 0x9e3779b9) | 0;
    let z = c;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  const hex8 = (x) => (x >>> 0).toString(16).padStart(8, "0");
  const ids = Array.from({ length: n }, () => hex8(next()) + hex8(next()));
  if (sorted) ids.sort();
  const rows = JSON.parse(JSON.stringify(ids.map((id, i) => ({ id, at: now.getTime() - (next() % (400 * 86_400)) * 1000, offset: i * 200 }))));
  return rows.map((r) => ({ sectionId: r.id, byteOffset: r.offset, length: 200, addedAt: new Date(r.at), weight: 1 }));
}

function makeChapterEntries(n) {
  let x = 12345;
  const next = () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 4_294_967_296;
  };
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

function weightPass(entries) {
  const out = new Float64Array(entries.length);
  for (let i = 0; i < entries.length; i++) out[i] = recencyWeight(entries[i], now);
  return out;
}

let seed = 0;
const cases = [];
for (const n of [100_000, 1_000_000]) {
  for (const sorted of [true, false]) {
    const entries = makeEntries(n, sorted);
    for (const scheme of ["recency", "uniform"]) {
      cases.push({
        name: `sample k=${K} of ${n.toLocaleString("en")} (${scheme}, ${sorted ? "sorted" : "unsorted"})`,
        subject: () => sample(entries, { k: K, now, seed: seed++, scheme }),
        limit: () => weightPass(entries),
        limitName: "weight pass",
        factor: 3,
        rounds: 11, // more than the default 7: the machines this runs on are shared
      });
    }
  }
}
{
  const entries = makeChapterEntries(1_000_000);
  cases.push({
    name: `sample k=${K} of 1,000,000 ids "chapter-…" (recency, shuffled)`,
    subject: () => sample(entries, { k: K, now, seed: seed++ }),
    limit: () => weightPass(entries),
    limitName: "weight pass",
    factor: 3,
  });
}
await runCases("sampler", cases);
console.log("Python reference, k = 1,000 of 1,000,000: 3,300 ms (recency), 1,800 ms (uniform).");

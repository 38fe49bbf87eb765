// Benchmarks for @replaykit/store: each figure beside the same-run cost of loadIndex on
// the same store (the floor every call pays), and the ratio.
//   node bench/run.mjs [--quick]
import { loadIndex } from "@replaykit/index";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ReplayStore, createSnapshot } from "../dist/index.js";

const quick = process.argv.includes("--quick");
const RUNS = quick ? 3 : 7;
const root = mkdtempSync(join(tmpdir(), "replaykit-store-bench-"));
const NOW = new Date("2026-06-01T00:00:00Z");

async function median(fn, runs = RUNS) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn(i);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const snapshot = (i, type = "prose") =>
  createSnapshot({
    sectionType: type,
    content:
      type === "preference"
        ? `### Prompt\nQuestion ${i}?\n### Chosen\nA careful answer ${i}.\n### Rejected\nA careless answer ${i}.`
        : `Section ${i}. Replay mixes old material back into training so the model does not forget it.`,
    lastSeenAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000),
    trainingRunsSeen: [i % 40],
  });

const rows = [];
const row = (name, ms, floorMs, python) =>
  rows.push({ benchmark: name, "median ms": ms.toFixed(1), "loadIndex ms": floorMs.toFixed(1), "ours/loadIndex": (ms / floorMs).toFixed(2), "python ref ms": python });

try {
  const big = join(root, "big");
  const nBig = quick ? 20_000 : 100_000;
  {
    const store = await ReplayStore.open(big);
    for (let i = 0; i < nBig; i += 10_000) await store.appendMany(Array.from({ length: Math.min(10_000, nBig - i) }, (_, j) => snapshot(i + j)));
  }
  const floorBig = await median(() => loadIndex(join(big, "index.json")));
  const sampleBig = await median(async (i) => {
    const store = await ReplayStore.open(big);
    await store.sampleRows({ k: 32, now: NOW, seed: i });
  });
  row(`open + sampleRows k=32 of ${nBig.toLocaleString()}`, sampleBig, floorBig, quick ? "" : 970);

  const pref = join(root, "pref");
  {
    const store = await ReplayStore.open(pref);
    await store.appendMany(Array.from({ length: 10_000 }, (_, i) => snapshot(i, i % 10 === 0 ? "preference" : "prose")));
  }
  const floorPref = await median(() => loadIndex(join(pref, "index.json")));
  const samplePref = await median(async (i) => {
    const store = await ReplayStore.open(pref);
    await store.samplePreferenceRows({ k: 32, now: NOW, seed: i });
  });
  row("open + samplePreferenceRows k=32 of 10,000 (10% preference)", samplePref, floorPref, 390);

  const batch = Array.from({ length: 10_000 }, (_, i) => snapshot(i));
  let n = 0;
  let lastDir = "";
  const appendMany = await median(async () => {
    lastDir = join(root, `many-${n++}`);
    const store = await ReplayStore.open(lastDir);
    await store.appendMany(batch);
  });
  const floorMany = await median(() => loadIndex(join(lastDir, "index.json")));
  row("appendMany 10,000 into an empty store", appendMany, floorMany, 750);

  const singles = Array.from({ length: 500 }, (_, i) => snapshot(100_000 + i));
  const singleDir = join(root, "single");
  const t = performance.now();
  {
    const store = await ReplayStore.open(singleDir);
    for (const s of singles) await store.append(s);
  }
  const singleMs = performance.now() - t;
  const floorSingle = await median(() => loadIndex(join(singleDir, "index.json")));
  row("500 single append calls (one run)", singleMs, floorSingle * 500, "8,000 (2,000 took 32 s)");
  console.table(rows);
  console.log("loadIndex column: the same-run cost of loading that store's index (×500 for the single appends, which load it each time).");
} finally {
  rmSync(root, { recursive: true, force: true });
}

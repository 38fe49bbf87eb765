// Benchmarks for @replaykit/store, on the workspace harness: each operation a user calls
// beside its same-run limit (DESIGN §7) and the ratio.
//   node bench/run.mjs [--quick] [--filter TEXT]     (build first: npx tsc -b)
import { encodeFrames, readSnapshots } from "@replaykit/corpus";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { peakRssMiB, runCases } from "../../../scripts/lib/bench.mjs";
import { ReplayStore, createSnapshot } from "../dist/index.js";

const quick = process.argv.includes("--quick");
const N = quick ? 20_000 : 100_000;
const root = mkdtempSync(join(tmpdir(), "replaykit-store-bench-"));
const NOW = new Date("2026-06-01T00:00:00Z");
const count = N.toLocaleString("en");

const snapshot = (i, type = i % 10 === 0 ? "preference" : "prose") =>
  createSnapshot({
    sectionType: type,
    content:
      type === "preference"
        ? `### Prompt\nQuestion ${i}?\n### Chosen\nA careful answer ${i}.\n### Rejected\nA careless answer ${i}.`
        : `Section ${i}. Replay mixes old material back into training so the model does not forget it.`,
    lastSeenAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000),
    trainingRunsSeen: [i % 40],
  });

try {
  const dir = join(root, "store");
  {
    const store = await ReplayStore.open(dir);
    for (let i = 0; i < N; i += 10_000) await store.appendMany(Array.from({ length: Math.min(10_000, N - i) }, (_, j) => snapshot(i + j)));
  }
  const store = await ReplayStore.open(dir);
  const entries = await store.load();
  const indexPath = join(dir, "index.json");
  const corpusPath = join(dir, "corpus.zst");
  const batch = Array.from({ length: 1000 }, (_, i) => snapshot(N + i));
  const copyDir = join(root, "copy");
  // Appends and compactions work on a fresh copy, so every round starts from the same store.
  const fresh = () => {
    rmSync(copyDir, { recursive: true, force: true });
    mkdirSync(copyDir);
    copyFileSync(indexPath, join(copyDir, "index.json"));
    copyFileSync(corpusPath, join(copyDir, "corpus.zst"));
  };
  const sweep = async () => {
    let n = 0;
    for await (const _ of readSnapshots(corpusPath, entries)) n++;
    return n;
  };

  await runCases("store", [
    {
      name: `open + sampleRows k=32 of ${count}`,
      subject: async () => (await ReplayStore.open(dir)).sampleRows({ k: 32, now: NOW, seed: 1 }),
      limit: () => readFileSync(indexPath),
      limitName: "reading the index bytes",
      factor: 10,
    },
    {
      name: `open + samplePreferenceRows k=32 of ${count} (10% preference)`,
      subject: async () => (await ReplayStore.open(dir)).samplePreferenceRows({ k: 32, now: NOW, seed: 1 }),
      limit: () => readFileSync(indexPath),
      limitName: "reading the index bytes",
      factor: 10,
    },
    {
      name: `appendMany 1,000 into ${count}`,
      setup: fresh,
      subject: async () => (await ReplayStore.open(copyDir)).appendMany(batch),
      limit: () => encodeFrames(batch),
      limitName: "compressing the same payloads",
      factor: 15, // today's index.json is rewritten whole on every commit: O(store); the v2 index fixes that
      rounds: quick ? 3 : 5,
    },
    {
      name: `load + readMany of all ${count} (an export)`,
      subject: async () => store.readMany(await store.load()),
      limit: sweep,
      limitName: "corpus readSnapshots sweep",
      factor: 3.5,
      rounds: quick ? 3 : 5,
    },
    {
      name: `exportSnapshots of all ${count} (streamed, one view)`,
      subject: async () => {
        let n = 0;
        for await (const _ of store.exportSnapshots()) n++;
        return n;
      },
      limit: sweep,
      limitName: "corpus readSnapshots sweep",
      factor: 2,
      rounds: quick ? 3 : 5,
    },
    {
      name: `verify ${count}`,
      subject: () => store.verify(),
      limit: sweep,
      limitName: "corpus readSnapshots sweep",
      factor: 3.5,
      rounds: quick ? 3 : 5,
    },
    {
      name: `recover ${count} (index rebuilt from the corpus)`,
      setup: fresh,
      subject: async () => (await ReplayStore.open(copyDir)).recover(),
      limit: sweep,
      limitName: "corpus readSnapshots sweep",
      factor: 4,
      rounds: quick ? 3 : 5,
    },
    {
      name: `compact ${count}`,
      setup: fresh,
      subject: async () => (await ReplayStore.open(copyDir)).compact(),
      limit: () => copyFileSync(corpusPath, join(root, "corpus-copy")),
      limitName: "copying the corpus file",
      factor: 100,
      rounds: quick ? 3 : 5,
    },
  ]);
  console.log(`peak RSS ${peakRssMiB().toFixed(0)} MiB`);
} finally {
  rmSync(root, { recursive: true, force: true });
}

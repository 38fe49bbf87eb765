// Benchmarks of the replaykit command against same-run limits (DESIGN §7), through the
// workspace's one harness (scripts/lib/bench.mjs): what the CLI adds on top of the store
// calls it makes.
//
//   add        `run(["add", dir, file])` of N JSONL lines  vs  store.appendMany of the same
//              snapshots (already built) into a fresh store
//   re-add     the same file again (every line a duplicate)  vs  store.load (one index read)
//   sample     `run(["sample", dir, "-k", 256, …])`         vs  store.sampleRows({ k: 256 }) +
//              JSON.stringify of each row
//   export     `run(["export", dir])`                       vs  store.load + store.readMany of every entry
//   stats      `run(["stats", dir])`                        vs  store.stats() + store.load()
//
//   node bench/run.mjs [--quick] [--strict] [--filter TEXT]    (REPLAYKIT_BENCH_N=10000 sections)
import { createSnapshot, ReplayStore } from "@replaykit/store";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { peakRssMiB, runCases } from "../../../scripts/lib/bench.mjs";
import { run } from "../dist/index.js";

const N = Number(process.env.REPLAYKIT_BENCH_N ?? 10_000);
const NOW = new Date("2026-06-01T00:00:00Z");

const sink = { write: () => true, isTTY: false };
const io = () => ({ stdin: (async function* () {})(), stdout: sink, stderr: sink, env: {}, now: NOW });

const lines = Array.from({ length: N }, (_, i) => {
  const day = String(1 + (i % 28)).padStart(2, "0");
  const content =
    i % 3 === 0
      ? `### Q\nWhat is fact number ${i}?\n### A\nFact ${i} is that ${i} squared is ${i * i}.`
      : `Paragraph ${i}. Replay keeps old material in the mix so that a fine-tuned model does not forget it; this is sentence ${i}.`;
  return { section_type: i % 3 === 0 ? "instruction" : "prose", content, last_seen_at: `2026-0${1 + (i % 5)}-${day}T00:00:00Z` };
});
const snapshots = lines.map((l) => createSnapshot({ sectionType: l.section_type, content: l.content, lastSeenAt: new Date(l.last_seen_at) }));

const root = await mkdtemp(join(tmpdir(), "replaykit-cli-bench-"));
const file = join(root, "sections.jsonl");
await writeFile(file, lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
const fixed = join(root, "fixed");
const ok = async (argv) => {
  const code = await run(argv, io());
  if (code !== 0) throw new Error(`${argv.join(" ")} exited ${code}`);
};
await ok(["add", fixed, file]);
const fixedStore = await ReplayStore.open(fixed);

let n = 0;
const size = N.toLocaleString("en-US");
try {
  await runCases("cli", [
    {
      name: `add ${size} lines`,
      subject: () => ok(["add", join(root, `a${n++}`), file]),
      limit: async () => (await ReplayStore.open(join(root, `l${n++}`))).appendMany(snapshots, { validate: false }),
      limitName: "appendMany of built snapshots",
      // The command also reads, JSON-parses, validates (valibot) and body-checks every line.
      factor: 3,
    },
    {
      name: `re-add ${size} duplicate lines`,
      subject: () => ok(["add", fixed, file]),
      limit: () => fixedStore.load(),
      limitName: "one index read",
      factor: 20,
    },
    {
      name: "sample -k 256",
      subject: () => ok(["sample", fixed, "-k", "256", "--seed", "1"]),
      limit: async () => {
        for (const row of await fixedStore.sampleRows({ k: 256, now: NOW, seed: 1 })) JSON.stringify(row);
      },
      limitName: "sampleRows + stringify",
      factor: 3,
    },
    {
      name: `export ${size}`,
      subject: () => ok(["export", fixed]),
      limit: async () => fixedStore.readMany(await fixedStore.load()),
      limitName: "load + readMany",
      // The command also stringifies every section and writes it out, in one view.
      factor: 3,
    },
    {
      name: `stats ${size}`,
      subject: () => ok(["stats", fixed]),
      limit: async () => Promise.all([fixedStore.stats(), fixedStore.load()]),
      limitName: "stats() + load()",
      factor: 2,
    },
  ]);
  console.log(`cli: peak RSS ${peakRssMiB().toFixed(0)} MiB`);
} finally {
  await rm(root, { recursive: true, force: true });
}

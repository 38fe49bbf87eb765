// Benchmarks of the replaykit command against same-run limits (DESIGN.md §5): what the CLI
// adds on top of the store calls it makes. Each round runs every case once, in turn, so a
// noisy machine slows all of them alike; medians are printed with the ratio to the limit.
//
//   add     `run(["add", dir, file])` of N JSONL lines  vs  store.appendMany of the same
//           snapshots (already built) into a fresh store
//   sample  `run(["sample", dir, "--k", 256, …])`        vs  store.sampleRows({ k: 256 }) +
//           JSON.stringify of each row
//   export  `run(["export", dir])`                       vs  store.load + store.read of every entry
//
//   node bench/run.mjs [sections=10000] [rounds=7]
import { createSnapshot, ReplayStore } from "@replaykit/store";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { run } from "../dist/index.js";

const N = Number(process.argv[2] ?? 10_000);
const ROUNDS = Number(process.argv[3] ?? 7);
const NOW = new Date("2026-06-01T00:00:00Z");

const sink = { write: () => true, isTTY: false };
const io = { stdin: (async function* () {})(), stdout: sink, stderr: sink, env: {}, now: NOW };

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
await run(["add", fixed, file], io);
const fixedStore = await ReplayStore.open(fixed);

let n = 0;
const cases = {
  add: async () => {
    const code = await run(["add", join(root, `a${n++}`), file], io);
    if (code !== 0) throw new Error(`add exited ${code}`);
  },
  "add limit": async () => {
    const store = await ReplayStore.open(join(root, `l${n++}`));
    await store.appendMany(snapshots);
  },
  sample: async () => {
    if ((await run(["sample", fixed, "--k", "256", "--seed", "1"], io)) !== 0) throw new Error("sample failed");
  },
  "sample limit": async () => {
    for (const row of await fixedStore.sampleRows({ k: 256, now: NOW, seed: 1 })) JSON.stringify(row);
  },
  export: async () => {
    if ((await run(["export", fixed], io)) !== 0) throw new Error("export failed");
  },
  "export limit": async () => {
    const entries = await fixedStore.load();
    for (let i = 0; i < entries.length; i += 64) await Promise.all(entries.slice(i, i + 64).map((e) => fixedStore.read(e)));
  },
};

const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
try {
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, fn] of Object.entries(cases)) {
      const t0 = performance.now();
      await fn();
      times[name].push(performance.now() - t0);
    }
  }
} finally {
  await rm(root, { recursive: true, force: true });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
console.log(`@replaykit/cli — ${N.toLocaleString("en-US")} sections, ${ROUNDS} rounds, medians`);
for (const name of ["add", "sample", "export"]) {
  const own = median(times[name]);
  const limit = median(times[`${name} limit`]);
  console.log(`${name.padEnd(7)} ${own.toFixed(1).padStart(9)} ms   limit ${limit.toFixed(1).padStart(9)} ms   ratio ${(own / limit).toFixed(2)}`);
}

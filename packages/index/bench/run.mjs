// Benchmarks of @replaykit/index against same-run limits (DESIGN.md §5): for 100,000
// entries, loadIndex / parseIndex beside JSON.parse of the same text, saveIndex /
// serializeIndex beside JSON.stringify(…, null, 2) of the same data. Each round runs every
// case once, in turn, so a noisy (shared) machine slows all of them alike; medians are
// printed with the ratio to their limit.
//
// Each timed call starts from a collected heap (the script re-runs itself with
// --expose-gc), so one case's garbage is not billed to the next.
//
//   node bench/run.mjs [entries=100000] [rounds=15]
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile, open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { loadIndex, parseIndex, saveIndex, serializeIndex } from "../dist/index.js";

if (typeof globalThis.gc !== "function") {
  const { status } = spawnSync(process.execPath, ["--expose-gc", ...process.argv.slice(1)], { stdio: "inherit" });
  process.exit(status ?? 1);
}

const N = Number(process.argv[2] ?? 100_000);
const ROUNDS = Number(process.argv[3] ?? 15);

/** Deterministic entries shaped like a real store's: increasing offsets, whole-second dates. */
function makeEntries(n, replaykit) {
  let seed = 0x9e3779b9;
  const rand = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  const types = ["prose", "instruction", "preference"];
  const entries = [];
  let offset = 0;
  const t0 = Date.UTC(2025, 0, 1);
  for (let i = 0; i < n; i++) {
    // As @replaykit/corpus derives them: the first 16 hex chars of a sha256.
    const sectionId = createHash("sha256").update(`${types[i % 3]}\n${i}`).digest("hex").slice(0, 16);
    const length = 100 + Math.floor(rand() * 2000);
    const entry = { sectionId, byteOffset: offset, length, addedAt: new Date(t0 + Math.floor(rand() * 400 * 86_400) * 1000), weight: 1 };
    if (replaykit) {
      entry.sectionType = types[i % 3];
      entry.autoMined = rand() < 0.1;
      entry.crc32 = Math.floor(rand() * 2 ** 32);
    }
    entries.push(entry);
    offset += length;
  }
  return entries;
}

/** A deterministic Fisher–Yates shuffle of a copy. */
function shuffle(xs) {
  const out = xs.slice();
  let seed = 12345;
  for (let i = out.length - 1; i > 0; i--) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function time(fn) {
  globalThis.gc();
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function runSuite(label, made, dir) {
  const text = serializeIndex(made);
  const raw = JSON.parse(text);
  // What a store holds and saves: the loaded index (in index order, as JSON.parse's
  // objects are in file order), plus a shuffled copy for the worst case.
  const entries = parseIndex(text);
  const shuffled = shuffle(entries);
  const path = join(dir, `${label}.json`);
  const floorPath = join(dir, `${label}.floor.json`);
  await writeFile(path, text);

  const cases = {
    "parseIndex": () => parseIndex(text),
    "JSON.parse": () => JSON.parse(text),
    "loadIndex": () => loadIndex(path),
    "readFile + JSON.parse": async () => JSON.parse(await readFile(path, "utf8")),
    "serializeIndex": () => serializeIndex(entries),
    "JSON.stringify(…, null, 2)": () => JSON.stringify(raw, null, 2),
    "saveIndex": () => saveIndex(path, entries),
    "serializeIndex (shuffled)": () => serializeIndex(shuffled),
    "JSON.stringify + write + fsync": async () => {
      const h = await open(floorPath, "w");
      try {
        await h.writeFile(JSON.stringify(raw, null, 2));
        await h.sync();
      } finally {
        await h.close();
      }
    },
  };
  const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let r = 0; r < ROUNDS + 2; r++) {
    for (const [name, fn] of Object.entries(cases)) {
      const ms = await time(fn);
      if (r >= 2) samples[name].push(ms); // two warm-up rounds
    }
  }
  const med = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
  const rows = [
    ["parseIndex", "JSON.parse"],
    ["loadIndex", "JSON.parse"],
    ["loadIndex", "readFile + JSON.parse"],
    ["serializeIndex", "JSON.stringify(…, null, 2)"],
    ["serializeIndex (shuffled)", "JSON.stringify(…, null, 2)"],
    ["saveIndex", "JSON.stringify(…, null, 2)"],
    ["saveIndex", "JSON.stringify + write + fsync"],
  ];
  console.log(`\n${label}: ${N.toLocaleString("en")} entries, ${(text.length / 1e6).toFixed(1)} MB, median of ${ROUNDS}`);
  for (const [ours, limit] of rows) {
    const ratio = med[ours] / med[limit];
    console.log(
      `  ${ours.padEnd(26)} ${med[ours].toFixed(1).padStart(8)} ms   vs ${limit.padEnd(31)} ${med[limit].toFixed(1).padStart(8)} ms   ratio ${ratio.toFixed(2)}${ratio > 2 ? "  (over 2×)" : ""}`,
    );
  }
}

const dir = await mkdtemp(join(tmpdir(), "replaykit-index-bench-"));
try {
  await runSuite("dlm-shaped", makeEntries(N, false), dir);
  await runSuite("replaykit-shaped", makeEntries(N, true), dir);
} finally {
  await rm(dir, { recursive: true, force: true });
}

// Benchmarks of index.json loads and saves against same-run limits, through the workspace
// harness (scripts/lib/bench.mjs), for 100,000 and 1,000,000 entries in both shapes (dlm's
// five keys; replaykit's eight):
//
//   loadIndex                        vs reading the file + JSON.parse (no validation, no Dates)
//   loadIndex                        vs the same without its fast path (read + parseIndex):
//                                       the fast path stays only while this ratio is ≤ 0.67,
//                                       i.e. it makes the user's call ≥ 1.5× faster
//   saveIndex (sorted, as loaded)    vs JSON.stringify(…, null, 2) + writeFileAtomic
//   saveIndex (+1,000 new at the end, as a store's append saves it)   vs the same limit
//   saveIndex (shuffled)             vs the same limit
//
// Every subject and limit is an `async` function: tinybench calls a plain function once
// more, unawaited, to find out whether it returns a promise.
//
//   node --expose-gc bench/run.mjs [--quick] [--filter TEXT] [--sizes 100000,1000000]
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFileAtomic } from "@replaykit/corpus";
import { peakRssMiB, runCases } from "../../../scripts/lib/bench.mjs";
import { loadIndex, parseIndex, saveIndex, serializeIndex } from "../dist/index.js";

const argv = process.argv.slice(2);
const sizesAt = argv.indexOf("--sizes");
const SIZES = sizesAt >= 0 ? argv[sizesAt + 1].split(",").map(Number) : [100_000, 1_000_000];

/** Deterministic entries shaped like a real store's: increasing offsets, whole-second dates. */
function makeEntries(n, replaykit, salt = "") {
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
    const sectionId = createHash("sha256")
      .update(`${salt}${types[i % 3]}\n${i}`)
      .digest("hex")
      .slice(0, 16);
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

/** Collects garbage between rounds (node --expose-gc), so one case's garbage is not billed to the next. */
const collect = async () => globalThis.gc?.();

const dir = await mkdtemp(join(tmpdir(), "replaykit-index-bench-"));
try {
  for (const n of SIZES) {
    const rounds = n >= 1_000_000 ? 3 : undefined; // a 1M-entry load takes seconds on a busy machine
    for (const replaykit of [false, true]) {
      const shape = replaykit ? "replaykit" : "dlm";
      const size = n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`;
      const path = join(dir, `${shape}-${n}.json`);
      let text = serializeIndex(makeEntries(n, replaykit));
      await writeFile(path, text);
      console.log(`${shape} ${size}: index.json ${(text.length / 1e6).toFixed(1)} MB`);
      text = undefined;
      // Loads first, with nothing else alive: a heap holding other copies of the index
      // makes every collection during a load cost more, and the figures noisier.
      await runCases(`index ${shape} ${size}`, [
        {
          name: `loadIndex ${size}`,
          setup: collect,
          subject: async () => loadIndex(path),
          limit: async () => JSON.parse(await readFile(path, "utf8")),
          limitName: "readFile + JSON.parse",
          factor: 2,
          rounds,
        },
        {
          name: `loadIndex ${size} vs no fast path`,
          setup: collect,
          subject: async () => loadIndex(path),
          limit: async () => parseIndex(await readFile(path, "utf8"), path),
          limitName: "readFile + parseIndex",
          factor: 0.67,
          rounds,
        },
      ]);

      let loaded = await loadIndex(path);
      let withTail = [...loaded, ...makeEntries(1000, replaykit, "new")];
      let shuffled = shuffle(loaded);
      let raw = JSON.parse(await readFile(path, "utf8"));
      const out = join(dir, "out.json");
      const floor = join(dir, "floor.json");
      const stringifyAndWrite = async () => writeFileAtomic(floor, Buffer.from(`${JSON.stringify(raw, null, 2)}\n`, "latin1"));
      await runCases(`index ${shape} ${size}`, [
        {
          name: `saveIndex ${size} sorted`,
          setup: collect,
          subject: async () => saveIndex(out, loaded),
          limit: stringifyAndWrite,
          limitName: "JSON.stringify + writeFileAtomic",
          factor: 1.5,
          rounds,
        },
        {
          name: `saveIndex ${size} + 1,000 new at the end`,
          setup: collect,
          subject: async () => saveIndex(out, withTail),
          limit: stringifyAndWrite,
          limitName: "JSON.stringify + writeFileAtomic",
          factor: 1.5,
          rounds,
        },
        {
          // Not a store's call (a store saves its loaded, sorted index plus new entries):
          // reaching scattered objects costs more than the sort. Printed, not held to 1.5×.
          name: `saveIndex ${size} shuffled`,
          setup: collect,
          subject: async () => saveIndex(out, shuffled),
          limit: stringifyAndWrite,
          limitName: "JSON.stringify + writeFileAtomic",
          rounds,
        },
      ]);
      loaded = withTail = shuffled = raw = undefined;
      await rm(path);
    }
  }
  console.log(`peak RSS ${peakRssMiB().toFixed(0)} MiB`);
} finally {
  await rm(dir, { recursive: true, force: true });
}

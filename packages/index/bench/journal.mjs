// Benchmarks of the journal, index.rkx (IndexJournal) against same-run limits, through the workspace
// harness (scripts/lib/bench.mjs): for indexes of 10k, 100k and 1M entries
//
//   open (a compacted file)         vs reading the file's bytes (open, one read, close)
//   open (base + 1,000 small commits) vs reading the file's bytes
//   open + one recency weight pass  vs reading the bytes + the same weight pass
//   append one entry                vs appending 72 bytes + fsync (the durability floor)
//   open, append one, close         vs reading the bytes + one fsync (a CLI command's commit)
//   append 1,000 entries            vs appending their bytes + fsync
//   evict 1 % (a remove commit)     vs sorting the addedAt column (DESIGN §7's eviction limit) + one fsync
//   rewrite (compaction)            vs writing the same bytes atomically (writeFileAtomic)
//
// and the file sizes beside index.json's. `--scale 10m` instead builds a 10,000,000-entry
// index (in 1M-entry commits), compacts it, opens it, appends one, and prints times and
// peak RSS.
//
// Every subject and limit is an `async` function: tinybench calls a plain function once more,
// unawaited, to find out whether it returns a promise — a commit would then run twice at once.
//
//   node bench/journal.mjs [--quick] [--filter TEXT] [--sizes 10000,100000] [--scale 10m]
import { mkdtemp, open, readFile, rm, copyFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { writeFileAtomic } from "@replaykit/corpus";
import { IndexJournal, serializeIndex, writeJournal } from "../dist/index.js";
import { spawnSync } from "node:child_process";
import { peakRssMiB, runCases } from "../../../scripts/lib/bench.mjs";

// Every round starts from a collected heap (the script re-runs itself with --expose-gc), so
// the garbage of building a million entries is not billed to a commit that happens to
// trigger the collection.
if (typeof globalThis.gc !== "function") {
  const { status } = spawnSync(process.execPath, ["--expose-gc", ...process.argv.slice(1)], { stdio: "inherit" });
  process.exit(status ?? 1);
}
/** The cases with a garbage collection added to every round's (untimed) setup. */
const collected = (cases) =>
  cases.map((c) => ({
    ...c,
    setup: async () => {
      await c.setup?.();
      globalThis.gc();
    },
  }));

const argv = process.argv.slice(2);
const sizesAt = argv.indexOf("--sizes");
const SIZES = sizesAt >= 0 ? argv[sizesAt + 1].split(",").map(Number) : [10_000, 100_000, 1_000_000];
const TEN_M = argv.includes("--scale") && argv[argv.indexOf("--scale") + 1] === "10m";
const TYPES = ["prose", "instruction", "preference"];
const T0 = Date.UTC(2025, 0, 1);

/** Entry i of a store shaped like a real one: increasing offsets, whole-second dates, all replaykit keys. */
function entry(i) {
  const h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  return {
    sectionId: h.toString(16).padStart(8, "0") + (Math.imul(h, 0xc2b2ae35) >>> 0).toString(16).padStart(8, "0"),
    byteOffset: i * 1000,
    length: 100 + (h % 1800),
    addedAt: new Date(T0 + (i % 400) * 86_400_000 + (h % 86_400) * 1000),
    weight: 1,
    sectionType: TYPES[i % 3],
    autoMined: h % 10 === 0,
    crc32: h,
  };
}
const entries = (from, n) => Array.from({ length: n }, (_, k) => entry(from + k));

/** The recency weight of every entry from the columns: what a draw computes first. */
function weightPass(addedAt, weight, nowSeconds) {
  const out = new Float64Array(addedAt.length);
  for (let i = 0; i < addedAt.length; i++) {
    const age = Math.max(0, nowSeconds - addedAt[i]) / 86_400;
    out[i] = Math.max(1 / (1 + age), 0.01) * weight[i];
  }
  return out;
}
const NOW = T0 / 1000 + 500 * 86_400;

/**
 * The file's bytes read the way the journal reads them (open, one positioned read, close):
 * the async counterpart of readFileSync, so an open is compared with the same kind of I/O.
 */
async function readBytes(path) {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    const bytes = new Uint8Array(size);
    await handle.read(bytes, 0, size, 0);
    return bytes;
  } finally {
    await handle.close();
  }
}

/**
 * Appending bytes to a scratch file (opened with "a") and fsyncing it: the floor under any
 * durable commit, which also grows its file (an overwrite in place would sync less metadata).
 */
async function fsyncOnce(handle, bytes) {
  await handle.write(bytes, 0, bytes.length);
  await handle.sync();
}

const mib = (b) => `${(b / 1024 / 1024).toFixed(1)} MiB`;

async function scale(dir, n) {
  console.log(`\n## ${n.toLocaleString("en")} entries (load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores)`);
  const base = join(dir, `base-${n}.rkx`);
  for (let from = 0, first = true; from < n; from += 1_000_000, first = false) {
    if (first) await writeJournal(base, entries(0, Math.min(n, 1_000_000)));
    else {
      const j = await IndexJournal.open(base);
      await j.commit({ append: entries(from, Math.min(1_000_000, n - from)) });
      await j.rewrite();
      await j.close();
    }
  }
  // A journal as a live store has it: the same entries, the last 1,000 appended one commit each.
  const journaled = join(dir, `journaled-${n}.rkx`);
  await writeJournal(journaled, entries(0, n - 1000));
  {
    const j = await IndexJournal.open(journaled);
    for (let k = n - 1000; k < n; k++) await j.commit({ append: [entry(k)] });
    await j.close();
  }
  const baseBytes = (await readFile(base)).length;
  const journaledBytes = (await readFile(journaled)).length;
  const jsonBytes = n <= 1_000_000 ? Buffer.byteLength(serializeIndex(entries(0, n))) : undefined;
  console.log(
    `file sizes at ${n}: compacted ${mib(baseBytes)} (${(baseBytes / n).toFixed(1)} B/entry), ` +
      `after 1,000 single appends ${mib(journaledBytes)}, index.json ${jsonBytes === undefined ? "—" : `${mib(jsonBytes)} (${(jsonBytes / n).toFixed(0)} B/entry)`}`,
  );

  const work = join(dir, `work-${n}.rkx`);
  const scratch = await open(join(dir, "fsync.bin"), "a");
  const small = new Uint8Array(72);
  const thousand = new Uint8Array(1000 * 55 + 64);
  let journal;
  const reopen = async () => {
    await journal?.close();
    await copyFile(base, work);
    journal = await IndexJournal.open(work);
  };
  await reopen();
  let next = n;
  let batch = [];
  const baseFile = readFileSync(base);
  const probe = await (async () => {
    const j = await IndexJournal.open(base);
    const columns = { addedAt: j.view.addedAt.slice(), weight: j.view.weight.slice() };
    await j.close();
    return columns;
  })();
  const victims = entries(0, n).filter((_, i) => i % 100 === 7);
  const label = n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`;
  await runCases(
    `journal ${label}`,
    collected([
      {
        name: `open ${label} (compacted)`,
        subject: async () => (await IndexJournal.open(base)).close(),
        limit: async () => readBytes(base),
        limitName: "read the bytes",
        factor: 3,
      },
      {
        name: `open ${label} (+1,000 commits)`,
        subject: async () => (await IndexJournal.open(journaled)).close(),
        limit: async () => readBytes(journaled),
        limitName: "read the bytes",
        factor: 3,
      },
      {
        name: `open + weight pass ${label}`,
        subject: async () => {
          const j = await IndexJournal.open(base);
          weightPass(j.view.addedAt, j.view.weight, NOW);
          await j.close();
        },
        limit: async () => {
          await readBytes(base);
          weightPass(probe.addedAt, probe.weight, NOW);
        },
        limitName: "read + weight pass",
        factor: 3,
      },
      {
        name: `append one to ${label}`,
        setup: async () => {
          batch = [entry(next++)];
        },
        subject: async () => journal.commit({ append: batch }),
        limit: async () => fsyncOnce(scratch, small),
        limitName: "one fsync",
        factor: 2,
      },
      {
        name: `open, append one, close ${label}`,
        subject: async () => {
          const j = await IndexJournal.open(journaled);
          await j.commit({ append: [entry(next++)] });
          await j.close();
        },
        limit: async () => {
          await readBytes(journaled);
          await fsyncOnce(scratch, small);
        },
        limitName: "read the bytes + one fsync",
        factor: 2,
      },
      {
        name: `append 1,000 to ${label}`,
        setup: async () => {
          batch = entries(next, 1000);
          next += 1000;
        },
        subject: async () => journal.commit({ append: batch }),
        limit: async () => fsyncOnce(scratch, thousand),
        limitName: "append 55 kB + fsync",
        factor: 2,
      },
      {
        name: `evict 1 % of ${label}`,
        setup: async () => reopen(),
        subject: async () => journal.commit({ remove: victims, reason: "evicted" }),
        limit: async () => {
          Float64Array.from(journal.view.addedAt).sort();
          await fsyncOnce(scratch, small);
        },
        limitName: "sort addedAt + one fsync",
        factor: 3,
      },
      {
        name: `rewrite ${label}`,
        setup: async () => reopen(),
        subject: async () => journal.rewrite(),
        limit: async () => writeFileAtomic(join(dir, "atomic.bin"), baseFile),
        limitName: "writeFileAtomic same size",
        factor: 3,
      },
    ]),
  );
  await journal.close();
  await scratch.close();
  for (const f of [base, journaled, work]) await rm(f, { force: true });
  console.log(`peak RSS so far: ${peakRssMiB().toFixed(0)} MiB`);
}

async function tenMillion(dir) {
  const n = 10_000_000;
  const path = join(dir, "ten-m.rkx");
  let t = performance.now();
  await writeJournal(path, []);
  const j = await IndexJournal.open(path);
  for (let from = 0; from < n; from += 1_000_000) await j.commit({ append: entries(from, 1_000_000) });
  const buildMs = performance.now() - t;
  t = performance.now();
  const { bytesAfter } = await j.rewrite();
  const rewriteMs = performance.now() - t;
  await j.close();
  const rssBuild = peakRssMiB();
  console.log(
    `journal 10M: build (10 commits of 1M) ${(buildMs / 1000).toFixed(1)} s, rewrite ${(rewriteMs / 1000).toFixed(1)} s, file ${mib(bytesAfter)}, ` +
      `peak RSS of the building process ${rssBuild.toFixed(0)} MiB`,
  );
  // Opened in a fresh process, so its peak RSS is the reader's own.
  spawnSync(process.execPath, ["--expose-gc", process.argv[1], "--open-10m", path], { stdio: "inherit" });
}

/** The reader's side of the 10M case (a child process): open, one weight pass, append one; then the limits. */
async function openTenMillion(path) {
  const dir = await mkdtemp(join(tmpdir(), "replaykit-journal-bench-"));
  let t = performance.now();
  const k = await IndexJournal.open(path);
  const openMs = performance.now() - t;
  t = performance.now();
  weightPass(k.view.addedAt, k.view.weight, NOW);
  const weightMs = performance.now() - t;
  t = performance.now();
  await k.commit({ append: [entry(k.view.size)] });
  const appendMs = performance.now() - t;
  const size = k.view.size;
  await k.close();
  // Measured before the limits below allocate their own copy of the file.
  const rss = peakRssMiB();
  const h = await open(join(dir, "fsync.bin"), "a");
  t = performance.now();
  await fsyncOnce(h, new Uint8Array(72));
  const fsyncMs = performance.now() - t;
  await h.close();
  t = performance.now();
  await readBytes(path);
  const readMs = performance.now() - t;
  await rm(dir, { recursive: true, force: true });
  console.log(
    `journal 10M: open ${openMs.toFixed(0)} ms (read the bytes ${readMs.toFixed(0)} ms), weight pass ${weightMs.toFixed(0)} ms, ` +
      `append one ${appendMs.toFixed(1)} ms (one fsync ${fsyncMs.toFixed(1)} ms), ${size.toLocaleString("en")} entries, ` +
      `peak RSS of the reading process ${rss.toFixed(0)} MiB`,
  );
}

const openAt = argv.indexOf("--open-10m");
if (openAt >= 0) await openTenMillion(argv[openAt + 1]);
else {
  const dir = await mkdtemp(join(tmpdir(), "replaykit-journal-bench-"));
  try {
    if (TEN_M) await tenMillion(dir);
    else for (const n of SIZES) await scale(dir, n);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

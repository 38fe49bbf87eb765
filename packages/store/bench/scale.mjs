// The scale benchmark of @replaykit/store (issue 14 item 7): stores of 10k, 100k and 1M
// entries, each operation a user calls beside its same-run limit, on the workspace harness.
//
//   node bench/scale.mjs [--sizes 10k,100k,1M | --sizes none] [--10m] [--quick]      (build first: npx tsc -b)
//
// Per size it prints: the build (time, peak RSS), file sizes (corpus, index), then
//   open + sampleRows k=1000, open + draw k=1000 (rows + receipt)
//                          limit: reading the index files' bytes + one weight pass over the entries (factor 3)
//   the same two in a fresh process each (bench/cold.mjs: node's start, the imports, open and
//   the call, as a CLI user meets them), limit: a fresh process reading the index files + one
//   weight pass (factor 3); then where the fresh processes spent their time
//   peak RSS of open + draw k=1000 in a fresh process   limit: 400 MiB
//   append one             limit: one fsync (factor 2), and beside append one into a 1k-entry store (factor 2)
//   append 1,000           limit: compressing the same payloads
//   evict 1 %              limit: reading the index files + sorting addedAt in a Float64Array + one fsync
//   verify                 limit: one corpus decompress sweep
//   compact (after evict 1 %)   limit: copying the corpus file
// Every operation runs in its own child process, so each peak RSS is that operation's own and
// one size's garbage never slows the next. `--10m` adds a 10,000,000-entry store: build, open +
// draw (time and peak RSS), append one. The stores live in a temp dir, removed at the end.
// Every store is built with appendMany (batches of 100,000), so the build time is the ingest
// a user gets.
import { encodeFrames, readSnapshots } from "@replaykit/corpus";
import { IndexJournal } from "@replaykit/index";
import { execFile, spawnSync } from "node:child_process";
import { closeSync, cpSync, fsyncSync, mkdtempSync, openSync, readdirSync, rmSync, statSync } from "node:fs";
import { open, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { peakRssMiB, runCases } from "../../../scripts/lib/bench.mjs";
import { ReplayStore, createSnapshot } from "../dist/index.js";

const argv = process.argv.slice(2);
const quick = argv.includes("--quick");
const NOW = new Date("2026-06-01T00:00:00Z");
const FIRST = Date.UTC(2024, 5, 1) / 1000; // lastSeenAt of entry 0, in seconds
const SPAN = 2 * 365 * 86_400; // entries spread over two years, oldest first
const RSS_LIMIT_MIB = 400;
const CORPUS = "corpus.zst";

const label = (n) => (n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6}M` : n >= 1e3 && n % 1e3 === 0 ? `${n / 1e3}k` : String(n));
const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** Entry i of a store of n: a small prose section, distinct content, lastSeenAt rising with i. */
const snapshot = (i, n) =>
  createSnapshot({
    sectionType: "prose",
    content: `Section ${i}. Replay mixes old material back into training so the model does not forget it.`,
    lastSeenAt: new Date((FIRST + Math.floor((i * SPAN) / n)) * 1000),
    trainingRunsSeen: [i % 40],
  });

/** The index files of a store: every file of its directory but the corpus and the lock. */
function indexFiles(dir) {
  return readdirSync(dir)
    .filter((f) => f !== CORPUS && !f.endsWith(".lock") && statSync(join(dir, f)).isFile())
    .map((f) => join(dir, f));
}

/** One fsync of a small write, in the store's directory (same file system). */
async function fsyncOnce(dir) {
  const fh = await open(join(dir, "fsync-probe"), "a");
  try {
    await fh.write("x".repeat(64));
    await fh.sync();
  } finally {
    await fh.close();
  }
}

if (argv[0] === "--child") await child(argv[1], argv[2], Number(argv[3]));
else await parent();

async function parent() {
  const sizesAt = argv.indexOf("--sizes");
  const given = sizesAt >= 0 ? (argv[sizesAt + 1] ?? "") : "10k,100k,1M";
  const sizes = given === "none" ? [] : given.split(",").map(parseSize); // `--sizes none --10m`: the 10M report alone
  const root = mkdtempSync(join(tmpdir(), "replaykit-scale-"));
  const pass = quick ? ["--quick"] : [];
  // The limits' inputs (every entry loaded once, untimed) need a bigger heap at 10M than
  // node's default; only the RSS child, which measures what a user's process needs, keeps it.
  const runChild = (op, dir, n) => {
    const node = op === "rss" ? [] : ["--max-old-space-size=16384"];
    const r = spawnSync(process.execPath, [...node, fileURLToPath(import.meta.url), "--child", op, dir, String(n), ...pass], { stdio: "inherit" });
    if (r.status !== 0) console.log(`scale ${label(n)} | ${op}: child process failed (${r.signal ?? `exit ${r.status}`})`);
    return r.status === 0;
  };
  console.log(`scale: node ${process.version}, ${new Date().toISOString()}, stores in ${root}`);
  try {
    for (const n of sizes) {
      const dir = join(root, `store-${label(n)}`);
      if (!runChild("build", dir, n)) continue;
      printSizes(dir, n);
      for (const op of ["draw", "cold", "rss", "append", "append1000", "evict", "verify", "compact"]) runChild(op, dir, n);
      rmSync(dir, { recursive: true, force: true });
    }
    if (argv.includes("--10m")) {
      const n = 10_000_000;
      const dir = join(root, "store-10M");
      if (runChild("build", dir, n)) {
        printSizes(dir, n);
        for (const op of ["draw", "cold", "rss", "append"]) runChild(op, dir, n);
      }
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function parseSize(text) {
  const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.trim());
  if (!m || Number(m[1]) === 0) throw new Error(`scale: --sizes: "${text}" is not a size like 10k, 100k or 1M (or "none")`);
  return Math.round(Number(m[1]) * { "": 1, k: 1e3, m: 1e6 }[m[2].toLowerCase()]);
}

function printSizes(dir, n) {
  const corpus = statSync(join(dir, CORPUS)).size;
  const files = indexFiles(dir).map((f) => [f.slice(dir.length + 1), statSync(f).size]);
  const index = files.reduce((s, [, b]) => s + b, 0);
  console.log(
    `scale ${label(n)} | files: corpus ${mib(corpus)} (${(corpus / n).toFixed(0)} B/entry), index ${mib(index)} (${(index / n).toFixed(0)} B/entry: ${files.map(([f, b]) => `${f} ${mib(b)}`).join(", ")})`,
  );
}

/** One operation of one size, in this (child) process. */
async function child(op, dir, n) {
  const title = `scale ${label(n)}`;
  const big = n >= 1_000_000;
  // At 10M an open + draw takes seconds: two timed rounds keep the report short.
  const rounds = (small, large) => (n >= 10_000_000 ? 2 : quick ? 3 : big ? large : small);

  if (op === "build") {
    // appendMany in big batches, at every size: one corpus append and one index commit per
    // batch; the duplicate check finds the batch's ids through the index's id hash.
    const batch = Math.min(n, 100_000);
    const started = performance.now();
    const store = await ReplayStore.open(dir);
    for (let i = 0; i < n; i += batch) {
      const snaps = [];
      for (let j = i; j < Math.min(n, i + batch); j++) snaps.push(snapshot(j, n));
      await store.appendMany(snaps);
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `${title} | build ${n.toLocaleString("en")} entries (appendMany, batches of ${batch.toLocaleString("en")}): ${seconds.toFixed(1)} s (${((seconds * 1e6) / n).toFixed(1)} µs/entry), peak RSS ${peakRssMiB().toFixed(0)} MiB`,
    );
    return;
  }

  const corpusPath = join(dir, CORPUS);
  if (op === "rss") {
    // Nothing else in this process: its peak RSS is open + draw's.
    const store = await ReplayStore.open(dir);
    const { rows } = await store.draw({ k: 1000, now: NOW, seed: 1 });
    if (rows.length === 0) throw new Error("draw returned no rows");
    const peak = peakRssMiB();
    const ok = peak <= RSS_LIMIT_MIB;
    console.log(
      `${title} | peak RSS of a process doing open + draw k=1000: ${peak.toFixed(0)} MiB  limit ${RSS_LIMIT_MIB} MiB  ratio ${(peak / RSS_LIMIT_MIB).toFixed(2)}×  ${ok ? "≤ 1× ok" : "> 1× OVER"}`,
    );
    return;
  }

  const count = label(n);
  if (op === "draw") {
    // The limit's inputs, prepared untimed: the entries' addedAt (ms) and weight as columns,
    // read from the journal (no entry objects: a heap of 1M of them would slow the subject's GC).
    const journal = await IndexJournal.open(join(dir, "index.rkx"));
    const addedAt = Float64Array.from(journal.view.addedAt, (seconds) => Math.round(seconds * 1000));
    const weight = Float64Array.from(journal.view.weight);
    await journal.close();
    const files = indexFiles(dir);
    const now = NOW.getTime();
    const limit = async () => {
      for (const f of files) await readFile(f);
      let sum = 0; // recencyWeight: max(1 / (1 + age in days), 0.01) × weight
      for (let i = 0; i < addedAt.length; i++) sum += Math.max(1 / (1 + (now - addedAt[i]) / 86_400_000), 0.01) * weight[i];
      return sum;
    };
    const limitName = "reading the index files + one weight pass";
    // Subject and limit both vary by a tenth from one round to the next here: 11 rounds up
    // to 1M (a second or two each), even with --quick, so the medians hold still.
    const drawRounds = n >= 10_000_000 ? 3 : 11;
    const drawCase = (method) => ({
      name: `open + ${method} k=1000 of ${count}`,
      subject: async () => (await ReplayStore.open(dir))[method]({ k: 1000, now: NOW, seed: 1 }),
      limit,
      limitName,
      factor: 3,
      rounds: drawRounds,
    });
    // Issue 14's case, the rows alone; and a trainer's draw: the same rows and a receipt (its
    // store digest hashes every entry's fields).
    await runCases(title, [drawCase("sampleRows"), drawCase("draw")]);
    return;
  }

  if (op === "cold") {
    // Every measured call in a process of its own, started and waited for (wall time), beside a
    // fresh process doing the limit's work; each reports when it had booted, imported and
    // finished, and its CPU time, for the breakdown below.
    const cold = fileURLToPath(new URL("cold.mjs", import.meta.url));
    const reports = { sampleRows: [], draw: [], limit: [] };
    const spawnCold = (what) => () =>
      new Promise((resolve, reject) => {
        execFile(process.execPath, [cold, what, dir, String(n)], { encoding: "utf8" }, (error, stdout) => {
          if (error) return reject(error);
          reports[what].push(JSON.parse(stdout.trim().split("\n").at(-1)));
          resolve();
        });
      });
    const limitName = "a fresh process reading the index files + one weight pass";
    const coldRounds = n >= 10_000_000 ? 3 : 11;
    await runCases(title, [
      {
        name: `fresh process: open + sampleRows k=1000 of ${count}`,
        subject: spawnCold("sampleRows"),
        limit: spawnCold("limit"),
        limitName,
        factor: 3,
        rounds: coldRounds,
      },
      {
        name: `fresh process: open + draw k=1000 of ${count}`,
        subject: spawnCold("draw"),
        limit: spawnCold("limit"),
        limitName,
        factor: 3,
        rounds: coldRounds,
      },
    ]);
    const med = (values) => values.slice().sort((a, b) => a - b)[values.length >> 1];
    for (const [what, list] of Object.entries(reports)) {
      const runs = list.slice(1); // the harness's warm-up round is not counted
      console.log(
        `${title} | fresh ${what}: node started ${med(runs.map((r) => r.booted)).toFixed(0)} ms, imports ${med(runs.map((r) => r.imported - r.booted)).toFixed(0)} ms, ` +
          `the call ${med(runs.map((r) => r.done - r.imported)).toFixed(0)} ms (medians; CPU: ${med(runs.map((r) => r.importedCpu)).toFixed(0)} ms to the end of the imports, ` +
          `${med(runs.map((r) => r.doneCpu - r.importedCpu)).toFixed(0)} ms in the call)`,
      );
    }
    return;
  }

  if (op === "append") {
    // One section at a time into an open store (what a long-running writer does), beside one
    // fsync and beside the same call on a 1k-entry store, both in this run.
    const store = await ReplayStore.open(dir);
    const smallDir = `${dir}-1k`;
    const small = await ReplayStore.open(smallDir);
    await small.appendMany(Array.from({ length: 1000 }, (_, i) => snapshot(i, 1000)));
    let next = n;
    let nextSmall = 1000;
    // Content unique to this run: a store measured twice must not turn the appends into duplicates (no write at all).
    const run = `${process.pid}-${Date.now()}`;
    // An append takes milliseconds and an fsync's latency varies from one call to the next:
    // many rounds at every size (even --quick), so the medians hold still.
    const appendRounds = n >= 10_000_000 ? 9 : 31;
    const later = (i) => createSnapshot({ sectionType: "prose", content: `Appended ${i} (${run}): one more section.`, lastSeenAt: NOW });
    try {
      await runCases(title, [
        {
          name: `append one into ${count}`,
          subject: () => store.append(later(next++)),
          limit: () => fsyncOnce(dir),
          limitName: "one fsync",
          factor: 2,
          rounds: appendRounds,
        },
        {
          name: `append one into ${count} vs into 1k`,
          subject: () => store.append(later(next++)),
          limit: () => small.append(later(nextSmall++)),
          limitName: "append one into a 1k store",
          factor: 2,
          rounds: appendRounds,
        },
      ]);
    } finally {
      rmSync(smallDir, { recursive: true, force: true });
      rmSync(join(dir, "fsync-probe"), { force: true });
    }
    return;
  }

  if (op === "append1000") {
    const store = await ReplayStore.open(dir);
    let next = n;
    let batch = [];
    await runCases(title, [
      {
        name: `append 1,000 into ${count}`,
        setup: () => {
          batch = Array.from({ length: 1000 }, () =>
            createSnapshot({ sectionType: "prose", content: `Appended ${next++}: one more section.`, lastSeenAt: NOW }),
          );
        },
        subject: () => store.appendMany(batch),
        limit: () => encodeFrames(batch),
        limitName: "compressing the same payloads",
        factor: 3,
        rounds: rounds(7, 5),
      },
    ]);
    return;
  }

  // evict, verify, compact: evict and compact work on fresh copies, so every round starts alike.
  const copyDir = `${dir}-copy`;
  // The copy is synced before the subject runs: a real store's files are on disk, and an
  // unsynced copy would make the subject's first fsync of the journal write the whole copied
  // file (55 MB at 1M) instead of its one commit, which the limit's fsync of a probe does not.
  const fresh = (from) => () => {
    rmSync(copyDir, { recursive: true, force: true });
    cpSync(from, copyDir, { recursive: true });
    for (const f of readdirSync(copyDir)) fsyncPath(join(copyDir, f));
    fsyncPath(copyDir);
  };
  const { liveBytes } = await (await ReplayStore.open(dir)).stats();
  const maxBytes = liveBytes - Math.floor(liveBytes / 100);
  try {
    if (op === "evict") {
      // Only the times are kept: a million entry objects held through the timed rounds would
      // make every garbage collection in the subject trace them (it measured 4× slower so).
      const addedAt = await addedAtOf(dir);
      await runCases(title, [
        {
          name: `evict 1 % of ${count}`,
          setup: fresh(dir),
          subject: async () => (await ReplayStore.open(copyDir)).evict({ maxBytes }),
          // A fresh process evicts: it must read the index (as open + draw's limit does), put
          // the entries in age order and make one durable commit.
          limit: async () => {
            for (const f of indexFiles(copyDir)) await readFile(f);
            addedAt.slice().sort();
            await fsyncOnce(copyDir);
          },
          limitName: "reading the index files + sorting addedAt (Float64Array) + one fsync",
          factor: 3,
          rounds: rounds(7, 3),
        },
      ]);
    } else if (op === "verify") {
      const store = await ReplayStore.open(dir);
      const entries = await store.load();
      await runCases(title, [
        {
          name: `verify ${count}`,
          subject: () => store.verify(),
          limit: async () => {
            let k = 0;
            for await (const _ of readSnapshots(corpusPath, entries)) k++;
            return k;
          },
          limitName: "one corpus decompress sweep",
          factor: 3.5,
          rounds: rounds(5, 3),
        },
      ]);
    } else if (op === "compact") {
      // A template with 1 % evicted (not compacted), so compaction has dead frames to drop.
      const template = `${dir}-evicted`;
      fresh(dir)();
      rmSync(template, { recursive: true, force: true });
      await (await ReplayStore.open(copyDir)).evict({ maxBytes });
      cpSync(copyDir, template, { recursive: true });
      const copyOut = join(template, "..", `corpus-copy-${label(n)}`);
      try {
        await runCases(title, [
          {
            name: `compact ${count} (1 % evicted)`,
            setup: fresh(template),
            subject: async () => (await ReplayStore.open(copyDir)).compact(),
            limit: () => cpSync(join(template, CORPUS), copyOut),
            limitName: "copying the corpus file",
            factor: 10,
            rounds: rounds(5, 3),
          },
        ]);
      } finally {
        rmSync(template, { recursive: true, force: true });
        rmSync(copyOut, { force: true });
      }
    } else {
      throw new Error(`scale: unknown child operation ${op}`);
    }
  } finally {
    rmSync(copyDir, { recursive: true, force: true });
  }
}

/** The stores' entries' addedAt (ms) as a Float64Array; the entry objects are garbage when it returns. */
async function addedAtOf(dir) {
  const entries = await (await ReplayStore.open(dir)).load();
  return Float64Array.from(entries, (e) => e.addedAt.getTime());
}

/** fsync of a file or directory (the bench's untimed setup). */
function fsyncPath(path) {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

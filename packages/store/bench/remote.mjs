// The object-storage benchmark of @replaykit/store (issue 20 item 7): a store in a real S3
// server (Ceph RGW over loopback, scripts/rgw.sh) beside the same store in a directory.
//
//   scripts/rgw.sh start .tmp/rgw.env && set -a && . .tmp/rgw.env && set +a
//   node bench/remote.mjs [--sizes 100k,1M]          (build first: npx tsc -b)
//
// Per size: build the store in a directory (appendMany, batches of 100,000), push it to
// s3://$REPLAYKIT_TEST_S3_BUCKET/bench-<random>, then, each in a fresh process as a training
// node meets it (median of the rounds; requests and bytes from the store's counters):
//   open + draw k=1000, cold cache (an empty cache directory)   beside the same on the directory
//   open + draw k=1000, warm cache (the cache of a previous open)
//   eight reader processes at once, each with its own cold cache (eight nodes), and each warm
//   append one / append 1,000 (a writer process: open, append, return)   beside the directory
// and the index's and the drawn frames' sizes, which bound what a cold open must fetch.
// Everything it made (directories, caches, the bucket prefix) is removed at the end.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const argv = process.argv.slice(2);
const NOW = new Date("2026-06-01T00:00:00Z");
const FIRST = Date.UTC(2024, 5, 1) / 1000;
const SPAN = 2 * 365 * 86_400;
const label = (n) => (n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6}M` : n >= 1e3 && n % 1e3 === 0 ? `${n / 1e3}k` : String(n));
const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const self = fileURLToPath(import.meta.url);

if (argv[0] === "--child") await child(argv[1], JSON.parse(argv[2]));
else await parent();

async function parent() {
  const endpoint = process.env.REPLAYKIT_TEST_S3_ENDPOINT;
  const bucket = process.env.REPLAYKIT_TEST_S3_BUCKET ?? "replaykit-test";
  if (endpoint === undefined) {
    console.log("remote bench: SKIPPED — REPLAYKIT_TEST_S3_ENDPOINT is not set (scripts/rgw.sh start, then export .tmp/rgw.env)");
    return;
  }
  const at = argv.indexOf("--sizes");
  const sizes = (at >= 0 ? argv[at + 1] : "100k,1M").split(",").map((t) => Number(t.replace(/k$/i, "e3").replace(/M$/, "e6")));
  const rounds = argv.includes("--quick") ? 3 : 5;
  const root = mkdtempSync(join(tmpdir(), "replaykit-remote-bench-"));
  console.log(`remote bench: node ${process.version}, ${new Date().toISOString()}, RGW at ${endpoint}, work in ${root}`);
  try {
    for (const n of sizes) {
      const title = `remote ${label(n)}`;
      const dir = join(root, `store-${label(n)}`);
      const url = `s3://${bucket}/bench-${label(n)}-${Math.random().toString(36).slice(2, 10)}`;
      const run = (op, args = {}) => runChild(op, { dir, url, n, ...args });
      const build = run("build");
      console.log(`${title} | build ${n.toLocaleString("en")} entries in a directory: ${(build.ms / 1000).toFixed(1)} s`);
      const pushed = run("push");
      const corpusBytes = statSync(join(dir, "corpus.zst")).size;
      const indexBytes = statSync(join(dir, "index.rkx")).size;
      console.log(
        `${title} | push: ${(pushed.ms / 1000).toFixed(1)} s, ${pushed.counters.puts} PUTs, ${mib(pushed.counters.bytesSent)} sent (corpus ${mib(corpusBytes)}, index ${mib(indexBytes)})`,
      );
      const fresh = () => mkdtempSync(join(root, "cache-"));
      // Cold and warm opens + draws, alternating with the directory's, each in a fresh process.
      const cold = [];
      const warm = [];
      const local = [];
      for (let r = 0; r < rounds; r++) {
        const cache = fresh();
        cold.push(run("draw", { cacheDir: cache, frames: r === 0 }));
        warm.push(run("draw", { cacheDir: cache }));
        local.push(run("draw-local"));
        rmSync(cache, { recursive: true, force: true });
      }
      const frames = cold[0].frameBytes;
      const line = (name, xs, base) => {
        const t = median(xs.map((x) => x.ms));
        const c = xs[0].counters;
        const req = c === undefined ? "" : `, ${c.lists} LIST + ${c.gets} GET + ${c.rangeGets} range GET, ${mib(c.bytesFetched)} fetched`;
        const ratio = base === undefined ? "" : `  directory ${base.toFixed(0)} ms  ratio ${(t / base).toFixed(2)}×`;
        console.log(`${title} | ${name}: ${t.toFixed(0)} ms${req}${ratio}`);
      };
      const localMs = median(local.map((x) => x.ms));
      console.log(`${title} | the drawn frames: ${mib(frames)} in ${cold[0].picks} frames; the index: ${mib(indexBytes)}`);
      line("open + draw k=1000, cold cache", cold, localMs);
      line("open + draw k=1000, warm cache", warm, localMs);
      line("open + draw k=1000, directory", local);
      // Eight readers at once: eight nodes (cold caches), then the same eight again (warm).
      const caches = Array.from({ length: 8 }, fresh);
      for (const state of ["cold", "warm"]) {
        const started = performance.now();
        const results = await Promise.all(caches.map((cacheDir) => runChildAsync("draw", { dir, url, n, cacheDir })));
        const wall = performance.now() - started;
        const each = median(results.map((x) => x.ms));
        console.log(
          `${title} | eight reader processes at once, ${state} caches: all done in ${wall.toFixed(0)} ms, median process ${each.toFixed(0)} ms  (one alone, ${state}: ${median((state === "cold" ? cold : warm).map((x) => x.ms)).toFixed(0)} ms)`,
        );
      }
      for (const c of caches) rmSync(c, { recursive: true, force: true });
      // Writers: append one and append 1,000, alternating with the directory's.
      for (const count of [1, 1000]) {
        const remote = [];
        const dirs = [];
        for (let r = 0; r < rounds; r++) {
          const cache = fresh();
          run("draw", { cacheDir: cache }); // a node that has opened the store before
          remote.push(run("append", { cacheDir: cache, count, round: r }));
          dirs.push(run("append-local", { count, round: r }));
          rmSync(cache, { recursive: true, force: true });
        }
        const c = remote[0].counters;
        line(
          `append ${count.toLocaleString("en")} (warm cache; ${c.puts} PUT, ${c.lists} LIST, ${c.gets} GET, ${c.heads} HEAD, ${mib(c.bytesSent)} sent)`,
          remote.map((x) => ({ ms: x.ms })),
          median(dirs.map((x) => x.ms)),
        );
      }
      run("cleanup");
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function runChild(op, args) {
  const r = spawnSync(process.execPath, ["--max-old-space-size=8192", self, "--child", op, JSON.stringify(args)], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`remote bench: child ${op} failed (${r.signal ?? `exit ${r.status}`})`);
  return JSON.parse(r.stdout.trim().split("\n").at(-1));
}

function runChildAsync(op, args) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [self, "--child", op, JSON.stringify(args)], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    p.stdout.on("data", (d) => {
      out += d;
    });
    p.on("error", reject);
    p.on("close", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").at(-1))) : reject(new Error(`child ${op} exit ${code}`))));
  });
}

async function child(op, args) {
  const started = performance.now();
  const { ReplayStore, createSnapshot, pushStore } = await import("../dist/index.js");
  const snapshot = (i, n, tag = "") =>
    createSnapshot({
      sectionType: "prose",
      content: `Section ${i}${tag}. Replay mixes old material back into training so the model does not forget it.`,
      lastSeenAt: new Date((FIRST + Math.floor((Math.min(i, n - 1) * SPAN) / n)) * 1000),
      trainingRunsSeen: [i % 40],
    });
  const out = (extra, ms = performance.now() - started) => console.log(JSON.stringify({ ms, ...extra }));
  const s3 = { endpoint: process.env.REPLAYKIT_TEST_S3_ENDPOINT };
  const opts = { s3, ...(args.cacheDir === undefined ? {} : { cacheDir: args.cacheDir }) };
  if (op === "build") {
    const store = await ReplayStore.open(args.dir);
    for (let i = 0; i < args.n; i += 100_000) {
      const snaps = [];
      for (let j = i; j < Math.min(args.n, i + 100_000); j++) snaps.push(snapshot(j, args.n));
      await store.appendMany(snaps);
    }
    return out({});
  }
  if (op === "push") {
    const cacheDir = mkdtempSync(join(tmpdir(), "replaykit-push-cache-"));
    try {
      const result = await pushStore(args.dir, args.url, { cacheDir, s3 });
      return out({ counters: result.counters ?? { puts: result.segments + 2, bytesSent: result.bytes } });
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  }
  if (op === "draw" || op === "draw-local") {
    const store = await ReplayStore.open(op === "draw" ? args.url : args.dir, op === "draw" ? opts : {});
    const { receipt } = await store.draw({ k: 1000, now: NOW, seed: 1 });
    const ms = performance.now() - started;
    const counters = store.remoteCounters;
    // After the clock: the compressed bytes of the drawn frames (what a draw must fetch at least).
    let frameBytes = 0;
    if (args.frames === true) {
      const ids = new Set(receipt.picks.map((p) => p.sectionId));
      for (const e of await store.load()) if (ids.has(e.sectionId)) frameBytes += e.length;
    }
    return out({ counters, picks: receipt.picks.length, frameBytes }, ms);
  }
  if (op === "append" || op === "append-local") {
    const store = await ReplayStore.open(op === "append" ? args.url : args.dir, op === "append" ? opts : {});
    const snaps = Array.from({ length: args.count }, (_, j) => snapshot(args.n + j, args.n, ` appended ${op} ${args.round} ${j}`));
    const t0 = performance.now();
    if (args.count === 1) await store.append(snaps[0]);
    else await store.appendMany(snaps);
    const t1 = performance.now();
    return out({ callMs: t1 - t0, counters: store.remoteCounters });
  }
  if (op === "cleanup") {
    const { s3ObjectStore } = await import("@replaykit/object-store");
    const m = /^s3:\/\/([^/]+)\/(.*)$/.exec(args.url);
    const objects = s3ObjectStore({ bucket: m[1], endpoint: s3.endpoint });
    const keys = [];
    for await (const e of objects.list(`${m[2]}/`)) keys.push(e.key);
    for (const k of keys) await objects.delete(k);
    return out({ deleted: keys.length });
  }
  throw new Error(`unknown child op ${op}`);
}

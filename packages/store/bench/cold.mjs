// One call in this fresh process, as a CLI user meets it (bench/scale.mjs spawns it once per
// measured round): nothing is imported before the clock starts but what the call needs.
//   node bench/cold.mjs sampleRows|draw <storeDir>     open + the call, k=1000
//   node bench/cold.mjs limit <storeDir> <entries>     the same-run limit: read the index files + one weight pass
// Prints one JSON line: milliseconds since the process started at which node had booted
// (this module runs), the imports were done, and the call returned; and the process's CPU
// time (user + system, all threads) at the last two points (on a shared machine the CPU
// times say where the work is when wall times wander).
const [what, dir, entries] = process.argv.slice(2);
const booted = performance.now();
const cpu = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const NOW = new Date("2026-06-01T00:00:00Z");

if (what === "limit") {
  const { readdirSync, statSync } = await import("node:fs");
  const { readFile } = await import("node:fs/promises");
  const { join } = await import("node:path");
  const imported = performance.now();
  const importedCpu = cpu();
  // The index files: every file of the store's directory but the corpus and the lock.
  for (const f of readdirSync(dir)) {
    const path = join(dir, f);
    if (f !== "corpus.zst" && !f.endsWith(".lock") && statSync(path).isFile()) await readFile(path);
  }
  // One weight pass (recencyWeight: max(1 / (1 + age in days), 0.01) × weight) over as many
  // entries, two years of addedAt; filling the columns is counted (a few ms at 1M).
  const n = Number(entries);
  const now = NOW.getTime();
  const addedAt = new Float64Array(n);
  const weight = new Float64Array(n).fill(1);
  for (let i = 0; i < n; i++) addedAt[i] = now - 2 * 365 * 86_400_000 + (i * 2 * 365 * 86_400_000) / n;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.max(1 / (1 + (now - addedAt[i]) / 86_400_000), 0.01) * weight[i];
  if (!(sum > 0)) throw new Error("cold limit: no weight");
  console.log(JSON.stringify({ booted, imported, done: performance.now(), importedCpu, doneCpu: cpu() }));
} else if (what === "sampleRows" || what === "draw") {
  const { ReplayStore } = await import("../dist/index.js");
  const imported = performance.now();
  const importedCpu = cpu();
  const store = await ReplayStore.open(dir);
  const { rows } = what === "draw" ? await store.draw({ k: 1000, now: NOW, seed: 1 }) : { rows: await store.sampleRows({ k: 1000, now: NOW, seed: 1 }) };
  if (rows.length === 0) throw new Error(`cold ${what}: no rows`);
  console.log(JSON.stringify({ booted, imported, done: performance.now(), importedCpu, doneCpu: cpu() }));
} else {
  throw new Error(`cold.mjs: unknown call ${what} (sampleRows, draw or limit)`);
}

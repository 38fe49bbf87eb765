const t0 = performance.now();
const { ReplayStore, createSnapshot, pushStore } = await import("./dist/index.js");
const t1 = performance.now();
const url = process.argv[2];
const s3 = { endpoint: process.env.REPLAYKIT_TEST_S3_ENDPOINT };
if (process.argv[3] === "push") {
  const { mkdtempSync } = await import("node:fs");
  const dir = mkdtempSync("/tmp/t-");
  const local = await ReplayStore.open(dir);
  const snaps = [];
  for (let i = 0; i < 10000; i++)
    snaps.push(
      createSnapshot({
        sectionType: "prose",
        content: `Section ${i}. Replay mixes old material back into training so the model does not forget it.`,
        lastSeenAt: new Date(Date.UTC(2025, 0, 1) + i * 60000),
      }),
    );
  await local.appendMany(snaps);
  await pushStore(dir, url, { s3, cacheDir: "" });
  process.exit(0);
}
const s = await ReplayStore.open(url, { s3, cacheDir: "/tmp/t-cache" });
const t2 = performance.now();
await s.draw({ k: 1000, now: new Date("2026-06-01"), seed: 1 });
const t3 = performance.now();
console.log(
  `import ${(t1 - t0).toFixed(0)} open ${(t2 - t1).toFixed(0)} draw ${(t3 - t2).toFixed(0)} total-from-start ${(performance.now()).toFixed(0)}`,
  s.remoteCounters.rangeGets,
);

// Consumer 2 — a training pipeline using the facade. `npm install @replaykit/store` in a fresh
// project (its replaykit dependencies arrive as their own tarballs): write a store, sample
// training rows, verify, evict and compact, reopen, and catch a damaged frame.
import assert from "node:assert/strict";
import { mkdtempSync, openSync, readSync, rmSync, writeSync, closeSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ReplayStore, SamplerError, StoreArgumentError, createSnapshot } from "@replaykit/store";

const installed = readdirSync(join("node_modules", "@replaykit")).sort();
assert.deepEqual(installed, ["corpus", "errors", "eviction", "index", "parsers", "sampler", "store"], "store brings the five primitives and the error scheme");

const dir = mkdtempSync(join(tmpdir(), "replaykit-facade-store-"));
try {
  const store = await ReplayStore.open(join(dir, "replay"));
  const day = (d) => new Date(Date.UTC(2026, 0, d));
  const snapshots = [];
  for (let i = 1; i <= 30; i++) {
    snapshots.push(createSnapshot({ sectionType: "prose", content: `Fact number ${i}: the mitochondrion has ${i} folds.`, lastSeenAt: day(i) }));
    snapshots.push(createSnapshot({ sectionType: "instruction", content: `### Q\nWhat is ${i} + ${i}?\n### A\n${2 * i}`, lastSeenAt: day(i) }));
    snapshots.push(
      createSnapshot({
        sectionType: "preference",
        content: `### Prompt\nSay ${i} politely.\n### Chosen\n${i}, please.\n### Rejected\n${i}!`,
        lastSeenAt: day(i),
        autoMined: i % 5 === 0,
      }),
    );
  }
  const entries = await store.appendMany(snapshots);
  assert.equal(entries.length, 90);

  const now = new Date("2026-02-15T00:00:00Z");
  const rows = await store.sampleRows({ k: 12, now, seed: 7 });
  assert.equal(rows.length, 12);
  for (const row of rows) {
    assert.match(row._dlm_section_id, /^replay:[0-9a-f]{16}:2026-01-\d\dT00:00:00\+00:00$/);
    const shape = "text" in row ? "prose" : "messages" in row ? "instruction" : "chosen" in row ? "preference" : "?";
    assert.notEqual(shape, "?", `a known row shape: ${JSON.stringify(row)}`);
    assert.doesNotThrow(() => JSON.stringify(row));
  }
  assert.deepEqual(await store.sampleRows({ k: 12, now, seed: 7 }), rows, "seeded sampling repeats");

  assert.equal((await store.samplePreferenceRows({ k: 100, now, seed: 1 })).length, 30, "every preference section");
  const prefs = await store.samplePreferenceRows({ k: 100, now, seed: 1, includeAutoMined: false });
  assert.equal(prefs.length, 24, "30 preference sections, 6 auto-mined left out");
  assert.ok(prefs.every((r) => typeof r.prompt === "string" && typeof r.chosen === "string" && typeof r.rejected === "string"));

  let report = await store.verify();
  assert.equal(report.ok, true, JSON.stringify(report.problems));
  assert.equal(report.entries, 90);
  assert.equal(report.integrity, "crc32");

  const stats = await store.stats();
  assert.deepEqual(stats.byType, { instruction: 30, preference: 30, prose: 30 });

  // Another process's view: a fresh object on the same directory sees the same store.
  const reopened = await ReplayStore.open(join(dir, "replay"), { create: false });
  assert.deepEqual(await reopened.sampleRows({ k: 12, now, seed: 7 }), rows);

  const { evicted, kept } = await store.evict({ maxBytes: Math.floor(stats.liveBytes / 2), compact: true });
  assert.ok(evicted.length > 0 && kept.length > 0 && evicted.length + kept.length === 90);
  const oldestKept = Math.min(...kept.map((e) => new Date(e.addedAt).getTime()));
  assert.ok(
    evicted.every((e) => new Date(e.addedAt).getTime() <= oldestKept),
    "oldest first",
  );
  report = await store.verify();
  assert.equal(report.ok, true);
  assert.equal(report.reclaimableBytes, 0, "compacted");

  await assert.rejects(store.sampleRows({ k: -1, now, seed: 1 }), (e) => SamplerError.isInstance(e) || StoreArgumentError.isInstance(e));

  // Damage one byte of the first live frame: verify names it, and does not throw.
  const [first] = await store.load();
  const fd = openSync(join(dir, "replay", "corpus.zst"), "r+");
  const byte = Buffer.alloc(1);
  readSync(fd, byte, 0, 1, first.byteOffset + Math.floor(first.length / 2));
  byte[0] ^= 0xff;
  writeSync(fd, byte, 0, 1, first.byteOffset + Math.floor(first.length / 2));
  closeSync(fd);
  report = await store.verify();
  assert.equal(report.ok, false);
  assert.ok(
    report.problems.some((p) => p.sectionId === first.sectionId),
    JSON.stringify(report.problems),
  );

  console.log(`full-facade: ok (90 sections appended, ${rows.length} rows sampled, ${evicted.length} evicted, damage found in ${first.sectionId})`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// Benchmarks for @replaykit/corpus, on the workspace harness (scripts/lib/bench.mjs): each
// figure beside a same-run limit (DESIGN §7) and the ratio.
//   node bench/run.mjs [--quick] [--strict] [--filter TEXT]
// The memory case (4,096 sections of 1 MiB content, checked with readChecked) runs in a
// child process so its peak RSS is its own.
import { compress, decompress } from "@mongodb-js/zstd";
import { decode } from "cborg";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { peakRssMiB, runCases } from "../../../scripts/lib/bench.mjs";
import { appendFrames, appendSnapshots, crc32, createSnapshot, encodeFrame, parseRfc3339, readChecked, readSnapshots } from "../dist/index.js";
import { decodePayload, encodePayload, loadCborg } from "../dist/cbor.js";

const quick = process.argv.includes("--quick");
await loadCborg(); // encodePayload below needs it (the package loads it on its first write)

if (process.argv.includes("--rss-probe")) {
  // Child: check every entry of a corpus of 4,096 frames of 1 MiB content; print peak RSS.
  const dir = process.argv[process.argv.indexOf("--rss-probe") + 1];
  const path = join(dir, "big.zst");
  const snapshot = createSnapshot({ sectionType: "prose", content: "x".repeat(1 << 20), lastSeenAt: new Date("2026-01-01T00:00:00Z") });
  const frame = await encodeFrame(snapshot);
  const pointers = await appendFrames(
    path,
    Array.from({ length: 4096 }, () => frame),
  );
  const crc = crc32(frame);
  const entries = pointers.map((p) => ({ ...p, sectionId: snapshot.sectionId, crc32: crc, sectionType: "prose", autoMined: false }));
  const before = peakRssMiB();
  const t = performance.now();
  let ok = 0;
  for await (const batch of readChecked(path, entries)) for (const r of batch.results) if (!(r instanceof Error)) ok++;
  const ms = performance.now() - t;
  console.log(JSON.stringify({ ok, ms, corpusBytes: frame.length * 4096, rssBeforeMiB: before, peakRssMiB: peakRssMiB() }));
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), "replaykit-corpus-bench-"));
const cborDate = { tags: { 0: (inner) => parseRfc3339(inner()) } };

/** One compress call per payload, 64 in flight: what appendSnapshots cannot beat. */
async function compressAll(payloads) {
  let next = 0;
  const worker = async () => {
    while (next < payloads.length) await compress(payloads[next++], 3);
  };
  await Promise.all(Array.from({ length: 64 }, worker));
}

try {
  const cases = [];
  for (const n of quick ? [10_000] : [10_000, 100_000]) {
    const snapshots = Array.from({ length: n }, (_, i) =>
      createSnapshot({
        sectionType: "prose",
        content: `Paragraph ${i}. Replay keeps old material in the training mix so the model does not forget it.`,
        lastSeenAt: new Date(Date.UTC(2026, 0, 1) + i * 1000),
        trainingRunsSeen: [i % 50],
      }),
    );
    const payloads = snapshots.map((s) => Buffer.from(encodePayload(s)));
    const sweepPath = join(dir, `sweep-${n}.zst`);
    const pointers = await appendSnapshots(sweepPath, snapshots);
    let round = 0;
    cases.push({
      name: `appendSnapshots ${n.toLocaleString("en")} (encode + compress + one write)`,
      subject: () => appendSnapshots(join(dir, `append-${n}-${round++}.zst`), snapshots),
      limit: () => compressAll(payloads),
      limitName: "zstd compress per payload, 64 in flight",
      factor: 2,
      rounds: quick ? 3 : 5,
    });
    cases.push({
      name: `readSnapshots sweep ${n.toLocaleString("en")}`,
      subject: async () => {
        let count = 0;
        for await (const _ of readSnapshots(sweepPath, pointers)) count++;
        if (count !== n) throw new Error("short sweep");
      },
      // The decoding a sweep cannot skip: the package's own payload decoder (its fixed-schema
      // reader; the next case sets it beside cborg's generic decode).
      limit: async () => {
        const all = await decompress(readFileSync(sweepPath));
        let at = 0;
        for (const p of payloads) {
          decodePayload(all.subarray(at, at + p.length));
          at += p.length;
        }
      },
      limitName: "read file + one decompress + decodePayload each",
      factor: 2,
      rounds: quick ? 3 : 5,
    });
    // Why the fixed-schema reader stays (CONTRIBUTING: a tuned path needs a 1.5× gain): the
    // same payloads through cborg's generic decode and the same date parse.
    cases.push({
      name: `decodePayload ${n.toLocaleString("en")} payloads (fixed-schema reader)`,
      subject: () => {
        for (const p of payloads) decodePayload(p);
      },
      limit: () => {
        for (const p of payloads) decode(p, cborDate);
      },
      limitName: "cborg decode of the same payloads",
      factor: 1,
      rounds: quick ? 3 : 5,
    });
  }
  await runCases("corpus", cases);

  // Memory: verify-style sweep of 4,096 × 1 MiB sections (issue 13: 8.3 GB before bounded batches).
  const probe = JSON.parse(
    execFileSync(process.execPath, [fileURLToPath(import.meta.url), "--rss-probe", dir], { encoding: "utf8" })
      .trim()
      .split("\n")
      .at(-1),
  );
  console.log(
    `corpus | readChecked 4,096 × 1 MiB sections (${(probe.corpusBytes / 1024).toFixed(0)} KiB corpus): ${probe.ok} ok in ${probe.ms.toFixed(0)} ms, ` +
      `peak RSS ${probe.peakRssMiB.toFixed(0)} MiB (limit 1024 MiB) ${probe.peakRssMiB <= 1024 ? "ok" : "OVER"}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// Benchmarks for @replaykit/corpus: each figure beside a same-run limit, and the ratio.
//   node bench/run.mjs [--quick]
import { compress, decompress } from "@mongodb-js/zstd";
import { decode, encode, Token, Type } from "cborg";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appendSnapshots, createSnapshot, readSnapshots } from "../dist/index.js";

const quick = process.argv.includes("--quick");
const RUNS = quick ? 3 : 7;

async function median(fn, runs = RUNS) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn(i);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const dir = mkdtempSync(join(tmpdir(), "replaykit-corpus-bench-"));
const rows = [];
const row = (name, ms, limitName, limitMs, higherIsWorse = true) =>
  rows.push({ benchmark: name, "median ms": ms.toFixed(2), limit: limitName, "limit ms": limitMs.toFixed(2), "limit/ours": (limitMs / ms).toFixed(2) });

const dateEnc = { typeEncoders: { Date: (d) => [new Token(Type.tag, 0), new Token(Type.string, d.toISOString().slice(0, 19) + "Z")] } };
const decOpts = { tags: { 0: (inner) => new Date(inner()) } };

// The best concurrency for one-call-per-payload compression, found on this machine.
async function compressAll(payloads, inFlight) {
  let next = 0;
  const worker = async () => {
    while (next < payloads.length) await compress(payloads[next++], 3);
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
}

try {
  for (const n of quick ? [10_000] : [10_000, 100_000]) {
    const snapshots = Array.from({ length: n }, (_, i) =>
      createSnapshot({
        sectionType: "prose",
        content: `Paragraph ${i}. Replay keeps old material in the training mix so the model does not forget it.`,
        lastSeenAt: new Date(Date.UTC(2026, 0, 1) + i * 1000),
        trainingRunsSeen: [i % 50],
      }),
    );
    const payloads = snapshots.map((s) =>
      Buffer.from(
        encode(
          { section_id: s.sectionId, section_type: s.sectionType, content: s.content, auto_mined: s.autoMined, first_seen_at: s.firstSeenAt, last_seen_at: s.lastSeenAt, training_runs_seen: s.trainingRunsSeen },
          dateEnc,
        ),
      ),
    );
    let best = { inFlight: 0, ms: Infinity };
    for (const inFlight of [16, 64, 256, 1024]) {
      const ms = await median(() => compressAll(payloads, inFlight), 3);
      if (ms < best.ms) best = { inFlight, ms };
    }
    const limitAppend = await median(() => compressAll(payloads, best.inFlight));
    let path;
    const ours = await median(async (i) => {
      path = join(dir, `append-${n}-${i}.zst`);
      await appendSnapshots(path, snapshots);
    });
    row(`encode+append ${n.toLocaleString()} snapshots`, ours, `zstd compress per payload (${best.inFlight} in flight)`, limitAppend);

    const pointers = [];
    {
      // Pointers of the last file written: rebuild them by appending once more to a fresh file.
      path = join(dir, `sweep-${n}.zst`);
      pointers.push(...(await appendSnapshots(path, snapshots)));
    }
    const whole = readFileSync(path);
    const limitRead = await median(async () => {
      const all = await decompress(readFileSync(path));
      let at = 0;
      for (const p of payloads) {
        decode(all.subarray(at, at + p.length), decOpts);
        at += p.length;
      }
    });
    const sweep = await median(async () => {
      let count = 0;
      for await (const _ of readSnapshots(path, pointers)) count++;
      if (count !== n) throw new Error("short sweep");
    });
    row(`read sweep ${n.toLocaleString()} snapshots`, sweep, "read file + one decompress + CBOR decode", limitRead);
    void whole;
  }
  console.table(rows);
  console.log("Targets: limit/ours ≥ 0.60 for append and read sweep. Python reference: 750 ms append / 245 ms read of 10,000.");
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// A longer crash soak than CI runs: a writer (appending, and compacting every few batches)
// is killed with SIGKILL at random moments, ROUNDS times on one store; after each kill the
// store must open, verify clean and hold every acknowledged section id.
//   node scripts/soak.mjs [rounds=300] [seed=1]      (build first: npx pnpm build)
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ReplayStore } from "../packages/store/dist/index.js";

const rounds = Number(process.argv[2] ?? 300);
let seed = Number(process.argv[3] ?? 1) >>> 0;
const random = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const writer = fileURLToPath(new URL("../packages/store/test/fixtures/writer.mjs", import.meta.url));
const root = mkdtempSync(join(tmpdir(), "replaykit-soak-"));
const dir = join(root, "store");
const acknowledged = new Set();
const started = Date.now();

function runWriter(round) {
  const child = spawn(process.execPath, [writer, dir, `soak${round}`, random() < 0.5 ? "append" : "compact"], { stdio: ["ignore", "pipe", "inherit"] });
  let buffer = "";
  let firstAck;
  const acked = new Promise((resolve) => (firstAck = resolve));
  child.stdout.setEncoding("utf8").on("data", (chunk) => {
    buffer += chunk;
    const lines = buffer.split("\n");
    buffer = lines.pop();
    for (const line of lines) {
      if (!line.startsWith("ack ")) continue;
      for (const id of line.slice(4).split(" ")) acknowledged.add(id);
      firstAck();
    }
  });
  const exited = new Promise((resolve) => child.on("close", resolve));
  return { child, acked, exited };
}

try {
  for (let round = 1; round <= rounds; round++) {
    const w = runWriter(round);
    await Promise.race([w.acked, w.exited]);
    await new Promise((r) => setTimeout(r, Math.floor(random() * 200)));
    w.child.kill("SIGKILL");
    await w.exited;
    const store = await ReplayStore.open(dir, { lockTimeoutMs: 5_000 });
    const report = await store.verify();
    if (!report.ok) throw new Error(`round ${round}: verify found ${report.problems.length} problems: ${JSON.stringify(report.problems.slice(0, 3))}`);
    const ids = new Set((await store.load()).map((e) => e.sectionId));
    const lost = [...acknowledged].filter((id) => !ids.has(id));
    if (lost.length > 0) throw new Error(`round ${round}: ${lost.length} acknowledged ids lost, e.g. ${lost[0]}`);
    if (round % 25 === 0 || round === rounds) {
      const stats = await store.stats();
      console.log(`round ${round}/${rounds}: ${ids.size} entries, ${acknowledged.size} acknowledged, ${stats.fileBytes} bytes (${stats.deadBytes} dead), ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
  }
  console.log(`soak ok: ${rounds} kills, nothing acknowledged was lost, every verify clean`);
} finally {
  rmSync(root, { recursive: true, force: true });
}

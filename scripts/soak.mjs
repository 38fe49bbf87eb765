// A longer crash soak than CI runs. Several writer processes (appending, some compacting
// every few batches) and several reader processes (load + sample everything, in a loop)
// work on one store while this script kills writers with SIGKILL, ROUNDS times — on purpose
// the one holding the writer lock when it can tell (the lock file names its holder), and a
// random writer otherwise — and starts a new writer in its place. After every kill:
//   - every section id any writer acknowledged is in the store (acks are printed only after
//     the append resolved, so an acknowledged append must survive any kill);
//   - verify() is clean (run here, as a reader, while the other writers keep going);
//   - no reader has printed an error (readers must never see a mixed or torn view).
//   node scripts/soak.mjs [rounds=500] [seed=1] [writers=3] [readers=2]   (build first: npx pnpm build)
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ReplayStore } from "../packages/store/dist/index.js";

const rounds = Number(process.argv[2] ?? 500);
let seed = Number(process.argv[3] ?? 1) >>> 0;
const writerCount = Number(process.argv[4] ?? 3);
const readerCount = Number(process.argv[5] ?? 2);
const random = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
const fixture = (name) => fileURLToPath(new URL(`../packages/store/test/fixtures/${name}`, import.meta.url));
const root = mkdtempSync(join(tmpdir(), "replaykit-soak-"));
const dir = join(root, "store");
mkdirSync(dir);
const acknowledged = new Set();
const started = Date.now();
let spawned = 0;
let killedHolders = 0;
let readerRounds = 0;
const readerErrors = [];

function lines(child, onLine) {
  let buffer = "";
  child.stdout.setEncoding("utf8").on("data", (chunk) => {
    buffer += chunk;
    const parts = buffer.split("\n");
    buffer = parts.pop();
    for (const line of parts) onLine(line);
  });
}

function startWriter() {
  const mode = random() < 0.3 ? "compact" : "append";
  const child = spawn(process.execPath, [fixture("writer.mjs"), dir, `soak${spawned++}`, mode], { stdio: ["ignore", "pipe", "inherit"] });
  const w = { child, acks: 0, exited: new Promise((resolve) => child.on("close", resolve)) };
  lines(child, (line) => {
    if (!line.startsWith("ack ")) return;
    for (const id of line.slice(4).split(" ")) acknowledged.add(id);
    w.acks++;
  });
  return w;
}

function startReader() {
  const child = spawn(process.execPath, [fixture("reader.mjs"), dir, "1000000000"], { stdio: ["ignore", "pipe", "inherit"] });
  lines(child, (line) => {
    if (line.startsWith("ok ")) readerRounds++;
    else readerErrors.push(line);
  });
  return { child, exited: new Promise((resolve) => child.on("close", resolve)) };
}

/** The pid the lock file names, if it is being held right now by one of our writers. */
function holderPid(lockPath, writers) {
  try {
    const { pid } = JSON.parse(readFileSync(lockPath, "utf8"));
    return writers.some((w) => w.child.pid === pid) ? pid : undefined;
  } catch {
    return undefined; // released (the file is emptied on release) or never written
  }
}

const writers = Array.from({ length: writerCount }, startWriter);
const readers = [];
try {
  const store = await ReplayStore.open(dir, { lockTimeoutMs: 30_000 });
  // Readers start once the store has its first entries.
  while (acknowledged.size === 0) await new Promise((r) => setTimeout(r, 10));
  for (let i = 0; i < readerCount; i++) readers.push(startReader());
  for (let round = 1; round <= rounds; round++) {
    // Let the writers get going, then kill the lock holder if one is inside the lock.
    await new Promise((r) => setTimeout(r, Math.floor(random() * 150)));
    let victim;
    for (let tries = 0; tries < 40 && victim === undefined; tries++) {
      const pid = holderPid(store.lockPath, writers);
      if (pid !== undefined) victim = writers.find((w) => w.child.pid === pid);
      else await new Promise((r) => setTimeout(r, 2));
    }
    if (victim !== undefined) killedHolders++;
    else victim = writers[Math.floor(random() * writers.length)];
    victim.child.kill("SIGKILL");
    await victim.exited;
    writers[writers.indexOf(victim)] = startWriter();

    const report = await store.verify();
    if (!report.ok) throw new Error(`round ${round}: verify found ${report.problems.length} problems: ${JSON.stringify(report.problems.slice(0, 3))}`);
    const snapshotOfAcks = [...acknowledged];
    const ids = new Set((await store.load()).map((e) => e.sectionId));
    const lost = snapshotOfAcks.filter((id) => !ids.has(id));
    if (lost.length > 0) throw new Error(`round ${round}: ${lost.length} acknowledged ids lost, e.g. ${lost[0]}`);
    if (readerErrors.length > 0) throw new Error(`round ${round}: a reader failed: ${readerErrors[0]}`);
    if (round % 50 === 0 || round === rounds) {
      const stats = await store.stats();
      console.log(
        `round ${round}/${rounds}: ${killedHolders} lock holders killed, ${ids.size} entries, ${acknowledged.size} acknowledged, ` +
          `${readerRounds} reader rounds, ${stats.fileBytes} bytes (${stats.deadBytes} dead), ${((Date.now() - started) / 1000).toFixed(0)} s`,
      );
    }
  }
  console.log(
    `soak ok: ${rounds} kills (${killedHolders} of them lock holders inside the lock), ${writerCount} writers, ${readerCount} readers ` +
      `(${readerRounds} reader rounds, 0 errors), ${acknowledged.size} acknowledged ids, none lost, every verify clean`,
  );
} finally {
  for (const p of [...writers, ...readers]) p.child.kill("SIGKILL");
  await Promise.all([...writers, ...readers].map((p) => p.exited));
  rmSync(root, { recursive: true, force: true });
}

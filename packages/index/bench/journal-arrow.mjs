// The measurement behind FORMAT.md's choice of a purpose-built journal over an Arrow IPC
// stream (issue 14 item 5): the same 1,000,000 entries as an Arrow IPC stream (apache-arrow,
// eleven columns, one record batch; and with 1,000 one-row batches appended, as a store
// that commits one section at a time would have it) and as a journal (index.rkx), opened into typed
// arrays, through the workspace harness beside reading the file's bytes.
//
// apache-arrow is not a dependency of this package; install it anywhere and point at it:
//   ARROW_MODULE=/path/to/node_modules/apache-arrow/Arrow.node.mjs node bench/journal-arrow.mjs
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { IndexJournal, writeJournal } from "../dist/index.js";
import { runCases } from "../../../scripts/lib/bench.mjs";

let arrow;
try {
  arrow = await import(process.env.ARROW_MODULE ?? "apache-arrow");
} catch {
  console.log("journal vs Arrow: skipped (apache-arrow not installed; set ARROW_MODULE)");
  process.exit(0);
}
const { tableFromArrays, tableFromIPC, tableToIPC, Table } = arrow;

const N = 1_000_000;
const APPENDS = 1000;
const TYPES = ["prose", "instruction", "preference"];
const entry = (i) => {
  const h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  return {
    sectionId: h.toString(16).padStart(8, "0") + (Math.imul(h, 0xc2b2ae35) >>> 0).toString(16).padStart(8, "0"),
    byteOffset: i * 1000,
    length: 100 + (h % 1800),
    addedAt: new Date(Date.UTC(2025, 0, 1) + (i % 400) * 86_400_000),
    weight: 1,
    sectionType: TYPES[i % 3],
    autoMined: h % 10 === 0,
    crc32: h,
  };
};

/** The entries as Arrow columns (the journal layout's eleven columns). */
function arrowTable(from, n) {
  const c = {
    off: new Float64Array(n),
    at: new Float64Array(n),
    w: new Float64Array(n),
    last: new Float64Array(n),
    hi: new Uint32Array(n),
    lo: new Uint32Array(n),
    len: new Uint32Array(n),
    crc: new Uint32Array(n),
    count: new Uint32Array(n),
    type: new Uint16Array(n),
    flag: new Uint8Array(n),
  };
  for (let k = 0; k < n; k++) {
    const e = entry(from + k);
    c.off[k] = e.byteOffset;
    c.at[k] = e.addedAt.getTime() / 1000;
    c.w[k] = e.weight;
    c.hi[k] = Number.parseInt(e.sectionId.slice(0, 8), 16);
    c.lo[k] = Number.parseInt(e.sectionId.slice(8), 16);
    c.len[k] = e.length;
    c.crc[k] = e.crc32;
    c.type[k] = (from + k) % 3;
    c.flag[k] = 6 | (e.autoMined ? 1 : 0);
  }
  return tableFromArrays(c);
}

/** Opens an Arrow stream the way an index reader must: every column as one typed array (and, with `check`, a CRC-32 of the bytes, as the journal verifies its commits). */
function openArrow(path, check = false) {
  const bytes = readFileSync(path);
  if (check) crc32(bytes);
  const table = tableFromIPC(bytes);
  const columns = {};
  for (const field of table.schema.fields) columns[field.name] = table.getChild(field.name).toArray();
  return columns;
}

const dir = await mkdtemp(join(tmpdir(), "replaykit-journal-arrow-"));
try {
  const base = arrowTable(0, N);
  const arrowPath = join(dir, "base.arrows");
  await writeFile(arrowPath, tableToIPC(base, "stream"));
  const arrowAppended = join(dir, "appended.arrows");
  const batches = [...base.batches];
  for (let k = 0; k < APPENDS; k++) batches.push(...arrowTable(N + k, 1).batches);
  await writeFile(arrowAppended, tableToIPC(new Table(batches), "stream"));

  const journalPath = join(dir, "base.rkx");
  await writeJournal(
    journalPath,
    Array.from({ length: N }, (_, i) => entry(i)),
  );
  const journalAppended = join(dir, "appended.rkx");
  await writeJournal(
    journalAppended,
    Array.from({ length: N }, (_, i) => entry(i)),
  );
  const j = await IndexJournal.open(journalAppended);
  for (let k = 0; k < APPENDS; k++) await j.commit({ append: [entry(N + k)] });
  await j.close();

  const size = (p) => `${(statSync(p).size / 1024 / 1024).toFixed(1)} MiB`;
  console.log(
    `sizes: Arrow stream ${size(arrowPath)} (+${APPENDS} one-row batches: ${size(arrowAppended)}), journal ${size(journalPath)} (+${APPENDS} commits: ${size(journalAppended)})`,
  );
  await runCases("journal vs Arrow IPC stream, 1M entries", [
    {
      name: "Arrow stream open (one batch)",
      subject: async () => openArrow(arrowPath),
      limit: async () => readFileSync(arrowPath),
      limitName: "read the bytes",
    },
    {
      name: "Arrow stream open + CRC-32 of the bytes (one batch)",
      subject: async () => openArrow(arrowPath, true),
      limit: async () => readFileSync(arrowPath),
      limitName: "read the bytes",
    },
    {
      name: "journal open (one commit)",
      subject: async () => (await IndexJournal.open(journalPath)).close(),
      limit: async () => readFileSync(journalPath),
      limitName: "read the bytes",
    },
    {
      name: `Arrow stream open (+${APPENDS} batches)`,
      subject: async () => openArrow(arrowAppended),
      limit: async () => readFileSync(arrowAppended),
      limitName: "read the bytes",
    },
    {
      name: `journal open (+${APPENDS} commits)`,
      subject: async () => (await IndexJournal.open(journalAppended)).close(),
      limit: async () => readFileSync(journalAppended),
      limitName: "read the bytes",
    },
  ]);
} finally {
  await rm(dir, { recursive: true, force: true });
}

// What a process loads: a read-only process (open, sample, draw, load, read) loads none of
// the modules only writes and maintenance need, nor the zstd binding before it decodes a
// frame; the first write loads the lock and the roll-forward. (A fresh process's imports are
// a good part of a cold CLI call; see bench/README.md, "Issue 22 item 5".)
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { createSnapshot, ReplayStore } from "../src/index.js";
import { tempDir } from "./helpers.js";
import { fixture } from "./proc.js";

const DIST = fileURLToPath(new URL("../dist/index.js", import.meta.url));
/** The facade's modules that only writes or maintenance calls need. */
const WRITE_ONLY = ["compact", "convert", "evict", "lock", "quarantine", "recover", "stats", "verify"];
const ZSTD = "/@mongodb-js/zstd/";

/** The URLs of the modules `node fixtures/loads.mjs <dir> <op>` loaded. */
async function loads(dir: string, op: "import" | "read" | "write"): Promise<string[]> {
  const log = join(await tempDir(), `${op}.log`);
  execFileSync(process.execPath, [fixture("loads.mjs"), dir, op, log], { encoding: "utf8" });
  return readFileSync(log, "utf8").split("\n").filter(Boolean);
}

const storeModule = (urls: string[], name: string) => urls.some((u) => u.endsWith(`/store/dist/${name}.js`));

describe.skipIf(!existsSync(DIST))("modules a process loads (node dist; run `tsc -b` first)", () => {
  test("importing the store loads no write-only module and not the zstd binding", { timeout: 30_000 }, async () => {
    const urls = await loads(await tempDir(), "import");
    expect(storeModule(urls, "store")).toBe(true);
    for (const name of WRITE_ONLY) expect(storeModule(urls, name), name).toBe(false);
    expect(urls.some((u) => u.includes(ZSTD))).toBe(false);
  });

  test("a read-only process (open, sampleRows, draw, load, readMany) loads no write-only module; a write loads the lock", { timeout: 30_000 }, async () => {
    const dir = await tempDir();
    const store = await ReplayStore.open(dir);
    await store.appendMany(
      Array.from({ length: 5 }, (_, i) => createSnapshot({ sectionType: "prose", content: `Section ${i}.`, lastSeenAt: new Date(Date.UTC(2026, 0, 1 + i)) })),
    );
    const read = await loads(dir, "read");
    expect(storeModule(read, "view")).toBe(true);
    for (const name of WRITE_ONLY) expect(storeModule(read, name), name).toBe(false);
    expect(read.some((u) => u.includes(ZSTD))).toBe(true); // frames were decoded
    const write = await loads(dir, "write");
    for (const name of ["lock", "recover"]) expect(storeModule(write, name), name).toBe(true);
    expect(await store.load()).toHaveLength(6);
  });
});

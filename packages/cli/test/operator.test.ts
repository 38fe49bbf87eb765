// The operator's safety rails: dry runs, warnings about ids that name nothing, remove by id,
// --wait on the lock, reads that never create, and empty results said out loud.
import { ReplayStore } from "@replaykit/store";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { cli, jsonl, NOW, tempDir } from "./helpers.js";

/** 6 prose sections, one a day from 2026-01-01; returns their ids oldest first. */
async function storeOf6(): Promise<{ dir: string; ids: string[] }> {
  const dir = join(tempDir(), "store");
  const sections = Array.from({ length: 6 }, (_, i) => ({
    section_type: "prose",
    content: `Day ${i}: the secret word is ZEBRA-${i}-${"padding ".repeat(8)}`,
    last_seen_at: `2026-01-0${i + 1}T00:00:00Z`,
  }));
  expect((await cli(["add", dir, "-"], { stdin: jsonl(sections), now: NOW })).code).toBe(0);
  const entries = (await (await ReplayStore.open(dir)).load()).sort((a, b) => a.addedAt.getTime() - b.addedAt.getTime());
  return { dir, ids: entries.map((e) => e.sectionId) };
}

const UNKNOWN = "0123456789abcdef";

describe("evict --dry-run and --protect", () => {
  test("--dry-run changes nothing and says what would go; --list prints it", async () => {
    const { dir, ids } = await storeOf6();
    const index = readFileSync(join(dir, "index.rkx"));
    const { code, stdout, stderr } = await cli(["evict", dir, "--max-bytes", "0", "--dry-run", "--list", "--compact"]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/^would evict 6 sections \(.*oldest first/);
    expect(stderr).toMatch(/\nwould keep 0 sections/);
    expect(stderr).toMatch(/\ndry run: nothing was changed\n$/);
    expect(
      stdout
        .trimEnd()
        .split("\n")
        .map((l) => l.split("\t")[0]),
    ).toEqual(ids);
    expect(readFileSync(join(dir, "index.rkx"))).toEqual(index);
  });

  test("protect-file ids that name no section are a warning (a typo protects nothing)", async () => {
    const { dir, ids } = await storeOf6();
    const keep = join(tempDir(), "keep.txt");
    writeFileSync(keep, `${ids[0]}\n${UNKNOWN}  # typo\n`);
    const { code, stderr } = await cli(["evict", dir, "--max-bytes", "0", "--protect", keep]);
    expect(code).toBe(0);
    expect(stderr).toContain(`warning: --protect: 1 id name no section in ${dir}: ${UNKNOWN}\n`);
    expect((await (await ReplayStore.open(dir)).load()).map((e) => e.sectionId)).toEqual([ids[0]]);
  });
});

describe("replaykit remove", () => {
  test("removes by id from a file; unknown ids are a warning; the bytes stay until compact", async () => {
    const { dir, ids } = await storeOf6();
    const file = join(tempDir(), "ids.txt");
    writeFileSync(file, `# deletion request 42\n${ids[1]}\n${ids[3]}\n${UNKNOWN}\n`);
    const { code, stdout, stderr } = await cli(["remove", dir, "--ids", file]);
    expect(code).toBe(0);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      `warning: 1 id name no section in ${dir}: ${UNKNOWN}\n` +
        `removed 2 sections from ${dir}\n` +
        `their bytes stay in corpus.zst as dead space until \`replaykit compact ${dir}\` (or remove --purge)\n`,
    );
    const left = (await (await ReplayStore.open(dir)).load()).map((e) => e.sectionId);
    expect(left.sort()).toEqual([ids[0], ids[2], ids[4], ids[5]].sort());
  });

  test("--ids - reads stdin; --purge leaves the content in none of the store's files", async () => {
    const { dir, ids } = await storeOf6();
    const { code, stderr } = await cli(["remove", dir, "--ids", "-", "--purge"], { stdin: `${ids[2]}\n` });
    expect(code).toBe(0);
    expect(stderr).toMatch(/^removed 1 section from .*\npurged: corpus .* → .*; the removed content is in none of the store's files\n$/);
    for (const name of readdirSync(dir)) expect(readFileSync(join(dir, name)).toString("latin1")).not.toContain("ZEBRA-2-");
    const exported = await cli(["export", dir]);
    expect(exported.stdout).not.toContain("ZEBRA-2-");
    expect(exported.stdout).toContain("ZEBRA-3-");
  });

  test("a bad id is a usage error naming the line; nothing is removed; a missing store is not created", async () => {
    const { dir } = await storeOf6();
    const bad = await cli(["remove", dir, "--ids", "-"], { stdin: "abc\n" });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(`replaykit: --ids: stdin line 1: "abc" is not a section id (16 lowercase hex characters)\n`);
    expect(await (await ReplayStore.open(dir)).load()).toHaveLength(6);
    const missing = join(tempDir(), "missing");
    const none = await cli(["remove", missing, "--ids", "-"], { stdin: `${UNKNOWN}\n` });
    expect(none.code).toBe(3);
    expect(existsSync(missing)).toBe(false);
  });
});

describe("reads never create; empty results say so", () => {
  test.each([["stats"], ["verify"], ["export"], ["compact"], ["recover"], ["upgrade"], ["evict", "--max-bytes", "1"], ["sample", "--k", "1"]])(
    "%s on a missing store: one line, exit 3 (not found), nothing created",
    async (command, ...flags) => {
      const dir = join(tempDir(), "typo-dir");
      const { code, stdout, stderr } = await cli([command, dir, ...flags]);
      expect(code).toBe(3);
      expect(stdout).toBe("");
      expect(stderr).toBe(`replaykit: no store at ${dir} (the directory does not exist)\n`);
      expect(existsSync(dir)).toBe(false);
    },
  );

  test("a store whose corpus.zst is gone is one clear error, not a problem per entry", async () => {
    const { dir } = await storeOf6();
    const { rmSync } = await import("node:fs");
    rmSync(join(dir, "corpus.zst"));
    for (const command of ["stats", "export", "sample", "verify", "recover", "compact"]) {
      const { code, stderr } = await cli([command, dir, ...(command === "sample" ? ["--k", "1"] : [])]);
      expect(code, command).toBe(1);
      expect(stderr, command).toBe(
        `replaykit: ${dir}: corpus.zst is missing but the index lists 6 sections; restore corpus.zst from a backup (nothing was changed)\n`,
      );
    }
  });

  test("a dlm store keeps dlm's behaviour: adding the same lines twice writes them twice", async () => {
    const { referenceStoreCopy } = await import("./helpers.js");
    const dir = referenceStoreCopy();
    const line = jsonl([{ section_type: "prose", content: "dlm twice", last_seen_at: "2026-03-01T00:00:00Z" }]);
    expect((await cli(["add", dir, "-"], { stdin: line })).stderr).toMatch(/^added 1 section/);
    expect((await cli(["add", dir, "-"], { stdin: line })).stderr).toMatch(/^added 1 section/);
    expect(await (await ReplayStore.open(dir)).load()).toHaveLength(15);
  });

  test("an empty store: stats, export and sample say so on stderr and exit 0", async () => {
    const { dir, ids } = await storeOf6();
    await cli(["remove", dir, "--ids", "-", "--purge"], { stdin: ids.join("\n") });
    const stats = await cli(["stats", dir]);
    expect(stats.code).toBe(0);
    expect(stats.stderr).toBe(`${dir} is empty: no sections\n`);
    expect(await cli(["export", dir])).toMatchObject({ code: 0, stdout: "", stderr: `nothing to export: ${dir} is empty\n` });
    const sample = await cli(["sample", dir, "-k", "5", "--seed", "1"]);
    expect(sample).toMatchObject({ code: 0, stdout: "", stderr: "no rows: the store is empty\n" });
  });
});

describe("stats looks", () => {
  test("an outlier date does not squash the histogram; ASCII when the locale is not UTF-8", async () => {
    const dir = join(tempDir(), "store");
    const sections = [
      ...Array.from({ length: 20 }, (_, i) => ({
        section_type: "prose",
        content: `Recent ${i}`,
        last_seen_at: `2026-03-${String(i + 1).padStart(2, "0")}T00:00:00Z`,
      })),
      { section_type: "prose", content: "Ancient", last_seen_at: "1970-01-01T00:00:00Z" },
    ];
    expect((await cli(["add", dir, "-"], { stdin: jsonl(sections), now: NOW })).code).toBe(0);
    const utf8 = await cli(["stats", dir, "--now", "2026-04-01T00:00:00Z"]);
    expect(utf8.stdout).toMatch(/over 10 years │█*[▏▎▍▌▋▊▉]? +1$/m);
    expect(utf8.stdout).not.toMatch(/\d\.\d{4,}/); // no labels like 168.8986301369863 years
    const { run } = await import("../src/index.js");
    const { Sink } = await import("./helpers.js");
    const out = new Sink();
    const err = new Sink();
    const code = await run(["stats", dir, "--now", "2026-04-01T00:00:00Z"], { stdout: out, stderr: err, env: { LANG: "C" } });
    expect(code).toBe(0);
    expect(out.text).toMatch(/over 10 years \|#* +1$/m);
    const histogram = out.text.slice(out.text.indexOf("age of sections"));
    expect(histogram).toMatch(/^[\x20-\x7e\n]*$/);
  });

  test("live bytes count a frame once even when two entries share it", async () => {
    const dir = join(tempDir(), "store");
    expect((await cli(["add", dir, "-"], { stdin: jsonl([{ section_type: "prose", content: "shared" }]), now: NOW })).code).toBe(0);
    const store = await ReplayStore.open(dir);
    const [entry] = await store.load();
    await store.save([entry!, { ...entry!, weight: 2 }]);
    const stats = JSON.parse((await cli(["stats", dir, "--json"])).stdout) as { liveBytes: number; fileBytes: number; deadBytes: number };
    expect(stats.liveBytes).toBe(stats.fileBytes);
    expect(stats.deadBytes).toBe(0);
  });
});

describe("--wait", () => {
  test("a writer waits --wait seconds for another process's lock, then fails with one line", async () => {
    const { dir } = await storeOf6();
    const store = await ReplayStore.open(dir);
    // Hold the store's lock from another process, with the library the store locks with.
    const fromStore = createRequire(createRequire(import.meta.url).resolve("@replaykit/store"));
    const native = fromStore.resolve("fs-native-extensions");
    const holder = spawn(
      process.execPath,
      [
        "-e",
        `const fs = require("fs"); const { tryLock } = require(${JSON.stringify(native)}); const fd = fs.openSync(${JSON.stringify(store.lockPath)}, fs.constants.O_RDWR | fs.constants.O_CREAT); if (!tryLock(fd)) process.exit(3); process.stdout.write("locked\\n"); setTimeout(() => {}, 120000);`,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.once("data", () => resolve());
        holder.once("exit", (code) => reject(new Error(`lock holder exited with ${code}`)));
      });
      for (const argv of [
        ["compact", dir, "--wait", "0.2"],
        ["add", dir, "-", "--wait", "0"],
        ["remove", dir, "--ids", "-", "--wait", "0.1"],
        ["evict", dir, "--max-bytes", "0", "--wait", "0"],
        ["recover", dir, "--wait", "0"],
        ["upgrade", dir, "--wait", "0"],
        ["verify", dir, "--repair", "--wait", "0"],
        ["sample", dir, "--k", "1", "--seed", "1", "--record-exposure", "--wait", "0"],
      ]) {
        const { code, stderr } = await cli(argv, { stdin: argv[0] === "add" ? jsonl([{ section_type: "prose", content: "new" }]) : `${UNKNOWN}\n` });
        expect(code, argv[0]).toBe(6);
        expect(stderr, argv[0]).toMatch(/^replaykit: store: .* is held by .*; gave up after \d+ ms\n$/);
      }
    } finally {
      holder.kill("SIGKILL");
    }
    expect(await store.load()).toHaveLength(6);
  });
});

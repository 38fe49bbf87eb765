import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, test } from "vitest";
import { cli, jsonl, REPO, referenceStoreCopy, tempDir } from "./helpers.js";

const NOW = new Date("2026-04-01T00:00:00Z");
/** The keys of every entry of an index.json as dlm writes it (the reference store's). */
const DLM_KEYS = ["added_at", "byte_offset", "length", "section_id", "weight"];

// The index package's own reader, from the workspace build (the cli depends on the store only):
// "loads with loadIndex" is the acceptance check of issue 14 item 4.
type LoadIndex = (path: string) => Promise<Array<Record<string, unknown>>>;
const loadIndex = async (path: string) =>
  ((await import(pathToFileURL(join(REPO, "packages/index/dist/index.js")).href)) as { loadIndex: LoadIndex }).loadIndex(path);

/** A replaykit store of three sections, one of each built-in type, one auto-mined. */
async function replaykitStore(): Promise<string> {
  const dir = join(tempDir(), "store");
  const added = await cli(["add", dir, "-"], {
    stdin: jsonl([
      { section_type: "prose", content: "The Krebs cycle runs in the mitochondria.", last_seen_at: "2026-01-01T00:00:00Z" },
      { section_type: "instruction", content: "### Q\nWhere does it run?\n### A\nIn the mitochondria.", last_seen_at: "2026-02-01T00:00:00Z" },
      {
        section_type: "preference",
        content: "### Prompt\nWhere?\n### Chosen\nMitochondria.\n### Rejected\nNucleus.",
        auto_mined: true,
        last_seen_at: "2026-03-01T00:00:00Z",
      },
    ]),
  });
  expect(added.code).toBe(0);
  return dir;
}

describe("replaykit downgrade", () => {
  test("--help says what it does; a bad --wait is a usage error; a missing store a failure", async () => {
    const help = await cli(["downgrade", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/dlm store/);
    expect(help.stdout).toContain("--wait <seconds>");
    expect((await cli(["downgrade", join(tempDir(), "store"), "--wait", "soon"])).code).toBe(2);
    const missing = await cli(["downgrade", join(tempDir(), "missing")]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/^replaykit: no store at /);
  });

  test("a replaykit store becomes a dlm store loadIndex reads, with the same sections and the same draw; upgrade goes back", async () => {
    const dir = await replaykitStore();
    const sample = ["sample", dir, "--k", "2", "--seed", "7", "--now", "2026-04-01T00:00:00Z"];
    const exported = (await cli(["export", dir])).stdout;
    const drawn = (await cli(sample)).stdout;
    const journal = join(dir, "index.rkx");
    const oldIndex = readFileSync(journal);
    const backup = `${journal}.replaykit-backup-20260401-000000`;

    const { code, stdout, stderr } = await cli(["downgrade", dir], { now: NOW });
    expect(code).toBe(0);
    expect(stdout).toBe("");
    expect(stderr.startsWith(`downgraded ${dir}: 3 entries now in dlm's index.json format; dlm can open this store\n`)).toBe(true);
    // The journal is gone (downgrade deletes it); its copy is kept byte for byte.
    expect(existsSync(journal)).toBe(false);
    expect(stderr).toContain(`the old index is kept as ${backup}`);
    expect(readFileSync(backup)).toEqual(oldIndex);
    expect(stderr.endsWith(`\nto go back: replaykit upgrade ${dir}\n`)).toBe(true);

    // index.json as the reference writes it: dlm's keys only, loadable by the index package.
    const raw = JSON.parse(readFileSync(join(dir, "index.json"), "utf8")) as Array<Record<string, unknown>>;
    expect(raw).toHaveLength(3);
    for (const entry of raw) expect(Object.keys(entry).sort()).toEqual(DLM_KEYS);
    const loaded = await loadIndex(join(dir, "index.json"));
    expect(loaded).toHaveLength(3);
    for (const entry of loaded) {
      expect(entry).not.toHaveProperty("sectionType");
      expect(entry).not.toHaveProperty("crc32");
    }
    expect((await cli(["stats", dir, "--json"])).stdout).toContain('"format": "dlm"');

    // The same sections and the same rows: only the index's format changed.
    expect((await cli(["export", dir])).stdout).toBe(exported);
    expect((await cli(sample)).stdout).toBe(drawn);
    expect((await cli(["verify", dir])).code).toBe(0);

    const again = await cli(["downgrade", dir]);
    expect(again).toEqual({ code: 0, stdout: "", stderr: `${dir} is already in dlm format: nothing to do\n` });

    expect((await cli(["upgrade", dir], { now: NOW })).code).toBe(0);
    expect((await cli(["export", dir])).stdout).toBe(exported);
    expect((await cli(["stats", dir, "--json"])).stdout).toContain('"format": "replaykit"');
  });

  test("the reference (dlm) store is left alone, byte for byte", async () => {
    const dir = referenceStoreCopy();
    const index = readFileSync(join(dir, "index.json"));
    const result = await cli(["downgrade", dir]);
    expect(result).toEqual({ code: 0, stdout: "", stderr: `${dir} is already in dlm format: nothing to do\n` });
    expect(readFileSync(join(dir, "index.json"))).toEqual(index);
    expect(readdirSync(dir).filter((f) => f.includes("backup"))).toEqual([]);
  });

  test("an emptied store says so", async () => {
    const dir = await replaykitStore();
    await cli(["evict", dir, "--max-bytes", "0"]);
    expect(await cli(["downgrade", dir])).toEqual({ code: 0, stdout: "", stderr: `${dir} is empty: nothing to downgrade\n` });
  });
});

import { ReplayStore } from "@replaykit/store";
import { existsSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { cli, jsonl, referenceStoreCopy, tempDir } from "./helpers.js";

async function storeOf(n: number): Promise<string> {
  const dir = join(tempDir(), "store");
  const sections = Array.from({ length: n }, (_, i) => ({ section_type: "prose", content: `Paragraph ${i}: ${"words ".repeat(20 + i)}` }));
  expect((await cli(["add", dir, "-"], { stdin: jsonl(sections) })).code).toBe(0);
  return dir;
}

describe("replaykit verify", () => {
  test("an intact replaykit store: exit 0, integrity crc32, reclaimable bytes", async () => {
    const dir = await storeOf(5);
    const { code, stdout, stderr } = await cli(["verify", dir]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(stdout).toContain("(replaykit format)");
    expect(stdout).toContain("entries     5");
    expect(stdout).toMatch(/^integrity {3}crc32 /m);
    expect(stdout).toContain("reclaimable 0 B");
    expect(stdout).toContain("ok: all 5 entries are intact");
  });

  test("a dlm store is checked by decoding only, and says so", async () => {
    const { code, stdout } = await cli(["verify", referenceStoreCopy()]);
    expect(code).toBe(0);
    expect(stdout).toContain("(dlm format)");
    expect(stdout).toMatch(/^integrity {3}decode-only /m);
  });

  test("reclaimable bytes after an eviction", async () => {
    const dir = await storeOf(4);
    const keep = join(tempDir(), "keep.txt");
    writeFileSync(keep, `${(await (await ReplayStore.open(dir)).load())[0]!.sectionId}\n`);
    expect((await cli(["evict", dir, "--max-bytes", "0", "--protect", keep])).code).toBe(0);
    const { code, stdout } = await cli(["verify", dir]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^reclaimable \d.* \(run `replaykit compact`\)$/m);
  });

  test("a damaged frame: exit 1, one report line per problem with section id, byte offset and message", async () => {
    const dir = await storeOf(5);
    const entries = await (await ReplayStore.open(dir)).load();
    const victim = entries.sort((a, b) => a.byteOffset - b.byteOffset)[2]!;
    const corpus = readFileSync(join(dir, "corpus.zst"));
    const at = victim.byteOffset + Math.floor(victim.length / 2);
    corpus[at] = corpus[at]! ^ 0x40;
    writeFileSync(join(dir, "corpus.zst"), corpus);
    const { code, stdout, stderr } = await cli(["verify", dir]);
    expect(code).toBe(1);
    const problems = stdout.split("\n").filter((l) => l.startsWith("  section "));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^  section ${victim.sectionId} at byte ${victim.byteOffset}: .*CRC-32 mismatch`));
    expect(stdout).toContain("1 problem:");
    expect(stderr).toBe(`replaykit: verify found 1 problem in ${dir}; \`replaykit verify ${dir} --repair\` sets the damaged entries aside\n`);

    // --json: the same report as one object, the same exit code.
    const json = await cli(["verify", dir, "--json"]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: false,
      entries: 5,
      problems: [{ sectionId: victim.sectionId, byteOffset: victim.byteOffset }],
      indexLooksLost: false,
    });

    // --repair sets the entry aside: verify, sample and export work again; nothing left the corpus.
    const size = readFileSync(join(dir, "corpus.zst")).length;
    const repaired = await cli(["verify", dir, "--repair"]);
    expect(repaired.code).toBe(0);
    expect(repaired.stdout).toContain("repaired: 1 damaged entry moved to the quarantine record");
    expect((await cli(["verify", dir])).code).toBe(0);
    expect((await cli(["export", dir])).code).toBe(0);
    expect(readFileSync(join(dir, "corpus.zst")).length).toBe(size);
  });

  test("a lost index: verify exits 1 naming recover; compact refuses without --force; recover brings the sections back", async () => {
    const dir = await storeOf(4);
    const journal = join(dir, "index.rkx");
    writeFileSync(journal, readFileSync(journal).subarray(0, 16)); // the journal's header alone: an index with no entries
    const verify = await cli(["verify", dir]);
    expect(verify.code).toBe(1);
    expect(verify.stderr).toMatch(/^replaykit: the index of .* looks lost .*run `replaykit recover .*`/);
    expect(verify.stdout).not.toContain("run `replaykit compact`");
    const compact = await cli(["compact", dir]);
    expect(compact.code).toBe(1);
    expect(compact.stderr).toMatch(/^replaykit: refusing to compact .*replaykit recover/);
    const recover = await cli(["recover", dir]);
    expect(recover.code).toBe(0);
    expect(recover.stderr).toBe(`recovered 4 sections into a new index of ${dir}\n`);
    expect((await cli(["verify", dir])).code).toBe(0);
    // An index removed outright: the same answer.
    rmSync(journal);
    expect((await cli(["recover", dir])).stderr).toMatch(/^recovered 4 sections/);
  });

  test("quarantine: repair → compact keeps the damaged bytes; the command lists, exports and drops records", async () => {
    const dir = await storeOf(5);
    const entries = await (await ReplayStore.open(dir)).load();
    const victim = entries.sort((a, b) => a.byteOffset - b.byteOffset)[1]!;
    const corpus = readFileSync(join(dir, "corpus.zst"));
    corpus[victim.byteOffset + 3] = corpus[victim.byteOffset + 3]! ^ 0x40;
    writeFileSync(join(dir, "corpus.zst"), corpus);
    const damaged = corpus.subarray(victim.byteOffset, victim.byteOffset + victim.length);
    expect((await cli(["verify", dir, "--repair"])).code).toBe(0);
    expect((await cli(["compact", dir])).code).toBe(0);
    const listed = await cli(["quarantine", dir]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^#1  section ${victim.sectionId}  was at byte ${victim.byteOffset} `, "m"));
    const json = JSON.parse((await cli(["quarantine", dir, "--json"])).stdout);
    expect(json).toMatchObject([{ id: 1, sectionId: victim.sectionId, kept: { length: victim.length } }]);
    expect((await cli(["verify", dir])).stdout).toMatch(/^quarantine {2}1 record /m);
    expect(JSON.parse((await cli(["verify", dir, "--json"])).stdout).quarantine).toHaveLength(1);
    const out = join(tempDir(), "frame.bin");
    expect((await cli(["quarantine", dir, "--export", "1", "--out", out])).code).toBe(0);
    expect(readFileSync(out).equals(damaged)).toBe(true);
    const again = await cli(["quarantine", dir, "--export", "1", "--out", out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^replaykit: --out .*frame\.bin: cannot write/);
    expect((await cli(["quarantine", dir, "--export", "1"])).code).toBe(2);
    expect((await cli(["quarantine", dir, "--drop", "0"])).code).toBe(2);
    expect((await cli(["quarantine", dir, "--drop", "9"])).code).not.toBe(0);
    expect((await cli(["quarantine", dir, "--drop", "1"])).code).toBe(0);
    expect((await cli(["quarantine", dir])).stdout).toBe(`no quarantine records in ${dir}\n`);
  });

  test("an index deleted outright: sample, stats and export fail naming recover (never 'empty'), verify reports it", async () => {
    const dir = await storeOf(4);
    rmSync(join(dir, "index.rkx"));
    for (const argv of [
      ["sample", dir, "--k", "2", "--seed", "1"],
      ["stats", dir],
      ["export", dir],
    ]) {
      const r = await cli(argv);
      expect(r.code, argv.join(" ")).not.toBe(0);
      expect(r.stderr).toMatch(/looks lost.*recover/);
      expect(r.stderr + r.stdout).not.toMatch(/empty/);
      expect(r.stderr + r.stdout).not.toMatch(/replaykit compact/);
    }
    const verify = await cli(["verify", dir]);
    expect(verify.code).toBe(1);
    expect(verify.stderr).toMatch(/looks lost.*replaykit recover/);
  });

  test("a truncated dlm corpus: the frames past the end are reported", async () => {
    const dir = referenceStoreCopy();
    truncateSync(join(dir, "corpus.zst"), 2400);
    const { code, stdout } = await cli(["verify", dir]);
    expect(code).toBe(1);
    expect(stdout).toContain("2 problems:");
    expect(stdout).toMatch(/^ {2}section d5c79a46bf6fa7d6 at byte 2351: .*past the end/m);
    expect(stdout).toMatch(/^ {2}section bd329994e8a868b8 at byte 2536: /m);
  });

  test("a missing store: exit 3 (not found), nothing created", async () => {
    const dir = join(tempDir(), "missing");
    const { code, stderr } = await cli(["verify", dir]);
    expect(code).toBe(3);
    expect(stderr).toMatch(/^replaykit: no store at /);
    expect(existsSync(dir)).toBe(false);
  });

  test("a corrupt index is exit 4 (corrupt) with one line", async () => {
    const dir = await storeOf(1);
    writeFileSync(join(dir, "index.rkx"), "[{not json");
    const { code, stderr } = await cli(["verify", dir]);
    expect(code).toBe(4);
    expect(stderr).toMatch(/^replaykit: .*index\.rkx/);
    expect(stderr.trimEnd().split("\n")).toHaveLength(1);
  });
});

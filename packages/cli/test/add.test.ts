import { ReplayStore, sectionIdOf } from "@replaykit/store";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { cli, jsonl, NOW, tempDir } from "./helpers.js";

const SECTIONS = [
  { section_type: "prose", content: "Water boils at 100 °C at sea level." },
  { section_type: "instruction", content: "### Q\nWhat is 2 + 2?\n### A\n4", auto_mined: true, last_seen_at: "2026-03-01T10:00:00Z", training_runs_seen: [1, 2] },
  {
    section_id: "00000000000000aa",
    section_type: "preference",
    content: "### Prompt\nSay hi.\n### Chosen\nHi!\n### Rejected\nNo.",
    first_seen_at: "2026-01-01T00:00:00",
    last_seen_at: "2026-02-01T00:00:00",
  },
];

describe("replaykit add", () => {
  test("adds every line; the count goes to stderr and stdout stays empty", async () => {
    const dir = join(tempDir(), "store");
    const file = join(tempDir(), "in.jsonl");
    writeFileSync(file, jsonl(SECTIONS));
    const { code, stdout, stderr } = await cli(["add", dir, file], { now: NOW });
    expect(code).toBe(0);
    expect(stdout).toBe("");
    expect(stderr).toMatch(new RegExp(`^added 3 sections to ${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\(\\d[\\d.]* (B|KiB) corpus\\)\n$`));
    const store = await ReplayStore.open(dir);
    const entries = await store.load();
    expect(entries).toHaveLength(3);
    const snapshots = await Promise.all(entries.map((e) => store.read(e)));
    const prose = snapshots.find((s) => s.sectionType === "prose")!;
    // Defaults: the id is the content hash; the dates are now.
    expect(prose.sectionId).toBe(sectionIdOf("prose", SECTIONS[0]!.content));
    expect(prose.lastSeenAt.toISOString()).toBe(NOW.toISOString());
    expect(prose.firstSeenAt.toISOString()).toBe(NOW.toISOString());
    expect(snapshots.find((s) => s.sectionType === "instruction")).toMatchObject({ autoMined: true, trainingRunsSeen: [1, 2] });
    expect(snapshots.find((s) => s.sectionType === "preference")?.sectionId).toBe("00000000000000aa");
  });

  test("reads stdin with -; CRLF, a BOM, blank lines and a last line without newline are fine", async () => {
    const dir = join(tempDir(), "store");
    const text = "\uFEFF" + SECTIONS.map((s) => JSON.stringify(s)).join("\r\n\r\n");
    const { code, stderr } = await cli(["add", dir, "-"], { stdin: text, now: NOW });
    expect(code).toBe(0);
    expect(stderr).toMatch(/^added 3 sections to /);
    expect(await (await ReplayStore.open(dir)).load()).toHaveLength(3);
  });

  test("the default now is truncated to whole seconds", async () => {
    const dir = join(tempDir(), "store");
    const { code } = await cli(["add", dir, "-"], { stdin: jsonl([SECTIONS[0]!]), now: new Date("2026-04-01T00:00:00.789Z") });
    expect(code).toBe(0);
    const store = await ReplayStore.open(dir);
    const [entry] = await store.load();
    expect(entry!.addedAt.toISOString()).toBe("2026-04-01T00:00:00.000Z");
  });

  test("one bad line: reported with its line number, nothing appended, exit 1", async () => {
    const dir = join(tempDir(), "store");
    // A store with one section already.
    expect((await cli(["add", dir, "-"], { stdin: jsonl([SECTIONS[0]!]), now: NOW })).code).toBe(0);
    const indexBefore = readFileSync(join(dir, "index.json"));
    const corpusBefore = readFileSync(join(dir, "corpus.zst"));
    const lines = [JSON.stringify(SECTIONS[1]), JSON.stringify(SECTIONS[2]), '{"section_type":"prose","content":"x","colour":"red"}', JSON.stringify(SECTIONS[0])];
    const { code, stdout, stderr } = await cli(["add", dir, "-"], { stdin: lines.join("\n"), now: NOW });
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe(`replaykit: stdin line 3: unknown key "colour" (allowed: section_id, section_type, content, auto_mined, first_seen_at, last_seen_at, training_runs_seen); nothing was added\n`);
    expect(readFileSync(join(dir, "index.json"))).toEqual(indexBefore);
    expect(readFileSync(join(dir, "corpus.zst"))).toEqual(corpusBefore);
  });

  test("several bad lines: the first is named and the rest counted; a bad input never creates the store", async () => {
    const dir = join(tempDir(), "never-created");
    const file = join(tempDir(), "bad.jsonl");
    writeFileSync(file, ["{", JSON.stringify(SECTIONS[0]), '{"section_type":"prose","content":"x","last_seen_at":"2026-01-01T00:00:00.250Z"}'].join("\n"));
    const { code, stderr } = await cli(["add", dir, file], { now: NOW });
    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(`^replaykit: ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} line 1: not valid JSON .*; nothing was added \\(2 bad lines in all\\)\n$`));
    expect(existsSync(dir)).toBe(false);
  });

  test("a date with fractional seconds is a clear error naming the key", async () => {
    const dir = join(tempDir(), "store");
    const { code, stderr } = await cli(["add", dir, "-"], {
      stdin: jsonl([{ section_type: "prose", content: "x", last_seen_at: "2026-01-01T00:00:00.5" }]),
    });
    expect(code).toBe(1);
    expect(stderr).toBe(`replaykit: stdin line 1: last_seen_at: must be whole seconds, got "2026-01-01T00:00:00.5"; nothing was added\n`);
  });

  test("SnapshotInvalidError fields are reported as JSON keys", async () => {
    const dir = join(tempDir(), "store");
    const { code, stderr } = await cli(["add", dir, "-"], { stdin: jsonl([{ section_type: "prose", content: "x", training_runs_seen: [1, 2.5] }]) });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^replaykit: stdin line 1: training_runs_seen\[1\]: must be a non-negative safe integer, got 2\.5; nothing was added\n$/);
  });

  test("an empty input adds nothing and creates nothing", async () => {
    const dir = join(tempDir(), "store");
    const { code, stderr } = await cli(["add", dir, "-"], { stdin: "\n\n" });
    expect(code).toBe(0);
    expect(stderr).toBe("nothing to add: stdin has no sections\n");
    expect(existsSync(dir)).toBe(false);
  });

  test("a missing input file is a failure (exit 1)", async () => {
    const dir = join(tempDir(), "store");
    const { code, stderr } = await cli(["add", dir, join(tempDir(), "missing.jsonl")]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^replaykit: cannot read .*missing\.jsonl: no such file\n$/);
  });

  test("a file that is not UTF-8 names the line", async () => {
    const file = join(tempDir(), "latin1.jsonl");
    writeFileSync(file, Buffer.concat([Buffer.from(JSON.stringify(SECTIONS[0]) + "\n"), Buffer.from('{"section_type":"prose","content":"caf'), Buffer.from([0xe9]), Buffer.from('"}\n')]));
    const { code, stderr } = await cli(["add", join(tempDir(), "s"), file]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/line 2: not valid UTF-8 text\n$/);
  });

  test("a long input on a terminal shows progress on stderr; the summary still ends it", async () => {
    const dir = join(tempDir(), "store");
    const file = join(tempDir(), "long.jsonl");
    writeFileSync(file, jsonl(Array.from({ length: 2100 }, (_, i) => ({ section_type: "prose", content: `Line ${i}.` }))));
    const tty = await cli(["add", dir, file], { stderrTTY: true });
    expect(tty.code).toBe(0);
    expect(tty.stderr).toContain("reading");
    expect(tty.stderr).toMatch(/added 2,100 sections to .*\n$/);
    const piped = await cli(["add", join(tempDir(), "other"), file]);
    expect(piped.stderr).toMatch(/^added 2,100 sections to [^\n]*\n$/);
  });
});

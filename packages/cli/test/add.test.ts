import { ReplayStore, sectionIdOf } from "@replaykit/store";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { run } from "../src/index.js";
import { cli, jsonl, NOW, Sink, tempDir } from "./helpers.js";

const esc = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const SECTIONS = [
  { section_type: "prose", content: "Water boils at 100 °C at sea level." },
  {
    section_type: "instruction",
    content: "### Q\nWhat is 2 + 2?\n### A\n4",
    auto_mined: true,
    last_seen_at: "2026-03-01T10:00:00Z",
    training_runs_seen: [1, 2],
  },
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
    const indexBefore = readFileSync(join(dir, "index.rkx"));
    const corpusBefore = readFileSync(join(dir, "corpus.zst"));
    const lines = [
      JSON.stringify(SECTIONS[1]),
      JSON.stringify(SECTIONS[2]),
      '{"section_type":"prose","content":"x","colour":"red"}',
      JSON.stringify(SECTIONS[0]),
    ];
    const { code, stdout, stderr } = await cli(["add", dir, "-"], { stdin: lines.join("\n"), now: NOW });
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      `stdin line 3: colour: unknown key (allowed: section_id, section_type, content, auto_mined, first_seen_at, last_seen_at, training_runs_seen)\n` +
        `replaykit: 1 bad line in stdin; nothing was added (--skip-invalid adds the 3 good ones)\n`,
    );
    expect(readFileSync(join(dir, "index.rkx"))).toEqual(indexBefore);
    expect(readFileSync(join(dir, "corpus.zst"))).toEqual(corpusBefore);
  });

  test("every bad line is reported in one run (JSON, keys, bodies), in line order; a bad input never creates the store", async () => {
    const dir = join(tempDir(), "never-created");
    const file = join(tempDir(), "bad.jsonl");
    writeFileSync(
      file,
      [
        "{",
        JSON.stringify(SECTIONS[0]),
        JSON.stringify({ section_type: "instruction", content: "### Q: How do I reset my password?\n### A\nClick forgot." }),
        '{"section_type":"prose","content":"x","last_seen_at":"2026-01-01T00:00:00.250Z"}',
        JSON.stringify({ section_type: null, content: 5, auto_mined: "yes" }),
        JSON.stringify({ section_type: "code", content: "x = 1" }),
        "[1, 2]",
      ].join("\n"),
    );
    const { code, stderr } = await cli(["add", dir, file], { now: NOW });
    expect(code).toBe(1);
    const lines = stderr.split("\n");
    expect(lines[0]).toMatch(/ line 1: not valid JSON \(/);
    expect(lines[1]).toMatch(new RegExp(`^${esc(file)} line 3: content: body line 1: .+`));
    expect(lines[2]).toBe(`${file} line 4: last_seen_at: must be whole seconds, got "2026-01-01T00:00:00.250Z"`);
    expect(lines[3]).toBe(
      `${file} line 5: section_type: must be a string, got null (leave the key out to use its default); content: must be a string, got 5; auto_mined: must be true or false, got "yes"`,
    );
    expect(lines[4]).toMatch(new RegExp(`^${esc(file)} line 6: section_type: "code" has no row expander`));
    expect(lines[5]).toBe(`${file} line 7: expected a JSON object, got an array`);
    expect(lines[6]).toBe(`replaykit: 6 bad lines in ${file}; nothing was added (--skip-invalid adds the 1 good one)`);
    expect(existsSync(dir)).toBe(false);
  });

  test("the first 20 bad lines in full, then a count", async () => {
    const text = Array.from({ length: 30 }, (_, i) => (i === 29 ? JSON.stringify(SECTIONS[0]) : `{"bad": ${i}}`)).join("\n");
    const { code, stderr } = await cli(["add", join(tempDir(), "s"), "-"], { stdin: text, now: NOW });
    expect(code).toBe(1);
    const lines = stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(22);
    expect(lines[0]).toMatch(/^stdin line 1: section_type: missing \(it is required\); content: missing \(it is required\); bad: unknown key/);
    expect(lines[19]).toMatch(/^stdin line 20: /);
    expect(lines[20]).toBe("… and 9 more bad lines (29 in all)");
    expect(lines[21]).toBe("replaykit: 29 bad lines in stdin; nothing was added (--skip-invalid adds the 1 good one)");
  });

  test("--skip-invalid adds the good lines; --rejects writes the bad ones as they were", async () => {
    const dir = join(tempDir(), "store");
    const rejects = join(tempDir(), "rejects.jsonl");
    const badBody = JSON.stringify({ section_type: "preference", content: "### Prompt\nHi\n### Chosen\nHello" });
    const text = [JSON.stringify(SECTIONS[0]), "not json", JSON.stringify(SECTIONS[1]), badBody, ""].join("\n");
    const { code, stderr } = await cli(["add", dir, "-", "--skip-invalid", "--rejects", rejects], { stdin: text, now: NOW });
    expect(code).toBe(0);
    expect(stderr).toMatch(/^stdin line 2: not valid JSON/);
    expect(stderr).toMatch(/\nstdin line 4: content: body line \d+: /);
    expect(stderr).toMatch(/\nadded 2 sections to .*; skipped 2 bad lines \(written to .*rejects\.jsonl\)\n$/);
    expect(readFileSync(rejects, "utf8")).toBe(`not json\n${badBody}\n`);
    expect(await (await ReplayStore.open(dir)).load()).toHaveLength(2);
    // --rejects needs --skip-invalid; --supersede and --keep-duplicates exclude each other.
    expect((await cli(["add", dir, "-", "--rejects", rejects], { stdin: text })).code).toBe(2);
    expect((await cli(["add", dir, "-", "--supersede", "--keep-duplicates"], { stdin: text })).code).toBe(2);
  });

  test("adding the same file twice changes nothing the second time, and says so", async () => {
    const dir = join(tempDir(), "store");
    const text = jsonl(SECTIONS);
    expect((await cli(["add", dir, "-"], { stdin: text, now: NOW })).code).toBe(0);
    const corpus = readFileSync(join(dir, "corpus.zst"));
    const again = await cli(["add", dir, "-"], { stdin: text, now: NOW });
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/^added 0 sections to .*; skipped 3 lines already in the store \(same section id and last_seen_at\)\n$/);
    expect(readFileSync(join(dir, "corpus.zst"))).toEqual(corpus);
    // --keep-duplicates writes them again (dlm's behaviour).
    const kept = await cli(["add", dir, "-", "--keep-duplicates"], { stdin: text, now: NOW });
    expect(kept.stderr).toMatch(/^added 3 sections/);
    expect(await (await ReplayStore.open(dir)).load()).toHaveLength(6);
  });

  test("--supersede: a newer snapshot of a section replaces its older entries", async () => {
    const dir = join(tempDir(), "store");
    const v1 = { section_id: "00000000000000bb", section_type: "prose", content: "Old wording.", last_seen_at: "2026-01-01T00:00:00Z" };
    const v2 = { ...v1, content: "New wording.", last_seen_at: "2026-02-01T00:00:00Z" };
    expect((await cli(["add", dir, "-"], { stdin: jsonl([v1]), now: NOW })).code).toBe(0);
    const { code, stderr } = await cli(["add", dir, "-", "--supersede"], { stdin: jsonl([v2]), now: NOW });
    expect(code).toBe(0);
    expect(stderr).toMatch(/^added 1 section to .*; 1 older entry superseded\n$/);
    const store = await ReplayStore.open(dir);
    const entries = await store.load();
    expect(entries).toHaveLength(1);
    expect((await store.read(entries[0]!)).content).toBe("New wording.");
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
    expect(stderr).toMatch(/^replaykit: <file> .*missing\.jsonl: cannot read: no such file or directory \(ENOENT\)\n$/);
  });

  test("a file that is not UTF-8 names the line", async () => {
    const file = join(tempDir(), "latin1.jsonl");
    writeFileSync(
      file,
      Buffer.concat([
        Buffer.from(JSON.stringify(SECTIONS[0]) + "\n"),
        Buffer.from('{"section_type":"prose","content":"caf'),
        Buffer.from([0xe9]),
        Buffer.from('"}\n'),
      ]),
    );
    const { code, stderr } = await cli(["add", join(tempDir(), "s"), file]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/line 2: not valid UTF-8 text\nreplaykit: 1 bad line in /);
  });

  test("a line too long to store is reported by its length, not as bad UTF-8", { timeout: 120_000 }, async () => {
    const huge = Buffer.alloc(65 * 1024 * 1024, "a");
    const chunks = [Buffer.from('{"section_type":"prose","content":"'), huge, Buffer.from('"}\n'), Buffer.from(JSON.stringify(SECTIONS[0]))];
    const { code, stderr } = await cli(["add", join(tempDir(), "s"), "-"], { stdin: chunks, now: NOW });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^stdin line 1: the line is 65\.00 MiB long; a section line may be at most 64\.00 MiB/);
  });

  test("a long input: no progress output when stderr is piped; on a terminal the summary still ends it", async () => {
    const dir = join(tempDir(), "store");
    const file = join(tempDir(), "long.jsonl");
    writeFileSync(file, jsonl(Array.from({ length: 2100 }, (_, i) => ({ section_type: "prose", content: `Line ${i}.` }))));
    const piped = await cli(["add", join(tempDir(), "other"), file]);
    expect(piped.stderr).toMatch(/^added 2,100 sections to [^\n]*\n$/);
    const tty = await cli(["add", dir, file], { stderrTTY: true });
    expect(tty.code).toBe(0);
    expect(tty.stderr).toMatch(/added 2,100 sections to .*\n$/);
  });
});

describe("replaykit add: an input that is not JSONL at all", () => {
  test("a CSV file: one line naming the file and the first line's parse error, nothing added", async () => {
    const dir = join(tempDir(), "store");
    const file = join(tempDir(), "data.csv");
    writeFileSync(file, ["question,answer", ...Array.from({ length: 40 }, (_, i) => `what is ${i},${i}`)].join("\n"));
    const { code, stdout, stderr } = await cli(["add", dir, file]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(
      new RegExp(`^replaykit: ${esc(file)}: not JSONL: line 1 is not JSON \\(Unexpected token .*\\), nor are lines 2, 3, 4, 5; nothing was added\\n$`),
    );
    expect(existsSync(dir)).toBe(false);
  });

  test("a binary file: one line, its bytes never echoed as control characters", async () => {
    const file = join(tempDir(), "model.bin");
    const bytes = Buffer.alloc(4096);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + 7) % 256;
    writeFileSync(file, bytes);
    const { code, stderr } = await cli(["add", join(tempDir(), "store"), file, "--skip-invalid"]);
    expect(code).toBe(1);
    expect(stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(new RegExp(`^replaykit: ${esc(file)}: not JSONL: line 1 is not JSON \\(.+\\), nor are lines 2, 3, 4, 5; nothing was added\\n$`));
    expect(stderr.slice(0, -1)).not.toMatch(/[\x00-\x1f\x7f]/);
  });

  test("stops reading at the fifth line: an endless non-JSON stdin still ends", async () => {
    const stderr = new Sink();
    const endless = (async function* () {
      yield Buffer.from("\u0000\u0001binary\n\n<html>\n<body>\n# a comment\nid;name\n");
      // A reader that went on would wait here for ever.
      await new Promise(() => undefined);
    })();
    const code = await run(["add", join(tempDir(), "store"), "-"], { stdin: endless, stdout: new Sink(), stderr, env: {} });
    expect(code).toBe(1);
    expect(stderr.text).toMatch(/^replaykit: stdin: not JSONL: line 1 is not JSON \(.*\\x00\\x01binary.*\), nor are lines 3, 4, 5, 6; nothing was added\n$/);
  });

  test("a mostly good file keeps the per-line report: a leading bad line, or four, then JSON", async () => {
    const text = ["a,b", "c,d", "e,f", "g,h", JSON.stringify(SECTIONS[0]), "i,j", "k,l"].join("\n");
    const { code, stderr } = await cli(["add", join(tempDir(), "s"), "-"], { stdin: text, now: NOW });
    expect(code).toBe(1);
    const lines = stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(7);
    expect(lines[0]).toMatch(/^stdin line 1: not valid JSON \(/);
    expect(lines[5]).toMatch(/^stdin line 7: not valid JSON \(/);
    expect(lines[6]).toBe("replaykit: 6 bad lines in stdin; nothing was added (--skip-invalid adds the 1 good one)");
    // JSON objects with bad keys are JSON: the five of them are reported line by line.
    const keys = Array.from({ length: 6 }, (_, i) => JSON.stringify({ kind: i })).join("\n");
    const report = await cli(["add", join(tempDir(), "s"), "-"], { stdin: keys, now: NOW });
    expect(report.stderr.trimEnd().split("\n")).toHaveLength(7);
    expect(report.stderr).toMatch(/^stdin line 1: section_type: missing/);
  });
});

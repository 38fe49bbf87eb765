// s3:// locations in the CLI without a real S3 server: the location and flag checks (usage
// errors before anything is opened or created), the commands that refuse object storage,
// and the one-line errors of a store in object storage, against a tiny S3 on 127.0.0.1
// (test/fake-s3.ts) that the tests start and stop. The commands against a real S3 server
// (Ceph RGW) are in s3-rgw.test.ts.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { FakeS3 } from "./fake-s3.js";
import { cli, jsonl, NOW, tempDir } from "./helpers.js";

const SECRET = "SECRETKEY-must-never-appear-0123456789";
const SECTIONS = jsonl([
  { section_type: "prose", content: "Water boils at 100 °C at sea level.", last_seen_at: "2026-01-01T00:00:00" },
  { section_type: "prose", content: "Ice melts at 0 °C.", last_seen_at: "2026-02-01T00:00:00" },
]);

/** The one line a failure prints: exactly one line, `replaykit: …`, and no stack. */
function oneErrorLine(stderr: string): string {
  const lines = stderr.split("\n").filter((l) => l !== "");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^replaykit: /);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

describe("s3:// locations and their flags: usage errors before anything is opened", () => {
  test("a bad --endpoint is a usage error naming the flag; nothing is created", async () => {
    const cwdEntries = readdirSync(".");
    for (const endpoint of ["ftp://127.0.0.1:1", "not a url", "127.0.0.1:7480", "http://"]) {
      const r = await cli(["add", "s3://bucket/p", "-", "--endpoint", endpoint], { stdin: SECTIONS, now: NOW });
      expect(r.code).toBe(2);
      expect(oneErrorLine(r.stderr)).toMatch(/^replaykit: --endpoint must be an http\(s\) URL/);
    }
    expect(readdirSync(".")).toEqual(cwdEntries);
  });

  test("an endpoint or s3:// URL holding credentials is refused without echoing them", async () => {
    const viaFlag = await cli(["stats", "s3://bucket/p", "--endpoint", `http://AKIAFAKE:${SECRET}@127.0.0.1:9`]);
    expect(viaFlag.code).toBe(2);
    expect(oneErrorLine(viaFlag.stderr)).toContain("--endpoint: credentials do not belong in the endpoint URL");
    const viaUrl = await cli(["stats", `s3://AKIAFAKE:${SECRET}@bucket/p`]);
    expect(viaUrl.code).toBe(2);
    expect(oneErrorLine(viaUrl.stderr)).toContain("credentials do not belong in the s3:// URL");
    const viaEnv = await cli(["stats", "s3://bucket/p"], { env: { AWS_ENDPOINT_URL_S3: `https://k:${SECRET}@s3.example.com` } });
    expect(viaEnv.code).toBe(2);
    expect(oneErrorLine(viaEnv.stderr)).toContain("AWS_ENDPOINT_URL_S3: credentials do not belong");
    for (const r of [viaFlag, viaUrl, viaEnv]) expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  test("a bad endpoint in the environment is named by its variable (AWS_ENDPOINT_URL_S3 before AWS_ENDPOINT_URL; --endpoint before both)", async () => {
    const s3 = await cli(["stats", "s3://bucket/p"], { env: { AWS_ENDPOINT_URL_S3: "nope", AWS_ENDPOINT_URL: "http://127.0.0.1:9" } });
    expect(s3.code).toBe(2);
    expect(oneErrorLine(s3.stderr)).toMatch(/^replaykit: AWS_ENDPOINT_URL_S3 must be an http\(s\) URL.*"nope"/);
    const generic = await cli(["stats", "s3://bucket/p"], { env: { AWS_ENDPOINT_URL: "s3.example.com" } });
    expect(oneErrorLine(generic.stderr)).toMatch(/^replaykit: AWS_ENDPOINT_URL must be an http\(s\) URL/);
    // An empty variable is unset (the S3 client reads it so too); --endpoint wins over both.
    const flag = await cli(["stats", "s3://bucket/p", "--endpoint", "gopher://x"], { env: { AWS_ENDPOINT_URL_S3: "nope" } });
    expect(oneErrorLine(flag.stderr)).toMatch(/^replaykit: --endpoint must be/);
  });

  test("s3:// with no bucket, a malformed bucket or prefix, s3:/ and other schemes are usage errors naming <store-dir>", async () => {
    const cases: Array<[string, RegExp]> = [
      ["s3://", /<store-dir> s3:\/\/ names no bucket: expected s3:\/\/bucket\/prefix/],
      ["s3:///prefix", /<store-dir> s3:\/\/\/prefix names no bucket/],
      ["s3:/bucket/prefix", /<store-dir> s3:\/bucket\/prefix is neither a directory path nor an s3:\/\/ URL: write s3:\/\/bucket\/prefix/],
      ["gs://bucket/prefix", /<store-dir> gs:\/\/bucket\/prefix is neither a directory path nor an s3:\/\/ URL: object storage is s3:\/\/bucket\/prefix/],
    ];
    for (const [location, message] of cases) {
      const r = await cli(["stats", location]);
      expect(r.code, location).toBe(2);
      expect(oneErrorLine(r.stderr)).toMatch(message);
    }
  });

  test("--endpoint, --region and --path-style with a directory are refused (they would do nothing), and nothing is created", async () => {
    const dir = join(tempDir(), "replay");
    const r = await cli(["add", dir, "-", "--endpoint", "http://127.0.0.1:9", "--path-style"], { stdin: SECTIONS, now: NOW });
    expect(r.code).toBe(2);
    expect(oneErrorLine(r.stderr)).toBe(
      `replaykit: --endpoint, --path-style are for a store in object storage (s3://bucket/prefix), not for a directory (${dir})`,
    );
    expect(existsSync(dir)).toBe(false);
    const region = await cli(["stats", dir, "--region", "eu-west-1"]);
    expect(region.code).toBe(2);
    expect(oneErrorLine(region.stderr)).toContain("--region is for a store in object storage");
  });

  test("add with its arguments swapped (the file first, then s3://…) shows the command the right way round", async () => {
    const file = join(tempDir(), "day-12.jsonl");
    const { writeFile } = await import("node:fs/promises");
    await writeFile(file, SECTIONS);
    const r = await cli(["add", file, "s3://bucket/replay", "--endpoint", "http://127.0.0.1:9"]);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r.stderr)).toBe(
      `replaykit: <store-dir> ${file} is not an s3:// URL but s3://bucket/replay is; did you mean \`replaykit add s3://bucket/replay ${file}\`? (the store comes first)`,
    );
  });

  test("every command that takes a store shows the three flags and s3:// in its --help; the program's help documents the environment", async () => {
    for (const command of ["add", "sample", "stats", "verify", "evict", "remove", "compact", "recover", "quarantine", "export", "upgrade", "downgrade"]) {
      const r = await cli([command, "--help"]);
      expect(r.code, command).toBe(0);
      expect(r.stdout, command).toContain("s3://bucket/prefix");
      for (const flag of ["--endpoint <url>", "--region <region>", "--path-style"]) expect(r.stdout, `${command} ${flag}`).toContain(flag);
    }
    const top = await cli(["--help"]);
    for (const word of ["s3://bucket/prefix", "AWS_ENDPOINT_URL_S3", "AWS_REGION", "AWS_PROFILE", "REPLAYKIT_CACHE", "8 unsupported"])
      expect(top.stdout, word).toContain(word);
  });
});

describe("against a tiny S3 on 127.0.0.1", () => {
  const fake = new FakeS3("bucket");
  const saved: Record<string, string | undefined> = {};
  const credentials = { AWS_ACCESS_KEY_ID: "AKIAFAKEFAKEFAKE", AWS_SECRET_ACCESS_KEY: SECRET, AWS_EC2_METADATA_DISABLED: "true" };
  let env: Record<string, string>;
  beforeAll(async () => {
    // The S3 client reads credentials from the process's environment: fake ones, for a fake server.
    for (const [name, value] of Object.entries(credentials)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    await fake.start();
  });
  afterAll(async () => {
    await fake.stop();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  beforeEach(() => {
    fake.reset();
    env = { REPLAYKIT_CACHE: join(tempDir(), "cache") };
  });
  const at = (...args: string[]) => [...args, "--endpoint", fake.url];

  test("add, stats and sample work, the receipt names the commit, and stats prints where and which commit", async () => {
    const added = await cli(at("add", "s3://bucket/team/replay", "-"), { stdin: SECTIONS, now: NOW, env });
    expect(added.stderr).toContain("added 2 sections to s3://bucket/team/replay");
    expect(added.code).toBe(0);
    expect([...fake.objects.keys()].some((k) => k.startsWith("team/replay/commits/"))).toBe(true);
    const stats = await cli(at("stats", "s3://bucket/team/replay/"), { now: NOW, env });
    expect(stats.code).toBe(0);
    expect(stats.stdout).toMatch(/^store {7}s3:\/\/bucket\/team\/replay \(replaykit format\)\ncommit {6}1 /);
    expect(stats.stdout).toContain("in object storage");
    const json = JSON.parse((await cli(at("stats", "s3://bucket/team/replay", "--json"), { env })).stdout) as Record<string, unknown>;
    expect([json.location, json.commit, json.entries]).toEqual(["s3://bucket/team/replay", 1, 2]);
    const receipt = join(tempDir(), "receipt.json");
    const drawn = await cli(at("sample", "s3://bucket/team/replay", "--k", "1", "--seed", "3", "--now", "2026-03-01T00:00:00", "--receipt", receipt), { env });
    expect(drawn.code).toBe(0);
    expect(drawn.stderr).toBe("commit: 1\n");
    const { readFile } = await import("node:fs/promises");
    expect((JSON.parse(await readFile(receipt, "utf8")) as { store: { commit: number } }).store.commit).toBe(1);
  });

  test("sample --commit N draws from that commit after later writes; a commit the store does not have is a usage error", async () => {
    const store = "s3://bucket/pinned";
    expect((await cli(at("add", store, "-"), { stdin: SECTIONS, now: NOW, env })).code).toBe(0);
    const draw = ["--k", "5", "--seed", "1", "--now", "2026-03-01T00:00:00"];
    const atOne = await cli(at("sample", store, ...draw), { env });
    expect(atOne.stderr).toBe("commit: 1\n");
    const more = jsonl([{ section_type: "prose", content: "A later section.", last_seen_at: "2026-02-15T00:00:00" }]);
    expect((await cli(at("add", store, "-"), { stdin: more, now: NOW, env })).code).toBe(0);
    const latest = await cli(at("sample", store, ...draw), { env });
    expect(latest.stderr).toBe("commit: 2\n");
    expect(latest.stdout).not.toBe(atOne.stdout);
    const pinned = await cli(at("sample", store, ...draw, "--commit", "1"), { env });
    expect(pinned.code).toBe(0);
    expect(pinned.stderr).toBe("commit: 1\n");
    expect(pinned.stdout).toBe(atOne.stdout);
    const missing = await cli(at("sample", store, ...draw, "--commit", "9"), { env });
    expect(missing.code).toBe(2);
    expect(oneErrorLine(missing.stderr)).toBe("replaykit: --commit 9: s3://bucket/pinned has no commit 9 (its latest is 2)");
    const local = await cli(["sample", join(tempDir(), "replay"), ...draw, "--commit", "1"]);
    expect(local.code).toBe(2);
    expect(oneErrorLine(local.stderr)).toContain("--commit is for a store in object storage");
    const exposure = await cli(at("sample", store, ...draw, "--commit", "1", "--record-exposure"), { env });
    expect(exposure.code).toBe(2);
    expect(oneErrorLine(exposure.stderr)).toContain("--commit reads an earlier commit, and --record-exposure writes a new one");
  });

  test("an empty prefix is no store (exit 3) for every command but add", async () => {
    const r = await cli(at("stats", "s3://bucket/nothing-here"), { env });
    expect(r.code).toBe(3);
    expect(oneErrorLine(r.stderr)).toBe(
      "replaykit: no store at s3://bucket/nothing-here (no commit under that prefix; `replaykit add` or `replaykit push` makes one)",
    );
    expect([...fake.objects.keys()]).toEqual([]);
  });

  test("verify --repair, quarantine, upgrade and downgrade refuse object storage in one line (exit 8) without a request", async () => {
    const cases: Array<[string[], string]> = [
      [["verify", "s3://bucket/p", "--repair"], "verify --repair"],
      [["quarantine", "s3://bucket/p"], "quarantine"],
      [["quarantine", "s3://bucket/p", "--drop-all"], "quarantine"],
      [["upgrade", "s3://bucket/p"], "upgrade"],
      [["downgrade", "s3://bucket/p"], "downgrade"],
    ];
    for (const [argv, operation] of cases) {
      const r = await cli(at(...argv), { env });
      expect(r.code, argv.join(" ")).toBe(8);
      expect(oneErrorLine(r.stderr)).toBe(
        `replaykit: ${operation} works on a store in a directory, not in object storage (s3://bucket/p): \`replaykit pull s3://bucket/p DIR\`, run it on DIR, and \`replaykit push DIR\` to a new prefix`,
      );
    }
    expect(fake.requests).toEqual([]);
  });

  test("an endpoint that ignores conditional writes: one line naming the endpoint (UnsafeEndpointError), exit 8, nothing written", async () => {
    fake.behaviour = "ignore-conditions";
    const r = await cli(at("add", "s3://bucket/unsafe", "-"), { stdin: SECTIONS, now: NOW, env });
    expect(r.code).toBe(8);
    const line = oneErrorLine(r.stderr);
    expect(line).toMatch(new RegExp(`^replaykit: endpoint ${fake.url.replaceAll(".", "\\.")} ignores If-None-Match \\(bucket "bucket", key "unsafe/probes/`));
    expect(line).toContain("nothing else was written");
    expect(r.stderr).not.toContain("added");
    // Only the probe was ever written, and it is gone.
    const puts = fake.requests.filter((q) => q.method === "PUT");
    expect(puts.length).toBeGreaterThan(0);
    expect(puts.every((q) => q.key.startsWith("unsafe/probes/"))).toBe(true);
    expect([...fake.objects.keys()]).toEqual([]);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  test("another writer committing first every time: StoreConflictError in one line, exit 7", async () => {
    fake.behaviour = "commits-taken";
    const r = await cli(at("add", "s3://bucket/busy", "-"), { stdin: SECTIONS, now: NOW, env });
    expect(r.code).toBe(7);
    expect(oneErrorLine(r.stderr)).toMatch(/^replaykit: store: s3:\/\/bucket\/busy: .*another writer committed first.*nothing of this write was committed$/);
    expect([...fake.objects.keys()].filter((k) => k.includes("/commits/"))).toEqual([]);
  });

  test("a failing server (503 on every request): ObjectStoreError in one line naming the bucket, the key and the status, exit 5", async () => {
    fake.behaviour = "503";
    const r = await cli(at("stats", "s3://bucket/down"), { env });
    expect(r.code).toBe(5);
    const line = oneErrorLine(r.stderr);
    expect(line).toMatch(/bucket "bucket", key "down\//);
    expect(line).toContain("status 503");
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });
});

// replaykit push / pull. The in-memory object store is not reachable from a command line,
// so the round trip runs against the RGW that .ci/run starts (REPLAYKIT_TEST_S3_ENDPOINT);
// without it only the argument checks run.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { cli, jsonl, NOW, referenceStoreCopy, tempDir } from "./helpers.js";

const sections = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ section_type: "prose", content: `Section ${i}: ${"some prose words ".repeat(5 + (i % 9))}` }));

describe("arguments", () => {
  test("--help documents push and pull with their flags and examples", async () => {
    const push = await cli(["push", "--help"]);
    expect(push.code).toBe(0);
    expect(push.stdout).toMatch(/Usage: replaykit push \[options\] <store-dir> <s3-url>/);
    expect(push.stdout).toMatch(/--endpoint <url>[\s\S]*--region <region>[\s\S]*--path-style[\s\S]*--wait <seconds>[\s\S]*Examples:/);
    const pull = await cli(["pull", "--help"]);
    expect(pull.code).toBe(0);
    expect(pull.stdout).toMatch(/Usage: replaykit pull \[options\] <s3-url> <dir>/);
    expect(pull.stdout).toMatch(/--commit <n>[\s\S]*--endpoint <url>[\s\S]*--region <region>[\s\S]*--path-style[\s\S]*Examples:/);
    const all = await cli(["--help"]);
    expect(all.stdout).toMatch(/push \[options\] <store-dir> <s3-url>/);
    expect(all.stdout).toMatch(/pull \[options\] <s3-url> <dir>/);
  });

  test.each([
    [["push"], 2, /^replaykit: missing required argument 'store-dir' \(see `replaykit push --help`\)\n$/],
    [["push", "./replay"], 2, /^replaykit: missing required argument 's3-url' \(see `replaykit push --help`\)\n$/],
    [["pull", "s3://b/p"], 2, /^replaykit: missing required argument 'dir' \(see `replaykit pull --help`\)\n$/],
    [["push", "./replay", "./elsewhere"], 2, /^replaykit: <s3-url> must be s3:\/\/bucket\/prefix, got "\.\/elsewhere"\n$/],
    [["push", "s3://b/p", "./replay"], 2, /did you mean `replaykit push \.\/replay s3:\/\/b\/p`\?/],
    [["pull", "./replay", "s3://b/p"], 2, /did you mean `replaykit pull s3:\/\/b\/p \.\/replay`\?/],
    [["pull", "./a", "./b"], 2, /^replaykit: <s3-url> must be s3:\/\/bucket\/prefix/],
    [["pull", "s3://b/p", "./x", "--commit", "x"], 2, /option '--commit <n>' argument 'x' is invalid/],
    [["pull", "s3://b/p", "./x", "--commit", "0"], 2, /--commit must be 1 or more/],
    [["push", "./replay", "s3://b/p", "--endpoint", "nope"], 2, /--endpoint must be an http\(s\) URL/],
    [["push", "./replay", "s3://b/p", "--wait", "soon"], 2, /option '--wait <seconds>' argument 'soon' is invalid/],
    [["push", "./replay", "s3://b/p", "--bogus"], 2, /unknown option '--bogus'/],
  ])("%j: exit %i, one line", async (argv, code, pattern) => {
    const result = await cli(argv);
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(pattern);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });

  test("a malformed s3:// URL: usage error naming it", async () => {
    const dir = join(tempDir(), "replay");
    await mkdir(dir);
    const r = await cli(["push", dir, "s3://"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("replaykit: <store-dir> s3:// names no bucket: expected s3://bucket/prefix\n");
  });

  test("push of a missing directory: no store (exit 3); of a file: usage error", async () => {
    const missing = join(tempDir(), "nope");
    const r = await cli(["push", missing, "s3://bucket/p"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(`replaykit: no store at ${missing} (the directory does not exist)\n`);
    const file = join(tempDir(), "day.jsonl");
    writeFileSync(file, "{}\n");
    const f = await cli(["push", file, "s3://bucket/p"]);
    expect(f.code).toBe(2);
    expect(f.stderr).toMatch(/is a file, not a store directory/);
  });

  test("pull into a directory that holds a store: exit 7 before any request, nothing written", async () => {
    const store = referenceStoreCopy();
    const before = readdirSync(store).sort();
    // A closed local port: had the command made a request first, the error would be a connection failure.
    const r = await cli(["pull", "s3://bucket/p", store, "--endpoint", "http://127.0.0.1:9", "--region", "us-east-1"], {
      env: {},
    });
    expect(r.stderr).toMatch(/already holds a store \(corpus\.zst\)/);
    expect(r.code).toBe(7);
    expect(readdirSync(store).sort()).toEqual(before);
  });
});

const endpoint = process.env.REPLAYKIT_TEST_S3_ENDPOINT;
const bucket = process.env.REPLAYKIT_TEST_S3_BUCKET ?? "replaykit-test";
if (endpoint === undefined) console.warn("SKIPPED: replaykit push/pull against RGW (REPLAYKIT_TEST_S3_ENDPOINT is not set)");

describe.skipIf(endpoint === undefined)("against RGW", () => {
  const prefix = `cli-transfer-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  let cacheBefore: string | undefined;
  beforeAll(() => {
    cacheBefore = process.env.REPLAYKIT_CACHE;
    process.env.REPLAYKIT_CACHE = join(tempDir(), "cache");
  });
  afterAll(async () => {
    if (cacheBefore === undefined) delete process.env.REPLAYKIT_CACHE;
    else process.env.REPLAYKIT_CACHE = cacheBefore;
    if (endpoint === undefined) return;
    type Objects = { list(prefix: string): AsyncIterable<{ key: string }>; delete(key: string): Promise<void> };
    // Not a dependency of the CLI: the workspace's copy, by a path the type checker leaves alone.
    const from = fileURLToPath(new URL("../../object-store/src/index.ts", import.meta.url));
    const { s3ObjectStore } = (await import(from)) as { s3ObjectStore: (o: object) => Objects };
    const objects = s3ObjectStore({ bucket, endpoint, forcePathStyle: true });
    for await (const e of objects.list(`${prefix}/`)) await objects.delete(e.key);
  });

  test("push, pull: byte-identical files; a second push is refused; pull --commit", { timeout: 120_000 }, async () => {
    const dir = join(tempDir(), "replay");
    expect((await cli(["add", dir, "-"], { stdin: jsonl(sections(40)), now: NOW })).code).toBe(0);
    const url = `s3://${bucket}/${prefix}/replay`;
    const flags = ["--endpoint", endpoint!, "--path-style"];
    const pushed = await cli(["push", dir, url, ...flags]);
    expect(pushed.stderr).toMatch(new RegExp(`^pushed ${dir} to ${url} \\(commit 1\\): .* in 1 segment\\n$`));
    expect(pushed.code).toBe(0);

    const again = await cli(["push", dir, url, ...flags]);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/resumed/);

    const target = join(tempDir(), "copy");
    const pulled = await cli(["pull", url, target, ...flags]);
    expect(pulled.stderr).toMatch(new RegExp(`^pulled ${url} \\(commit 1\\) into ${target}: `));
    expect(pulled.code).toBe(0);
    for (const name of ["corpus.zst", "index.rkx"]) expect(Buffer.compare(readFileSync(join(target, name)), readFileSync(join(dir, name))), name).toBe(0);
    expect(existsSync(join(target, ".replaykit-pull"))).toBe(false);

    // Another store into the same location: refused, exit 7.
    const other = join(tempDir(), "other");
    await cli(["add", other, "-"], { stdin: jsonl(sections(3)), now: NOW });
    const refused = await cli(["push", other, url, ...flags]);
    expect(refused.code).toBe(7);
    expect(refused.stderr).toMatch(new RegExp(`^replaykit: store: ${url} already holds a store`));

    const missing = await cli(["pull", url, join(tempDir(), "at-9"), "--commit", "9", ...flags]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/has no commit 9 \(its latest is 1\)/);
  });
});

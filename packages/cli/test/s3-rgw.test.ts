// The replaykit command on a store in a real S3 server (Ceph RGW; .ci/run starts it and
// exports REPLAYKIT_TEST_S3_ENDPOINT, REPLAYKIT_TEST_S3_BUCKET and the AWS_* credentials).
// Every command runs twice, on s3://$BUCKET/<unique prefix> and on a local directory given
// the same input, and must print the same rows: a store in object storage behaves as one on
// disk. Skipped, visibly, without REPLAYKIT_TEST_S3_ENDPOINT.
import { mkdtempSync, rmSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { s3ObjectStore } from "@replaykit/object-store";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { cli, jsonl, parseJsonl, tempDir } from "./helpers.js";

const endpoint = process.env.REPLAYKIT_TEST_S3_ENDPOINT;
const bucket = process.env.REPLAYKIT_TEST_S3_BUCKET ?? "replaykit-test";
const NOW = "2026-06-01T00:00:00";

/** Sections with fixed dates (so both stores hold the same entries), prose and instruction. */
function sections(from: number, count: number): string {
  return jsonl(
    Array.from({ length: count }, (_, j) => {
      const i = from + j;
      const day = String(1 + (i % 28)).padStart(2, "0");
      const month = String(1 + (i % 5)).padStart(2, "0");
      return i % 3 === 0
        ? { section_type: "instruction", content: `### Q\nWhat is ${i} + ${i}?\n### A\n${2 * i}.`, last_seen_at: `2026-${month}-${day}T00:00:00` }
        : { section_type: "prose", content: `Fact number ${i}: ${"a replayed sentence. ".repeat(1 + (i % 4))}`, last_seen_at: `2026-${month}-${day}T12:00:00` };
    }),
  );
}

if (endpoint === undefined || endpoint === "") {
  // Visible in the default reporter too (a skipped test's name is not).
  console.warn("s3-rgw.test.ts: the CLI's tests against a real S3 server are SKIPPED: REPLAYKIT_TEST_S3_ENDPOINT is not set");
  describe("replaykit on a store in a real S3 server", () => {
    test.skip("SKIPPED: REPLAYKIT_TEST_S3_ENDPOINT is not set (start Ceph RGW with scripts/rgw.sh start, then export the lines of .tmp/rgw.env)", () => {});
  });
} else {
  describe("replaykit on a store in a real S3 server (Ceph RGW)", () => {
    const prefix = `cli-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    const url = `s3://${bucket}/${prefix}`;
    let local: string;
    let env: Record<string, string>;
    /** Runs a command on the store in the bucket (`S`) or on the local twin (`L`). */
    const S = (args: string[], options: { stdin?: string } = {}) => cli([args[0]!, url, ...args.slice(1), "--endpoint", endpoint], { ...options, env });
    const L = (args: string[], options: { stdin?: string } = {}) => cli([args[0]!, local, ...args.slice(1)], { ...options, env });
    const draw = ["--seed", "11", "--now", NOW];

    // For the whole file (tempDir()'s directories go after each test).
    let root: string;
    beforeAll(() => {
      root = mkdtempSync(join(tmpdir(), "replaykit-cli-s3-"));
      local = join(root, "replay");
      env = { REPLAYKIT_CACHE: join(root, "cache") };
    });
    afterAll(async () => {
      rmSync(root, { recursive: true, force: true });
      // Leave nothing in the shared bucket.
      const objects = s3ObjectStore({ bucket, endpoint });
      const keys: string[] = [];
      for await (const e of objects.list(`${prefix}/`)) keys.push(e.key);
      for (const key of keys) await objects.delete(key);
      objects.close();
    }, 120_000);

    test("add creates the store in the bucket; stats prints the location and the commit", async () => {
      const input = sections(0, 40);
      const s = await S(["add", "-"], { stdin: input });
      expect(s.stderr).toMatch(new RegExp(`^added 40 sections to ${url} \\(`));
      expect(s.code).toBe(0);
      expect((await L(["add", "-"], { stdin: input })).code).toBe(0);
      const stats = await S(["stats", "--now", NOW]);
      expect(stats.code).toBe(0);
      expect(stats.stdout).toContain(`store       ${url} (replaykit format)\ncommit      1 `);
      expect(stats.stdout).toContain("sections    40: 26 prose, 14 instruction");
      const json = JSON.parse((await S(["stats", "--json"])).stdout) as Record<string, unknown>;
      const twin = JSON.parse((await L(["stats", "--json"])).stdout) as Record<string, unknown>;
      expect(json).toEqual({ ...twin, location: url, commit: 1 });
    });

    test("sample --seed --now gives the local store's rows; export gives its lines", async () => {
      const s = await S(["sample", "--k", "12", ...draw]);
      expect(s.code).toBe(0);
      expect(s.stderr).toBe("commit: 1\n");
      const l = await L(["sample", "--k", "12", ...draw]);
      expect(parseJsonl(s.stdout).length).toBeGreaterThan(0);
      expect(s.stdout).toBe(l.stdout);
      const exported = await S(["export"]);
      expect(exported.code).toBe(0);
      expect(parseJsonl(exported.stdout)).toHaveLength(40);
      expect(exported.stdout).toBe((await L(["export"])).stdout);
    });

    test("sample --rank 0 and --rank 1 of --world-size 2: their rows, in order, are the unsharded draw", async () => {
      const whole = await S(["sample", "--k", "15", ...draw]);
      const parts = [];
      for (const rank of [0, 1]) {
        const r = await S(["sample", "--k", "15", ...draw, "--rank", String(rank), "--world-size", "2"]);
        expect(r.code).toBe(0);
        expect(r.stderr).toBe("commit: 1\n");
        parts.push(parseJsonl(r.stdout));
      }
      expect(parts[0]!.length).toBeGreaterThan(0);
      expect(parts[1]!.length).toBeGreaterThan(0);
      expect([...parts[0]!, ...parts[1]!]).toEqual(parseJsonl(whole.stdout));
    });

    test("a receipt records the commit; after another add, --from-receipt reads that commit and repeats the rows", async () => {
      const receipt = join(tempDir(), "receipt.json");
      const first = await S(["sample", "--k", "8", ...draw, "--receipt", receipt]);
      expect(first.code).toBe(0);
      const recorded = JSON.parse(await readFile(receipt, "utf8")) as { store: { commit: number; entries: number } };
      expect(recorded.store).toMatchObject({ commit: 1, entries: 40 });
      expect(first.stderr).toBe("commit: 1\n");
      const more = sections(40, 20);
      expect((await S(["add", "-"], { stdin: more })).code).toBe(0);
      expect((await L(["add", "-"], { stdin: more })).code).toBe(0);
      // And a section the draw picked leaves the store (no purge: commit 1 stays readable).
      const picked = String(parseJsonl(first.stdout)[0]!._dlm_section_id).split(":")[1]!;
      const ids = join(tempDir(), "picked.txt");
      await writeFile(ids, `${picked}\n`);
      expect((await S(["remove", "--ids", ids])).code).toBe(0);
      expect((await L(["remove", "--ids", ids])).code).toBe(0);
      expect(JSON.parse((await S(["stats", "--json"])).stdout)).toMatchObject({ commit: 3, entries: 59 });
      const again = await S(["sample", "--from-receipt", receipt]);
      expect(again.code).toBe(0);
      expect(again.stderr).toBe("commit: 1 (the receipt's)\n");
      expect(again.stdout).toBe(first.stdout);
      // On disk there is no commit to go back to: the receipt's picks are gone.
      expect((await L(["sample", "--from-receipt", receipt])).code).toBe(3);
      // Ranks pinned to commit 1 with --commit: their parts are still the draw of commit 1.
      const parts = [];
      for (const rank of [0, 1]) {
        const r = await S(["sample", "--k", "8", ...draw, "--commit", "1", "--rank", String(rank), "--world-size", "2"]);
        expect(r.stderr).toBe("commit: 1\n");
        parts.push(...parseJsonl(r.stdout));
      }
      expect(parts).toEqual(parseJsonl(first.stdout));
      // The latest commit holds 59 sections: the same seed there is the local store's draw of them.
      const latest = await S(["sample", "--k", "8", ...draw]);
      expect(latest.stderr).toBe("commit: 3\n");
      expect(latest.stdout).toBe((await L(["sample", "--k", "8", ...draw])).stdout);
    });

    test("evict, remove --purge and compact change the store as they change a local one; verify finds it intact", async () => {
      const evict = ["evict", "--max-bytes", "2KiB", "--list"];
      const se = await S(evict);
      expect(se.code).toBe(0);
      const le = await L(evict);
      expect(se.stdout).toBe(le.stdout);
      expect(se.stdout.split("\n").filter((l) => l !== "").length).toBeGreaterThan(0);
      const kept = parseJsonl((await S(["export"])).stdout).map((s) => s.section_id as string);
      const ids = join(tempDir(), "ids.txt");
      await writeFile(ids, `${kept.slice(0, 2).join("\n")}\n`);
      const sr = await S(["remove", "--ids", ids, "--purge"]);
      expect(sr.code).toBe(0);
      expect(sr.stderr).toContain(`removed 2 sections from ${url}`);
      expect(sr.stderr).toContain("the removed content is in none of the store's objects");
      expect((await L(["remove", "--ids", ids, "--purge"])).code).toBe(0);
      const sc = await S(["compact"]);
      expect(sc.code).toBe(0);
      expect(sc.stderr).toMatch(new RegExp(`^compacted ${url}: `));
      expect((await L(["compact"])).code).toBe(0);
      const exported = await S(["export"]);
      expect(exported.stdout).toBe((await L(["export"])).stdout);
      expect(exported.stdout).not.toContain(kept[0]!);
      const verify = await S(["verify"]);
      expect(verify.code).toBe(0);
      expect(verify.stdout).toMatch(/^store {7}s3:\/\/.*\ncommit {6}\d+\n/);
      expect(verify.stdout).toContain("ok: all ");
      expect((await S(["sample", "--k", "8", ...draw])).stdout).toBe((await L(["sample", "--k", "8", ...draw])).stdout);
    });

    test("verify --repair and upgrade say in one line that they work on directories (exit 8)", async () => {
      for (const argv of [["verify", "--repair"], ["upgrade"]]) {
        const r = await S(argv);
        expect(r.code).toBe(8);
        expect(r.stderr.trim().split("\n")).toHaveLength(1);
        expect(r.stderr).toContain("works on a store in a directory, not in object storage");
      }
    });
  });
}

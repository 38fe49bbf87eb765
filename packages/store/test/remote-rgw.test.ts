// A store in object storage against a real S3 server (Ceph RGW, started by .ci/run or
// scripts/rgw.sh): the basics; two writer processes appending to one prefix at once; a
// writer process killed at every step of an append and of a compaction (the crash seam), and
// SIGKILLed at moments of an append loop and of a compaction loop — the store verifies and
// every append it reported acknowledged is there. Skipped (visibly)
// when REPLAYKIT_TEST_S3_ENDPOINT is not set. Each test uses a fresh prefix, deleted after.
import { type S3ObjectStore, s3ObjectStore } from "@replaykit/object-store";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { ReplayStore, type StoreOptions } from "../src/index.js";
import { tempDir } from "./helpers.js";
import { acked, run } from "./proc.js";
import { idOf, NOW, sleep, snap } from "./remote-helpers.js";

const endpoint = process.env.REPLAYKIT_TEST_S3_ENDPOINT;
const bucketName = process.env.REPLAYKIT_TEST_S3_BUCKET ?? "replaykit-test";

if (endpoint === undefined || endpoint === "") {
  console.warn(
    "remote-rgw.test.ts: the store's tests against a real S3 server are SKIPPED: REPLAYKIT_TEST_S3_ENDPOINT is not set (scripts/rgw.sh start, then export .tmp/rgw.env)",
  );
  describe("a store in object storage against a real S3 server", () => {
    test.skip("SKIPPED: REPLAYKIT_TEST_S3_ENDPOINT is not set (start Ceph RGW with scripts/rgw.sh start, then export the lines of .tmp/rgw.env)", () => {});
  });
} else {
  const runId = `store-rgw-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  const admin: S3ObjectStore = s3ObjectStore({ bucket: bucketName, endpoint, maxAttempts: 4 });
  let n = 0;
  const freshPrefix = () => `${runId}/t${n++}`;
  const s3: NonNullable<StoreOptions["s3"]> = { endpoint, maxAttempts: 4 };
  const open = (prefix: string, options: StoreOptions = {}) =>
    ReplayStore.open(`s3://${bucketName}/${prefix}`, { cacheDir: join(tempDir(), "cache"), s3, ...options });

  afterAll(async () => {
    const keys: string[] = [];
    for await (const e of admin.list(`${runId}/`)) keys.push(e.key);
    for (const k of keys) await admin.delete(k).catch(() => undefined);
    admin.close();
  }, 120_000);

  async function commitNumbers(prefix: string): Promise<number[]> {
    const out: number[] = [];
    for await (const e of admin.list(`${prefix}/commits/`)) out.push(Number(e.key.slice(-24, -4)));
    return out;
  }

  /** What a fresh process sees: verify's verdict and the live ids. */
  async function check(prefix: string) {
    const s = await open(prefix);
    const report = await s.verify();
    const ids = (await s.load()).map((e) => e.sectionId);
    return { ok: report.ok, problems: report.problems, ids: [...ids].sort(), count: ids.length, commit: s.commit };
  }

  describe(`a store in object storage against ${endpoint}`, () => {
    test("basics: append, appendMany, reads, a second store object, pinning, compaction with grace 0", { timeout: 120_000 }, async () => {
      const prefix = freshPrefix();
      const s = await open(prefix, { gracePeriodMs: 0 });
      expect(s.commit).toBe(0);
      await s.append(snap(0));
      await s.appendMany([1, 2, 3, 4, 5].map((i) => snap(i)));
      expect(s.commit).toBe(2);
      expect((await s.stats()).entries).toBe(6);
      expect(await s.sampleRows({ k: 3, now: NOW, seed: 1 })).toHaveLength(3);
      const { receipt, rows } = await s.draw({ k: 2, now: NOW, seed: 2 });
      expect((await s.redraw(receipt)).rows).toEqual(rows);
      expect((await s.verify()).ok).toBe(true);
      const other = await open(prefix);
      expect(other.commit).toBe(2);
      expect((await other.readMany(await other.load())).map((x) => x.sectionId).sort()).toEqual([0, 1, 2, 3, 4, 5].map(idOf));
      await s.remove([idOf(2)], { purge: true });
      await s.append(snap(6));
      const pinned = await open(prefix, { commit: s.commit - 1 });
      expect((await pinned.load()).map((e) => e.sectionId).sort()).toEqual([0, 1, 3, 4, 5].map(idOf));
      await s.compact();
      const seen = await check(prefix);
      expect(seen).toMatchObject({ ok: true, ids: [0, 1, 3, 4, 5, 6].map(idOf), count: 6 });
      expect(await commitNumbers(prefix)).toEqual([seen.commit]); // grace 0: the old commits are gone
    });

    test("two writer processes append to one prefix at once: every acknowledged append is there once", { timeout: 180_000 }, async () => {
      const prefix = freshPrefix();
      const location = `s3://${bucketName}/${prefix}`;
      const each = 8;
      const writers = [0, 1].map((w) => run("remote-writer.mjs", [location, join(tempDir(), "cache"), "append", String(each), String(1000 * (w + 1))]));
      const codes = await Promise.all(writers.map((w) => w.exited));
      expect(codes, writers.map((w) => w.stderr()).join("\n")).toEqual([0, 0]);
      const all = writers.flatMap((w) => acked(w.lines));
      expect(all).toHaveLength(2 * each);
      const seen = await check(prefix);
      expect(seen.ok).toBe(true);
      expect(seen.ids).toEqual([...all].sort());
      expect(seen.count).toBe(2 * each);
      expect(await commitNumbers(prefix)).toEqual(Array.from({ length: 2 * each }, (_, i) => i + 1));
    });

    // Kill moments: after the k-th acknowledgement, then d ms more (seeded list, not random per run).
    const moments = [
      [1, 0],
      [2, 15],
      [3, 40],
      [4, 90],
    ] as const;

    test("a writer process SIGKILLed at moments of an append loop loses nothing it acknowledged", { timeout: 300_000 }, async () => {
      const prefix = freshPrefix();
      const location = `s3://${bucketName}/${prefix}`;
      const required: string[] = [];
      let next = 0;
      for (const [k, d] of moments) {
        const child = run("remote-writer.mjs", [location, join(tempDir(), "cache"), "append", "40", String(next)]);
        next += 40;
        await child.waitFor(new RegExp(`^ack ${idOf(next - 40 + k - 1)}$`), 60_000);
        await sleep(d);
        process.kill(child.child.pid!, "SIGKILL");
        expect(await child.exited).toBe("SIGKILL");
        required.push(...acked(child.lines));
        const seen = await check(prefix);
        expect(seen.ok, JSON.stringify(seen.problems)).toBe(true);
        for (const id of required) expect(seen.ids).toContain(id);
        expect(new Set(seen.ids).size).toBe(seen.count);
        const numbers = await commitNumbers(prefix);
        expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => i + 1));
      }
      // The next writer succeeds.
      const s = await open(prefix);
      await s.append(snap(99_999));
      expect((await check(prefix)).ids).toContain(idOf(99_999));
    });

    // Every step of a commit and of a compaction (the crash seam, crash.ts): the local code's
    // steps on the working copy, then the remote ones, in order.
    const appendSteps = ["append:frames-written", "remote:operation-done", "remote:segments-uploaded", "remote:committed", "remote:checkpointed"];
    const compactSteps = [
      "compact:temps-written",
      "compact:committed",
      "remote:operation-done",
      "remote:segments-uploaded",
      "remote:committed",
      "remote:checkpointed",
      "remote:collecting",
    ];
    const landed = (step: string) => step === "remote:committed" || step === "remote:checkpointed" || step === "remote:collecting";

    test("a writer process killed at every step of an append, then of a compaction: the store verifies, nothing acknowledged is lost, the next writer succeeds", {
      timeout: 600_000,
    }, async () => {
      const prefix = freshPrefix();
      const location = `s3://${bucketName}/${prefix}`;
      const base = await open(prefix);
      // 31 commits first, so the append at the 32nd writes a checkpoint (the "checkpointed" step).
      for (let i = 0; i < 31; i++) await base.append(snap(60_000 + i));
      const required = Array.from({ length: 31 }, (_, i) => idOf(60_000 + i));
      let id = 70_000;
      for (const step of appendSteps) {
        const child = run("remote-writer.mjs", [location, join(tempDir(), "cache"), "append", "1", String(id)], { REPLAYKIT_TEST_CRASH_AT: step });
        expect(await child.exited, `${step}: ${child.stderr()}`).toBe("SIGKILL");
        const seen = await check(prefix);
        expect(seen.ok, `${step}: ${JSON.stringify(seen.problems)}`).toBe(true);
        for (const r of required) expect(seen.ids, step).toContain(r);
        // Killed before its commit landed: not there; after: there (never acknowledged, but durable).
        if (landed(step)) expect(seen.ids, step).toContain(idOf(id));
        else expect(seen.ids, step).not.toContain(idOf(id));
        if (landed(step)) required.push(idOf(id));
        id++;
      }
      // A compaction killed at each step (grace 0: the old generation is collected at once).
      const remover = await open(prefix, { gracePeriodMs: 0 });
      for (const step of compactSteps) {
        await remover.remove([required.shift()!]);
        const before = (await check(prefix)).ids;
        const child = run("remote-writer.mjs", [location, join(tempDir(), "cache"), "compact-once", "0", "0"], { REPLAYKIT_TEST_CRASH_AT: step });
        expect(await child.exited, `${step}: ${child.stderr()}`).toBe("SIGKILL");
        const seen = await check(prefix);
        expect(seen.ok, `${step}: ${JSON.stringify(seen.problems)}`).toBe(true);
        expect(seen.ids, step).toEqual(before);
        // A reader and the next writer carry on.
        const next = await open(prefix, { gracePeriodMs: 0 });
        await next.append(snap(id));
        required.push(idOf(id++));
        expect((await next.readMany(await next.load())).length).toBe(seen.count + 1);
      }
      const last = await open(prefix, { gracePeriodMs: 0 });
      await last.compact();
      const seen = await check(prefix);
      expect(seen.ok).toBe(true);
      for (const r of required) expect(seen.ids).toContain(r);
    });

    test("a writer process SIGKILLed at moments of a compaction loop (grace 0) loses nothing it acknowledged", { timeout: 300_000 }, async () => {
      const prefix = freshPrefix();
      const location = `s3://${bucketName}/${prefix}`;
      const base = await open(prefix);
      await base.appendMany(Array.from({ length: 20 }, (_, i) => snap(50_000 + i)));
      const required = Array.from({ length: 20 }, (_, i) => idOf(50_000 + i));
      const gone = new Set<string>();
      let next = 0;
      for (const [k, d] of moments) {
        const child = run("remote-writer.mjs", [location, join(tempDir(), "cache"), "compact-loop", "30", String(next)]);
        next += 30;
        for (let waited = 0; child.lines.filter((l) => l.startsWith("compacted ")).length < k; waited += 10) {
          if (waited > 60_000 || child.child.exitCode !== null) throw new Error(`the compaction loop ended early: ${child.stderr()}`);
          await sleep(10);
        }
        await sleep(d);
        process.kill(child.child.pid!, "SIGKILL");
        expect(await child.exited).toBe("SIGKILL");
        for (const line of child.lines) if (line.startsWith("gone ")) gone.add(line.slice(5));
        // Every third section is removed right after its append: the ones not yet reported gone may be either.
        const kept = acked(child.lines).filter((id) => Number.parseInt(id, 16) % 3 !== 0);
        required.push(...kept);
        const seen = await check(prefix);
        expect(seen.ok, JSON.stringify(seen.problems)).toBe(true);
        for (const id of required) expect(seen.ids).toContain(id);
        for (const id of gone) expect(seen.ids).not.toContain(id);
        expect(new Set(seen.ids).size).toBe(seen.count);
      }
      const s = await open(prefix, { gracePeriodMs: 0 });
      await s.compact();
      const seen = await check(prefix);
      expect(seen.ok).toBe(true);
      for (const id of required) expect(seen.ids).toContain(id);
    });
  });
}

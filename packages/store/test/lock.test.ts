// The writer lock is a kernel advisory lock (fs-native-extensions: OFD locks on Linux) on a
// lock file that is never deleted. These tests pin what issue 13 found broken in the old
// lock-file scheme: dead holders, paused holders, two waiters after a crash, unremovable
// or unopenable lock files, and the timeout on every path.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ReplayStore, StoreIOError, StoreLockedError, createSnapshot } from "../src/index.js";
import { withLock } from "../src/lock.js";
import { tempDir } from "./helpers.js";
import { acked, run } from "./proc.js";

const snapshot = (content: string) => createSnapshot({ sectionType: "prose", content, lastSeenAt: new Date("2026-02-01T00:00:00Z") });

async function storeWithLockHeldByChild(timeoutMs: number) {
  const store = await ReplayStore.open(join(tempDir(), "store"), { lockTimeoutMs: timeoutMs });
  await store.append(snapshot("first"));
  const holder = run("lock-holder.mjs", [store.lockPath, "hold"]);
  await holder.waitFor(/^locked$/);
  return { store, holder };
}

describe("the writer lock", () => {
  test("a live holder in another process makes a writer wait lockTimeoutMs, then StoreLockedError names the holder", async () => {
    const { store, holder } = await storeWithLockHeldByChild(300);
    const started = Date.now();
    const error = await store.append(snapshot("blocked")).catch((e: unknown) => e);
    expect(StoreLockedError.isInstance(error)).toBe(true);
    const locked = error as StoreLockedError;
    expect(locked.code).toBe("STORE_LOCKED");
    expect(locked.lockPath).toBe(store.lockPath);
    expect(locked.holder?.pid).toBe(holder.child.pid);
    expect(locked.waitedMs).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    // Readers never take the writer lock.
    expect(await store.load()).toHaveLength(1);
    expect((await store.verify()).ok).toBe(true);
    holder.child.kill("SIGKILL");
    await holder.exited;
  }, 30_000);

  test("a holder whose pending work nothing references keeps the lock through a garbage collection", async () => {
    const store = await ReplayStore.open(join(tempDir(), "store"), { lockTimeoutMs: 300 });
    await store.append(snapshot("first"));
    const holder = run("lock-holder.mjs", [store.lockPath, "hold-unreachable"]);
    await holder.waitFor(/^locked$/);
    const error = await store.append(snapshot("blocked")).catch((e: unknown) => e);
    expect(StoreLockedError.isInstance(error)).toBe(true);
    expect(await store.load()).toHaveLength(1);
    holder.child.kill("SIGKILL");
    await holder.exited;
  }, 30_000);

  test("kill -9 of the holder releases the lock at once; the lock file stays", async () => {
    const { store, holder } = await storeWithLockHeldByChild(20_000);
    const waiting = store.append(snapshot("waits for the holder"));
    let settled = false;
    const markSettled = () => (settled = true);
    void waiting.then(markSettled, markSettled);
    await new Promise((r) => setTimeout(r, 100));
    expect(settled).toBe(false); // still blocked: the holder really holds the lock
    holder.child.kill("SIGKILL");
    await holder.exited;
    await waiting;
    expect(await store.load()).toHaveLength(2);
    expect(existsSync(store.lockPath)).toBe(true); // never deleted
  }, 30_000);

  test("a SIGSTOP-paused holder keeps its lock (nothing breaks it); appends and compactions meanwhile wait or time out; when it resumes, nothing it acknowledged is lost", async () => {
    const dir = join(tempDir(), "store");
    const store = await ReplayStore.open(dir, { lockTimeoutMs: 200 });
    await store.append(snapshot("seed"));
    const writer = run("writer.mjs", [dir, "paused", "single"]);
    await writer.waitFor(/^ack /);
    let blocked = 0;
    for (let round = 0; round < 5; round++) {
      writer.child.kill("SIGSTOP");
      // Paused anywhere: inside the lock (then we must wait and time out) or outside it.
      // Appends and compactions (which moved every frame of the paused writer's store before).
      const call = round % 2 === 0 ? store.append(snapshot(`while paused ${round}`)) : store.compact();
      const result = await call.then(
        () => "appended",
        (e: unknown) => (StoreLockedError.isInstance(e) ? "locked" : e),
      );
      if (result === "locked") blocked++;
      else expect(result).toBe("appended");
      writer.child.kill("SIGCONT");
      const seen = writer.lines.length;
      await writer.waitFor(/^ack /, 20_000);
      while (writer.lines.length <= seen + 2) await new Promise((r) => setTimeout(r, 10));
    }
    writer.child.kill("SIGKILL");
    await writer.exited;
    const ids = new Set((await store.load()).map((e) => e.sectionId));
    for (const id of acked(writer.lines)) expect(ids.has(id)).toBe(true);
    expect((await store.verify()).problems).toEqual([]);
    expect(blocked).toBeGreaterThanOrEqual(0); // either outcome is right; losing an ack is not
  }, 60_000);

  test("after the holder dies, waiting writers take the lock one at a time (a counter incremented under the lock is exact)", async () => {
    const dir = tempDir();
    const lockPath = join(dir, "index.json.lock");
    const counter = join(dir, "counter");
    writeFileSync(counter, "0");
    const holder = run("lock-holder.mjs", [lockPath, "hold"]);
    await holder.waitFor(/^locked$/);
    const workers = Array.from({ length: 4 }, () => run("lock-holder.mjs", [lockPath, "count", "150", counter]));
    await new Promise((r) => setTimeout(r, 200));
    holder.child.kill("SIGKILL");
    await holder.exited;
    for (const w of workers) expect(await w.exited).toBe(0);
    expect(readFileSync(counter, "utf8")).toBe("600");
  }, 60_000);

  test("two writers waiting on a dead holder's lock both land all their appends", async () => {
    const { store, holder } = await storeWithLockHeldByChild(20_000);
    const dir = join(store.indexPath, "..");
    const writers = ["a", "b"].map((tag) => run("writer.mjs", [dir, tag, "many", "30"]));
    await new Promise((r) => setTimeout(r, 200));
    holder.child.kill("SIGKILL");
    for (const w of writers) expect(await w.exited).toBe(0);
    const ids = new Set((await store.load()).map((e) => e.sectionId));
    const all = writers.flatMap((w) => acked(w.lines));
    expect(all).toHaveLength(60);
    for (const id of all) expect(ids.has(id)).toBe(true);
    expect((await store.verify()).problems).toEqual([]);
  }, 60_000);

  test("what a lock file says is never judged: a file naming a live pid (a reused one, say) or another host does not block", async () => {
    const store = await ReplayStore.open(join(tempDir(), "store"), { lockTimeoutMs: 100 });
    await store.append(snapshot("first"));
    writeFileSync(store.lockPath, JSON.stringify({ pid: process.ppid, hostname: "elsewhere.example", since: "2026-11-25T00:00:00.000Z" }));
    await store.append(snapshot("not blocked"));
    expect(await store.load()).toHaveLength(2);
  });

  test("concurrent calls in one process queue instead of failing, and all land", async () => {
    const store = await ReplayStore.open(join(tempDir(), "store"), { lockTimeoutMs: 10_000 });
    const other = await ReplayStore.open(store.corpusPath.replace(/corpus\.zst$/, ""));
    await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? store : other).append(snapshot(`queued ${i}`))));
    expect(await store.load()).toHaveLength(30);
    expect((await store.verify()).problems).toEqual([]);
  });

  test("the in-process queue counts against lockTimeoutMs too", async () => {
    const { store, holder } = await storeWithLockHeldByChild(250);
    const started = Date.now();
    const results = await Promise.allSettled([store.append(snapshot("q1")), store.append(snapshot("q2"))]);
    expect(results.every((r) => r.status === "rejected" && StoreLockedError.isInstance(r.reason))).toBe(true);
    expect(Date.now() - started).toBeLessThan(20_000); // not one timeout after another forever
    holder.child.kill("SIGKILL");
    await holder.exited;
  }, 30_000);

  test("a call queued behind a long call of this process gives up after lockTimeoutMs, while the long one still runs", async () => {
    const lockPath = join(tempDir(), "index.json.lock");
    let finish!: () => void;
    let holderDone = false;
    const holder = withLock(lockPath, 5_000, () => new Promise<void>((r) => (finish = r))).then(() => (holderDone = true));
    const error = await withLock(lockPath, 200, async () => "ran").catch((e: unknown) => e);
    expect(StoreLockedError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: "STORE_LOCKED", lockPath, holder: { pid: process.pid } });
    expect(holderDone).toBe(false); // it did not wait for the holder to end
    finish();
    await holder;
    expect(await withLock(lockPath, 200, async () => "ran")).toBe("ran"); // and the queue goes on
  });

  test("lock: false takes no lock", async () => {
    const { store: locked, holder } = await storeWithLockHeldByChild(100);
    const store = await ReplayStore.open(join(locked.indexPath, ".."), { lock: false });
    await store.append(snapshot("unlocked"));
    expect(await store.load()).toHaveLength(2);
    holder.child.kill("SIGKILL");
    await holder.exited;
  }, 30_000);

  test("a symlink at the lock path is refused, never followed", async () => {
    const dir = join(tempDir(), "store");
    const store = await ReplayStore.open(dir);
    await store.append(snapshot("x"));
    const target = join(dir, "..", "elsewhere");
    writeFileSync(target, "keep me");
    execFileSync("rm", ["-f", store.lockPath]);
    execFileSync("ln", ["-s", target, store.lockPath]);
    const error = await store.append(snapshot("y")).catch((e: unknown) => e);
    expect(StoreIOError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ path: store.lockPath, systemCode: "ELOOP" });
    expect(readFileSync(target, "utf8")).toBe("keep me");
  });

  const canChattr = process.getuid?.() === 0 && spawnSync("chattr", ["--help"]).error === undefined;
  test.skipIf(!canChattr)("an immutable lock file (chattr +i): a typed error at once, no spin, whatever lockTimeoutMs says", async () => {
    const dir = join(tempDir(), "store");
    const store = await ReplayStore.open(dir, { lockTimeoutMs: 60_000 });
    await store.append(snapshot("x"));
    const r = spawnSync("chattr", ["+i", store.lockPath]);
    if (r.status !== 0) return; // the file system has no immutable flag: nothing to test here
    try {
      const started = Date.now();
      const error = await store.append(snapshot("y")).catch((e: unknown) => e);
      expect(StoreIOError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ code: "STORE_IO", path: store.lockPath, systemCode: "EPERM" });
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(await store.load()).toHaveLength(1); // reads need no lock
    } finally {
      spawnSync("chattr", ["-i", store.lockPath]);
    }
  });

  test.skipIf(!canChattr)("an immutable store directory without a lock file: a typed error at once", async () => {
    const dir = join(tempDir(), "store");
    const store = await ReplayStore.open(dir, { lockTimeoutMs: 60_000, lock: false });
    await store.append(snapshot("x"));
    const r = spawnSync("chattr", ["+i", dir]);
    if (r.status !== 0) return;
    try {
      const locking = await ReplayStore.open(dir, { lockTimeoutMs: 60_000 });
      const error = await locking.append(snapshot("y")).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "STORE_IO", path: locking.lockPath, systemCode: "EPERM" });
      expect(await locking.load()).toHaveLength(1);
    } finally {
      spawnSync("chattr", ["-i", dir]);
    }
  });
});

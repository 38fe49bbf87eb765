import { spawn } from "node:child_process";
import { existsSync, utimesSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ReplayStore, StoreLockedError, createSnapshot } from "../src/index.js";
import { tempDir } from "./helpers.js";

const snapshot = (content: string) => createSnapshot({ sectionType: "prose", content, lastSeenAt: new Date("2026-02-01T00:00:00Z") });

/** A pid that certainly belongs to no running process: a child that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((r) => child.on("close", r));
  return child.pid!;
}

describe("the writer lock", () => {
  test("a live holder makes a writer wait, then StoreLockedError names the holder", async () => {
    const store = await ReplayStore.open(join(tempDir(), "store"), { lockTimeoutMs: 150 });
    const holder = { pid: process.ppid, hostname: hostname(), since: "2026-11-25T00:00:00.000Z", token: "x" };
    writeFileSync(store.lockPath, JSON.stringify(holder));
    const started = Date.now();
    const error = await store.append(snapshot("blocked")).catch((e: unknown) => e);
    expect(StoreLockedError.isInstance(error)).toBe(true);
    const locked = error as StoreLockedError;
    expect(locked.code).toBe("STORE_LOCKED");
    expect(locked.holder).toMatchObject({ pid: process.ppid, hostname: hostname() });
    expect(locked.lockPath).toBe(store.lockPath);
    expect(locked.message).toContain(`pid ${process.ppid}`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(await store.load()).toEqual([]); // nothing was written
    expect(existsSync(store.lockPath)).toBe(true); // someone else's lock is left alone
  });

  test("a dead holder's lock is taken over at once", async () => {
    const store = await ReplayStore.open(join(tempDir(), "store"), { lockTimeoutMs: 5_000 });
    writeFileSync(store.lockPath, JSON.stringify({ pid: await deadPid(), hostname: hostname(), since: "2026-11-25T00:00:00.000Z", token: "y" }));
    await store.append(snapshot("after a dead holder"));
    expect(await store.load()).toHaveLength(1);
    expect(existsSync(store.lockPath)).toBe(false);
  });

  test("an empty lock file (a holder killed while creating it) is stale once it is a second old", async () => {
    const store = await ReplayStore.open(join(tempDir(), "store"), { lockTimeoutMs: 5_000 });
    writeFileSync(store.lockPath, "");
    const old = new Date(Date.now() - 5_000);
    utimesSync(store.lockPath, old, old);
    await store.append(snapshot("after an empty lock"));
    expect(await store.load()).toHaveLength(1);
  });

  test("a lock held by another host is never judged stale", async () => {
    const store = await ReplayStore.open(join(tempDir(), "store"), { lockTimeoutMs: 100 });
    writeFileSync(store.lockPath, JSON.stringify({ pid: await deadPid(), hostname: "another-host.example", since: "2026-11-25T00:00:00.000Z", token: "z" }));
    await expect(store.append(snapshot("x"))).rejects.toMatchObject({ code: "STORE_LOCKED", holder: { hostname: "another-host.example" } });
  });

  test("concurrent calls in one process queue instead of failing, and all land", async () => {
    const store = await ReplayStore.open(join(tempDir(), "store"), { lockTimeoutMs: 10_000 });
    const other = await ReplayStore.open(store.corpusPath.replace(/corpus\.zst$/, ""));
    await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? store : other).append(snapshot(`queued ${i}`))));
    expect(await store.load()).toHaveLength(30);
    expect((await store.verify()).problems).toEqual([]);
  });

  test("lock: false takes no lock file", async () => {
    const store = await ReplayStore.open(join(tempDir(), "store"), { lock: false });
    writeFileSync(store.lockPath, JSON.stringify({ pid: process.ppid, hostname: hostname(), since: "", token: "w" }));
    await store.append(snapshot("unlocked"));
    expect(await store.load()).toHaveLength(1);
  });
});

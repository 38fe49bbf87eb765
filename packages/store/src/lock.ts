// A cross-process writer lock: a file created with O_EXCL that names its holder (pid,
// host, time, a random token). A lock whose holder process is gone (same host, pid not
// alive) is stale and is taken over at once; a live holder is waited for, up to a timeout.
//
// Why not proper-lockfile: it recovers a dead holder's lock only after a staleness period
// measured by mtime refreshes (seconds), and needs a timer refreshing the lock while it is
// held. A pid check recovers immediately and needs nothing while the lock is held.
import { randomBytes } from "node:crypto";
import { open, readFile, stat, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { StoreIOError, StoreLockedError, type LockHolder } from "./errors.js";

interface LockContent extends LockHolder {
  token: string;
}

const HOST = hostname();
// Callers in this process queue here instead of polling the file against each other.
const queues = new Map<string, Promise<unknown>>();

/** Runs `fn` while holding the lock file at `lockPath`. */
export async function withLock<T>(lockPath: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const previous = queues.get(lockPath) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((r) => (release = r));
  const tail = previous.then(() => mine);
  queues.set(lockPath, tail);
  try {
    await previous;
    const started = Date.now();
    const token = await acquire(lockPath, timeoutMs - 0, started);
    try {
      return await fn();
    } finally {
      await releaseLock(lockPath, token);
    }
  } finally {
    release();
    if (queues.get(lockPath) === tail) queues.delete(lockPath);
  }
}

async function acquire(lockPath: string, timeoutMs: number, started: number): Promise<string> {
  const content: LockContent = {
    pid: process.pid,
    hostname: HOST,
    since: new Date().toISOString(),
    token: randomBytes(8).toString("hex"),
  };
  let delay = 2;
  for (;;) {
    try {
      const handle = await open(lockPath, "wx");
      try {
        await handle.writeFile(JSON.stringify(content));
      } finally {
        await handle.close();
      }
      return content.token;
    } catch (error) {
      if ((error as { code?: string }).code !== "EEXIST") throw new StoreIOError(lockPath, "create the lock file", error);
    }
    const holder = await readHolder(lockPath);
    if (holder !== undefined && holder.stale) {
      await breakStaleLock(lockPath, holder.ino);
      continue;
    }
    const waited = Date.now() - started;
    if (waited >= timeoutMs) throw new StoreLockedError(lockPath, holder?.content, waited);
    await new Promise((r) => setTimeout(r, Math.min(delay, timeoutMs - waited)));
    delay = Math.min(delay * 2, 50);
  }
}

async function readHolder(lockPath: string): Promise<{ content: LockHolder | undefined; stale: boolean; ino: number } | undefined> {
  let text: string;
  let ino: number;
  try {
    ino = (await stat(lockPath)).ino;
    text = await readFile(lockPath, "utf8");
  } catch {
    return undefined; // released meanwhile: try again
  }
  let content: LockContent | undefined;
  try {
    const parsed = JSON.parse(text) as LockContent;
    if (typeof parsed.pid === "number" && typeof parsed.hostname === "string") content = parsed;
  } catch {
    content = undefined;
  }
  if (content === undefined) {
    // Empty or partial: a holder killed between creating and writing the file, or one that
    // is writing it right now. Stale once it is older than a second.
    const age = Date.now() - (await stat(lockPath).then((s) => s.mtimeMs, () => Date.now()));
    return { content: undefined, stale: age > 1000, ino };
  }
  return { content, stale: content.hostname === HOST && !isAlive(content.pid), ino };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}

async function breakStaleLock(lockPath: string, ino: number): Promise<void> {
  // Only remove the file we judged stale, not a fresh lock another process just created.
  const now = await stat(lockPath).catch(() => undefined);
  if (now === undefined || now.ino !== ino) return;
  await unlink(lockPath).catch(() => undefined);
}

async function releaseLock(lockPath: string, token: string): Promise<void> {
  try {
    const content = JSON.parse(await readFile(lockPath, "utf8")) as LockContent;
    if (content.token === token) await unlink(lockPath);
  } catch {
    // Already gone: nothing to release.
  }
}

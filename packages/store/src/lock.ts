// The cross-process writer lock: a kernel advisory lock on a lock file that is never deleted.
//
// Why a kernel lock: the kernel releases it when the holder dies (kill -9, crash, power
// loss of the process), so there is no staleness heuristic, no pid check and nothing to
// break. Every lock-file scheme that judges staleness (pid alive? file older than N s?)
// lets two waiters both "break" a dead holder's lock, or a paused holder lose its lock;
// both were measured here (issue 13). The file itself is never removed: removing it would
// let a new writer lock a new inode while an old writer still holds the old one.
//
// Why fs-native-extensions: it ships prebuilt binaries (no compiler at install), and on
// Linux takes open-file-description locks (F_OFD_SETLK): they belong to the open file, not
// the process, so two handles in one process exclude each other too, and closing an
// unrelated handle on the same file does not drop the lock (a POSIX fcntl lock would).
// macOS uses flock(2), Windows LockFileEx: the same semantics. Its `waitForLock` cannot
// be cancelled, so waiting polls `tryLock` with a backoff, which honours `lockTimeoutMs`.
//
// The lock file's calls (open, the lock itself, the holder's note, close) are synchronous:
// each completes in microseconds, where a trip through libuv's thread pool costs tens, and
// an append makes every one of them. A raw descriptor is also never closed behind our back
// (a collected FileHandle is), so nothing but `releaseLock` can drop a held lock.
import { closeSync, constants, existsSync, openSync, readSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { tryLock, unlock } from "fs-native-extensions";
import { StoreIOError, StoreLockedError, type LockHolder } from "./errors.js";

// Callers in this process queue here instead of polling the kernel lock against each other.
const queues = new Map<string, Promise<unknown>>();
// Who in this process holds each lock now (for the error of a call queued behind it).
const heldHere = new Map<string, LockHolder>();

/**
 * Runs `fn` while holding the writer lock on `lockPath` (created if missing, never deleted).
 * Waits at most `timeoutMs` for another holder.
 *
 * @throws {StoreLockedError} when another writer held it for `timeoutMs`.
 * @throws {StoreIOError} at once when the lock file cannot be opened for writing (EACCES,
 *   EPERM, EROFS, …) or the kernel refuses the lock call itself.
 */
export async function withLock<T>(lockPath: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const previous = queues.get(lockPath) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((r) => (release = r));
  const tail = previous.then(() => mine);
  queues.set(lockPath, tail);
  try {
    // The wait in the queue counts against the timeout as well, and is cut off by it.
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const queuedTooLong = await Promise.race([
      previous.then(() => false),
      new Promise<boolean>((r) => {
        timer = setTimeout(() => r(true), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (queuedTooLong) {
      throw new StoreLockedError(lockPath, heldHere.get(lockPath), Date.now() - started);
    }
    const { fd, holder } = await acquire(lockPath, timeoutMs, started);
    heldHere.set(lockPath, holder);
    try {
      return await fn();
    } finally {
      heldHere.delete(lockPath);
      releaseLock(fd);
    }
  } finally {
    release();
    if (queues.get(lockPath) === tail) queues.delete(lockPath);
  }
}

async function acquire(lockPath: string, timeoutMs: number, started: number): Promise<{ fd: number; holder: LockHolder }> {
  let fd: number;
  try {
    // O_NOFOLLOW: a symlink planted at the lock path is an error, never followed.
    fd = openSync(lockPath, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o644);
  } catch (error) {
    throw new StoreIOError(lockPath, "open the lock file", error);
  }
  let delay = 2;
  try {
    for (;;) {
      let granted: boolean;
      try {
        granted = tryLock(fd);
      } catch (error) {
        throw new StoreIOError(lockPath, "lock", error);
      }
      if (granted) break;
      const waited = Date.now() - started;
      if (waited >= timeoutMs) throw new StoreLockedError(lockPath, readHolder(fd), waited);
      await new Promise((r) => setTimeout(r, Math.min(delay, timeoutMs - waited)));
      delay = Math.min(delay * 2, 50);
    }
  } catch (error) {
    closeQuietly(fd);
    throw error;
  }
  // Informative only (StoreLockedError names the holder); nothing ever judges it. One write
  // of a fixed length, spaces after the JSON: it overwrites any earlier holder's note whole,
  // so no truncate is needed here or at release.
  const holder: LockHolder = { pid: process.pid, hostname: hostname(), since: new Date().toISOString() };
  try {
    writeSync(fd, JSON.stringify(holder).padEnd(HOLDER_NOTE_BYTES, " "), 0);
  } catch {
    // A lock file we may lock but not write (odd permissions) still excludes other writers.
  }
  return { fd, holder };
}

// The length of the holder's note (a longer note, from a very long host name, is written whole and unpadded).
const HOLDER_NOTE_BYTES = 256;

function readHolder(fd: number): LockHolder | undefined {
  try {
    const buffer = Buffer.alloc(512);
    const bytesRead = readSync(fd, buffer, 0, buffer.length, 0);
    const parsed = JSON.parse(buffer.subarray(0, bytesRead).toString("utf8")) as Partial<LockHolder>;
    if (typeof parsed.pid === "number" && typeof parsed.hostname === "string" && typeof parsed.since === "string") {
      return { pid: parsed.pid, hostname: parsed.hostname, since: parsed.since };
    }
  } catch {
    // Empty (no holder wrote it yet) or unreadable: the error names no holder.
  }
  return undefined;
}

function releaseLock(fd: number): void {
  try {
    unlock(fd);
  } catch {
    // Closing the descriptor below releases the lock anyway.
  }
  closeQuietly(fd);
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Nothing to do: the descriptor is gone either way.
  }
}

/**
 * Runs `fn` holding a store's writer lock (`index.rkx.lock`, see layout.ts) and, while a
 * lock file of the name stores used before exists (`index.json.lock`), that one too, so a
 * writer of an earlier replaykit on the same store is still excluded. Always in that order.
 */
export async function withStoreLock<T>(layout: { lockPath: string; legacy: { lockPath: string } }, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  return withLock(layout.lockPath, timeoutMs, () => (existsSync(layout.legacy.lockPath) ? withLock(layout.legacy.lockPath, timeoutMs, fn) : fn()));
}

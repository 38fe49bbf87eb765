// A cache of immutable objects on this machine's disk, shared by every process of the node.
// Objects (commits, checkpoints, assembled journals) are written to a temp name and renamed
// into place, so a reader sees a whole file or none; any process may delete any file (a
// trim), and a reader that loses a file to a trim fetches the object again. Least recently
// used go first: a hit touches the file's mtime.
import { createHash } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { mkdir, mkdtemp, open, readdir, readFile, rename, rm, stat, unlink, utimes, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";

export const DEFAULT_CACHE_MAX_BYTES = 10 * 1024 ** 3;

/** The default cache directory: `$REPLAYKIT_CACHE`, else `$XDG_CACHE_HOME/replaykit`, else `~/.cache/replaykit` (macOS: `~/Library/Caches/replaykit`). */
export function defaultCacheDir(): string {
  const env = process.env.REPLAYKIT_CACHE;
  if (env !== undefined) return env;
  if (process.env.XDG_CACHE_HOME) return join(process.env.XDG_CACHE_HOME, "replaykit");
  if (process.platform === "darwin") return join(homedir(), "Library", "Caches", "replaykit");
  if (process.platform === "win32" && process.env.LOCALAPPDATA) return join(process.env.LOCALAPPDATA, "replaykit", "cache");
  return join(homedir(), ".cache", "replaykit");
}

let privateDir: string | undefined;

/** A directory of this process's own, removed when it exits (the "cache" of `cacheDir: ""`). */
function processDir(): string {
  if (privateDir === undefined) {
    privateDir = join(tmpdir(), `replaykit-nocache-${process.pid}-${Math.random().toString(36).slice(2)}`);
    mkdirSync(privateDir, { recursive: true });
    const dir = privateDir;
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  }
  return privateDir;
}

export class ObjectCache {
  /** Where the files are; `enabled` false: a directory of this process only, never shared. */
  readonly root: string;
  readonly enabled: boolean;
  readonly maxBytes: number;
  readonly #namespace: string;
  #written = 0;

  /** `dir` "" turns the cache off (files go to a private temp directory); `namespace` tells endpoints and buckets apart. */
  constructor(dir: string, maxBytes: number, namespace: string) {
    this.enabled = dir !== "";
    this.root = this.enabled ? dir : processDir();
    this.maxBytes = maxBytes;
    this.#namespace = namespace;
  }

  /** The file of object `key` (its name a hash of the namespace and the key). */
  pathOf(key: string, kind = "objects"): string {
    const h = createHash("sha256").update(this.#namespace).update("\0").update(key).digest("hex");
    return join(this.root, kind, h.slice(0, 2), h.slice(2, 40));
  }

  /** The object's bytes when cached (touching it), else undefined. */
  async read(key: string, kind?: string): Promise<Uint8Array | undefined> {
    const path = this.pathOf(key, kind);
    try {
      const bytes = await readFile(path);
      if (this.enabled) await touch(path);
      return bytes;
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") return undefined;
      throw error;
    }
  }

  /** `length` bytes at `at` of the cached object, or undefined when it is not cached (or shorter). */
  async readRange(key: string, at: number, length: number): Promise<Uint8Array | undefined> {
    let handle: Awaited<ReturnType<typeof open>> | undefined;
    try {
      handle = await open(this.pathOf(key), "r");
      const out = new Uint8Array(length);
      const { bytesRead } = await handle.read(out, 0, length, at);
      return bytesRead === length ? out : undefined;
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") return undefined;
      throw error;
    } finally {
      await handle?.close().catch(() => undefined);
    }
  }

  /** Stores the object (temp + rename: readers see all of it or nothing). */
  async write(key: string, bytes: Uint8Array, kind?: string): Promise<string> {
    const path = this.pathOf(key, kind);
    const dir = join(path, "..");
    await mkdir(dir, { recursive: true });
    const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
    try {
      await writeFile(tmp, bytes);
      await rename(tmp, path);
    } catch (error) {
      await unlink(tmp).catch(() => undefined);
      throw error;
    }
    this.#written += bytes.length;
    if (this.enabled && this.#written > this.maxBytes / 16) {
      this.#written = 0;
      await this.trim();
    }
    return path;
  }

  /** Forgets objects (a purge: this machine keeps no copy of purged bytes). */
  async forget(keys: Iterable<string>): Promise<void> {
    for (const key of keys) for (const kind of ["objects", "journals"]) await unlink(this.pathOf(key, kind)).catch(() => undefined);
  }

  /**
   * A fresh directory for one write's working copy (removed by the caller). Working copies
   * of writers that died (their pid is gone from this machine) are removed first.
   */
  async workDir(): Promise<string> {
    const base = join(this.root, "work");
    await mkdir(base, { recursive: true });
    for (const name of await readdir(base).catch(() => [] as string[])) {
      const pid = Number(/^w-(\d+)-/.exec(name)?.[1]);
      if (Number.isSafeInteger(pid) && pid !== process.pid && !alive(pid)) await rm(join(base, name), { recursive: true, force: true }).catch(() => undefined);
    }
    return mkdtemp(join(base, `w-${process.pid}-`));
  }

  /** Deletes least recently used files until the cache holds at most 90 % of `maxBytes`. */
  async trim(): Promise<void> {
    const files: Array<{ path: string; size: number; mtimeMs: number }> = [];
    for (const kind of ["objects", "journals"]) {
      const base = join(this.root, kind);
      for (const sub of await readdir(base).catch(() => [] as string[])) {
        for (const name of await readdir(join(base, sub)).catch(() => [] as string[])) {
          if (name.includes(".tmp-")) continue;
          const path = join(base, sub, name);
          const s = await stat(path).catch(() => undefined);
          if (s !== undefined) files.push({ path, size: s.size, mtimeMs: s.mtimeMs });
        }
      }
    }
    let total = files.reduce((n, f) => n + f.size, 0);
    if (total <= this.maxBytes) return;
    files.sort((a, b) => a.mtimeMs - b.mtimeMs);
    for (const f of files) {
      if (total <= this.maxBytes * 0.9) break;
      await unlink(f.path).catch(() => undefined);
      total -= f.size;
    }
  }
}

/** True when a process of this pid exists on this machine (EPERM: it exists, owned by another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}

async function touch(path: string): Promise<void> {
  const now = new Date();
  await utimes(path, now, now).catch(() => undefined);
}

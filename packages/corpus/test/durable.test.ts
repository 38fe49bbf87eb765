import { execFileSync } from "node:child_process";
import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CorpusArgumentError, CorpusIOError, fsyncDir, isReplaykitError, writeFileAtomic } from "../src/index.js";
import { tempDir } from "./helpers.js";

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

describe("writeFileAtomic", () => {
  it("creates and replaces a file, leaving no temporary file", async () => {
    const dir = tempDir();
    const path = join(dir, "side.json");
    await writeFileAtomic(path, bytes("one"));
    expect(readFileSync(path, "utf8")).toBe("one");
    await writeFileAtomic(path, bytes("two"));
    expect(readFileSync(path, "utf8")).toBe("two");
    expect(readdirSync(dir)).toEqual(["side.json"]);
  });

  it("keeps the permission bits of the file it replaces", async () => {
    const dir = tempDir();
    const path = join(dir, "f");
    writeFileSync(path, "old");
    chmodSync(path, 0o640);
    await writeFileAtomic(path, bytes("new"));
    expect(statSync(path).mode & 0o777).toBe(0o640);
  });

  it("replaces a symbolic link itself and never writes its target", async () => {
    const dir = tempDir();
    const target = join(dir, "target");
    const link = join(dir, "link");
    writeFileSync(target, "precious");
    symlinkSync(target, link);
    await writeFileAtomic(link, bytes("new"));
    expect(readFileSync(target, "utf8")).toBe("precious");
    expect(lstatSync(link).isSymbolicLink()).toBe(false);
    expect(readFileSync(link, "utf8")).toBe("new");
  });

  it("removes the temporary file when the rename fails, and leaves the old state", async () => {
    const dir = tempDir();
    const path = join(dir, "a-directory");
    mkdirSync(path);
    writeFileSync(join(path, "inside"), "x");
    const error = await writeFileAtomic(path, bytes("new")).catch((e: unknown) => e);
    expect(CorpusIOError.isInstance(error)).toBe(true);
    const e = error as CorpusIOError;
    expect(e.code).toBe("CORPUS_IO");
    expect(e.path).toBe(path);
    expect(e.action).toBe("rename into place");
    expect(e.step).toBe("rename");
    expect(e.systemCode).toMatch(/^(EISDIR|ENOTEMPTY|EEXIST)$/);
    expect(readdirSync(dir)).toEqual(["a-directory"]);
  });

  it("gives a typed error naming the path when the directory does not exist", async () => {
    const path = join(tempDir(), "missing", "f");
    const error = await writeFileAtomic(path, bytes("x")).catch((e: unknown) => e);
    expect(CorpusIOError.isInstance(error)).toBe(true);
    expect((error as CorpusIOError).systemCode).toBe("ENOENT");
    expect((error as CorpusIOError).path).toBe(path);
    expect((error as CorpusIOError).action).toBe("create a temporary file for");
    expect((error as CorpusIOError).step).toBe("open");
  });

  // Root ignores directory permissions, so a read-only directory only refuses others.
  it.skipIf(isRoot || process.platform === "win32")("a read-only directory is a typed error", async () => {
    const dir = tempDir();
    chmodSync(dir, 0o555);
    try {
      const error = await writeFileAtomic(join(dir, "f"), bytes("x")).catch((e: unknown) => e);
      expect(CorpusIOError.isInstance(error)).toBe(true);
      expect((error as CorpusIOError).systemCode).toBe("EACCES");
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      chmodSync(dir, 0o755);
    }
  });

  // As root, a read-only mount is what refuses a write (EROFS); needs root to mount.
  it.skipIf(!isRoot || process.platform !== "linux")("a read-only mount is a typed error, the old file kept", async () => {
    const dir = tempDir();
    const mnt = join(dir, "ro");
    mkdirSync(mnt);
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt], { stdio: "ignore" });
    } catch {
      return; // no CAP_SYS_ADMIN in this container: nothing to test against
    }
    try {
      writeFileSync(join(mnt, "f"), "old");
      execFileSync("mount", ["-o", "remount,ro", mnt], { stdio: "ignore" });
      const error = await writeFileAtomic(join(mnt, "f"), bytes("new")).catch((e: unknown) => e);
      expect(CorpusIOError.isInstance(error)).toBe(true);
      expect((error as CorpusIOError).systemCode).toBe("EROFS");
      expect((error as CorpusIOError).path).toBe(join(mnt, "f"));
      expect(readFileSync(join(mnt, "f"), "utf8")).toBe("old");
      expect(readdirSync(mnt)).toEqual(["f"]);
    } finally {
      execFileSync("umount", [mnt], { stdio: "ignore" });
    }
  });

  it("a file where a directory should be is a typed error: a file under a regular file is a typed error", async () => {
    // ENOTDIR reaches root as well, so the typed-error path runs in CI.
    const dir = tempDir();
    writeFileSync(join(dir, "plain"), "x");
    const error = await writeFileAtomic(join(dir, "plain", "f"), bytes("x")).catch((e: unknown) => e);
    expect(CorpusIOError.isInstance(error)).toBe(true);
    expect((error as CorpusIOError).systemCode).toBe("ENOTDIR");
    expect(isReplaykitError(error)).toBe(true);
  });

  it("rejects bad arguments with CorpusArgumentError", async () => {
    for (const [path, data, argument] of [
      [null, bytes("x"), "path"],
      ["", bytes("x"), "path"],
      [join(tempDir(), "f"), "text", "bytes"],
      [join(tempDir(), "f"), undefined, "bytes"],
    ] as const) {
      const error = await writeFileAtomic(path as unknown as string, data as unknown as Uint8Array).catch((e: unknown) => e);
      expect(CorpusArgumentError.isInstance(error)).toBe(true);
      expect((error as CorpusArgumentError).argument).toBe(argument);
      expect((error as CorpusArgumentError).code).toBe("CORPUS_ARGUMENT");
    }
  });
});

describe("fsyncDir", () => {
  it("syncs an existing directory", async () => {
    await expect(fsyncDir(tempDir())).resolves.toBeUndefined();
  });

  it("a missing directory is a typed error naming it", async () => {
    const dir = join(tempDir(), "nope");
    const error = await fsyncDir(dir).catch((e: unknown) => e);
    expect(CorpusIOError.isInstance(error)).toBe(true);
    expect((error as CorpusIOError).path).toBe(dir);
    expect((error as CorpusIOError).action).toBe("sync the directory");
    expect((error as CorpusIOError).step).toBe("fsync-dir");
    expect((error as CorpusIOError).systemCode).toBe("ENOENT");
  });

  it("rejects a non-string with CorpusArgumentError", async () => {
    const error = await fsyncDir(42 as unknown as string).catch((e: unknown) => e);
    expect(CorpusArgumentError.isInstance(error)).toBe(true);
    expect((error as CorpusArgumentError).argument).toBe("dir");
  });
});

import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Buffer } from "node:buffer";
import {
  IndexArgumentError,
  IndexCorruptError,
  IndexEntryInvalidError,
  IndexReadError,
  IndexWriteError,
  loadIndex,
  parseIndex,
  saveIndex,
  serializeIndex,
  sortIndexEntries,
  type IndexEntry,
} from "../src/index.js";

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "replaykit-index-io-"));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const entries: IndexEntry[] = [
  { sectionId: "ffffffffffffffff", byteOffset: 188, length: 20, addedAt: new Date("2026-02-01T00:00:00Z"), weight: 1 },
  { sectionId: "0000000000000000", byteOffset: 0, length: 188, addedAt: new Date("2026-01-01T00:00:00Z"), weight: 0.5 },
];

describe("loadIndex", () => {
  it("returns [] when the file does not exist", async () => {
    const dir = await tempDir();
    expect(await loadIndex(join(dir, "index.json"))).toEqual([]);
    expect(await loadIndex(join(dir, "no", "such", "dir", "index.json"))).toEqual([]);
  });

  it("returns [] when a parent of the path is a file (as Python's Path.exists() is False)", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "file"), "x");
    expect(await loadIndex(join(dir, "file", "index.json"))).toEqual([]);
  });

  it("reads what saveIndex wrote", async () => {
    const path = join(await tempDir(), "index.json");
    await saveIndex(path, entries);
    expect(await loadIndex(path)).toEqual([entries[1], entries[0]]);
  });

  it("reads an empty file as corrupt, naming the path", async () => {
    const path = join(await tempDir(), "index.json");
    await writeFile(path, "");
    const error = await loadIndex(path).catch((e: unknown) => e);
    expect(IndexCorruptError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: "INDEX_CORRUPT", path, entry: undefined, field: undefined });
  });

  it("reads a bad entry as corrupt, naming path, entry and field", async () => {
    const path = join(await tempDir(), "index.json");
    await writeFile(path, serializeIndex(entries).replace('"length": 20', '"length": 0'));
    const error = await loadIndex(path).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "INDEX_CORRUPT", path, entry: 1, field: "length", sectionId: "ffffffffffffffff" });
    expect((error as Error).message).toContain(path);
  });

  it("reads non-UTF-8 and non-ASCII bytes as corrupt, not as a read error", async () => {
    const path = join(await tempDir(), "index.json");
    const good = Buffer.from(serializeIndex(entries));
    for (const bad of [
      Buffer.from([0xff, 0xfe, 0x00]),
      Buffer.concat([Buffer.from("\u00e9"), good]),
      Buffer.from(serializeIndex(entries).replace("0000000000000000", "000000000000000\u00e9")),
    ]) {
      await writeFile(path, bad);
      await expect(loadIndex(path)).rejects.toMatchObject({ code: "INDEX_CORRUPT", path });
    }
  });

  it("returns entries that concurrent loads and saves leave alone", async () => {
    const dir = await tempDir();
    const other = entries.map((e, i) => ({ ...e, sectionId: `${i}`.repeat(16), addedAt: new Date(Date.UTC(2030, i)) }));
    await saveIndex(join(dir, "a.json"), entries);
    await saveIndex(join(dir, "b.json"), other);
    const a = await loadIndex(join(dir, "a.json"));
    const snapshot = JSON.stringify(a);
    const [b] = await Promise.all([loadIndex(join(dir, "b.json")), loadIndex(join(dir, "a.json"))]);
    parseIndex(serializeIndex(other));
    expect(JSON.stringify(a)).toBe(snapshot);
    expect(b).toEqual(sortIndexEntries(other));
  });

  it("reports a directory at the path as IndexReadError (EISDIR), naming the path", async () => {
    const path = join(await tempDir(), "index.json");
    await mkdir(path);
    const error = await loadIndex(path).catch((e: unknown) => e);
    expect(IndexReadError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: "INDEX_READ", path, systemCode: "EISDIR" });
    expect((error as Error).message).toContain(path);
    expect((error as Error).cause).toBeDefined();
  });
});

describe("saveIndex", () => {
  it("writes the canonical bytes and leaves no temporary file", async () => {
    const dir = await tempDir();
    const path = join(dir, "index.json");
    await saveIndex(path, entries);
    expect(await readFile(path, "utf8")).toBe(serializeIndex(entries));
    expect(await readdir(dir)).toEqual(["index.json"]);
    await saveIndex(path, []);
    expect(await readFile(path, "utf8")).toBe("[]\n");
    expect(await readdir(dir)).toEqual(["index.json"]);
  });

  it("writes identical bytes for identical entries in any order", async () => {
    const dir = await tempDir();
    await saveIndex(join(dir, "a.json"), entries);
    await saveIndex(join(dir, "b.json"), entries.slice().reverse());
    expect(await readFile(join(dir, "a.json"))).toEqual(await readFile(join(dir, "b.json")));
  });

  it("keeps the permission bits of the file it replaces", async () => {
    const path = join(await tempDir(), "index.json");
    await saveIndex(path, entries);
    await chmod(path, 0o640);
    await saveIndex(path, entries.slice(1));
    expect((await stat(path)).mode & 0o777).toBe(0o640);
  });

  it("fails with IndexWriteError (open, ENOENT) when the directory does not exist", async () => {
    const dir = await tempDir();
    const path = join(dir, "missing", "index.json");
    const error = await saveIndex(path, entries).catch((e: unknown) => e);
    expect(IndexWriteError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: "INDEX_WRITE", path, step: "open", systemCode: "ENOENT" });
    expect((error as Error).message).toContain(path);
    expect(await readdir(dir)).toEqual([]);
  });

  it("fails with IndexWriteError (rename) when the target is a directory, and removes its temporary file", async () => {
    const dir = await tempDir();
    const path = join(dir, "index.json");
    await mkdir(path);
    await writeFile(join(path, "keep"), "x"); // a non-empty directory cannot be replaced by rename
    const error = await saveIndex(path, entries).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "INDEX_WRITE", path, step: "rename" });
    expect(["EISDIR", "ENOTEMPTY", "EEXIST"]).toContain((error as IndexWriteError).systemCode);
    expect((await readdir(dir)).sort()).toEqual(["index.json"]);
    expect(await readdir(path)).toEqual(["keep"]);
  });

  it("rejects bad entries before touching the disk, naming the path", async () => {
    const dir = await tempDir();
    const path = join(dir, "index.json");
    await saveIndex(path, entries);
    const before = await readFile(path);
    const bad = [...entries, { ...entries[0]!, byteOffset: -1 }];
    const error = await saveIndex(path, bad).catch((e: unknown) => e);
    expect(IndexEntryInvalidError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: "INDEX_ENTRY_INVALID", path, entry: 2, field: "byteOffset" });
    expect(await readFile(path)).toEqual(before);
    expect(await readdir(dir)).toEqual(["index.json"]);
  });

  it("never lets a reader see a half-written index while saves run", async () => {
    const path = join(await tempDir(), "index.json");
    const big = Array.from({ length: 3000 }, (_, i) => ({
      sectionId: i.toString(16).padStart(16, "0"),
      byteOffset: i * 100,
      length: 100,
      addedAt: new Date(Date.UTC(2026, 0, 1) + i * 1000),
      weight: 1,
    }));
    await saveIndex(path, big.slice(0, 1000));
    const sizes = new Set<number>();
    const writers = (async () => {
      for (let round = 0; round < 10; round++) await saveIndex(path, big.slice(0, 1000 + (round % 3) * 1000));
    })();
    const readers = (async () => {
      for (let k = 0; k < 30; k++) sizes.add((await loadIndex(path)).length);
    })();
    await Promise.all([writers, readers]);
    for (const size of sizes) expect([1000, 2000, 3000]).toContain(size);
  });

  it("lets concurrent saves to one file each complete, leaving one of them whole", async () => {
    const dir = await tempDir();
    const path = join(dir, "index.json");
    await Promise.all([saveIndex(path, entries), saveIndex(path, entries.slice(1)), saveIndex(path, [])]);
    const text = await readFile(path, "utf8");
    expect([serializeIndex(entries), serializeIndex(entries.slice(1)), "[]\n"]).toContain(text);
    expect(await readdir(dir)).toEqual(["index.json"]);
  });
});

describe("bad arguments", () => {
  it("loadIndex and saveIndex reject a path that is not a non-empty string with IndexArgumentError", async () => {
    for (const bad of [123, null, undefined, "", {}, Buffer.from("x")]) {
      await expect(loadIndex(bad as unknown as string)).rejects.toMatchObject({ code: "INDEX_ARGUMENT", argument: "indexPath" });
      await expect(saveIndex(bad as unknown as string, entries)).rejects.toMatchObject({ code: "INDEX_ARGUMENT", argument: "indexPath" });
    }
  });

  it("saveIndex rejects entries that are not an array with IndexArgumentError, writing nothing", async () => {
    const dir = await tempDir();
    const path = join(dir, "index.json");
    for (const bad of [null, undefined, {}, "[]", 5]) {
      const error = await saveIndex(path, bad as unknown as IndexEntry[]).catch((e: unknown) => e);
      expect(IndexArgumentError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ code: "INDEX_ARGUMENT", argument: "entries", name: "IndexArgumentError" });
      expect((error as Error).message).toMatch(/^index: saveIndex: entries must be/);
    }
    expect(await readdir(dir)).toEqual([]);
  });
});

// Failures the file system rarely produces on demand (a full disk, an I/O error, a refused
// rename), injected into node:fs/promises as src/ sees it.
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { IndexReadError, IndexWriteError, loadIndex, saveIndex, serializeIndex, type IndexEntry } from "../src/index.js";

type Step = "openRead" | "write" | "sync" | "rename" | "dirSync";
const faults = vi.hoisted(() => ({ active: new Map<string, string>() }));

vi.mock("node:fs/promises", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs/promises")>();
  const fail = (step: string) => {
    const code = faults.active.get(step);
    if (code === undefined) return;
    throw Object.assign(new Error(`${code}: injected failure (${step})`), { code });
  };
  return {
    ...real,
    open: async (...args: Parameters<typeof real.open>) => {
      const [path, flags] = args;
      if (flags === "r" && !String(path).endsWith("/") && String(path).endsWith(".json")) fail("openRead");
      const handle = await real.open(...args);
      if (flags === "wx") {
        const writeFile = handle.writeFile.bind(handle);
        const sync = handle.sync.bind(handle);
        handle.writeFile = (async (data: Uint8Array) => {
          if (faults.active.has("write")) {
            await writeFile(data.subarray(0, data.length >> 1)); // a torn write, then the error
            fail("write");
          }
          return writeFile(data);
        }) as typeof handle.writeFile;
        handle.sync = async () => {
          fail("sync");
          return sync();
        };
      } else if (flags === "r" && !String(path).endsWith(".json")) {
        const sync = handle.sync.bind(handle);
        handle.sync = async () => {
          fail("dirSync");
          return sync();
        };
      }
      return handle;
    },
    rename: async (...args: Parameters<typeof real.rename>) => {
      fail("rename");
      return real.rename(...args);
    },
  };
});

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});
afterEach(() => faults.active.clear());

const before: IndexEntry[] = [{ sectionId: "0000000000000000", byteOffset: 0, length: 188, addedAt: new Date("2026-01-01T00:00:00Z"), weight: 1 }];
const after: IndexEntry[] = [...before, { sectionId: "1111111111111111", byteOffset: 188, length: 50, addedAt: new Date("2026-01-02T00:00:00Z"), weight: 1 }];

async function storeWithIndex(): Promise<{ dir: string; path: string }> {
  const dir = await mkdtemp(join(tmpdir(), "replaykit-index-faults-"));
  dirs.push(dir);
  const path = join(dir, "index.json");
  await saveIndex(path, before);
  return { dir, path };
}

describe("saveIndex under injected failures", () => {
  it.each<[Step, string, IndexWriteError["step"]]>([
    ["write", "ENOSPC", "write"],
    ["sync", "EIO", "fsync"],
    ["rename", "EACCES", "rename"],
  ])("%s failing with %s leaves the old index intact and no temporary file", async (step, code, reported) => {
    const { dir, path } = await storeWithIndex();
    faults.active.set(step, code);
    const error = await saveIndex(path, after).catch((e: unknown) => e);
    expect(IndexWriteError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: "INDEX_WRITE", path, step: reported, systemCode: code });
    expect((error as Error).message).toContain(path);
    expect(((error as Error).cause as { code?: string }).code).toBe(code);
    expect(await readFile(path, "utf8")).toBe(serializeIndex(before));
    expect(await readdir(dir)).toEqual(["index.json"]);
    expect(await loadIndex(path)).toEqual(before);
  });

  it("reports an I/O error of the directory fsync, after the new index is in place", async () => {
    const { dir, path } = await storeWithIndex();
    faults.active.set("dirSync", "EIO");
    await expect(saveIndex(path, after)).rejects.toMatchObject({ code: "INDEX_WRITE", path, step: "fsync-dir", systemCode: "EIO" });
    expect(await readFile(path, "utf8")).toBe(serializeIndex(after));
    expect(await readdir(dir)).toEqual(["index.json"]);
  });

  it("tolerates a file system that cannot fsync a directory (EINVAL)", async () => {
    const { path } = await storeWithIndex();
    faults.active.set("dirSync", "EINVAL");
    await saveIndex(path, after);
    expect(await loadIndex(path)).toEqual(after);
  });
});

describe("loadIndex under injected failures", () => {
  it("reports EACCES as IndexReadError naming the path", async () => {
    const { path } = await storeWithIndex();
    faults.active.set("openRead", "EACCES");
    const error = await loadIndex(path).catch((e: unknown) => e);
    expect(IndexReadError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: "INDEX_READ", path, systemCode: "EACCES" });
  });
});

// A hostile environment: a full disk, a read-only directory, a missing directory, files
// that are not what they should be. Every failure is a typed error naming the path, and
// the store is left exactly as it was.
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, test, vi } from "vitest";

// Fault injection for what root cannot be denied by permissions: EROFS / EACCES on open
// (asynchronous and synchronous opens alike).
const faults = vi.hoisted(() => ({ open: undefined as undefined | { match: RegExp; code: string } }));
vi.mock("node:fs/promises", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs/promises")>();
  const open = (async (path: string, flags?: string, mode?: number) => {
    const f = faults.open;
    if (f?.match.test(String(path)) && flags !== undefined && flags !== "r") {
      throw Object.assign(new Error(`${f.code}: injected, open '${path}'`), { code: f.code, path });
    }
    return real.open(path, flags, mode);
  }) as typeof real.open;
  return { ...real, open, default: { ...real, open } };
});
// The same faults for the synchronous opens (the lock file, the corpus opened for appending).
vi.mock("node:fs", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs")>();
  const openSync = ((path: string, flags?: import("node:fs").OpenMode, mode?: import("node:fs").Mode) => {
    const f = faults.open;
    if (f?.match.test(String(path)) && flags !== undefined && flags !== "r") {
      throw Object.assign(new Error(`${f.code}: injected, open '${path}'`), { code: f.code, path });
    }
    return real.openSync(path, flags ?? "r", mode);
  }) as typeof real.openSync;
  return { ...real, openSync, default: { ...real, openSync } };
});

const { ReplayStore, createSnapshot, StoreNotFoundError } = await import("../src/index.js");
const { journalOf, tempDir } = await import("./helpers.js");

const snapshot = (i: number) => createSnapshot({ sectionType: "prose", content: `hostile ${i}`, lastSeenAt: new Date(Date.UTC(2026, 0, 1 + i)) });

async function seeded() {
  const dir = join(tempDir(), "store");
  const store = await ReplayStore.open(dir);
  await store.appendMany([snapshot(1), snapshot(2)]);
  return { dir, store, corpus: readFileSync(store.corpusPath), index: readFileSync(journalOf(store)) };
}
const unchanged = (s: { store: import("../src/index.js").ReplayStore; corpus: Buffer; index: Buffer }) => {
  expect(readFileSync(journalOf(s.store)).equals(s.index)).toBe(true);
  expect(readFileSync(s.store.corpusPath).equals(s.corpus)).toBe(true);
};

beforeEach(() => {
  faults.open = undefined;
});

describe("hostile environment", () => {
  test("a full disk (the corpus is /dev/full): CorpusIOError ENOSPC naming the path; the index is unchanged", async () => {
    const dir = join(tempDir(), "store");
    mkdirSync(dir);
    symlinkSync("/dev/full", join(dir, "corpus.zst"));
    const store = await ReplayStore.open(dir);
    await expect(store.append(snapshot(1))).rejects.toMatchObject({ code: "CORPUS_IO", systemCode: "ENOSPC", path: store.corpusPath });
    expect(await store.load()).toEqual([]);
  });

  test("a read-only corpus (EROFS on open): typed error, store unchanged and readable", async () => {
    const s = await seeded();
    faults.open = { match: /corpus\.zst$/, code: "EROFS" };
    await expect(s.store.append(snapshot(3))).rejects.toMatchObject({ code: "CORPUS_IO", systemCode: "EROFS", path: s.store.corpusPath });
    unchanged(s);
    expect(await s.store.load()).toHaveLength(2);
  });

  test("an index that cannot be written (EACCES on the journal): typed error naming the index, frames become dead space, store readable", async () => {
    const s = await seeded();
    faults.open = { match: /index\.rkx$/, code: "EACCES" };
    // A store object opened now (one that wrote before keeps its journal open, writable).
    s.store = await ReplayStore.open(s.dir);
    const error = await s.store.append(snapshot(3)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "INDEX_WRITE" });
    expect(String((error as Error).message)).toContain(journalOf(s.store));
    faults.open = undefined;
    expect(readFileSync(journalOf(s.store)).equals(s.index)).toBe(true);
    expect(await s.store.load()).toHaveLength(2);
    const report = await s.store.verify();
    expect(report.ok).toBe(true);
    expect(report.reclaimableBytes).toBeGreaterThan(0);
    // The same store object writes again once the journal is writable.
    await s.store.append(snapshot(4));
    expect(await s.store.load()).toHaveLength(3);
  });

  test("a lock file that cannot be created: StoreIOError naming the lock", async () => {
    const s = await seeded();
    faults.open = { match: /\.lock$/, code: "EROFS" };
    await expect(s.store.append(snapshot(3))).rejects.toMatchObject({ code: "STORE_IO", path: s.store.lockPath });
    unchanged(s);
  });

  test("a missing store directory, and a file where the directory should be", async () => {
    const root = tempDir();
    await expect(ReplayStore.open(join(root, "nope"), { create: false })).rejects.toSatisfy((e: unknown) => StoreNotFoundError.isInstance(e));
    // A read of a missing store is StoreNotFoundError and creates nothing.
    const missing = await ReplayStore.open(join(root, "absent"));
    for (const read of [() => missing.load(), () => missing.stats(), () => missing.verify(), () => missing.sampleRows({ k: 1, now: new Date(), seed: 1 })]) {
      await expect(read()).rejects.toMatchObject({ code: "STORE_NOT_FOUND", path: join(root, "absent") });
    }
    expect(existsSync(join(root, "absent"))).toBe(false);
    writeFileSync(join(root, "file"), "x");
    const onFile = await ReplayStore.open(join(root, "file"));
    await expect(onFile.load()).rejects.toMatchObject({ code: "STORE_IO", path: join(root, "file") });
    await expect(onFile.append(createSnapshot({ sectionType: "prose", content: "x" }))).rejects.toMatchObject({ code: "STORE_IO", path: join(root, "file") });
  });

  test("corrupt, truncated or emptied files give typed errors, never a crash", async () => {
    const s = await seeded();
    const journal = journalOf(s.store);
    writeFileSync(journal, s.index.subarray(0, 12)); // a header cut short
    await expect(s.store.load()).rejects.toMatchObject({ code: "INDEX_CORRUPT" });
    await expect(s.store.append(snapshot(3))).rejects.toMatchObject({ code: "INDEX_CORRUPT" });
    expect(readFileSync(s.store.corpusPath).equals(s.corpus)).toBe(true); // nothing appended
    writeFileSync(journal, "");
    await expect(s.store.load()).rejects.toMatchObject({ code: "INDEX_CORRUPT" });
    writeFileSync(journal, s.index.subarray(0, s.index.length - 8)); // a torn tail: the commit before it rules
    // …which leaves no entry beside the corpus's intact frames, unmarked: the index looks lost, and reads say so.
    await expect(s.store.load()).rejects.toMatchObject({ code: "STORE_INDEX_LOST" });
    expect((await s.store.verify()).indexLooksLost).toBe(true);
    writeFileSync(journal, s.index);
    writeFileSync(s.store.corpusPath, s.corpus.subarray(0, s.corpus.length - 5));
    expect((await s.store.verify()).problems).toHaveLength(1);
    await expect(s.store.sampleRows({ k: 5, now: new Date("2026-02-01T00:00:00Z"), seed: 1 })).rejects.toMatchObject({ code: "CORPUS_CORRUPT" });
    writeFileSync(s.store.corpusPath, "");
    const report = await s.store.verify();
    expect(report.problems).toHaveLength(2);
    expect(report.problems[0]!.message).toMatch(/past the end/);
    rmSync(s.store.corpusPath);
    expect((await s.store.verify()).problems).toHaveLength(2);
  });
});

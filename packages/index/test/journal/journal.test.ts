import { readFile, stat, truncate, writeFile, appendFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { crc32 } from "node:zlib";
import { IndexCorruptError, IndexEntryInvalidError, IndexJournal, IndexReadError, type IndexEntry } from "../../src/index.js";
import { entry, tempDir } from "./helpers.js";

async function fresh(): Promise<{ path: string; journal: IndexJournal }> {
  const path = join(await tempDir(), "index.rkx");
  return { path, journal: await IndexJournal.open(path, { create: true }) };
}

describe("IndexJournal: round trips", () => {
  it("creates an empty index of the 16-byte header alone", async () => {
    const { path, journal } = await fresh();
    expect(journal.view.size).toBe(0);
    expect((await stat(path)).size).toBe(16);
    expect(journal.end).toBe(16);
    await journal.close();
    const again = await IndexJournal.open(path);
    expect(again.view.size).toBe(0);
    await again.close();
  });

  it("keeps every field, optional keys absent or present, through commits and a reopen", async () => {
    const { path, journal } = await fresh();
    const entries = Array.from({ length: 40 }, (_, i) => entry(i));
    entries.push(
      entry(100, { byteOffset: Number.MAX_SAFE_INTEGER, length: 0xffff_ffff, weight: 0, crc32: 0xffff_ffff }),
      entry(101, { addedAt: new Date("1969-07-20T20:17:40.001Z"), weight: 1e-300 }),
      { sectionId: "0123456789abcdef", byteOffset: 0, length: 1, addedAt: new Date(0), weight: 1 },
    );
    await journal.commit({ append: entries.slice(0, 10) });
    await journal.commit({ append: entries.slice(10) });
    expect(journal.view.toEntries()).toEqual(entries);
    expect(journal.commits).toBe(2);
    await journal.close();
    const again = await IndexJournal.open(path);
    expect(again.view.toEntries()).toEqual(entries);
    expect(again.view.types).toEqual(["prose", "instruction", "preference"]);
    expect(again.commits).toBe(2);
    for (let i = 0; i < entries.length; i++) {
      expect(again.view.sectionId(i)).toBe(entries[i]!.sectionId);
      expect(again.view.addedAt[i]).toBe(entries[i]!.addedAt.getTime() / 1000);
      expect(again.view.exposure(i)).toEqual({ replayCount: 0 });
    }
    await again.close();
  });

  it("writes only what a commit adds: the file grows by the commit's bytes", async () => {
    const { path, journal } = await fresh();
    await journal.commit({ append: Array.from({ length: 1000 }, (_, i) => entry(i)) });
    const before = (await stat(path)).size;
    const result = await journal.commit({ append: [entry(5000)] });
    expect((await stat(path)).size - before).toBe(result.bytes);
    // commit head 8 + types record (only when a type is new) + entries record 8 + 55 → 64 padded.
    expect(result.bytes).toBe(8 + 8 + 56);
    await journal.close();
  });

  it("an empty change writes nothing", async () => {
    const { path, journal } = await fresh();
    const result = await journal.commit({});
    expect(result).toEqual({ appended: 0, removed: 0, exposed: 0, missing: [], bytes: 0 });
    expect((await stat(path)).size).toBe(16);
    await journal.close();
  });
});

describe("IndexJournal: removals and exposure", () => {
  it("removes every live entry with a key, reports keys that match nothing", async () => {
    const { path, journal } = await fresh();
    const a = entry(1);
    const twin = { ...a, addedAt: new Date(a.addedAt.getTime() + 1000) }; // same frame indexed twice
    await journal.commit({ append: [a, entry(2), twin, entry(3)] });
    const result = await journal.commit({
      remove: [
        { sectionId: a.sectionId, byteOffset: a.byteOffset },
        { sectionId: "ffffffffffffffff", byteOffset: 1 },
      ],
      reason: "evicted",
    });
    expect(result.removed).toBe(2);
    expect(result.missing).toEqual([{ sectionId: "ffffffffffffffff", byteOffset: 1 }]);
    expect(journal.view.toEntries()).toEqual([entry(2), entry(3)]);
    await journal.close();
    const again = await IndexJournal.open(path);
    expect(again.view.toEntries()).toEqual([entry(2), entry(3)]);
    await again.close();
  });

  it("appends and supersedes in one commit", async () => {
    const { journal } = await fresh();
    const old = entry(7);
    await journal.commit({ append: [old, entry(8)] });
    const newer = entry(7, { byteOffset: 99_999, addedAt: new Date(old.addedAt.getTime() + 86_400_000) });
    const result = await journal.commit({ append: [newer], remove: [old], reason: "superseded" });
    expect(result).toMatchObject({ appended: 1, removed: 1, missing: [] });
    expect(journal.view.toEntries()).toEqual([entry(8), newer]);
    await journal.close();
  });

  it("sets exposure (absolute values) and keeps it through a reopen and a rewrite", async () => {
    const { path, journal } = await fresh();
    await journal.commit({ append: [entry(1), entry(2), entry(3)] });
    const at = new Date("2026-05-01T12:00:00.250Z");
    await journal.commit({ exposure: [{ sectionId: entry(2).sectionId, byteOffset: entry(2).byteOffset, replayCount: 3, lastReplayAt: at }] });
    expect(journal.view.exposure(1)).toEqual({ replayCount: 3, lastReplayAt: at });
    await journal.close();
    const again = await IndexJournal.open(path);
    expect(again.view.exposure(1)).toEqual({ replayCount: 3, lastReplayAt: at });
    expect(again.view.replayCount[1]).toBe(3);
    await again.rewrite();
    expect(again.commits).toBe(1);
    const row = again.view.toEntries().findIndex((e) => e.sectionId === entry(2).sectionId);
    expect(again.view.exposure(row)).toEqual({ replayCount: 3, lastReplayAt: at });
    await again.close();
  });

  it("ignores exposure of an entry the same commit removes (reported as neither)", async () => {
    const { journal } = await fresh();
    await journal.commit({ append: [entry(1), entry(2)] });
    const key = { sectionId: entry(1).sectionId, byteOffset: entry(1).byteOffset };
    const result = await journal.commit({ remove: [key], exposure: [{ ...key, replayCount: 1, lastReplayAt: new Date() }] });
    expect(result).toMatchObject({ removed: 1, exposed: 0 });
    expect(journal.view.size).toBe(1);
    await journal.close();
  });
});

describe("IndexJournal: catch-up", () => {
  it("reads only the commits other writers appended since the last read", async () => {
    const { path, journal: writer } = await fresh();
    await writer.commit({ append: [entry(1), entry(2)] });
    const reader = await IndexJournal.open(path);
    expect(reader.view.size).toBe(2);
    expect(await reader.catchUp()).toEqual({ replaced: false, size: 2, appended: 0, removed: 0, exposed: 0 });

    await writer.commit({ append: [entry(3)] });
    await writer.commit({ remove: [entry(1)] });
    await writer.commit({ exposure: [{ ...entry(3), replayCount: 1, lastReplayAt: new Date(5000) }] });
    const endBefore = reader.end;
    expect(await reader.catchUp()).toEqual({ replaced: false, size: 2, appended: 1, removed: 1, exposed: 1 });
    expect(reader.end).toBeGreaterThan(endBefore);
    expect(reader.end).toBe(writer.end);
    expect(reader.view.toEntries()).toEqual(writer.view.toEntries());
    expect(reader.view.exposure(1)).toEqual({ replayCount: 1, lastReplayAt: new Date(5000) });
    await writer.close();
    await reader.close();
  });

  it("does not believe a commit until its last byte is there", async () => {
    const { path, journal: writer } = await fresh();
    await writer.commit({ append: [entry(1)] });
    const reader = await IndexJournal.open(path);
    // Build the next commit elsewhere, then let it arrive in two halves.
    const scratch = join(await tempDir(), "scratch.rkx");
    const other = await IndexJournal.open(scratch, { create: true });
    await other.commit({ append: [entry(1)] });
    const head = await readFile(scratch);
    await other.commit({ append: [entry(2)] });
    const commit = (await readFile(scratch)).subarray(head.length);
    await other.close();

    await appendFile(path, commit.subarray(0, 20));
    expect((await reader.catchUp()).appended).toBe(0);
    expect(reader.ignoredBytes).toBe(20);
    await appendFile(path, commit.subarray(20));
    expect((await reader.catchUp()).appended).toBe(1);
    expect(reader.ignoredBytes).toBe(0);
    expect(reader.view.toEntries()).toEqual([entry(1), entry(2)]);
    await writer.close();
    await reader.close();
  });

  it("notices a rewrite by another process (a new file at the path) and reads it afresh", async () => {
    const { path, journal: writer } = await fresh();
    await writer.commit({ append: [entry(3), entry(1), entry(2)] });
    const reader = await IndexJournal.open(path);
    await writer.commit({ remove: [entry(2)] });
    await writer.rewrite();
    const result = await reader.catchUp();
    expect(result).toMatchObject({ replaced: true, size: 2 });
    expect(reader.view.toEntries()).toEqual(writer.view.toEntries());
    // And keeps following the new file.
    await writer.commit({ append: [entry(9)] });
    expect(await reader.catchUp()).toMatchObject({ replaced: false, appended: 1, size: 3 });
    await writer.close();
    await reader.close();
  });

  it("calls on one handle made without waiting run one at a time, in call order", async () => {
    const { path, journal } = await fresh();
    const calls = Array.from({ length: 20 }, (_, i) => journal.commit({ append: [entry(i)] }));
    calls.push(journal.commit({ remove: [entry(3)] }), journal.rewrite() as never, journal.commit({ append: [entry(99)] }));
    await Promise.all(calls);
    const expected = [...Array.from({ length: 20 }, (_, i) => entry(i)).filter((_, i) => i !== 3)];
    expect(journal.view.toEntries()).toEqual([...expected.sort((a, b) => a.byteOffset - b.byteOffset), entry(99)]);
    await journal.close();
    const again = await IndexJournal.open(path);
    expect(again.view.toEntries()).toEqual([...expected, entry(99)]);
    await again.close();
  });

  it("a commit after another handle's rewrite goes into the new file", async () => {
    const { path, journal: a } = await fresh();
    await a.commit({ append: [entry(1), entry(2)] });
    const b = await IndexJournal.open(path);
    await a.commit({ remove: [entry(1)] });
    await a.rewrite();
    expect(await b.commit({ append: [entry(3)], remove: [entry(2)] })).toMatchObject({ appended: 1, removed: 1 });
    const again = await IndexJournal.open(path);
    expect(again.view.toEntries()).toEqual([entry(3)]);
    await Promise.all([a.close(), b.close(), again.close()]);
  });

  it("a writer first catches up, so commits from two handles interleave correctly", async () => {
    const { path, journal: a } = await fresh();
    const b = await IndexJournal.open(path);
    await a.commit({ append: [entry(1)] });
    await b.commit({ append: [entry(2)] }); // b has not read a's commit: commit catches up first
    await a.commit({ remove: [entry(2)] });
    await b.catchUp();
    expect(a.view.toEntries()).toEqual([entry(1)]);
    expect(b.view.toEntries()).toEqual([entry(1)]);
    await a.close();
    await b.close();
  });
});

describe("IndexJournal: torn and damaged tails", () => {
  /** A file of three commits and the states after each. */
  async function threeCommits(): Promise<{ path: string; bytes: Buffer; ends: number[]; states: IndexEntry[][] }> {
    const { path, journal } = await fresh();
    const ends = [journal.end];
    const states: IndexEntry[][] = [[]];
    await journal.commit({ append: [entry(1), entry(2), entry(3)] });
    ends.push(journal.end);
    states.push(journal.view.toEntries());
    await journal.commit({ remove: [entry(2)], append: [entry(4, { sectionType: "custom-type" })] });
    ends.push(journal.end);
    states.push(journal.view.toEntries());
    await journal.commit({ exposure: [{ ...entry(1), replayCount: 2, lastReplayAt: new Date(1000) }] });
    ends.push(journal.end);
    states.push(journal.view.toEntries());
    await journal.close();
    return { path, bytes: await readFile(path), ends, states };
  }

  it("a file cut at every byte opens as the last whole commit before the cut (or, inside the header, is corrupt)", async () => {
    const { path, bytes, ends, states } = await threeCommits();
    const cut = join(await tempDir(), "cut.rkx");
    for (let length = 0; length <= bytes.length; length++) {
      await writeFile(cut, bytes.subarray(0, length));
      if (length < 16) {
        await expect(IndexJournal.open(cut)).rejects.toSatisfy(IndexCorruptError.isInstance);
        continue;
      }
      const journal = await IndexJournal.open(cut);
      let k = 0;
      while (k + 1 < ends.length && ends[k + 1]! <= length) k++;
      expect(journal.view.toEntries()).toEqual(states[k]);
      expect(journal.end).toBe(ends[k]);
      expect(journal.ignoredBytes).toBe(length - ends[k]!);
      await journal.close();
    }
    expect(path).toBeTruthy();
  }, 120_000);

  it("the next commit cuts a torn tail off, so it is believed after a reopen", async () => {
    const { bytes, ends, states } = await threeCommits();
    const cut = join(await tempDir(), "cut.rkx");
    await writeFile(cut, bytes.subarray(0, ends[2]! + 5));
    const journal = await IndexJournal.open(cut);
    expect(journal.ignoredBytes).toBe(5);
    await journal.commit({ append: [entry(50)] });
    await journal.close();
    const again = await IndexJournal.open(cut);
    expect(again.view.toEntries()).toEqual([...states[2]!, entry(50)]);
    expect(again.ignoredBytes).toBe(0);
    await again.close();
  });

  it("zeros or garbage after the last commit are ignored", async () => {
    const { path, states } = await threeCommits();
    await appendFile(path, new Uint8Array(4096));
    let journal = await IndexJournal.open(path);
    expect(journal.view.toEntries()).toEqual(states[3]);
    expect(journal.ignoredBytes).toBe(4096);
    await journal.close();
    await appendFile(
      path,
      Uint8Array.from({ length: 999 }, (_, i) => (i * 37) & 255),
    );
    journal = await IndexJournal.open(path);
    expect(journal.view.toEntries()).toEqual(states[3]);
    await journal.close();
  });

  it("a damaged commit ends what is believed: later commits are ignored with it", async () => {
    const { path, bytes, ends, states } = await threeCommits();
    const damaged = Buffer.from(bytes);
    damaged[ends[1]! + 30]! ^= 0x40; // inside the second commit's payload
    await writeFile(path, damaged);
    const journal = await IndexJournal.open(path);
    expect(journal.view.toEntries()).toEqual(states[1]);
    expect(journal.ignoredBytes).toBe(bytes.length - ends[1]!);
    // …but they are whole: damage, not a torn tail (damage.test.ts has the rest).
    expect(journal.damage).toEqual({ byteOffset: ends[1], length: ends[2]! - ends[1]!, commitsAfter: 1 });
    await journal.close();
  });
});

describe("IndexJournal: errors", () => {
  it("rejects bad arguments with IndexArgumentError naming them", async () => {
    await expect(IndexJournal.open(null as never)).rejects.toMatchObject({ code: "INDEX_ARGUMENT", argument: "path" });
    await expect(IndexJournal.open("", {})).rejects.toMatchObject({ code: "INDEX_ARGUMENT", argument: "path" });
    await expect(IndexJournal.open("x", null as never)).rejects.toMatchObject({ code: "INDEX_ARGUMENT", argument: "options" });
    const { journal } = await fresh();
    await expect(journal.commit(null as never)).rejects.toMatchObject({ code: "INDEX_ARGUMENT", argument: "change" });
    await expect(journal.commit({ append: "x" as never })).rejects.toMatchObject({ argument: "change.append" });
    await expect(journal.commit({ remove: {} as never })).rejects.toMatchObject({ argument: "change.remove" });
    await expect(journal.commit({ remove: [{ sectionId: "zz", byteOffset: 0 }] })).rejects.toMatchObject({ argument: "change.remove[0]" });
    await expect(journal.commit({ remove: [null as never] })).rejects.toMatchObject({ argument: "change.remove[0]" });
    await expect(journal.commit({ reason: "lost" as never })).rejects.toMatchObject({ argument: "change.reason" });
    await expect(journal.commit({ exposure: [{ ...entry(1), replayCount: 0, lastReplayAt: new Date() }] })).rejects.toMatchObject({
      argument: "change.exposure[0].replayCount",
    });
    await expect(journal.commit({ exposure: [{ ...entry(1), replayCount: 1, lastReplayAt: new Date(Number.NaN) }] })).rejects.toMatchObject({
      argument: "change.exposure[0].lastReplayAt",
    });
    expect(() => journal.view.entry(0)).toThrow(expect.objectContaining({ code: "INDEX_ARGUMENT", argument: "i" }));
    await journal.close();
    await expect(journal.commit({})).rejects.toMatchObject({ code: "INDEX_ARGUMENT" });
    await expect(journal.catchUp()).rejects.toMatchObject({ code: "INDEX_ARGUMENT" });
  });

  it("rejects an entry that cannot be written, naming its position and field, and writes nothing", async () => {
    const { path, journal } = await fresh();
    const bad: Array<[Partial<IndexEntry> | null, string]> = [
      [{ sectionId: "0123456789ABCDEF" }, "sectionId"],
      [{ sectionId: undefined as never }, "sectionId"],
      [{ byteOffset: -1 }, "byteOffset"],
      [{ byteOffset: 1.5 }, "byteOffset"],
      [{ byteOffset: 2 ** 53 }, "byteOffset"],
      [{ length: 0 }, "length"],
      [{ length: 2 ** 32 }, "length"],
      [{ addedAt: new Date(Number.NaN) }, "addedAt"],
      [{ addedAt: "2026-01-01" as never }, "addedAt"],
      [{ weight: -1 }, "weight"],
      [{ weight: Number.POSITIVE_INFINITY }, "weight"],
      [{ weight: Number.NaN }, "weight"],
      [{ sectionType: "Prose" }, "sectionType"],
      [{ sectionType: "a".repeat(256) }, "sectionType"],
      [{ autoMined: 1 as never }, "autoMined"],
      [{ crc32: -1 }, "crc32"],
      [{ crc32: 2 ** 32 }, "crc32"],
      [null, "entry"],
    ];
    for (const [override, field] of bad) {
      const e = override === null ? (null as never) : entry(1, override);
      const error = await journal.commit({ append: [entry(0), e] }).catch((x: unknown) => x);
      expect(IndexEntryInvalidError.isInstance(error), field).toBe(true);
      expect(error).toMatchObject({ code: "INDEX_ENTRY_INVALID", entry: 1, field });
    }
    expect((await stat(path)).size).toBe(16);
    await journal.close();
  });

  it("a missing file is IndexReadError (ENOENT) without create; a directory is IndexReadError", async () => {
    const dir = await tempDir();
    await expect(IndexJournal.open(join(dir, "none.rkx"))).rejects.toMatchObject({ code: "INDEX_READ", systemCode: "ENOENT" });
    await expect(IndexJournal.open(dir)).rejects.toSatisfy(IndexReadError.isInstance);
  });

  it("a bad header is IndexCorruptError naming the path and byte", async () => {
    const { path, journal } = await fresh();
    await journal.commit({ append: [entry(1)] });
    await journal.close();
    const good = await readFile(path);
    for (const [at, what] of [
      [0, "magic"],
      [8, "revision"],
      [10, "flags"],
      [13, "checksum"],
    ] as const) {
      const bad = Buffer.from(good);
      bad[at]! ^= 1;
      // A header with another revision or flags but a valid checksum says which field it is.
      if (at === 8 || at === 10) bad.writeUInt32LE(crc32(bad.subarray(0, 12)) >>> 0, 12);
      await writeFile(path, bad);
      const error = await IndexJournal.open(path).catch((x: unknown) => x);
      expect(error, what).toMatchObject({ code: "INDEX_CORRUPT", path });
      expect((error as Error).message).toContain(`byte ${at === 13 ? 12 : at}`);
    }
    await writeFile(path, "[]\n"); // an index.json is not a journal
    await expect(IndexJournal.open(path)).rejects.toMatchObject({ code: "INDEX_CORRUPT" });
  });

  it("the previous state stays when a commit cannot be written (read-only file, non-root only)", async () => {
    if (process.getuid?.() === 0) return; // root writes read-only files anyway
    const { path, journal } = await fresh();
    await journal.close();
    const { chmod } = await import("node:fs/promises");
    await chmod(path, 0o444);
    const ro = await IndexJournal.open(path);
    await expect(ro.commit({ append: [entry(1)] })).rejects.toMatchObject({ code: "INDEX_WRITE" });
    expect(ro.view.size).toBe(0);
    await ro.close();
  });

  it("a truncated file that shrank below what a reader believed is read afresh", async () => {
    const { path, journal } = await fresh();
    await journal.commit({ append: [entry(1)] });
    const end1 = journal.end;
    await journal.commit({ append: [entry(2)] });
    await truncate(path, end1);
    expect(await journal.catchUp()).toMatchObject({ replaced: true, size: 1 });
    await journal.close();
  });
});

describe("IndexJournal: checksummed commits that break the format", () => {
  /** A one-commit file of two entries (types "prose"), its bytes, and where the entries record starts. */
  async function oneCommit(): Promise<{ path: string; bytes: Buffer; entries: number }> {
    const { path, journal } = await fresh();
    await journal.commit({ append: [entry(0, { sectionType: "prose" }), entry(3, { sectionType: "prose" })] });
    await journal.close();
    // header 16, commit head 8, types record 8 + 1 + 5 → 16
    return { path, bytes: await readFile(path), entries: 16 + 8 + 16 };
  }
  const resign = (b: Buffer) => b.writeUInt32LE(crc32(b.subarray(20)) >>> 0, 16);

  it("is IndexCorruptError naming the byte, for each rule", async () => {
    const { path, bytes, entries } = await oneCommit();
    const n = 2;
    const cases: Array<[string, (b: Buffer) => void]> = [
      ["unknown record kind", (b) => b.writeUInt8(9, entries)],
      ["reserved record bytes", (b) => b.writeUInt16LE(1, entries + 2)],
      ["entries do not fit", (b) => b.writeUInt32LE(1000, entries + 4)],
      ["byte offset", (b) => b.writeDoubleLE(-1, entries + 8)],
      ["byte offset", (b) => b.writeDoubleLE(0.5, entries + 8)],
      ["outside the range of a Date", (b) => b.writeDoubleLE(1e300, entries + 8 + 8 * n)],
      ["weight", (b) => b.writeDoubleLE(Number.NaN, entries + 8 + 16 * n)],
      ["exposure count", (b) => b.writeDoubleLE(5, entries + 8 + 24 * n)],
      ["frame length 0", (b) => b.writeUInt32LE(0, entries + 8 + 40 * n)],
      ["type code", (b) => b.writeUInt16LE(7, entries + 8 + 52 * n)],
      ["flag", (b) => b.writeUInt8(0x80, entries + 8 + 54 * n)],
      ["padding", (b) => b.writeUInt8(1, entries + 8 + 55 * n)],
      ["invalid section type name", (b) => b.writeUInt8("P".charCodeAt(0), 16 + 8 + 9)],
    ];
    for (const [what, damage] of cases) {
      const b = Buffer.from(bytes);
      damage(b);
      resign(b);
      await writeFile(path, b);
      const error = await IndexJournal.open(path).catch((x: unknown) => x);
      expect(error, what).toMatchObject({ code: "INDEX_CORRUPT", path });
      expect((error as Error).message, what).toMatch(/byte \d+/);
      expect((error as Error).message.toLowerCase(), what).toContain(what.toLowerCase().split(" ")[0]!);
    }
  });

  it("a remove of an ordinal that is not live, or not ascending, is IndexCorruptError", async () => {
    const { path, journal } = await fresh();
    await journal.commit({ append: [entry(0), entry(1), entry(2)] });
    const end = journal.end;
    await journal.commit({ remove: [entry(0), entry(2)] });
    await journal.close();
    const bytes = await readFile(path);
    for (const [ordinals, what] of [
      [[0, 7], "not live"],
      [[2, 0], "ascending"],
    ] as const) {
      const b = Buffer.from(bytes);
      b.writeUInt32LE(ordinals[0], end + 16);
      b.writeUInt32LE(ordinals[1], end + 20);
      b.writeUInt32LE(crc32(b.subarray(end + 4)) >>> 0, end);
      await writeFile(path, b);
      const error = await IndexJournal.open(path).catch((x: unknown) => x);
      expect(error, what).toMatchObject({ code: "INDEX_CORRUPT" });
      expect((error as Error).message).toContain(what);
    }
  });
});

describe("IndexJournal.replaceWith", () => {
  it("commits only the difference, keeping exposure of what stays", async () => {
    const { path, journal } = await fresh();
    const all = Array.from({ length: 10 }, (_, i) => entry(i));
    await journal.commit({ append: all, exposure: [] });
    await journal.commit({ exposure: [{ ...all[2]!, replayCount: 5, lastReplayAt: new Date(9000) }] });
    const size = (await stat(path)).size;
    expect(await journal.replaceWith(all.slice().reverse())).toEqual({ appended: 0, removed: 0, exposed: 0, missing: [], bytes: 0 });
    expect((await stat(path)).size).toBe(size);

    const reweighed = { ...all[5]!, weight: 3 };
    const wanted = [...all.filter((_, i) => i !== 7 && i !== 5), reweighed, entry(42)];
    const result = await journal.replaceWith(wanted, { reason: "evicted" });
    expect(result).toMatchObject({ appended: 2, removed: 2 });
    expect(journal.view.toEntries()).toEqual([...all.filter((_, i) => i !== 7 && i !== 5), reweighed, entry(42)]);
    expect(journal.view.exposure(2)).toEqual({ replayCount: 5, lastReplayAt: new Date(9000) });
    const again = await IndexJournal.open(path);
    expect(again.view.toEntries()).toEqual(journal.view.toEntries());
    await again.close();
    expect((await journal.replaceWith([])).removed).toBe(10);
    expect(journal.view.size).toBe(0);
    await journal.close();
  });

  it("counts equal entries as a multiset, and rejects bad arguments", async () => {
    const { journal } = await fresh();
    await journal.commit({ append: [entry(1), entry(1), entry(2)] });
    expect(await journal.replaceWith([entry(1), entry(2)])).toMatchObject({ removed: 1, appended: 0 });
    expect(journal.view.toEntries()).toEqual([entry(1), entry(2)]);
    await expect(journal.replaceWith(null as never)).rejects.toMatchObject({ code: "INDEX_ARGUMENT", argument: "entries" });
    await expect(journal.replaceWith([], { reason: "x" as never })).rejects.toMatchObject({ argument: "options.reason" });
    await expect(journal.replaceWith([{ ...entry(1), length: 0 }])).rejects.toMatchObject({ code: "INDEX_ENTRY_INVALID", entry: 0, field: "length" });
    await journal.close();
  });
});

import { spawnSync } from "node:child_process";
import { open, readFile, stat, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IndexCorruptError, IndexJournal, IndexReadError, salvageJournal, writeJournal, type IndexEntry } from "../../src/index.js";
import { Columns } from "../../src/journal/columns.js";
import { readCommits } from "../../src/journal/read-commits.js";
import { entry, tempDir } from "./helpers.js";

/** A journal of `commits` commits, commit k appending entries 3k, 3k+1, 3k+2; returns each commit's start offset. */
async function journalOf(commits: number): Promise<{ path: string; starts: number[]; entries: IndexEntry[][] }> {
  const path = join(await tempDir(), "index.rkx");
  const journal = await IndexJournal.open(path, { create: true });
  const starts: number[] = [];
  const entries: IndexEntry[][] = [];
  for (let k = 0; k < commits; k++) {
    starts.push(journal.end);
    const batch = [entry(3 * k), entry(3 * k + 1), entry(3 * k + 2)];
    entries.push(batch);
    await journal.commit({ append: batch });
  }
  await journal.close();
  return { path, starts, entries };
}

/** Flips one byte of the file at `at`. */
async function flip(path: string, at: number): Promise<void> {
  const bytes = await readFile(path);
  bytes[at]! ^= 0x40;
  await writeFile(path, bytes);
}

describe("damage in the middle of the journal", () => {
  it("one flipped byte in commit 3 of 20: the damage is reported, commits refuse to cut the 17 after it, and the file is left as it was", async () => {
    const { path, starts, entries } = await journalOf(20);
    await flip(path, starts[2]! + 40); // inside commit 3's entries
    const before = await readFile(path);
    const journal = await IndexJournal.open(path);
    expect(journal.view.toEntries()).toEqual(entries.slice(0, 2).flat());
    expect(journal.damage).toEqual({ byteOffset: starts[2], length: starts[3]! - starts[2]!, commitsAfter: 17 });
    expect(journal.ignoredBytes).toBe(before.length - starts[2]!);

    const refused = await journal.commit({ append: [entry(999)] }).catch((e: unknown) => e);
    expect(IndexCorruptError.isInstance(refused)).toBe(true);
    expect(refused).toMatchObject({ code: "INDEX_CORRUPT", path, byteOffset: starts[2] });
    expect((refused as Error).message).toMatch(/17 whole commit\(s\) after them.*run recover/);
    await expect(journal.replaceWith([])).rejects.toMatchObject({ code: "INDEX_CORRUPT", byteOffset: starts[2] });
    await expect(journal.rewrite()).rejects.toMatchObject({ code: "INDEX_CORRUPT", byteOffset: starts[2] });
    // A change with nothing in it writes nothing, damage or not.
    await expect(journal.commit({})).resolves.toMatchObject({ bytes: 0 });
    await journal.close();
    expect(Buffer.compare(await readFile(path), before)).toBe(0);
  });

  it("damage in the first commit, and in the commit head (its length) rather than the payload, is found too", async () => {
    const { path, starts } = await journalOf(5);
    await flip(path, starts[0]! + 5); // the length field of commit 1
    const journal = await IndexJournal.open(path);
    expect(journal.view.size).toBe(0);
    expect(journal.damage).toMatchObject({ byteOffset: starts[0], commitsAfter: 4 });
    await expect(journal.commit({ append: [entry(99)] })).rejects.toMatchObject({ code: "INDEX_CORRUPT" });
    await journal.close();
  });

  it("a reader that catches up sees damage appear, and a replaced file clears it", async () => {
    const { path, starts } = await journalOf(4);
    const reader = await IndexJournal.open(path);
    expect(reader.damage).toBeUndefined();
    const bytes = await readFile(path);
    // Appended by hand: a damaged copy of commit 2, then a whole copy of commit 3.
    const damaged = Buffer.from(bytes.subarray(starts[1]!, starts[2]!));
    damaged[30]! ^= 1;
    await writeFile(path, Buffer.concat([bytes, damaged, bytes.subarray(starts[2]!, starts[3]!)]));
    await reader.catchUp();
    expect(reader.view.size).toBe(12);
    expect(reader.damage).toEqual({ byteOffset: bytes.length, length: damaged.length, commitsAfter: 1 });
    await expect(reader.commit({ append: [entry(99)] })).rejects.toMatchObject({ code: "INDEX_CORRUPT", byteOffset: bytes.length });
    expect((await reader.catchUp()).appended).toBe(0); // nothing new: the damage is not read again
    await writeJournal(path, reader.view.toEntries()); // what a recover does: a fresh file
    expect((await reader.catchUp()).replaced).toBe(true);
    expect(reader.damage).toBeUndefined();
    await reader.commit({ append: [entry(99)] });
    await reader.close();
  });

  it("salvageJournal reads the commits after the damage back", async () => {
    const { path, starts, entries } = await journalOf(20);
    await flip(path, starts[2]! + 40);
    const salvage = await salvageJournal(path);
    expect(salvage.view.toEntries()).toEqual([...entries.slice(0, 2), ...entries.slice(3)].flat());
    expect(salvage.damage).toEqual([{ byteOffset: starts[2], length: starts[3]! - starts[2]! }]);
    expect(salvage.commitsAfter).toBe(17);
    expect(salvage.unresolved).toBe(0);
    expect(salvage.skippedCommits).toBe(0);
    expect(salvage.removed).toEqual([]);
  });

  it("salvage applies removals and exposure after the damage only where the ordinal is known; types defined after it are left out", async () => {
    const path = join(await tempDir(), "index.rkx");
    const journal = await IndexJournal.open(path, { create: true });
    const e = (i: number, o: Partial<IndexEntry> = {}) => entry(i * 5, { sectionType: "prose", ...o });
    await journal.commit({ append: [e(0), e(1), e(2), e(3)] }); // ordinals 0–3
    await journal.commit({ remove: [e(3)], reason: "evicted" }); // before the damage: exact
    const lost = journal.end;
    await journal.commit({ append: [e(4)] }); // ordinal 4: this commit is damaged below
    await journal.commit({ remove: [e(1)], reason: "removed" }); // ordinal 1 < 4: placed
    await journal.commit({ remove: [e(4)], reason: "superseded" }); // ordinal 4: unknown after the damage
    await journal.commit({ exposure: [{ ...e(2), replayCount: 3, lastReplayAt: new Date(86_400_000) }] }); // ordinal 2: placed
    await journal.commit({ append: [e(5, { sectionType: "notes" }), e(6)] }); // a new type after the damage
    await journal.close();
    await flip(path, lost + 12);

    const salvage = await salvageJournal(path);
    const ids = salvage.view.toEntries().map((x) => x.sectionId);
    expect(ids).toEqual([e(0), e(2), e(5), e(6)].map((x) => x.sectionId));
    expect(salvage.view.exposure(1)).toEqual({ replayCount: 3, lastReplayAt: new Date(86_400_000) });
    expect(salvage.view.entry(2).sectionType).toBeUndefined(); // "notes" was defined after the damage
    expect(salvage.view.entry(3).sectionType).toBe("prose"); // defined before it: known
    expect(salvage.removed).toEqual([
      { sectionId: e(3).sectionId, byteOffset: e(3).byteOffset, reason: "evicted" },
      { sectionId: e(1).sectionId, byteOffset: e(1).byteOffset, reason: "removed" },
    ]);
    expect(salvage.unresolved).toBe(1);
    expect(salvage.commitsAfter).toBe(4);
  });

  it("salvage of a whole journal is its view, removals included; of a missing file a typed error", async () => {
    const { path, entries } = await journalOf(3);
    const journal = await IndexJournal.open(path);
    await journal.commit({ remove: [entries[1]![0]!], reason: "evicted" });
    const view = journal.view.toEntries();
    await journal.close();
    const salvage = await salvageJournal(path);
    expect(salvage.view.toEntries()).toEqual(view);
    expect(salvage.damage).toEqual([]);
    expect(salvage.removed).toEqual([{ sectionId: entries[1]![0]!.sectionId, byteOffset: entries[1]![0]!.byteOffset, reason: "evicted" }]);
    await expect(salvageJournal(join(await tempDir(), "none.rkx"))).rejects.toMatchObject({ code: "INDEX_READ" });
    await expect(salvageJournal("" as never)).rejects.toMatchObject({ code: "INDEX_ARGUMENT" });
  });
});

describe("damage or torn tail, property", () => {
  it("a byte flipped anywhere in commit k of n: damage with n − k − 1 commits after it (none for the last: a torn tail), and salvage gives back every other commit", async () => {
    const { path, starts, entries } = await journalOf(8);
    const pristine = await readFile(path);
    const ends = [...starts.slice(1), pristine.length];
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 7 }), fc.nat(), fc.integer({ min: 1, max: 255 }), async (k, where, mask) => {
        const bytes = Buffer.from(pristine);
        bytes[starts[k]! + (where % (ends[k]! - starts[k]!))]! ^= mask;
        await writeFile(path, bytes);
        const journal = await IndexJournal.open(path);
        expect(journal.view.toEntries()).toEqual(entries.slice(0, k).flat());
        if (k === 7) expect(journal.damage).toBeUndefined();
        else expect(journal.damage).toMatchObject({ byteOffset: starts[k], commitsAfter: 7 - k });
        await journal.close();
        const salvage = await salvageJournal(path);
        // Commit 1 defines the types: lost with it, they leave the later entries without one.
        const expected = [...entries.slice(0, k), ...entries.slice(k + 1)].flat();
        expect(salvage.view.toEntries().map((e) => e.sectionId)).toEqual(expected.map((e) => e.sectionId));
        if (k > 0) expect(salvage.view.toEntries()).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  }, 60_000);
});

describe("crafted damage stays typed", () => {
  it("random flips, cuts and inserted bytes: open, commit and salvage give a result or IndexCorruptError; a damaged file is never written", async () => {
    const { path } = await journalOf(8);
    const pristine = await readFile(path);
    const edit = fc.oneof(
      fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
      fc.record({ kind: fc.constant("cut" as const), at: fc.nat() }),
      fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 4 }), async (edits) => {
        let bytes = Buffer.from(pristine);
        for (const e of edits) {
          const at = 16 + (e.at % Math.max(1, bytes.length - 16));
          if (e.kind === "flip") bytes[at]! ^= e.mask;
          else if (e.kind === "cut") bytes = bytes.subarray(0, at);
          else bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(e.bytes), bytes.subarray(at)]);
        }
        await writeFile(path, bytes);
        const typed = (error: unknown) => {
          if (!IndexCorruptError.isInstance(error)) throw error;
        };
        await salvageJournal(path).catch(typed);
        const journal = await IndexJournal.open(path).catch((error: unknown) => typed(error));
        if (journal === undefined) return;
        const size = journal.view.size;
        const damaged = journal.damage !== undefined;
        const result = await journal.commit({ append: [entry(777)] }).catch((error: unknown) => typed(error));
        await journal.close();
        if (damaged) {
          expect(result).toBeUndefined();
          expect(Buffer.compare(await readFile(path), bytes)).toBe(0);
        } else if (result !== undefined) {
          const again = await IndexJournal.open(path);
          expect(again.view.size).toBe(size + 1);
          expect(again.damage).toBeUndefined();
          await again.close();
        }
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});

describe("removals seen by the reader (salvage collects them)", () => {
  it("every remove record reaches onRemove, whether its commit fits the window or is read whole", async () => {
    const path = join(await tempDir(), "index.rkx");
    const journal = await IndexJournal.open(path, { create: true });
    await journal.commit({ append: Array.from({ length: 100 }, (_, i) => entry(i)) });
    await journal.commit({ remove: Array.from({ length: 50 }, (_, i) => entry(2 * i)), reason: "evicted" });
    await journal.commit({ remove: [entry(1)] });
    await journal.close();
    const size = (await stat(path)).size;
    for (const windowBytes of [64, 1 << 20]) {
      const fd = await open(path, "r");
      const seen: number[] = [];
      const cols = new Columns();
      await readCommits(fd, path, cols, 16, size, windowBytes, 64, {
        end: 16,
        ignoredBytes: 0,
        commits: 0,
        appended: 0,
        removed: 0,
        exposed: 0,
        onRemove: (rows, reason) => seen.push(rows.length * 10 + reason),
      });
      await fd.close();
      expect(seen, `window ${windowBytes}`).toEqual([501, 10]);
      expect(cols.size).toBe(49);
    }
  });
});

describe("a torn tail is still cut", () => {
  it("the last commit cut short: no damage, and the next commit cuts the tail and follows the last whole commit", async () => {
    const { path, starts, entries } = await journalOf(20);
    const size = (await stat(path)).size;
    await truncate(path, size - 13);
    const journal = await IndexJournal.open(path);
    expect(journal.damage).toBeUndefined();
    expect(journal.ignoredBytes).toBe(size - 13 - starts[19]!);
    expect(journal.view.size).toBe(57);
    await journal.commit({ append: [entry(500)] });
    await journal.close();
    const again = await IndexJournal.open(path);
    expect(again.view.toEntries()).toEqual([...entries.slice(0, 19).flat(), entry(500)]);
    expect(again.ignoredBytes).toBe(0);
    await again.close();
  });

  it("a tail of zeros or garbage with no whole commit in it is torn, not damage", async () => {
    const { path } = await journalOf(4);
    const bytes = await readFile(path);
    const garbage = Buffer.alloc(4096);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919) & 0xff;
    for (const tail of [Buffer.alloc(4096), garbage]) {
      await writeFile(path, Buffer.concat([bytes, tail]));
      const journal = await IndexJournal.open(path);
      expect(journal.damage).toBeUndefined();
      expect(journal.ignoredBytes).toBe(tail.length);
      await journal.close();
    }
  });
});

describe("memory is bounded by what commits hold, not by what a head declares", () => {
  it("a run of commits too long for the window: every entry read, the columns sized once for the rest of the file and no more", async () => {
    const path = join(await tempDir(), "index.rkx");
    const journal = await IndexJournal.open(path, { create: true });
    const all: IndexEntry[] = [];
    for (let k = 0; k < 4; k++) {
      const batch = Array.from({ length: 200 }, (_, i) => entry(200 * k + i));
      all.push(...batch);
      await journal.commit({ append: batch });
    }
    await journal.close();
    const size = (await stat(path)).size;
    const fd = await open(path, "r");
    const cols = new Columns();
    const grown: number[] = [];
    const reserve = cols.reserve.bind(cols);
    cols.reserve = (capacity: number) => {
      const before = cols.capacity;
      reserve(capacity);
      if (cols.capacity !== before) grown.push(cols.capacity);
    };
    // A window of 4 KiB: each commit (200 entries, ~11 KiB) is read column by column into place.
    const result = await readCommits(fd, path, cols, 16, size, 4096, 64);
    await fd.close();
    expect(result.ignoredBytes).toBe(0);
    expect(cols.toEntries()).toEqual(all);
    expect(grown).toHaveLength(1);
    expect(cols.capacity).toBeLessThanOrEqual(Math.floor(size / 55));
  });

  it("a long commit no bigger than the live rows is checked where it was read: one flipped byte anywhere in it stops the reader before it", async () => {
    const { path, starts } = await threeLongCommits();
    const clean = await readFile(path);
    const [second, third] = [starts[1]!, starts[2]!];
    // Its length field, a record head, the middle of the columns, the last byte.
    for (const at of [second + 4, second + 8, Math.floor((second + third) / 2), third - 1]) {
      const bytes = Buffer.from(clean);
      bytes[at]! ^= 0x10;
      await writeFile(path, bytes);
      const fd = await open(path, "r");
      const cols = new Columns();
      const result = await readCommits(fd, path, cols, 16, bytes.length, 4096, 64);
      await fd.close();
      expect(result.end, `flip at ${at}`).toBe(second);
      expect(result.commits).toBe(1);
      expect(cols.size).toBe(200);
      expect(cols.toEntries()).toEqual(Array.from({ length: 200 }, (_, i) => entry(i)));
    }
  });

  it("a long commit's columns are read at once: a read that fails is the error (an IndexReadError), raised only once every other read of the commit has ended", async () => {
    const { path, starts } = await threeLongCommits();
    const size = (await stat(path)).size;
    const [second, third] = [starts[1]!, starts[2]!];
    const real = await open(path, "r");
    // In the second commit (read into place), the read of the first u32 column (200 × 4 bytes)
    // fails at once, and the read of the flags column (200 × 1 byte, later in the file) ends later.
    let slowEnded = false;
    let failedAt: number | undefined;
    const fd = {
      read: async (dest: Uint8Array, offset: number, length: number, position: number) => {
        const inSecond = position > second && position < third;
        if (inSecond && length === 800 && failedAt === undefined) {
          failedAt = position;
          throw Object.assign(new Error("EIO: i/o error, read"), { code: "EIO" });
        }
        const done = await real.read(dest, offset, length, position);
        if (inSecond && length === 200) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          slowEnded = true;
        }
        return done;
      },
    } as unknown as Parameters<typeof readCommits>[0];
    const cols = new Columns();
    const error = await readCommits(fd, path, cols, 16, size, 4096, 64).catch((e: unknown) => e);
    await real.close();
    expect(failedAt).toBeDefined();
    expect(error).toBeInstanceOf(IndexReadError);
    expect((error as IndexReadError).message).toContain(path);
    expect(slowEnded).toBe(true);
  });

  it("a commit head declaring 2 GiB in a small file: a torn tail, and the columns hold room for the real entries only", async () => {
    const { path } = await journalOf(3);
    const head = Buffer.alloc(16);
    head.writeUInt32LE(0x7fff_fff0, 4);
    head.writeUInt8(2, 8); // an entries record…
    head.writeUInt32LE(39_000_000, 12); // …of 39 million entries
    await writeFile(path, Buffer.concat([await readFile(path), head]));
    const fd = await open(path, "r");
    const cols = new Columns();
    const size = (await stat(path)).size;
    const result = await readCommits(fd, path, cols, 16, size);
    await fd.close();
    expect(result.ignoredBytes).toBe(16);
    expect(cols.size).toBe(9);
    expect(cols.capacity).toBeLessThan(64);
    const journal = await IndexJournal.open(path);
    expect(journal.damage).toBeUndefined();
    await journal.close();
  });

  it("a commit head declaring 256 MiB over 256 MiB of real (sparse) file bytes that fail the checksum: a child process opens it in bounded memory", async () => {
    const { path } = await journalOf(3);
    const base = (await readFile(path)).length;
    const length = 256 << 20;
    const head = Buffer.alloc(16);
    head.writeUInt32LE(0x1234_5678, 0); // no checksum matches
    head.writeUInt32LE(length, 4);
    head.writeUInt8(2, 8);
    head.writeUInt32LE(Math.floor((length - 8) / 55), 12);
    await writeFile(path, Buffer.concat([await readFile(path), head]));
    await truncate(path, base + 8 + length); // the rest reads as zeros, allocating nothing on disk
    const child = join(fileURLToPath(new URL(".", import.meta.url)), "fixtures", "open-rss.mjs");
    const out = spawnSync(process.execPath, [child, path], { encoding: "utf8", timeout: 120_000 });
    expect(out.status, out.stderr).toBe(0);
    const report = JSON.parse(out.stdout) as { size: number; ignoredBytes: number; damage: unknown; rssGrowthMiB: number };
    expect(report).toMatchObject({ size: 9, ignoredBytes: 8 + length, damage: null });
    // Before: the columns were sized from the file (256 MiB / 55 B a row) and the commit read
    // whole to check it: ~270 MiB more. Now: windows of 4 MiB.
    expect(report.rssGrowthMiB).toBeLessThan(96);
  }, 180_000);
});

/** A journal of three commits of 200 entries each, and where each commit starts (and the file ends). */
async function threeLongCommits(): Promise<{ path: string; starts: number[] }> {
  const path = join(await tempDir(), "index.rkx");
  const journal = await IndexJournal.open(path, { create: true });
  const starts: number[] = [];
  for (let k = 0; k < 3; k++) {
    starts.push(journal.end);
    await journal.commit({ append: Array.from({ length: 200 }, (_, i) => entry(200 * k + i)) });
  }
  starts.push(journal.end);
  await journal.close();
  return { path, starts };
}

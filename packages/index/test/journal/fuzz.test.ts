import { open, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IndexCorruptError, IndexJournal } from "../../src/index.js";
import { Columns } from "../../src/journal/columns.js";
import { applyCommits } from "../../src/journal/apply.js";
import { readCommits } from "../../src/journal/read-commits.js";
import { entry, tempDir } from "./helpers.js";

/** What a reader shows: entries and exposure, for comparing states. */
function snapshot(journal: IndexJournal): unknown {
  const view = journal.view;
  return Array.from({ length: view.size }, (_, i) => [view.entry(i), view.exposure(i)]);
}

/** A file of several commits of every record kind, with the state after each commit. */
async function build(): Promise<{ bytes: Buffer; ends: number[]; states: unknown[] }> {
  const path = join(await tempDir(), "base.rkx");
  const journal = await IndexJournal.open(path, { create: true });
  const ends = [journal.end];
  const states = [snapshot(journal)];
  const step = async (change: Parameters<IndexJournal["commit"]>[0]) => {
    await journal.commit(change);
    ends.push(journal.end);
    states.push(snapshot(journal));
  };
  await step({ append: Array.from({ length: 12 }, (_, i) => entry(i)) });
  await step({ remove: [entry(3), entry(5)], reason: "evicted" });
  await step({ append: [entry(20, { sectionType: "notes" }), entry(21)], exposure: [{ ...entry(1), replayCount: 4, lastReplayAt: new Date(86_400_000) }] });
  await step({ remove: [entry(20)], append: [entry(22)] });
  await journal.close();
  return { bytes: await readFile(path), ends, states };
}

/** Opens `bytes` as an index: the state shown, or the error thrown. */
async function openBytes(path: string, bytes: Uint8Array): Promise<{ state?: unknown; end?: number; error?: unknown }> {
  await writeFile(path, bytes);
  try {
    const journal = await IndexJournal.open(path);
    const result = { state: snapshot(journal), end: journal.end };
    await journal.close();
    return result;
  } catch (error) {
    return { error };
  }
}

describe("journal fuzzing", () => {
  it("random byte damage and truncation give IndexCorruptError or exactly the state of a whole-commit prefix", async () => {
    const { bytes, ends, states } = await build();
    const path = join(await tempDir(), "fuzzed.rkx");
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ at: fc.nat({ max: bytes.length - 1 }), xor: fc.integer({ min: 1, max: 255 }) }), { minLength: 0, maxLength: 4 }),
        fc.option(fc.nat({ max: bytes.length }), { nil: undefined }),
        async (flips, cut) => {
          const damaged = Buffer.from(bytes);
          for (const { at, xor } of flips) damaged[at]! ^= xor;
          const result = await openBytes(path, cut === undefined ? damaged : damaged.subarray(0, cut));
          if (result.error !== undefined) {
            expect(IndexCorruptError.isInstance(result.error), String(result.error)).toBe(true);
            return;
          }
          const k = ends.indexOf(result.end!);
          expect(k).toBeGreaterThanOrEqual(0);
          expect(result.state).toEqual(states[k]);
          // Nothing before the first damaged byte or the cut is lost.
          const firstDamage = Math.min(cut ?? bytes.length, ...flips.map((f) => f.at));
          const whole = ends.filter((end) => end <= firstDamage).length - 1;
          if (firstDamage >= 16) expect(k).toBeGreaterThanOrEqual(whole);
        },
      ),
      { numRuns: 400 },
    );
  }, 120_000);

  it("garbage inside a commit whose checksum still holds is IndexCorruptError or a valid state, never another error", async () => {
    const { bytes, ends } = await build();
    const path = join(await tempDir(), "forged.rkx");
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: ends.length - 1 }),
        fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 6 }),
        async (commit, writes) => {
          const forged = Buffer.from(bytes.subarray(0, ends[commit]!));
          const start = ends[commit - 1]!;
          const payload = forged.subarray(start + 8);
          for (const { at, value } of writes) payload[at % payload.length] = value;
          forged.writeUInt32LE(crc32(forged.subarray(start + 4)) >>> 0, start); // re-sign the damaged commit
          const result = await openBytes(path, forged);
          if (result.error !== undefined) expect(IndexCorruptError.isInstance(result.error), String(result.error)).toBe(true);
          else expect(result.end).toBe(forged.length);
        },
      ),
      { numRuns: 400 },
    );
  }, 120_000);

  it("random bytes after a valid header never crash or hang the reader", async () => {
    const path = join(await tempDir(), "random.rkx");
    const header = (await build()).bytes.subarray(0, 16);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 600 }), async (tail) => {
        const result = await openBytes(path, Buffer.concat([header, tail]));
        if (result.error !== undefined) expect(IndexCorruptError.isInstance(result.error)).toBe(true);
        else expect(result.state).toEqual([]);
      }),
      { numRuns: 300 },
    );
  }, 120_000);
});

describe("the journal against a model", () => {
  it("random appends, removals, exposure and rewrites: writer, a catching-up reader and a reopen all match a plain array", async () => {
    const dir = await tempDir();
    let run = 0;
    const op = fc.oneof(
      fc.record({ kind: fc.constant("append" as const), ids: fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 8 }) }),
      fc.record({ kind: fc.constant("remove" as const), picks: fc.array(fc.nat(), { minLength: 1, maxLength: 5 }) }),
      fc.record({ kind: fc.constant("expose" as const), pick: fc.nat(), count: fc.integer({ min: 1, max: 9 }) }),
      fc.record({ kind: fc.constant("rewrite" as const) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 25 }), async (ops) => {
        const path = join(dir, `model-${run++}.rkx`);
        const writer = await IndexJournal.open(path, { create: true });
        const reader = await IndexJournal.open(path);
        let model: Array<{ e: ReturnType<typeof entry>; replayCount: number; last?: Date }> = [];
        let serial = 0;
        for (const o of ops) {
          if (o.kind === "append") {
            // Distinct offsets per append, so (id, offset) names one entry.
            const added = o.ids.map((id) => entry(id, { byteOffset: 1_000_000 + serial++ * 10 }));
            await writer.commit({ append: added });
            model.push(...added.map((e) => ({ e, replayCount: 0 })));
          } else if (o.kind === "remove" && model.length > 0) {
            const gone = new Set(o.picks.map((p) => model[p % model.length]!.e));
            await writer.commit({ remove: [...gone] });
            model = model.filter((m) => !gone.has(m.e));
          } else if (o.kind === "expose" && model.length > 0) {
            const m = model[o.pick % model.length]!;
            m.replayCount = o.count;
            m.last = new Date(o.count * 1000);
            await writer.commit({ exposure: [{ ...m.e, replayCount: o.count, lastReplayAt: m.last }] });
          } else if (o.kind === "rewrite") {
            await writer.rewrite();
            model.sort((a, b) => a.e.byteOffset - b.e.byteOffset);
          }
          await reader.catchUp();
        }
        const expected = model.map((m) => [m.e, m.replayCount === 0 ? { replayCount: 0 } : { replayCount: m.replayCount, lastReplayAt: m.last }]);
        expect(snapshot(writer)).toEqual(expected);
        expect(snapshot(reader)).toEqual(expected);
        const again = await IndexJournal.open(path);
        expect(snapshot(again)).toEqual(expected);
        await Promise.all([writer.close(), reader.close(), again.close()]);
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});

/**
 * A file whose commits take every route of the reader: small ones (read from the window)
 * and long ones (more than the small windows below: a types record, an entries record read
 * column by column, then remove and exposure records in the same commit).
 */
async function buildLong(): Promise<{ bytes: Buffer; ends: number[] }> {
  const path = join(await tempDir(), "long.rkx");
  const journal = await IndexJournal.open(path, { create: true });
  const ends = [journal.end];
  const step = async (change: Parameters<IndexJournal["commit"]>[0]) => {
    await journal.commit(change);
    ends.push(journal.end);
  };
  await step({ append: Array.from({ length: 40 }, (_, i) => entry(i)) });
  await step({ append: [entry(100)] });
  await step({
    append: Array.from({ length: 60 }, (_, i) => entry(200 + i, { sectionType: `kind-${i % 4}` })),
    remove: [entry(3), entry(100)],
    exposure: [{ ...entry(5), replayCount: 2, lastReplayAt: new Date(86_400_000 * 3) }],
  });
  await step({ remove: [entry(7)], reason: "evicted" });
  await step({ append: Array.from({ length: 30 }, (_, i) => entry(300 + i)), exposure: [{ ...entry(201), replayCount: 1, lastReplayAt: new Date(5_000) }] });
  await journal.close();
  return { bytes: await readFile(path), ends };
}

/** `readCommits` of a file through a window of `windowBytes`: the state, end and tail, or the error. */
async function readThrough(
  path: string,
  windowBytes: number,
  headBytes?: number,
): Promise<{ state?: unknown; end?: number; ignored?: number; error?: string }> {
  const fd = await open(path, "r");
  try {
    const cols = new Columns();
    const size = (await fd.stat()).size;
    const applied = await readCommits(fd, path, cols, 16, size, windowBytes, headBytes);
    return {
      state: Array.from({ length: cols.size }, (_, i) => [cols.entry(i), cols.exposure(i)]),
      end: applied.end,
      ignored: applied.ignoredBytes,
    };
  } catch (error) {
    return { error: String(error) };
  } finally {
    await fd.close();
  }
}

/** The same bytes applied from memory at once (`applyCommits`, no window): the reference. */
function applyAtOnce(bytes: Uint8Array): { state?: unknown; end?: number; ignored?: number; error?: string } {
  const cols = new Columns();
  try {
    const applied = applyCommits(cols, bytes.subarray(16), 16, "P");
    return { state: Array.from({ length: cols.size }, (_, i) => [cols.entry(i), cols.exposure(i)]), end: applied.end, ignored: applied.ignoredBytes };
  } catch (error) {
    return { error: String(error) };
  }
}

describe("reading through a window (readCommits)", () => {
  it("any window size gives what applying the bytes at once gives, damaged, truncated or re-signed", async () => {
    const { bytes, ends } = await buildLong();
    expect(ends[3]! - ends[2]!).toBeGreaterThan(3000); // the long commit is longer than most windows below
    const dir = await tempDir();
    const path = join(dir, "window.rkx");
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 64, max: 8000 }),
        fc.integer({ min: 8, max: 8000 }),
        fc.array(fc.record({ at: fc.integer({ min: 16, max: bytes.length - 1 }), xor: fc.integer({ min: 1, max: 255 }) }), { maxLength: 3 }),
        fc.option(fc.integer({ min: 16, max: bytes.length }), { nil: undefined }),
        fc.boolean(),
        async (windowBytes, headBytes, flips, cut, resign) => {
          const damaged = Buffer.from(bytes);
          for (const { at, xor } of flips) damaged[at]! ^= xor;
          if (resign) {
            // Damage no checksum catches: every commit re-signed, so the records' own checks must.
            for (let k = 1; k < ends.length; k++) {
              const start = ends[k - 1]!;
              const length = damaged.readUInt32LE(start + 4);
              if (length !== ends[k]! - start - 8) break;
              damaged.writeUInt32LE(crc32(damaged.subarray(start + 4, ends[k]!)) >>> 0, start);
            }
          }
          const file = cut === undefined ? damaged : damaged.subarray(0, cut);
          await writeFile(path, file);
          const expected = applyAtOnce(file);
          const got = await readThrough(path, windowBytes, headBytes);
          expect(got.error ?? "", `window ${windowBytes}`).toBe((expected.error ?? "").replace(/corrupt index P/, `corrupt index ${path}`));
          if (expected.error === undefined) {
            expect(got.end).toBe(expected.end);
            expect(got.ignored).toBe(expected.ignored);
            expect(got.state).toEqual(expected.state);
          }
        },
      ),
      { numRuns: 300 },
    );
  }, 120_000);

  it("a long commit is believed only once its checksum holds: a damaged column or cut makes it the tail", async () => {
    const { bytes, ends } = await buildLong();
    const path = join(await tempDir(), "long-tail.rkx");
    await writeFile(path, bytes);
    const whole = await readThrough(path, 512);
    expect(whole.end).toBe(bytes.length);
    for (const at of [ends[2]! + 40, ends[2]! + 1500, ends[3]! - 3]) {
      const damaged = Buffer.from(bytes);
      damaged[at]! ^= 0x10;
      await writeFile(path, damaged);
      const got = await readThrough(path, 512);
      expect(got.end).toBe(ends[2]);
      expect(got.ignored).toBe(bytes.length - ends[2]!);
      expect(got.state).toEqual(applyAtOnce(bytes.subarray(0, ends[2]!)).state);
    }
    await writeFile(path, bytes.subarray(0, ends[3]! - 1));
    expect((await readThrough(path, 512)).end).toBe(ends[2]);
  });
});

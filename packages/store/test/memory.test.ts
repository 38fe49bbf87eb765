// Bounded memory (issue 13.4): a frame that declares more content than `maxFrameBytes` is a
// typed error before anything is allocated for it, and whole-store sweeps are batched by
// declared content, so a store of 4,096 sections of 1 MiB (a ~1 MiB corpus) is verified,
// sampled, compacted, recovered and upgraded within a generous memory bound.
import { appendFileSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { CorpusCorruptError, ReplayStore, createSnapshot, type IndexEntry } from "../src/index.js";
import { tempDir } from "./helpers.js";
import { run } from "./proc.js";

/**
 * A valid zstd frame of 32 KiB declaring 1 GiB of zeros: 8,192 RLE blocks of 128 KiB.
 * (Decompressing it would allocate 1 GiB; nothing may.)
 */
function zstdBomb(): Buffer {
  const blocks = 8192;
  const out = Buffer.alloc(4 + 1 + 8 + blocks * 4);
  out.writeUInt32LE(0xfd2fb528, 0);
  out[4] = 0xe0; // 8-byte Frame_Content_Size, single segment, no checksum, no dictionary
  out.writeBigUInt64LE(1n << 30n, 5);
  let at = 13;
  for (let i = 0; i < blocks; i++) {
    const header = ((128 * 1024) << 3) | (1 << 1) | (i === blocks - 1 ? 1 : 0); // RLE block
    out.writeUIntLE(header, at, 3);
    out[at + 3] = 0;
    at += 4;
  }
  return out;
}

const MiB = 1 << 20;
const rssMiB = () => process.memoryUsage().rss / MiB;

describe("a zstd bomb in the corpus", () => {
  test("an entry pointing at a 32 KiB frame declaring 1 GiB: typed errors from read, sampling and verify; no big allocation", async () => {
    const dir = join(tempDir(), "store");
    const store = await ReplayStore.open(dir);
    const good = await store.append(createSnapshot({ sectionType: "prose", content: "an honest section", lastSeenAt: new Date("2026-01-01T00:00:00Z") }));
    const bomb = zstdBomb();
    const byteOffset = statSync(store.corpusPath).size;
    appendFileSync(store.corpusPath, bomb);
    const evil: IndexEntry = { sectionId: "0123456789abcdef", byteOffset, length: bomb.length, addedAt: new Date("2026-01-02T00:00:00Z"), weight: 1 };
    const entries: IndexEntry[] = [];
    for (let i = 0; i < 8; i++) entries.push({ ...evil, sectionId: `0123456789abcde${i}` }); // eight of them aborted the old process
    await store.save([good, ...entries]);
    const before = rssMiB();

    const error = await store.read(entries[0]!).catch((e: unknown) => e);
    expect(CorpusCorruptError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: "CORPUS_CORRUPT", reason: "too-large", byteOffset, length: bomb.length, path: store.corpusPath });

    await expect(store.sampleRows({ k: 9, now: new Date("2026-06-01T00:00:00Z"), seed: 1 })).rejects.toMatchObject({
      code: "CORPUS_CORRUPT",
      reason: "too-large",
    });
    const report = await store.verify();
    expect(report.ok).toBe(false);
    expect(report.problems).toHaveLength(8);
    expect(report.problems.every((p) => p.byteOffset === byteOffset && /maxFrameBytes/.test(p.message))).toBe(true);
    // compact copies frames without decoding them, but refuses one it may not hold.
    await expect(store.compact()).rejects.toMatchObject({ code: "CORPUS_CORRUPT", reason: "too-large" });
    expect(rssMiB() - before).toBeLessThan(512);
    // Repair sets them aside; then everything works again and nothing left the corpus.
    const size = statSync(store.corpusPath).size;
    const repaired = await store.verify({ repair: true });
    expect(repaired.quarantined).toHaveLength(8);
    expect(await store.sampleRows({ k: 9, now: new Date("2026-06-01T00:00:00Z"), seed: 1 })).toHaveLength(1);
    expect(statSync(store.corpusPath).size).toBe(size);
    expect((await store.quarantined()).map((q) => q.sectionId).sort()).toEqual(entries.map((e) => e.sectionId).sort());

    // A store opened with a larger limit still never trusts the size blindly: the limit is the user's to set.
    await expect(ReplayStore.open(dir, { maxFrameBytes: 0 })).rejects.toMatchObject({ code: "STORE_ARGUMENT", argument: "options.maxFrameBytes" });
  }, 60_000);

  test("maxFrameBytes is the store's option: a section larger than it is refused on read, smaller ones pass", async () => {
    const dir = join(tempDir(), "store");
    const writer = await ReplayStore.open(dir);
    const [small, big] = await writer.appendMany([
      createSnapshot({ sectionType: "prose", content: "small", lastSeenAt: new Date("2026-01-01T00:00:00Z") }),
      createSnapshot({ sectionType: "prose", content: "y".repeat(200_000), lastSeenAt: new Date("2026-01-02T00:00:00Z") }),
    ]);
    const strict = await ReplayStore.open(dir, { maxFrameBytes: 100_000 });
    expect((await strict.read(small!)).content).toBe("small");
    await expect(strict.read(big!)).rejects.toMatchObject({ code: "CORPUS_CORRUPT", reason: "too-large" });
    const report = await strict.verify();
    expect(report.problems.map((p) => p.sectionId)).toEqual([big!.sectionId]);
    expect(readFileSync(strict.corpusPath).length).toBeGreaterThan(0);
  });
});

describe("4,096 sections of 1 MiB", () => {
  // Each operation runs in its own process, which reports its peak RSS. Unbatched, verify
  // used 8.3 GB here; the bound below is generous on purpose (no speed or tight memory assertions).
  test("verify, stats, sampling, compact, recover, upgrade: peak RSS under 1.5 GiB each", async () => {
    const dir = join(tempDir(), "store");
    const ops = ["build", "verify", "stats", "sample", "compact", "recover", "upgrade"] as const;
    const peaks: Record<string, number> = {};
    for (const op of ops) {
      const child = run("big-sections.mjs", [dir, "4096", op]);
      await child.waitFor(/^rss /, 300_000);
      expect(await child.exited).toBe(0);
      const [, peak, ...result] = child.lines.find((l) => l.startsWith("rss "))!.split(" ");
      peaks[op] = Number(peak);
      if (op === "verify") expect(result.join(" ")).toBe("true 4096");
      if (op === "sample") expect(result.join(" ")).toBe("64");
      if (op === "recover" || op === "upgrade") expect(result.join(" ")).toBe("4096");
      if (op !== "build") expect(Number(peak)).toBeLessThan(1536);
    }
    console.log(`peak RSS (MiB) for 4,096 × 1 MiB sections: ${JSON.stringify(peaks)}`);
  }, 600_000);
});

// Compaction: copy the live frames into a new corpus file, write the re-pointed index beside
// it, and publish both as the next generation (the commit point), then roll forward. A crash
// before the commit leaves the old generation untouched (its temps are removed by the next
// writer); after it, readers read the new pair and the next writer finishes the renames.
import { appendFrames, CorpusCorruptError, crc32, fsyncDir } from "@replaykit/corpus";
import type { IndexEntry } from "@replaykit/index";
import { randomBytes } from "node:crypto";
import { open } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { StoreArgumentError, StoreIOError } from "./errors.js";
import { writeGeneration, type StorePaths } from "./generation.js";
import { compactIndexBase, emptiedOnPurpose, indexOf, writeIndexFile } from "./index-io.js";
import { COMPACT_INFIX, crashPoint, hasIntactFrame, removeAbandonedTemps, rollForward } from "./recover.js";
import { sizeOf, writerView } from "./view.js";

/** How a compaction runs. */
export interface CompactRun {
  maxFrameBytes: number;
  /** Compact even when the index looks lost (empty index, intact frames in the corpus). */
  force: boolean;
  onProgress?: ((done: number, total: number) => void) | undefined;
}

/**
 * Compacts the store. Call with the writer lock held, after `rollForward`.
 * @throws {StoreArgumentError} (argument "options.force") when the index looks lost and `force` is false.
 * @throws {CorpusCorruptError} when a live frame fails its CRC-32 (nothing is changed).
 */
export async function compactLocked(p: StorePaths, run: CompactRun): Promise<{ bytesBefore: number; bytesAfter: number }> {
  const view = await writerView(p, run.maxFrameBytes);
  // A writer view's entries carry their replay counts (StoreIndex#load), which writeIndexFile
  // carries into the new index: exposure survives the compaction.
  const { generation, entries } = view;
  const bytesBefore = await sizeOf(p.corpusPath);
  if (
    !run.force &&
    entries.length === 0 &&
    bytesBefore > 0 &&
    !(await emptiedOnPurpose(p.indexPath)) &&
    (await hasIntactFrame(p.corpusPath, run.maxFrameBytes))
  ) {
    throw new StoreArgumentError(
      "options.force",
      `is needed: the index of ${p.indexPath} holds no entries but the corpus holds intact frames (the index looks lost), ` +
        "so compacting would discard every section. Run recover() to rebuild the index, or compact({ force: true }) if the store was emptied on purpose",
    );
  }
  // A replaykit store's new index is a fresh, canonical journal: the same live entries give the same bytes.
  const format = await indexOf(p).format(entries);
  const tag = `${process.pid}-${randomBytes(6).toString("hex")}`;
  const temps = {
    corpus: join(dirname(p.corpusPath), `.${basename(p.corpusPath)}${COMPACT_INFIX}${tag}`),
    index: join(dirname(p.indexPath), compactIndexBase(p.indexPath, format, COMPACT_INFIX, tag)),
  };
  // Copy each distinct frame once, in file order, so the new file keeps append order.
  const byOffset = [...new Map(entries.map((e) => [`${e.byteOffset}:${e.length}`, e])).values()].sort((a, b) => a.byteOffset - b.byteOffset);
  const moved = new Map<string, number>();
  let done = 0;
  try {
    for await (const batch of view.batches(byOffset)) {
      const frames = batch.frames.map((frame, j) => {
        const e = batch.entries[j]!;
        if (frame instanceof CorpusCorruptError) throw frame; // outside the file, or over maxFrameBytes
        if (e.crc32 !== undefined && crc32(frame) !== e.crc32) {
          throw new CorpusCorruptError(
            `CRC-32 mismatch (index ${e.crc32}, frame ${crc32(frame)}); refusing to compact a damaged store (run verify, or verify({ repair: true }))`,
            {
              byteOffset: e.byteOffset,
              length: e.length,
              path: p.corpusPath,
              reason: "checksum",
            },
          );
        }
        return frame;
      });
      const pointers = await appendFrames(temps.corpus, frames);
      batch.entries.forEach((e, j) => {
        moved.set(`${e.byteOffset}:${e.length}`, pointers[j]!.byteOffset);
      });
      done += batch.entries.length;
      run.onProgress?.(done, byOffset.length);
    }
    if (byOffset.length === 0) await createEmpty(temps.corpus);
    const repointed: IndexEntry[] = entries.map((e) => ({ ...e, byteOffset: moved.get(`${e.byteOffset}:${e.length}`)! }));
    await writeIndexFile(temps.index, repointed, format);
    crashPoint("compact:temps-written");
  } catch (error) {
    await removeAbandonedTemps(p).catch(() => undefined);
    throw error;
  }
  const bytesAfter = await sizeOf(temps.corpus);
  // The commit point: from here on the new pair is the store.
  await writeGeneration(p, { generation: generation + 1, pending: { corpus: basename(temps.corpus), index: basename(temps.index) } });
  crashPoint("compact:committed");
  await rollForward(p);
  return { bytesBefore, bytesAfter };
}

async function createEmpty(path: string): Promise<void> {
  try {
    const handle = await open(path, "a");
    await handle.sync();
    await handle.close();
  } catch (error) {
    throw new StoreIOError(path, "create", error);
  }
  await fsyncDir(dirname(path));
}

// Recovery: finishing what a crashed writer committed (roll forward). (What it left before
// its commit point is swept by layout.ts; a lost index is rebuilt from scan.ts's frames.)
import { fsyncDir } from "@replaykit/corpus";
import { readFile, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { crashPoint } from "./crash.js";
import { StoreIOError } from "./errors.js";
import { readGeneration, writeGeneration } from "./generation.js";
import { layoutOf, type StorePaths } from "./layout.js";

async function renameIfPresent(from: string, to: string): Promise<boolean> {
  try {
    await rename(from, to);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return false;
    throw new StoreIOError(to, "swap in the compacted file", error);
  }
}

/**
 * Finishes a committed compaction, if the generation file names one: renames the new corpus,
 * then the new index, into place (a missing temp means already moved), then publishes the
 * generation as rolled forward. Writers only, with the lock held.
 */
export async function rollForward(p: StorePaths): Promise<void> {
  const { state } = await readGeneration(p);
  if (state.pending === undefined) return;
  const temps = layoutOf(p).pendingPaths(state.pending);
  if (await renameIfPresent(temps.corpus, p.corpusPath)) crashPoint("compact:corpus-swapped");
  await renameIfPresent(temps.index, temps.liveIndex);
  await syncDirs(p);
  await writeGeneration(p, { generation: state.generation });
}

/**
 * Stores compacted by replaykit before generations existed may hold a committed swap under
 * the marker `<index>.compacting` (JSON naming the two temp files by full path). Nothing
 * writes such a marker any more: a store object checks once, at its first write, before `rollForward`.
 */
export async function rollForwardLegacy(p: StorePaths): Promise<void> {
  const marker = layoutOf(p).legacy.compactionMarker;
  let text: string;
  try {
    text = await readFile(marker, "utf8");
  } catch {
    return;
  }
  const named = JSON.parse(text) as { corpus?: unknown; index?: unknown };
  if (typeof named.corpus !== "string" || typeof named.index !== "string")
    throw new StoreIOError(marker, "parse the compaction marker", new Error(text.slice(0, 80)));
  // Only files beside the live ones: a marker never names anything else.
  await renameIfPresent(join(dirname(p.corpusPath), basename(named.corpus)), p.corpusPath);
  await renameIfPresent(join(dirname(p.indexPath), basename(named.index)), p.indexPath);
  await syncDirs(p);
  const { state } = await readGeneration(p);
  await writeGeneration(p, { generation: state.generation + 1 });
  await unlink(marker).catch(() => undefined);
}

async function syncDirs(p: StorePaths): Promise<void> {
  await fsyncDir(dirname(p.corpusPath));
  if (dirname(p.indexPath) !== dirname(p.corpusPath)) await fsyncDir(dirname(p.indexPath));
}

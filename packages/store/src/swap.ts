// Compaction swaps two files (the corpus and the index) that cannot be renamed together.
// The commit point is a marker file written atomically beside the index, naming the two
// fully written and fsynced replacements. After it, the swap is rolled forward by whoever
// sees the marker first (renames are idempotent: a missing source means already done);
// before it, the old store is untouched. Only a writer holding the lock removes the marker.
import { randomBytes } from "node:crypto";
import { open, readdir, readFile, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { StoreIOError } from "./errors.js";

export interface SwapPaths {
  corpusPath: string;
  indexPath: string;
}

interface Marker {
  corpus: string;
  index: string;
}

export const markerPath = (p: SwapPaths): string => `${p.indexPath}.compacting`;
const COMPACT_INFIX = ".compact-";

/** Unique temp names for a compaction's new corpus and index, beside the files they replace. */
export function swapTempPaths(p: SwapPaths): Marker {
  const tag = `${process.pid}-${randomBytes(6).toString("hex")}`;
  return {
    corpus: join(dirname(p.corpusPath), `.${basename(p.corpusPath)}${COMPACT_INFIX}${tag}`),
    index: join(dirname(p.indexPath), `.${basename(p.indexPath)}${COMPACT_INFIX}${tag}`),
  };
}

async function fsyncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch (error) {
    if ((error as { code?: string }).code !== "EINVAL") throw new StoreIOError(dir, "sync directory", error);
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** Writes the marker atomically (temp, fsync, rename, fsync dir): the compaction's commit point. */
export async function commitSwap(p: SwapPaths, temps: Marker): Promise<void> {
  const target = markerPath(p);
  const temp = `${target}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    const handle = await open(temp, "wx");
    try {
      await handle.writeFile(JSON.stringify(temps));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw new StoreIOError(target, "write the compaction marker", error);
  }
  await fsyncDir(dirname(target));
}

async function readMarker(p: SwapPaths): Promise<Marker | undefined> {
  let text: string;
  try {
    text = await readFile(markerPath(p), "utf8");
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return undefined;
    throw new StoreIOError(markerPath(p), "read the compaction marker", error);
  }
  try {
    const m = JSON.parse(text) as Marker;
    if (typeof m.corpus === "string" && typeof m.index === "string") return m;
  } catch {
    // fall through
  }
  // The marker is written by rename, so it is never partial; anything else is not ours.
  throw new StoreIOError(markerPath(p), "parse the compaction marker", new Error(`unexpected content ${JSON.stringify(text.slice(0, 80))}`));
}

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
 * Finishes a committed compaction, if there is one: corpus first, then index. Returns
 * "none" (no marker), "done" (the store is consistent: both files in place) or "moved"
 * (this call moved a file, so a reader should look again).
 */
export async function rollForward(p: SwapPaths, removeMarker: boolean): Promise<"none" | "done" | "moved"> {
  const marker = await readMarker(p);
  if (marker === undefined) return "none";
  const movedCorpus = await renameIfPresent(marker.corpus, p.corpusPath);
  if (movedCorpus && process.env.REPLAYKIT_TEST_CRASH_AT === "compact:corpus-swapped") process.kill(process.pid, "SIGKILL");
  const movedIndex = await renameIfPresent(marker.index, p.indexPath);
  if (movedCorpus || movedIndex) {
    await fsyncDir(dirname(p.corpusPath));
    if (dirname(p.indexPath) !== dirname(p.corpusPath)) await fsyncDir(dirname(p.indexPath));
  }
  if (removeMarker) {
    await unlink(markerPath(p)).catch(() => undefined);
    await fsyncDir(dirname(markerPath(p)));
  }
  return movedCorpus || movedIndex ? "moved" : "done";
}

/**
 * Removes what an interrupted compaction left before its commit point (temp files no
 * marker names). Call with the lock held and after `rollForward`.
 */
export async function removeAbandonedTemps(p: SwapPaths): Promise<void> {
  const corpusBase = basename(p.corpusPath);
  const indexBase = basename(p.indexPath);
  const abandoned = (name: string): boolean =>
    // compaction temps (and the temp files of their index writes): .<base>.compact-…
    name.includes(`.${corpusBase}${COMPACT_INFIX}`) ||
    name.includes(`.${indexBase}${COMPACT_INFIX}`) ||
    // an interrupted saveIndex of the live index: .<index>.<pid>.<hex>.tmp
    (name.startsWith(`.${indexBase}.`) && name.endsWith(".tmp")) ||
    // an interrupted marker write: <index>.compacting.<pid>.<hex>.tmp
    (name.startsWith(`${basename(markerPath(p))}.`) && name.endsWith(".tmp"));
  for (const dir of new Set([dirname(p.corpusPath), dirname(p.indexPath)])) {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      continue;
    }
    for (const name of names) if (abandoned(name)) await unlink(join(dir, name)).catch(() => undefined);
  }
}


// Every read and write of a store's index files goes through this module, so the index
// format can change (the v2 index, issue 14) by changing this file alone. Its interface:
//
//   loadEntries(file)                      the live entries of one index file ([] if missing)
//   storeFormat(indexPath, entries)        "dlm" or "replaykit"
//   commitAppend(indexPath, live, added)   make `added` live (durable when it resolves)
//   rewriteIndex(indexPath, entries, fmt)  replace the whole live index (atomic)
//   writeIndexFile(path, entries)          a fresh index at another path (a compaction's new index)
//   isIndexTemp(name, indexPath)           names an interrupted index write leaves behind
//   emptiedOnPurpose(indexPath)            true when a writer emptied the index (not lost)
//
// Today the index is one `index.json` (dlm's format, or replaykit's with extra keys),
// replaced atomically on every commit, plus the `<index>.format` sidecar, present exactly
// while the index is empty because a writer emptied it: it says which format the store
// has (an empty array looks the same in both) and that the emptiness is deliberate (an
// empty index without it, beside a corpus of intact frames, looks lost).
import { writeFileAtomic } from "@replaykit/corpus";
import { indexFormatOf, loadIndex, saveIndex, type IndexEntry, type IndexFormat } from "@replaykit/index";
import { lstat, readFile, unlink } from "node:fs/promises";
import { basename } from "node:path";
import { StoreIOError } from "./errors.js";

/** The live entries of the index file at `file`; `[]` when it does not exist. */
export async function loadEntries(file: string): Promise<IndexEntry[]> {
  return loadIndex(file);
}

const formatPath = (indexPath: string): string => `${indexPath}.format`;

/**
 * The store's format: from the entries' keys, or — for an empty index — from the sidecar
 * that remembers an emptied store's format. No index and no sidecar: replaykit.
 */
export async function storeFormat(indexPath: string, entries: readonly IndexEntry[]): Promise<IndexFormat> {
  const fromKeys = indexFormatOf(entries);
  if (fromKeys !== undefined) return fromKeys;
  try {
    return (await readFile(formatPath(indexPath), "utf8")).trim() === "dlm" ? "dlm" : "replaykit";
  } catch {
    return "replaykit";
  }
}

/**
 * Makes `added` live after `live` (the entries the caller loaded under the writer lock).
 * Durable when it resolves; on failure the previous index stays in force.
 */
export async function commitAppend(indexPath: string, live: readonly IndexEntry[], added: readonly IndexEntry[], format: IndexFormat): Promise<void> {
  await rewriteIndex(indexPath, [...live, ...added], format);
}

/**
 * Replaces the live index with `entries` atomically, keeping the format sidecar in step
 * (present only while the index is empty). Call with the writer lock held.
 */
export async function rewriteIndex(indexPath: string, entries: readonly IndexEntry[], format: IndexFormat): Promise<void> {
  const sidecar = formatPath(indexPath);
  if (entries.length === 0) {
    // Written before the empty index, so no crash leaves a deliberately emptied index unmarked.
    try {
      await writeFileAtomic(sidecar, new TextEncoder().encode(`${format}\n`));
    } catch (error) {
      throw new StoreIOError(sidecar, "write", error);
    }
  }
  await saveIndex(indexPath, entries);
  if (entries.length > 0) await unlink(sidecar).catch(() => undefined);
}

/** True when a writer emptied the index on purpose (the sidecar is there): an empty index is then not a lost one. */
export async function emptiedOnPurpose(indexPath: string): Promise<boolean> {
  try {
    await lstat(formatPath(indexPath));
    return true;
  } catch {
    return false;
  }
}

/** Writes a fresh index file at `path` (a compaction's new index, renamed in later). */
export async function writeIndexFile(path: string, entries: readonly IndexEntry[]): Promise<void> {
  await saveIndex(path, entries);
}

/** True for the temp files an interrupted index or sidecar write leaves beside `indexPath`. */
export function isIndexTemp(name: string, indexPath: string): boolean {
  return name.startsWith(`.${basename(indexPath)}.`) && name.endsWith(".tmp");
}

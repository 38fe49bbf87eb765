import { ReplayStore, StoreIndexLostError, StoreIOError, StoreNotFoundError, type StoreOptions } from "@replaykit/store";
import { access, stat } from "node:fs/promises";
import { basename } from "node:path";
import { CliFailure } from "./errors.js";
import { reasonOf, refuseFileAsStoreDir } from "./paths.js";

/**
 * Opens the store in `dir`. Only `add` may create one (`create: true`); every other command
 * needs an existing store — a directory holding an index or a corpus — and says
 * "no store at <dir>" otherwise, without creating anything. A store whose index lists
 * sections but whose corpus file is gone is one clear error too (instead of a problem per
 * entry).
 *
 * @throws {UsageError} when `dir` is a file.
 * @throws {CliFailure} kind "not-found" (exit 3) when there is no store (and `create` is false);
 *   the generic failure when its corpus is missing or the directory cannot be opened.
 */
export async function openStore(dir: string, options: { create: boolean } & Pick<StoreOptions, "lockTimeoutMs">): Promise<ReplayStore> {
  await refuseFileAsStoreDir(dir);
  let store: ReplayStore;
  try {
    store = await ReplayStore.open(dir, options);
  } catch (error) {
    if (StoreNotFoundError.isInstance(error)) throw new CliFailure(`no store at ${dir} (the directory does not exist)`, { cause: error, kind: "not-found" });
    throw storeDirError(dir, error);
  }
  if (options.create) return store;
  const [hasIndex, hasJournal, hasCorpus] = await Promise.all([exists(store.indexPath), exists(store.journalPath), exists(store.corpusPath)]);
  if (!hasIndex && !hasJournal && !hasCorpus)
    throw new CliFailure(`no store at ${dir} (no ${basename(store.journalPath)}, ${basename(store.indexPath)} or corpus.zst in it)`, { kind: "not-found" });
  if (!hasCorpus) {
    const entries = (await store.load()).length;
    if (entries > 0) {
      throw new CliFailure(
        `${dir}: corpus.zst is missing but the index lists ${entries.toLocaleString("en-US")} section${entries === 1 ? "" : "s"}; restore corpus.zst from a backup (nothing was changed)`,
      );
    }
  }
  return store;
}

/** A failure to open or create the store directory itself, as `<store-dir> DIR: cannot open: … (ENOTDIR)`; other errors unchanged. */
export function storeDirError(dir: string, error: unknown): unknown {
  if (StoreIOError.isInstance(error) && error.path === dir)
    return new CliFailure(`<store-dir> ${dir}: cannot open: ${reasonOf(error.cause)}`, { cause: error });
  return error;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** The size of a store's corpus file in bytes (0 when it is absent). */
export async function corpusBytes(store: { corpusPath: string }): Promise<number> {
  try {
    return (await stat(store.corpusPath)).size;
  } catch {
    return 0;
  }
}

/**
 * How many entries the store's index holds (for a progress bar): 0 when the index looks
 * lost, which the command itself then reports (verify) or refuses (compact).
 */
export async function liveCount(store: ReplayStore): Promise<number> {
  try {
    return (await store.load()).length;
  } catch (error) {
    if (StoreIndexLostError.isInstance(error)) return 0;
    throw error;
  }
}

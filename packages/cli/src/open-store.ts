import { ReplayStore, StoreNotFoundError, type StoreOptions } from "@replaykit/store";
import { access, stat } from "node:fs/promises";
import { basename } from "node:path";
import { CliFailure } from "./errors.js";

/**
 * Opens the store in `dir`. Only `add` may create one (`create: true`); every other command
 * needs an existing store — a directory holding an index or a corpus — and says
 * "no store at <dir>" otherwise, without creating anything. A store whose index lists
 * sections but whose corpus file is gone is one clear error too (instead of a problem per
 * entry).
 *
 * @throws {CliFailure} kind "not-found" (exit 3) when there is no store (and `create` is false);
 *   the generic failure when its corpus is missing.
 */
export async function openStore(dir: string, options: { create: boolean } & Pick<StoreOptions, "lockTimeoutMs">): Promise<ReplayStore> {
  let store: ReplayStore;
  try {
    store = await ReplayStore.open(dir, options);
  } catch (error) {
    if (StoreNotFoundError.isInstance(error)) throw new CliFailure(`no store at ${dir} (the directory does not exist)`, { cause: error, kind: "not-found" });
    throw error;
  }
  if (options.create) return store;
  const [hasIndex, hasJournal, hasCorpus] = await Promise.all([exists(store.indexPath), exists(store.journalPath), exists(store.corpusPath)]);
  if (!hasIndex && !hasJournal && !hasCorpus)
    throw new CliFailure(`no store at ${dir} (no ${basename(store.indexPath)} or corpus.zst in it)`, { kind: "not-found" });
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

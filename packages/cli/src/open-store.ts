import { ReplayStore, StoreNotFoundError, type StoreOptions } from "@replaykit/store";
import { access } from "node:fs/promises";
import { join } from "node:path";
import { CliFailure } from "./errors.js";

/**
 * Opens the store in `dir`. Only `add` may create one (`create: true`); every other command
 * needs an existing store — a directory holding `index.json` or `corpus.zst` — and says
 * "no store at <dir>" otherwise, without creating anything.
 *
 * @throws {CliFailure} when there is no store and `create` is false.
 */
export async function openStore(dir: string, options: { create: boolean } & Pick<StoreOptions, "lockTimeoutMs">): Promise<ReplayStore> {
  let store: ReplayStore;
  try {
    store = await ReplayStore.open(dir, options);
  } catch (error) {
    if (StoreNotFoundError.isInstance(error)) throw new CliFailure(`no store at ${dir} (the directory does not exist)`, { cause: error });
    throw error;
  }
  if (!options.create && !(await exists(join(dir, "index.json"))) && !(await exists(join(dir, "corpus.zst")))) {
    throw new CliFailure(`no store at ${dir} (no index.json or corpus.zst in it)`);
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

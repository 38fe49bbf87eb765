import { ReplayStore, StoreArgumentError, StoreIndexLostError, StoreIOError, StoreNotFoundError, type StoreOptions } from "@replaykit/store";
import { access, stat } from "node:fs/promises";
import { basename } from "node:path";
import type { Context } from "./context.js";
import { CliFailure, UsageError } from "./errors.js";
import { isObjectStorage, type LocationFlags, storeLocation } from "./location.js";
import { reasonOf, refuseFileAsStoreDir } from "./paths.js";

/**
 * Opens the store at `dir`: a directory, or `s3://bucket/prefix` with the command's
 * `--endpoint` / `--region` / `--path-style` (see location.ts). Only `add` may create one
 * (`create: true`); every other command needs an existing store — a directory holding an
 * index or a corpus, a prefix holding a commit — and says "no store at <dir>" otherwise,
 * without creating anything. A store whose index lists sections but whose corpus file is
 * gone is one clear error too (instead of a problem per entry).
 *
 * @throws {UsageError} when `dir` is a file, or a malformed location or flag.
 * @throws {CliFailure} kind "not-found" (exit 3) when there is no store (and `create` is false);
 *   the generic failure when its corpus is missing or the directory cannot be opened.
 */
export async function openStore(
  ctx: Context,
  dir: string,
  flags: LocationFlags,
  options: { create: boolean } & Pick<StoreOptions, "lockTimeoutMs" | "commit">,
): Promise<ReplayStore> {
  const where = storeLocation(dir, flags, ctx.io.env);
  if (where.kind === "s3") {
    const commit = options.commit === undefined ? {} : { commit: options.commit };
    return openObjectStorage(where.url, { create: options.create, ...commit, ...where.options });
  }
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

/** A store in object storage: pinned to its latest commit (none yet: "no store", unless creating). */
async function openObjectStorage(url: string, options: StoreOptions): Promise<ReplayStore> {
  try {
    return await ReplayStore.open(url, options);
  } catch (error) {
    if (StoreNotFoundError.isInstance(error))
      throw new CliFailure(`no store at ${url} (no commit under that prefix; \`replaykit add\` or \`replaykit push\` makes one)`, {
        cause: error,
        kind: "not-found",
      });
    if (StoreArgumentError.isInstance(error) && error.argument === "location")
      throw new UsageError(`<store-dir> ${error.message.replace(/^store: location /, "")}`, { cause: error });
    if (StoreArgumentError.isInstance(error) && error.argument === "options.commit" && options.commit !== undefined)
      throw new UsageError(`--commit ${options.commit}: ${error.message.replace(/^store: options\.commit /, "")}`, { cause: error });
    throw error;
  }
}

/** True for a store in object storage (its files are objects: no paths to stat or copy). */
export function isRemote(store: Pick<ReplayStore, "location">): boolean {
  return isObjectStorage(store.location);
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

/** The size of a store's corpus in bytes (0 when it is absent). */
export async function corpusBytes(store: ReplayStore): Promise<number> {
  // In object storage: the segments' bytes the pinned commit reads (no request: the commit says).
  if (isRemote(store)) return (await store.stats()).fileBytes;
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

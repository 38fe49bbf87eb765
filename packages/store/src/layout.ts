// Every file of a store, by name, in one place (the only module that writes a store's
// file names), and the sweep of what interrupted writers leave behind.
//
//   <dir>/corpus.zst                       the corpus: zstd frames, append-only (both formats)
//   <dir>/index.rkx                        a replaykit store's index (the journal, FORMAT.md of @replaykit/index)
//   <dir>/index.json                       a dlm store's index (and, before the journal, a replaykit one's)
//   <dir>/index.rkx.format                 marks an index emptied on purpose (`index.json.format` for dlm,
//                                          whose text also tells an empty index.json's format)
//   <dir>/index.rkx.lock                   the writers' kernel lock (never deleted)
//   <dir>/index.rkx.generation             which (corpus, index) pair is live (see generation.ts)
//   <dir>/index.rkx.quarantine.json        records of what `verify --repair` set aside
//   <dir>/index.rkx.quarantine.bin         the damaged bytes themselves, moved out of the corpus
//   <dir>/.corpus.zst.compact-<tag>        a compaction's new corpus, before its commit point
//   <dir>/.index.rkx.compact-<tag>         a compaction's new index (`.index.json.compact-<tag>` for dlm)
//   <dir>/.<name>.<pid>.<hex>.tmp          an atomic write in progress (writeFileAtomic)
//   <dir>/index.rkx.replaykit-backup-<t>   the CLI's copy of an index before `downgrade`
//
// Side files are named after replaykit's index (`index.rkx`), whatever the format: dlm's
// tool never reads them, and a name that never changes with the format keeps two writers
// from locking different files across an upgrade. Stores written before this layout named
// them after `index.json` (`index.json.lock`, `.generation`, `.quarantine.json`); those
// keep opening: a writer also takes the old lock while its file exists (an older writer may
// hold it), readers read the old generation file while the new one is absent, and the
// next writer moves the generation and quarantine to the new names.
import { lstatSync, readdirSync } from "node:fs";
import { mkdir, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { IndexFormat } from "@replaykit/index";
import { StoreIOError, StoreNotFoundError } from "./errors.js";

/** The two paths a store is opened with (`ReplayStore.at`); every other name derives from them. */
export interface StorePaths {
  readonly corpusPath: string;
  readonly indexPath: string;
}

/** The infix of a compaction's temp files: `.<corpus>.compact-<tag>`, `.<index>.compact-<tag>`. */
const COMPACT_INFIX = ".compact-";
/** A compaction's tag: the writer's pid and 12 random hex digits. */
const TAG = /^\d+-[0-9a-f]{12}$/;

/** The names of one store's files. */
export class StoreLayout implements StorePaths {
  readonly corpusPath: string;
  /** dlm's index file (`<dir>/index.json`): a dlm store's index, and a replaykit store's before the journal. */
  readonly indexPath: string;
  /** replaykit's index, the journal: `index.json` → `index.rkx` beside it (else `<indexPath>.rkx`). */
  readonly journalPath: string;
  readonly lockPath: string;
  readonly generationPath: string;
  readonly quarantinePath: string;
  readonly quarantineBytesPath: string;
  /** The sidecar remembering the format of an emptied dlm index.json. */
  readonly formatPath: string;
  /** The names stores used before this layout (read, and moved by the next writer). */
  readonly legacy: { readonly lockPath: string; readonly generationPath: string; readonly quarantinePath: string; readonly compactionMarker: string };

  constructor(p: StorePaths) {
    this.corpusPath = p.corpusPath;
    this.indexPath = p.indexPath;
    this.journalPath = p.indexPath.endsWith(".json") ? `${p.indexPath.slice(0, -".json".length)}.rkx` : `${p.indexPath}.rkx`;
    this.lockPath = `${this.journalPath}.lock`;
    this.generationPath = `${this.journalPath}.generation`;
    this.quarantinePath = `${this.journalPath}.quarantine.json`;
    this.quarantineBytesPath = `${this.journalPath}.quarantine.bin`;
    this.formatPath = `${p.indexPath}.format`;
    this.legacy = {
      lockPath: `${p.indexPath}.lock`,
      generationPath: `${p.indexPath}.generation`,
      quarantinePath: `${p.indexPath}.quarantine.json`,
      compactionMarker: `${p.indexPath}.compacting`,
    };
  }

  /** The directories holding the store's files (one, unless `ReplayStore.at` split them). */
  get dirs(): string[] {
    return [...new Set([dirname(this.corpusPath), dirname(this.indexPath)])];
  }

  /**
   * The sidecar marking an index emptied on purpose (a writer emptied it, or is about to
   * write the first frames): `index.rkx.format` for a journal, `index.json.format` for a dlm
   * index.json (whose text, "dlm", also tells an empty index.json's format). An empty index
   * without it beside intact frames looks lost.
   */
  sidecarOf(format: IndexFormat): string {
    return `${this.indexFileOf(format)}.format`;
  }

  /**
   * Reads need an existing store: its directories must exist. Creates nothing.
   * @throws {StoreNotFoundError} when a directory is missing.
   * @throws {StoreIOError} when a path is not a directory or cannot be looked at.
   */
  async assertDirs(): Promise<void> {
    for (const dir of this.dirs) {
      try {
        if (!(await stat(dir)).isDirectory()) throw new StoreIOError(dir, "use as the store directory", new Error("not a directory"));
      } catch (error) {
        if (StoreIOError.isInstance(error)) throw error;
        const code = (error as { code?: string }).code;
        if (code === "ENOENT" || code === "ENOTDIR") throw new StoreNotFoundError(dir);
        throw new StoreIOError(dir, "open the store directory", error);
      }
    }
  }

  /**
   * A writer's directories: created when missing if `create`, else a `StoreNotFoundError`.
   * @throws {StoreIOError} when a path is not a directory or cannot be created.
   */
  async ensureDirs(create: boolean): Promise<void> {
    for (const dir of this.dirs) {
      try {
        if (!(await stat(dir)).isDirectory()) throw new StoreIOError(dir, "use as the store directory", new Error("not a directory"));
        continue;
      } catch (error) {
        if (StoreIOError.isInstance(error)) throw error;
        if ((error as { code?: string }).code !== "ENOENT") throw new StoreIOError(dir, "open the store directory", error);
      }
      if (!create) throw new StoreNotFoundError(dir);
      try {
        await mkdir(dir, { recursive: true });
      } catch (error) {
        throw new StoreIOError(dir, "create the store directory", error);
      }
    }
  }

  /** The index file of a store of `format`. */
  indexFileOf(format: IndexFormat): string {
    return format === "replaykit" ? this.journalPath : this.indexPath;
  }

  /** A compaction's two temp files for a store of `format`, told apart by `tag` (see `newTag`). */
  compactTemps(format: IndexFormat, tag: string): { corpus: string; index: string } {
    return {
      corpus: join(dirname(this.corpusPath), `.${basename(this.corpusPath)}${COMPACT_INFIX}${tag}`),
      index: join(dirname(this.indexPath), `.${basename(this.indexFileOf(format))}${COMPACT_INFIX}${tag}`),
    };
  }

  /**
   * The full paths of a pending compaction named by the generation file, after checking
   * that the names are this store's compaction temps (never a live file, never outside its
   * directory): a side file is never trusted with a rename it names.
   * @throws {StoreIOError} when a name is not a compaction temp of this store.
   */
  pendingPaths(pending: { corpus: string; index: string }): { corpus: string; index: string; liveIndex: string } {
    const tagOf = (name: string, live: string): string | undefined => {
      const prefix = `.${basename(live)}${COMPACT_INFIX}`;
      return name.startsWith(prefix) && TAG.test(name.slice(prefix.length)) ? name.slice(prefix.length) : undefined;
    };
    const corpusTag = tagOf(pending.corpus, this.corpusPath);
    const journalTag = tagOf(pending.index, this.journalPath);
    const jsonTag = tagOf(pending.index, this.indexPath);
    const indexTag = journalTag ?? jsonTag;
    if (corpusTag === undefined || indexTag === undefined || corpusTag !== indexTag) {
      throw new StoreIOError(
        this.generationPath,
        "trust the generation file",
        new Error(`it names ${JSON.stringify(pending)}, which are not one compaction's temp files of this store`),
      );
    }
    return {
      corpus: join(dirname(this.corpusPath), pending.corpus),
      index: join(dirname(this.indexPath), pending.index),
      liveIndex: journalTag !== undefined ? this.journalPath : this.indexPath,
    };
  }

  /** True for what interrupted writers leave before their commit points: compaction temps and atomic-write temps of the store's files. */
  isAbandoned(name: string): boolean {
    const ours = [this.corpusPath, this.indexPath, this.journalPath].map((p) => `.${basename(p)}${COMPACT_INFIX}`);
    if (ours.some((prefix) => name.includes(prefix))) return true; // also "..<index>.compact-….tmp", the temps of their own atomic writes
    if (!name.endsWith(".tmp")) return false;
    return [this.indexPath, this.journalPath].some((p) => name.startsWith(`.${basename(p)}.`));
  }

  /**
   * Removes what interrupted writers left before their commit points. Call with the lock
   * held, after `rollForward` (so no committed temp is still pending).
   */
  async removeAbandonedTemps(): Promise<void> {
    for (const dir of this.dirs) {
      let names: string[];
      try {
        names = readdirSync(dir); // every write: a few entries, faster than a thread-pool round trip
      } catch {
        continue;
      }
      for (const name of names) if (this.isAbandoned(name)) await unlink(join(dir, name)).catch(() => undefined);
    }
  }

  /** The name the CLI copies an index to before `downgrade` (`stamp`: a time without colons). */
  backupOf(indexFile: string, stamp: string): string {
    return `${indexFile}.replaykit-backup-${stamp}`;
  }

  /**
   * Checks that each of the store's files that exists is a regular file: a FIFO, a device or
   * a directory in its place would make an open or a read wait forever or fail obscurely.
   * Symbolic links are followed by readers (a store may be linked into place).
   * @throws {StoreIOError} naming the file that is not a regular file.
   */
  assertRegularFiles(): void {
    for (const path of [this.corpusPath, this.indexPath, this.journalPath, this.generationPath, this.legacy.generationPath, this.quarantinePath]) {
      assertRegular(path);
    }
  }
}

/**
 * Throws unless `path` is missing or a regular file (a symbolic link is judged by its target).
 * @throws {StoreIOError} naming the path and what it is.
 */
export function assertRegular(path: string): void {
  let kind: string;
  try {
    const s = lstatSync(path);
    if (s.isFile()) return;
    if (s.isSymbolicLink()) return; // judged where it is opened (readers follow links, writers replace them)
    kind = s.isFIFO()
      ? "a FIFO"
      : s.isDirectory()
        ? "a directory"
        : s.isSocket()
          ? "a socket"
          : s.isCharacterDevice() || s.isBlockDevice()
            ? "a device"
            : "not a file";
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT" || (error as { code?: string }).code === "ENOTDIR") return;
    throw new StoreIOError(path, "stat", error);
  }
  throw new StoreIOError(path, "use", new Error(`it is ${kind}, not a regular file`));
}

/** The layout of a store object (one per object). */
const layouts = new WeakMap<object, StoreLayout>();
export function layoutOf(p: StorePaths): StoreLayout {
  if (p instanceof StoreLayout) return p;
  let layout = layouts.get(p);
  if (layout === undefined) {
    layout = new StoreLayout(p);
    layouts.set(p, layout);
  }
  return layout;
}

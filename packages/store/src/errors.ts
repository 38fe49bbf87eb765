/**
 * Error classes of `@replaykit/store`, in replaykit's shared error scheme: every class
 * extends `StoreError`, carries the marker `Symbol.for("replaykit.error")` = `"store"` and a
 * stable `code`, keeps the original failure as `cause`, and has a static `isInstance` that
 * checks the marker and the code (never the prototype), so it works across two installed
 * copies of the package.
 */

/** Marks every replaykit error; the value is the package's short name. */
const REPLAYKIT_ERROR = Symbol.for("replaykit.error");

/**
 * True for an error thrown by any replaykit package (any copy, any version using the shared
 * scheme): an object whose `Symbol.for("replaykit.error")` property is a string.
 */
export function isReplaykitError(error: unknown): error is Error & { readonly code: string } {
  return typeof error === "object" && error !== null && typeof (error as Record<symbol, unknown>)[REPLAYKIT_ERROR] === "string";
}

function hasCode(error: unknown, code: string): boolean {
  return isReplaykitError(error) && (error as { code?: unknown }).code === code;
}

/** The base class of every error this package throws. */
export abstract class StoreError extends Error {
  /** Stable UPPER_SNAKE code, unique across replaykit. */
  abstract readonly code: string;
  readonly [REPLAYKIT_ERROR] = "store";
}

/** Who holds a store's lock, as its holder wrote it into the lock file (informative only). */
export interface LockHolder {
  pid: number;
  hostname: string;
  /** When the holder took the lock (ISO 8601). */
  since: string;
}

/** Another writer held the store's lock for longer than `lockTimeoutMs`. */
export class StoreLockedError extends StoreError {
  readonly code = "STORE_LOCKED" as const;
  override readonly name = "StoreLockedError";
  readonly lockPath: string;
  /** What the holder wrote into the lock file, when it could be read. */
  readonly holder: LockHolder | undefined;
  readonly waitedMs: number;

  constructor(lockPath: string, holder: LockHolder | undefined, waitedMs: number) {
    const who = holder === undefined ? "another writer" : `pid ${holder.pid} on ${holder.hostname} (since ${holder.since})`;
    super(`store: ${lockPath} is held by ${who}; gave up after ${waitedMs} ms`);
    this.lockPath = lockPath;
    this.holder = holder;
    this.waitedMs = waitedMs;
  }

  /** True for a `StoreLockedError` from any copy of this package. */
  static isInstance(e: unknown): e is StoreLockedError {
    return hasCode(e, "STORE_LOCKED");
  }
}

/** A section's type has no row expander registered (`options.expanders` adds one). */
export class UnknownSectionTypeError extends StoreError {
  readonly code = "UNKNOWN_SECTION_TYPE" as const;
  override readonly name = "UnknownSectionTypeError";
  readonly sectionType: string;
  readonly sectionId: string | undefined;

  constructor(sectionType: string, sectionId?: string) {
    super(
      `store: no row expander for section type ${JSON.stringify(sectionType)}` +
        (sectionId === undefined ? "" : ` (section ${sectionId})`) +
        `; register one with ReplayStore.open(dir, { expanders: { ${JSON.stringify(sectionType)}: … } })`,
    );
    this.sectionType = sectionType;
    this.sectionId = sectionId;
  }

  /** True for an `UnknownSectionTypeError` from any copy of this package. */
  static isInstance(e: unknown): e is UnknownSectionTypeError {
    return hasCode(e, "UNKNOWN_SECTION_TYPE");
  }
}

/** A store file or directory could not be created, read or written (lock, generation, directory). */
export class StoreIOError extends StoreError {
  readonly code = "STORE_IO" as const;
  override readonly name = "StoreIOError";
  readonly path: string;
  /** The system error code (`EACCES`, `EROFS`, `EPERM`, …) when there is one. */
  readonly errno: string | undefined;

  constructor(path: string, action: string, cause: unknown) {
    const errno = (cause as { code?: unknown } | null)?.code;
    super(`store: cannot ${action} ${path}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.path = path;
    this.errno = typeof errno === "string" ? errno : undefined;
  }

  /** True for a `StoreIOError` from any copy of this package. */
  static isInstance(e: unknown): e is StoreIOError {
    return hasCode(e, "STORE_IO");
  }
}

/** A read of a store that does not exist (its directory is missing), or a write with `create: false`. */
export class StoreNotFoundError extends StoreError {
  readonly code = "STORE_NOT_FOUND" as const;
  override readonly name = "StoreNotFoundError";
  readonly path: string;

  constructor(path: string) {
    super(`store: no store at ${path} (the directory does not exist)`);
    this.path = path;
  }

  /** True for a `StoreNotFoundError` from any copy of this package. */
  static isInstance(e: unknown): e is StoreNotFoundError {
    return hasCode(e, "STORE_NOT_FOUND");
  }
}

/** A store method was called with an argument it cannot use; `argument` names it. */
export class StoreArgumentError extends StoreError {
  readonly code = "STORE_INVALID_ARGUMENT" as const;
  override readonly name = "StoreArgumentError";
  readonly argument: string;

  constructor(argument: string, message: string) {
    super(`store: ${argument} ${message}`);
    this.argument = argument;
  }

  /** True for a `StoreArgumentError` from any copy of this package. */
  static isInstance(e: unknown): e is StoreArgumentError {
    return hasCode(e, "STORE_INVALID_ARGUMENT");
  }
}

/**
 * Entries from an earlier `load()` were handed to `readMany`/`read` after a compaction
 * moved the frames they point at: load again. Never a sign of damage.
 */
export class StoreChangedError extends StoreError {
  readonly code = "STORE_CHANGED" as const;
  override readonly name = "StoreChangedError";
  readonly path: string;
  /** The generation the entries came from, and the store's generation now. */
  readonly loadedGeneration: number;
  readonly currentGeneration: number;

  constructor(path: string, loadedGeneration: number, currentGeneration: number) {
    super(`store: ${path} was compacted since these entries were loaded (generation ${loadedGeneration}, now ${currentGeneration}); load again`);
    this.path = path;
    this.loadedGeneration = loadedGeneration;
    this.currentGeneration = currentGeneration;
  }

  /** True for a `StoreChangedError` from any copy of this package. */
  static isInstance(e: unknown): e is StoreChangedError {
    return hasCode(e, "STORE_CHANGED");
  }
}

/**
 * The store's index is gone while its corpus holds sections: there is no index file beside
 * a non-empty corpus (or a dlm index.json holds no entries beside intact frames and was not
 * emptied on purpose). Reads refuse instead of reporting an empty store, and writes refuse
 * instead of starting a fresh index over the corpus. `recover()` (`replaykit recover <dir>`)
 * rebuilds the index from the corpus; never compact a store in this state.
 */
export class StoreIndexLostError extends StoreError {
  readonly code = "STORE_INDEX_LOST" as const;
  override readonly name = "StoreIndexLostError";
  /** The index file that should be there. */
  readonly path: string;
  readonly corpusPath: string;

  constructor(path: string, corpusPath: string) {
    super(
      `store: the index of ${corpusPath} looks lost (${path} is missing or holds no entries while the corpus holds sections); ` +
        "rebuild it from the corpus with recover() (replaykit recover <dir>) — do not compact, which would discard them",
    );
    this.path = path;
    this.corpusPath = corpusPath;
  }

  /** True for a `StoreIndexLostError` from any copy of this package. */
  static isInstance(e: unknown): e is StoreIndexLostError {
    return hasCode(e, "STORE_INDEX_LOST");
  }
}

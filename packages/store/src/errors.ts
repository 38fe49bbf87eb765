/**
 * Error classes of `@replaykit/store`, in replaykit's shared error scheme
 * (`@replaykit/errors`): every class extends `StoreError`, carries the brand
 * `Symbol.for("replaykit.error")` = `"store"`, a stable `code` and a `kind`, keeps the
 * original failure as `cause`, and has a static `isInstance` that checks the brand and the
 * code (never the prototype), so it works across two installed copies of the package.
 */

import { errorClass, instanceCheck, REPLAYKIT_ERROR, ReplaykitErrorBase, systemCodeOf } from "@replaykit/errors";

export { type ErrorKind, isReplaykitError, type ReplaykitError } from "@replaykit/errors";

/** The base class of every error this package throws. */
export abstract class StoreError extends ReplaykitErrorBase {
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
export class StoreLockedError extends errorClass(StoreError, "StoreLockedError", "STORE_LOCKED", "locked") {
  static readonly isInstance = instanceCheck<StoreLockedError>(this);
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
}

/** A section's type has no row expander registered (`options.expanders` adds one). */
export class UnknownSectionTypeError extends errorClass(StoreError, "UnknownSectionTypeError", "UNKNOWN_SECTION_TYPE", "unsupported") {
  static readonly isInstance = instanceCheck<UnknownSectionTypeError>(this);
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
}

/** A store file or directory could not be created, read or written (lock, generation, directory). */
export class StoreIOError extends errorClass(StoreError, "StoreIOError", "STORE_IO", "io") {
  static readonly isInstance = instanceCheck<StoreIOError>(this);
  readonly path: string;
  /** The system error code (`EACCES`, `EROFS`, `EPERM`, …) when there is one. */
  readonly systemCode: string | undefined;

  constructor(path: string, action: string, cause: unknown) {
    super(`store: cannot ${action} ${path}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.path = path;
    this.systemCode = systemCodeOf(cause);
  }

  /** @deprecated The old name of {@link StoreIOError.systemCode}. */
  get errno(): string | undefined {
    return this.systemCode;
  }
}

/** A read of a store that does not exist (its directory is missing), or a write with `create: false`. */
export class StoreNotFoundError extends errorClass(StoreError, "StoreNotFoundError", "STORE_NOT_FOUND", "not-found") {
  static readonly isInstance = instanceCheck<StoreNotFoundError>(this);
  readonly path: string;

  constructor(path: string, why = "the directory does not exist") {
    super(`store: no store at ${path} (${why})`);
    this.path = path;
  }
}

/** A store method was called with an argument it cannot use; `argument` names it. */
export class StoreArgumentError extends errorClass(StoreError, "StoreArgumentError", "STORE_ARGUMENT", "argument", ["STORE_INVALID_ARGUMENT"]) {
  static readonly isInstance = instanceCheck<StoreArgumentError>(this);
  readonly argument: string;

  constructor(argument: string, message: string) {
    super(`store: ${argument} ${message}`);
    this.argument = argument;
  }
}

/**
 * Entries from an earlier `load()` were handed to `readMany`/`read` after a compaction
 * moved the frames they point at: load again. Never a sign of damage.
 */
export class StoreChangedError extends errorClass(StoreError, "StoreChangedError", "STORE_CHANGED", "conflict") {
  static readonly isInstance = instanceCheck<StoreChangedError>(this);
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
}

/**
 * The store's index is gone while its corpus holds sections: there is no index file beside
 * a non-empty corpus (or a dlm index.json holds no entries beside intact frames and was not
 * emptied on purpose). Reads refuse instead of reporting an empty store, and writes refuse
 * instead of starting a fresh index over the corpus. `recover()` (`replaykit recover <dir>`)
 * rebuilds the index from the corpus; never compact a store in this state.
 */
export class StoreIndexLostError extends errorClass(StoreError, "StoreIndexLostError", "STORE_INDEX_LOST", "corrupt") {
  static readonly isInstance = instanceCheck<StoreIndexLostError>(this);
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
}

/**
 * A write to a store in object storage lost: another writer committed first every time this
 * one retried (`attempts`), or this writer was fenced (a compaction or purge took over
 * while it stalled). Nothing of this write is in the store; read again and decide.
 */
export class StoreConflictError extends errorClass(StoreError, "StoreConflictError", "STORE_CONFLICT", "conflict") {
  static readonly isInstance = instanceCheck<StoreConflictError>(this);
  readonly location: string;
  /** The commit this writer tried to create. */
  readonly commit: number;
  readonly attempts: number;

  constructor(location: string, commit: number, attempts: number, why: string) {
    super(`store: ${location}: ${why} (commit ${commit}, after ${attempts} attempt${attempts === 1 ? "" : "s"}); nothing of this write was committed`);
    this.location = location;
    this.commit = commit;
    this.attempts = attempts;
  }
}

/**
 * An object of a store in object storage is not what replaykit writes there (a commit,
 * checkpoint or segment that is malformed, of the wrong size or fails its CRC-32), or one a
 * commit needs is missing. Names the bucket and key.
 */
export class StoreObjectCorruptError extends errorClass(StoreError, "StoreObjectCorruptError", "STORE_OBJECT_CORRUPT", "corrupt") {
  static readonly isInstance = instanceCheck<StoreObjectCorruptError>(this);
  readonly bucket: string;
  readonly key: string;

  constructor(bucket: string, key: string, why: string, cause?: unknown) {
    super(`store: s3://${bucket}/${key}: ${why}`, cause === undefined ? undefined : { cause });
    this.bucket = bucket;
    this.key = key;
  }
}

/** An operation this kind of store does not support (named, with what to do instead). */
export class StoreUnsupportedError extends errorClass(StoreError, "StoreUnsupportedError", "STORE_UNSUPPORTED", "unsupported") {
  static readonly isInstance = instanceCheck<StoreUnsupportedError>(this);
  readonly operation: string;

  constructor(operation: string, why: string) {
    super(`store: ${operation} ${why}`);
    this.operation = operation;
  }
}

/**
 * A copy between a directory and object storage would overwrite a store: `push` into a
 * location that already holds commits (other than an earlier run of the same push), or
 * `pull` into a directory that already holds a store. `target` names it. Nothing was written.
 */
export class StoreNotEmptyError extends errorClass(StoreError, "StoreNotEmptyError", "STORE_NOT_EMPTY", "conflict") {
  static readonly isInstance = instanceCheck<StoreNotEmptyError>(this);
  /** The location (`s3://bucket/prefix`) or directory that already holds a store. */
  readonly target: string;

  constructor(target: string, why: string) {
    super(`store: ${target} ${why}`);
    this.target = target;
  }
}

/**
 * `push` found damaged frames in the store it was asked to copy (what `verify` reports):
 * nothing was uploaded. `problems` are verify's; `replaykit verify --repair` sets the
 * damaged entries aside.
 */
export class StoreDamagedError extends errorClass(StoreError, "StoreDamagedError", "STORE_DAMAGED", "corrupt") {
  static readonly isInstance = instanceCheck<StoreDamagedError>(this);
  readonly path: string;
  readonly problems: ReadonlyArray<{ readonly sectionId?: string | undefined; readonly byteOffset?: number | undefined; readonly message: string }>;

  constructor(path: string, problems: StoreDamagedError["problems"], why: string) {
    const first = problems[0];
    const where =
      first === undefined
        ? ""
        : `; first: ${first.sectionId === undefined ? "" : `section ${first.sectionId} `}${first.byteOffset === undefined ? "" : `at byte ${first.byteOffset}`}: ${first.message}`;
    super(`store: ${path}: ${why} (${problems.length} problem${problems.length === 1 ? "" : "s"}${where})`);
    this.path = path;
    this.problems = problems;
  }
}

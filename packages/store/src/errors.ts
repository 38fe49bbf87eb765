/**
 * Error classes of `@replaykit/store`. Each has a stable `code`, is branded with
 * `Symbol.for("replaykit.error.<code>")` so `isInstance` works across installed copies.
 */

const LOCKED = Symbol.for("replaykit.error.STORE_LOCKED");
const UNKNOWN_TYPE = Symbol.for("replaykit.error.UNKNOWN_SECTION_TYPE");
const STORE_IO = Symbol.for("replaykit.error.STORE_IO");
const NOT_FOUND = Symbol.for("replaykit.error.STORE_NOT_FOUND");
const INVALID_ARG = Symbol.for("replaykit.error.STORE_INVALID_ARGUMENT");

const branded = (sym: symbol) => (e: unknown): boolean =>
  typeof e === "object" && e !== null && (e as Record<symbol, unknown>)[sym] === true;

/** Who holds a store's lock, as written in the lock file. */
export interface LockHolder {
  pid: number;
  hostname: string;
  /** When the holder took the lock (ISO 8601). */
  since: string;
}

/** Another writer held the store's lock for longer than `lockTimeoutMs`. */
export class StoreLockedError extends Error {
  readonly code = "STORE_LOCKED" as const;
  readonly lockPath: string;
  readonly holder: LockHolder | undefined;
  readonly waitedMs: number;
  override readonly name = "StoreLockedError";
  readonly [LOCKED] = true;

  constructor(lockPath: string, holder: LockHolder | undefined, waitedMs: number) {
    const who = holder === undefined ? "an unknown holder" : `pid ${holder.pid} on ${holder.hostname} (since ${holder.since})`;
    super(`store: ${lockPath} is held by ${who}; gave up after ${waitedMs} ms`);
    this.lockPath = lockPath;
    this.holder = holder;
    this.waitedMs = waitedMs;
  }

  /** True for a `StoreLockedError` from any copy of this package. */
  static isInstance(e: unknown): e is StoreLockedError {
    return branded(LOCKED)(e);
  }
}

/** A section's type has no row expander registered (`options.expanders` adds one). */
export class UnknownSectionTypeError extends Error {
  readonly code = "UNKNOWN_SECTION_TYPE" as const;
  readonly sectionType: string;
  readonly sectionId: string | undefined;
  override readonly name = "UnknownSectionTypeError";
  readonly [UNKNOWN_TYPE] = true;

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
    return branded(UNKNOWN_TYPE)(e);
  }
}

/** A store file or directory could not be created, read or written (lock, marker, directory). */
export class StoreIOError extends Error {
  readonly code = "STORE_IO" as const;
  readonly path: string;
  readonly errno: string | undefined;
  override readonly name = "StoreIOError";
  readonly [STORE_IO] = true;

  constructor(path: string, action: string, cause: unknown) {
    const errno = (cause as { code?: unknown } | null)?.code;
    super(`store: cannot ${action} ${path}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.path = path;
    this.errno = typeof errno === "string" ? errno : undefined;
  }

  /** True for a `StoreIOError` from any copy of this package. */
  static isInstance(e: unknown): e is StoreIOError {
    return branded(STORE_IO)(e);
  }
}

/** `ReplayStore.open(dir, { create: false })` on a directory that does not exist. */
export class StoreNotFoundError extends Error {
  readonly code = "STORE_NOT_FOUND" as const;
  readonly path: string;
  override readonly name = "StoreNotFoundError";
  readonly [NOT_FOUND] = true;

  constructor(path: string) {
    super(`store: no store at ${path} (the directory does not exist)`);
    this.path = path;
  }

  /** True for a `StoreNotFoundError` from any copy of this package. */
  static isInstance(e: unknown): e is StoreNotFoundError {
    return branded(NOT_FOUND)(e);
  }
}

/** A store method was called with an argument it cannot use; `argument` names it. */
export class StoreArgumentError extends Error {
  readonly code = "STORE_INVALID_ARGUMENT" as const;
  readonly argument: string;
  override readonly name = "StoreArgumentError";
  readonly [INVALID_ARG] = true;

  constructor(argument: string, message: string) {
    super(`store: ${argument} ${message}`);
    this.argument = argument;
  }

  /** True for a `StoreArgumentError` from any copy of this package. */
  static isInstance(e: unknown): e is StoreArgumentError {
    return branded(INVALID_ARG)(e);
  }
}

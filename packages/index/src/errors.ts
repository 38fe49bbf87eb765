/**
 * The error classes of `@replaykit/index`.
 *
 * Every class carries a stable `code` and is branded with
 * `Symbol.for("replaykit.error.<code>")`, so `X.isInstance(e)` keeps working when two
 * copies of this package are installed (where `instanceof` would not).
 *
 * @module
 */

/** The `code` of every error this package throws. */
export type IndexErrorCode = "INDEX_CORRUPT" | "INDEX_READ" | "INDEX_WRITE" | "INDEX_ENTRY_INVALID";

function hasBrand(value: unknown, brand: symbol): boolean {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

/** Node's system error code (`"EACCES"`, `"ENOSPC"`, …) of a failed fs call, if it has one. */
function systemCodeOf(cause: unknown): string | undefined {
  if (typeof cause === "object" && cause !== null) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  return String(cause);
}

const corruptBrand = Symbol.for("replaykit.error.INDEX_CORRUPT");

/**
 * The index text (or file) is not a valid index: not UTF-8 JSON, not an array, or an
 * entry with a missing, unknown or ill-typed key.
 *
 * `entry` is the **0-based** position of the offending entry in the JSON array and
 * `field` the JSON key as written in the file (`"added_at"`, `"byte_offset"`, …); both are
 * absent when the problem concerns the whole document.
 */
export class IndexCorruptError extends Error {
  private readonly [corruptBrand] = true;
  /** Always `"INDEX_CORRUPT"`. */
  readonly code = "INDEX_CORRUPT" as const;
  /** The index file (for `parseIndex`, its `source` argument), when known. */
  readonly path?: string;
  /** 0-based position of the offending entry in the JSON array. */
  readonly entry?: number;
  /** The offending JSON key, as spelled in the file (snake_case). */
  readonly field?: string;
  /** The entry's `section_id`, when that key itself is valid. */
  readonly sectionId?: string;

  constructor(
    message: string,
    details: { path?: string; entry?: number; field?: string; sectionId?: string; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "IndexCorruptError";
    if (details.path !== undefined) this.path = details.path;
    if (details.entry !== undefined) this.entry = details.entry;
    if (details.field !== undefined) this.field = details.field;
    if (details.sectionId !== undefined) this.sectionId = details.sectionId;
  }

  /** True for an `IndexCorruptError` from any copy of this package. */
  static isInstance(error: unknown): error is IndexCorruptError {
    return hasBrand(error, corruptBrand);
  }
}

const readBrand = Symbol.for("replaykit.error.INDEX_READ");

/**
 * The index file exists but could not be read (`EACCES`, `EISDIR`, `EIO`, …). A missing
 * file is not an error: `loadIndex` returns `[]`.
 */
export class IndexReadError extends Error {
  private readonly [readBrand] = true;
  /** Always `"INDEX_READ"`. */
  readonly code = "INDEX_READ" as const;
  /** The index file. */
  readonly path: string;
  /** Node's system error code of the failed call (`"EACCES"`, `"EISDIR"`, …), when there is one. */
  readonly systemCode?: string;

  constructor(path: string, cause: unknown) {
    const systemCode = systemCodeOf(cause);
    super(`cannot read index ${path}: ${describeCause(cause)}`, { cause });
    this.name = "IndexReadError";
    this.path = path;
    if (systemCode !== undefined) this.systemCode = systemCode;
  }

  /** True for an `IndexReadError` from any copy of this package. */
  static isInstance(error: unknown): error is IndexReadError {
    return hasBrand(error, readBrand);
  }
}

/** The step of an atomic index write that failed. */
export type IndexWriteStep = "open" | "write" | "fsync" | "close" | "rename" | "fsync-dir";

const writeBrand = Symbol.for("replaykit.error.INDEX_WRITE");

/**
 * Writing the index failed (`ENOSPC`, `EACCES`, `ENOENT` for a missing directory, `EISDIR`
 * when the target is a directory, …). The temporary file has been removed. For every
 * step but `"fsync-dir"` the previous index file is untouched; after a `"fsync-dir"`
 * failure the new index is in place but its durability across a power loss is unknown.
 */
export class IndexWriteError extends Error {
  private readonly [writeBrand] = true;
  /** Always `"INDEX_WRITE"`. */
  readonly code = "INDEX_WRITE" as const;
  /** The index file that was being written. */
  readonly path: string;
  /** The step that failed. */
  readonly step: IndexWriteStep;
  /** Node's system error code of the failed call (`"ENOSPC"`, `"EISDIR"`, …), when there is one. */
  readonly systemCode?: string;

  constructor(path: string, step: IndexWriteStep, cause: unknown) {
    const systemCode = systemCodeOf(cause);
    super(`cannot write index ${path} (${step}): ${describeCause(cause)}`, { cause });
    this.name = "IndexWriteError";
    this.path = path;
    this.step = step;
    if (systemCode !== undefined) this.systemCode = systemCode;
  }

  /** True for an `IndexWriteError` from any copy of this package. */
  static isInstance(error: unknown): error is IndexWriteError {
    return hasBrand(error, writeBrand);
  }
}

const entryInvalidBrand = Symbol.for("replaykit.error.INDEX_ENTRY_INVALID");

/**
 * `serializeIndex` / `saveIndex` was given an entry that cannot be written (bad section
 * id, negative offset, invalid `Date`, …). Nothing is written.
 *
 * `entry` is the **0-based** position in the array the caller passed (before sorting) and
 * `field` the `IndexEntry` property name (camelCase: `"addedAt"`, `"byteOffset"`, …).
 */
export class IndexEntryInvalidError extends Error {
  private readonly [entryInvalidBrand] = true;
  /** Always `"INDEX_ENTRY_INVALID"`. */
  readonly code = "INDEX_ENTRY_INVALID" as const;
  /** 0-based position of the offending entry in the given array. */
  readonly entry?: number;
  /** The offending `IndexEntry` property. */
  readonly field?: string;
  /** The index file being saved, for `saveIndex`. */
  readonly path?: string;

  constructor(message: string, details: { entry?: number; field?: string; path?: string } = {}) {
    super(message);
    this.name = "IndexEntryInvalidError";
    if (details.entry !== undefined) this.entry = details.entry;
    if (details.field !== undefined) this.field = details.field;
    if (details.path !== undefined) this.path = details.path;
  }

  /** True for an `IndexEntryInvalidError` from any copy of this package. */
  static isInstance(error: unknown): error is IndexEntryInvalidError {
    return hasBrand(error, entryInvalidBrand);
  }
}

/**
 * The error classes of `@replaykit/index`, in replaykit's shared error scheme
 * (`@replaykit/errors`): every class extends `IndexError`, carries the brand
 * `Symbol.for("replaykit.error")` = `"index"`, a stable `code` and a `kind`, keeps the
 * original failure as `cause`, and has a static `isInstance` that works across two installed
 * copies of the package (it checks the brand and the code, never the prototype).
 *
 * @module
 */

import { describeValue, errorClass, instanceCheck, REPLAYKIT_ERROR, ReplaykitErrorBase, systemCodeOf } from "@replaykit/errors";

export { isReplaykitError } from "@replaykit/errors";

/** The `code` of every error this package throws. */
export type IndexErrorCode = "INDEX_ARGUMENT" | "INDEX_CORRUPT" | "INDEX_READ" | "INDEX_WRITE" | "INDEX_ENTRY_INVALID";

function describeCause(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  return String(cause);
}

/** The base class of every error this package throws. */
export abstract class IndexError extends ReplaykitErrorBase {
  declare readonly code: IndexErrorCode;
  readonly [REPLAYKIT_ERROR] = "index";
}

/**
 * A public function of this package was called with a bad argument (not a string path,
 * not an array of entries, an unknown format, …). `argument` names the parameter.
 */
export class IndexArgumentError extends errorClass(IndexError, "IndexArgumentError", "INDEX_ARGUMENT", "argument") {
  static readonly isInstance = instanceCheck<IndexArgumentError>(this);
  /** The public function that was called (`"saveIndex"`, `"entryFor"`, …). */
  readonly functionName: string;
  /** The parameter that was wrong (`"indexPath"`, `"entries"`, `"text"`, …). */
  readonly argument: string;

  constructor(functionName: string, argument: string, expected: string, got: unknown) {
    super(`index: ${functionName}: ${argument} must be ${expected}, got ${describeValue(got)}`);
    this.functionName = functionName;
    this.argument = argument;
  }
}

/**
 * The index text (or file) is not a valid index: not UTF-8 JSON, not an array, or an
 * entry with a missing, unknown or ill-typed key; for a journal (index.rkx), a bad header, a
 * checksummed commit that breaks the format, or a write refused because whole commits
 * follow damage (`byteOffset` names where).
 *
 * `entry` is the **0-based** position of the offending entry in the JSON array and
 * `field` the JSON key as written in the file (`"added_at"`, `"byte_offset"`, …); both are
 * absent when the problem concerns the whole document.
 */
export class IndexCorruptError extends errorClass(IndexError, "IndexCorruptError", "INDEX_CORRUPT", "corrupt") {
  static readonly isInstance = instanceCheck<IndexCorruptError>(this);
  /** The index file (for `parseIndex`, its `source` argument), when known. */
  readonly path?: string;
  /** 0-based position of the offending entry in the JSON array. */
  readonly entry?: number;
  /** The offending JSON key, as spelled in the file (snake_case). */
  readonly field?: string;
  /** The entry's `section_id`, when that key itself is valid. */
  readonly sectionId?: string;
  /** Journal (index.rkx) only: the file offset of the bad bytes. */
  readonly byteOffset?: number;

  constructor(message: string, details: { path?: string; entry?: number; field?: string; sectionId?: string; byteOffset?: number; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    if (details.path !== undefined) this.path = details.path;
    if (details.byteOffset !== undefined) this.byteOffset = details.byteOffset;
    if (details.entry !== undefined) this.entry = details.entry;
    if (details.field !== undefined) this.field = details.field;
    if (details.sectionId !== undefined) this.sectionId = details.sectionId;
  }
}

/**
 * The index file exists but could not be read (`EACCES`, `EISDIR`, `EIO`, …). A missing
 * file is not an error: `loadIndex` returns `[]`.
 */
export class IndexReadError extends errorClass(IndexError, "IndexReadError", "INDEX_READ", "io") {
  static readonly isInstance = instanceCheck<IndexReadError>(this);
  /** The index file. */
  readonly path: string;
  /** Node's system error code of the failed call (`"EACCES"`, `"EISDIR"`, …), when there is one. */
  readonly systemCode?: string;

  constructor(path: string, cause: unknown) {
    const systemCode = systemCodeOf(cause);
    super(`cannot read index ${path}: ${describeCause(cause)}`, { cause });
    this.path = path;
    if (systemCode !== undefined) this.systemCode = systemCode;
  }
}

/** The step of an atomic index write that failed. */
export type IndexWriteStep = "open" | "write" | "fsync" | "close" | "rename" | "fsync-dir";

/**
 * Writing the index failed (`ENOSPC`, `EACCES`, `ENOENT` for a missing directory, `EISDIR`
 * when the target is a directory, …). The temporary file has been removed. For every
 * step but `"fsync-dir"` the previous index file is untouched; after a `"fsync-dir"`
 * failure the new index is in place but its durability across a power loss is unknown.
 */
export class IndexWriteError extends errorClass(IndexError, "IndexWriteError", "INDEX_WRITE", "io") {
  static readonly isInstance = instanceCheck<IndexWriteError>(this);
  /** The index file that was being written. */
  readonly path: string;
  /** The step that failed. */
  readonly step: IndexWriteStep;
  /** Node's system error code of the failed call (`"ENOSPC"`, `"EISDIR"`, …), when there is one. */
  readonly systemCode?: string;

  constructor(path: string, step: IndexWriteStep, cause: unknown) {
    const systemCode = systemCodeOf(cause);
    super(`cannot write index ${path} (${step}): ${describeCause(cause)}`, { cause });
    this.path = path;
    this.step = step;
    if (systemCode !== undefined) this.systemCode = systemCode;
  }
}

/**
 * `serializeIndex` / `saveIndex` / `entryFor` was given an entry that cannot be written
 * (bad section id, negative offset, invalid `Date`, …). Nothing is written.
 *
 * `entry` is the **0-based** position in the array the caller passed (before sorting) and
 * `field` the `IndexEntry` property name (camelCase: `"addedAt"`, `"byteOffset"`, …).
 */
export class IndexEntryInvalidError extends errorClass(IndexError, "IndexEntryInvalidError", "INDEX_ENTRY_INVALID", "argument") {
  static readonly isInstance = instanceCheck<IndexEntryInvalidError>(this);
  /** 0-based position of the offending entry in the given array. */
  readonly entry?: number;
  /** The offending `IndexEntry` property. */
  readonly field?: string;
  /** The index file being saved, for `saveIndex`. */
  readonly path?: string;

  constructor(message: string, details: { entry?: number; field?: string; path?: string } = {}) {
    super(message);
    if (details.entry !== undefined) this.entry = details.entry;
    if (details.field !== undefined) this.field = details.field;
    if (details.path !== undefined) this.path = details.path;
  }
}

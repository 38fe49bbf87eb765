/**
 * Error classes of `@replaykit/corpus`, in replaykit's shared error scheme: every class
 * extends `CorpusError`, carries the marker `Symbol.for("replaykit.error")` = `"corpus"` and
 * a stable `code`, keeps the original failure as `cause`, and has a static `isInstance`
 * that works across two installed copies of the package (it checks the marker and the
 * code, never the prototype).
 */

/** Marks every replaykit error; the value is the package's short name. */
const REPLAYKIT_ERROR = Symbol.for("replaykit.error");

/** True when `error` carries replaykit's marker and the given code. */
function hasCode(error: unknown, code: string): boolean {
  return isReplaykitError(error) && (error as { code?: unknown }).code === code;
}

/**
 * True for an error thrown by any replaykit package (any copy, any version using the shared
 * scheme): an object whose `Symbol.for("replaykit.error")` property is a string.
 */
export function isReplaykitError(error: unknown): error is Error & { readonly code: string } {
  return typeof error === "object" && error !== null && typeof (error as Record<symbol, unknown>)[REPLAYKIT_ERROR] === "string";
}

/** The base class of every error this package throws. */
export abstract class CorpusError extends Error {
  /** Stable UPPER_SNAKE code, unique across replaykit. */
  abstract readonly code: string;
  readonly [REPLAYKIT_ERROR] = "corpus";
}

/** Why a frame was rejected: the layer that failed. */
export type CorruptReason =
  | "short-read" // the pointer reaches past the end of the corpus file (or the file is missing)
  | "frame" // not a zstd frame, or its header / block structure does not match the pointer
  | "too-large" // the frame declares more content than the reader's `maxFrameBytes`
  | "zstd" // zstd refused to decompress it
  | "cbor" // the payload is not well-formed CBOR
  | "shape" // well-formed CBOR, but not a snapshot (wrong keys, wrong types, bad dates)
  | "checksum" // the frame's CRC-32 differs from the one its index entry records
  | "mismatch"; // the frame decodes, but holds another section than its index entry names

/**
 * A frame (or the bytes a pointer names) is not a valid snapshot frame.
 * `byteOffset` and `length` say where; `path` names the corpus file when there is one.
 */
export class CorpusCorruptError extends CorpusError {
  readonly code = "CORPUS_CORRUPT" as const;
  override readonly name = "CorpusCorruptError";
  readonly byteOffset: number;
  readonly length: number;
  readonly path: string | undefined;
  readonly reason: CorruptReason;

  constructor(message: string, where: { byteOffset: number; length: number; path?: string | undefined; reason: CorruptReason; cause?: unknown }) {
    const place = `${where.path ?? "frame"} at byte ${where.byteOffset} (+${where.length})`;
    super(`corpus: ${place}: ${message}`, where.cause === undefined ? undefined : { cause: where.cause });
    this.byteOffset = where.byteOffset;
    this.length = where.length;
    this.path = where.path;
    this.reason = where.reason;
  }

  /** True for a `CorpusCorruptError` from any copy of this package. */
  static isInstance(error: unknown): error is CorpusCorruptError {
    return hasCode(error, "CORPUS_CORRUPT");
  }
}

/** `createSnapshot` or `encodeFrame` was given a field it cannot store; `field` names it. */
export class SnapshotInvalidError extends CorpusError {
  readonly code = "SNAPSHOT_INVALID" as const;
  override readonly name = "SnapshotInvalidError";
  /** The offending field (the issue path, e.g. `lastSeenAt` or `trainingRunsSeen.2`, or an unknown key). */
  readonly field: string;

  constructor(field: string, message: string, cause?: unknown) {
    super(`snapshot.${field}: ${message}`, cause === undefined ? undefined : { cause });
    this.field = field;
  }

  /** True for a `SnapshotInvalidError` from any copy of this package. */
  static isInstance(error: unknown): error is SnapshotInvalidError {
    return hasCode(error, "SNAPSHOT_INVALID");
  }
}

/**
 * The steps of an atomic write, in order: create the temporary file (`"open"`), `"write"`
 * it (and set its mode), `"fsync"` it, `"close"` it, `"rename"` it into place, fsync the
 * directory (`"fsync-dir"`). For every step but `"fsync-dir"` the previous file is intact.
 */
export type AtomicWriteStep = "open" | "write" | "fsync" | "close" | "rename" | "fsync-dir";

/**
 * A file or directory could not be opened, written, renamed or synced (permissions, a full
 * disk, a directory where the file should be). `action` says which step failed. Appends and
 * atomic writes leave the previous state in force when this is thrown.
 */
export class CorpusIOError extends CorpusError {
  readonly code = "CORPUS_IO" as const;
  override readonly name = "CorpusIOError";
  readonly path: string;
  /** The step that failed, in words for the message, e.g. `"open for appending"`, `"rename into place"`, `"sync the directory"`. */
  readonly action: string;
  /**
   * The step of an atomic write (`writeFileAtomic`, `fsyncDir`) that failed, for code to
   * branch on (`action` is for people); undefined for other operations.
   */
  readonly step: AtomicWriteStep | undefined;
  /** The system error code (`EACCES`, `ENOSPC`, …) when there is one. */
  readonly errno: string | undefined;

  constructor(path: string, action: string, cause: unknown, step?: AtomicWriteStep) {
    const errno = (cause as { code?: unknown } | null)?.code;
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(`corpus: cannot ${action} ${path}: ${detail}`, { cause });
    this.path = path;
    this.action = action;
    this.step = step;
    this.errno = typeof errno === "string" ? errno : undefined;
  }

  /** True for a `CorpusIOError` from any copy of this package. */
  static isInstance(error: unknown): error is CorpusIOError {
    return hasCode(error, "CORPUS_IO");
  }
}

/**
 * A public function of this package was called with an argument of the wrong type or
 * range (`null` where an array is due, a negative offset, …). `functionName` and
 * `argument` name it; nothing was read or written.
 */
export class CorpusArgumentError extends CorpusError {
  readonly code = "CORPUS_ARGUMENT" as const;
  override readonly name = "CorpusArgumentError";
  readonly functionName: string;
  readonly argument: string;

  constructor(functionName: string, argument: string, expected: string, got: unknown) {
    super(`corpus: ${functionName}: ${argument} must be ${expected}, got ${describe(got)}`);
    this.functionName = functionName;
    this.argument = argument;
  }

  /** True for a `CorpusArgumentError` from any copy of this package. */
  static isInstance(error: unknown): error is CorpusArgumentError {
    return hasCode(error, "CORPUS_ARGUMENT");
  }
}

/** A short, safe rendering of a bad value for a message. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "an invalid Date" : value.toISOString();
  switch (typeof value) {
    case "string":
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    case "number":
    case "boolean":
    case "undefined":
      return String(value);
    case "bigint":
      return `${value}n`;
    case "object":
      return "an object";
    default:
      return `a ${typeof value}`;
  }
}

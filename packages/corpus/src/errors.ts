/**
 * Error classes of `@replaykit/corpus`, in replaykit's shared error scheme
 * (`@replaykit/errors`): every class extends `CorpusError`, carries the brand
 * `Symbol.for("replaykit.error")` = `"corpus"`, a stable `code` and a `kind`, keeps the
 * original failure as `cause`, and has a static `isInstance` that works across two installed
 * copies of the package (it checks the brand and the code, never the prototype).
 */

import { describeValue, errorClass, instanceCheck, REPLAYKIT_ERROR, ReplaykitErrorBase, systemCodeOf } from "@replaykit/errors";

export { isReplaykitError } from "@replaykit/errors";

/** The base class of every error this package throws. */
export abstract class CorpusError extends ReplaykitErrorBase {
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
export class CorpusCorruptError extends errorClass(CorpusError, "CorpusCorruptError", "CORPUS_CORRUPT", "corrupt") {
  static readonly isInstance = instanceCheck<CorpusCorruptError>(this);
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
}

/** `createSnapshot` or `encodeFrame` was given a field it cannot store; `field` names it. */
export class SnapshotInvalidError extends errorClass(CorpusError, "SnapshotInvalidError", "SNAPSHOT_INVALID", "argument") {
  static readonly isInstance = instanceCheck<SnapshotInvalidError>(this);
  /** The offending field (the issue path, e.g. `lastSeenAt` or `trainingRunsSeen.2`, or an unknown key). */
  readonly field: string;

  constructor(field: string, message: string, cause?: unknown) {
    super(`snapshot.${field}: ${message}`, cause === undefined ? undefined : { cause });
    this.field = field;
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
export class CorpusIOError extends errorClass(CorpusError, "CorpusIOError", "CORPUS_IO", "io") {
  static readonly isInstance = instanceCheck<CorpusIOError>(this);
  readonly path: string;
  /** The step that failed, in words for the message, e.g. `"open for appending"`, `"rename into place"`, `"sync the directory"`. */
  readonly action: string;
  /**
   * The step of an atomic write (`writeFileAtomic`, `fsyncDir`) that failed, for code to
   * branch on (`action` is for people); undefined for other operations.
   */
  readonly step: AtomicWriteStep | undefined;
  /** The system error code (`EACCES`, `ENOSPC`, …) when there is one. */
  readonly systemCode: string | undefined;

  constructor(path: string, action: string, cause: unknown, step?: AtomicWriteStep) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(`corpus: cannot ${action} ${path}: ${detail}`, { cause });
    this.path = path;
    this.action = action;
    this.step = step;
    this.systemCode = systemCodeOf(cause);
  }

  /** @deprecated The old name of {@link CorpusIOError.systemCode}. */
  get errno(): string | undefined {
    return this.systemCode;
  }
}

/**
 * A public function of this package was called with an argument of the wrong type or
 * range (`null` where an array is due, a negative offset, …). `functionName` and
 * `argument` name it; nothing was read or written.
 */
export class CorpusArgumentError extends errorClass(CorpusError, "CorpusArgumentError", "CORPUS_ARGUMENT", "argument") {
  static readonly isInstance = instanceCheck<CorpusArgumentError>(this);
  readonly functionName: string;
  readonly argument: string;

  constructor(functionName: string, argument: string, expected: string, got: unknown) {
    super(`corpus: ${functionName}: ${argument} must be ${expected}, got ${describeValue(got)}`);
    this.functionName = functionName;
    this.argument = argument;
  }
}

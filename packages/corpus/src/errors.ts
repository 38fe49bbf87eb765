/**
 * Error classes of `@replaykit/corpus`. Each has a stable `code`, is branded with
 * `Symbol.for("replaykit.error.<code>")` so `isInstance` works across two installed copies
 * of the package, and keeps the original failure as `cause`.
 */

const brand = (code: string): symbol => Symbol.for(`replaykit.error.${code}`);
const CORRUPT = brand("CORPUS_CORRUPT");
const INVALID = brand("SNAPSHOT_INVALID");
const IO = brand("CORPUS_IO");

/** Why a frame was rejected: the layer that failed. */
export type CorruptReason =
  | "pointer" // the pointer itself is not a valid (offset, length) pair
  | "short-read" // the pointer reaches past the end of the corpus file (or the file is missing)
  | "frame" // not a zstd frame, or its header / block structure does not match the pointer
  | "zstd" // zstd refused to decompress it
  | "cbor" // the payload is not well-formed CBOR
  | "shape" // well-formed CBOR, but not a snapshot (wrong keys, wrong types, bad dates)
  | "checksum" // the frame's CRC-32 differs from the one its index entry records
  | "mismatch"; // the frame decodes, but holds another section than its index entry names

/**
 * A frame (or the bytes a pointer names) is not a valid snapshot frame.
 * `byteOffset` and `length` say where; `path` names the corpus file when there is one.
 */
export class CorpusCorruptError extends Error {
  readonly code = "CORPUS_CORRUPT" as const;
  readonly byteOffset: number;
  readonly length: number;
  readonly path: string | undefined;
  readonly reason: CorruptReason;
  override readonly name = "CorpusCorruptError";
  readonly [CORRUPT] = true;

  constructor(
    message: string,
    where: { byteOffset: number; length: number; path?: string | undefined; reason: CorruptReason; cause?: unknown },
  ) {
    const place = `${where.path ?? "frame"} at byte ${where.byteOffset} (+${where.length})`;
    super(`corpus: ${place}: ${message}`, where.cause === undefined ? undefined : { cause: where.cause });
    this.byteOffset = where.byteOffset;
    this.length = where.length;
    this.path = where.path;
    this.reason = where.reason;
  }

  /** True for a `CorpusCorruptError` from any copy of this package. */
  static isInstance(error: unknown): error is CorpusCorruptError {
    return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[CORRUPT] === true;
  }
}

/** `createSnapshot` or `encodeFrame` was given a field it cannot store; `field` names it. */
export class SnapshotInvalidError extends Error {
  readonly code = "SNAPSHOT_INVALID" as const;
  readonly field: string;
  override readonly name = "SnapshotInvalidError";
  readonly [INVALID] = true;

  constructor(field: string, message: string, cause?: unknown) {
    super(`snapshot.${field}: ${message}`, cause === undefined ? undefined : { cause });
    this.field = field;
  }

  /** True for a `SnapshotInvalidError` from any copy of this package. */
  static isInstance(error: unknown): error is SnapshotInvalidError {
    return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[INVALID] === true;
  }
}

/**
 * The corpus file could not be opened, written or synced (permissions, a full disk, a
 * directory where the file should be). Nothing was appended when this is thrown.
 */
export class CorpusIOError extends Error {
  readonly code = "CORPUS_IO" as const;
  readonly path: string;
  /** The system error code (`EACCES`, `ENOSPC`, …) when there is one. */
  readonly errno: string | undefined;
  override readonly name = "CorpusIOError";
  readonly [IO] = true;

  constructor(path: string, action: string, cause: unknown) {
    const errno = (cause as { code?: unknown } | null)?.code;
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(`corpus: cannot ${action} ${path}: ${detail}`, { cause });
    this.path = path;
    this.errno = typeof errno === "string" ? errno : undefined;
  }

  /** True for a `CorpusIOError` from any copy of this package. */
  static isInstance(error: unknown): error is CorpusIOError {
    return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[IO] === true;
  }
}

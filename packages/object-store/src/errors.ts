/**
 * Error classes of `@replaykit/object-store`, in the scheme every replaykit package shares
 * (`@replaykit/errors`): each error carries the marker `Symbol.for("replaykit.error")` (value `"object-store"`), a
 * stable UPPER_SNAKE `code` and a `kind`; `X.isInstance(e)` checks the marker and the code,
 * so it keeps working when two copies of the package are installed (where `instanceof`
 * would not).
 *
 * Messages name the bucket, the key and the HTTP status. They never carry credentials: the
 * SDK's errors are not kept as causes (their requests hold signed headers); a plain
 * summary of them is, with every configured secret scrubbed out.
 */

import { errorClass, type ErrorClassOf, type ErrorKind, instanceCheck, REPLAYKIT_ERROR, ReplaykitErrorBase } from "@replaykit/errors";

export { describeValue, type ErrorKind, isReplaykitError } from "@replaykit/errors";

/** Base class of every error `@replaykit/object-store` throws. */
export abstract class ObjectStoreBaseError extends ReplaykitErrorBase {
  readonly [REPLAYKIT_ERROR]: string = "object-store";
}

/** Where a request went: the bucket and the key (or the prefix, for a listing). */
export interface ObjectLocation {
  readonly bucket: string;
  readonly key: string;
}

/**
 * The base of one of this package's concrete classes: {@link errorClass} with `kind` typed
 * as the class's literal on its errors too (no error of this package overrides its class's kind).
 */
function objectStoreError<const Name extends string, const Code extends string, const Kind extends ErrorKind>(name: Name, code: Code, kind: Kind) {
  return errorClass(ObjectStoreBaseError, name, code, kind) as ErrorClassOf<typeof ObjectStoreBaseError, Name, Code, Kind, Kind>;
}

const where = (at: ObjectLocation) => `bucket ${JSON.stringify(at.bucket)}, key ${JSON.stringify(at.key)}`;

/** The operations of an object store. */
export type ObjectStoreOperation = "get" | "head" | "put" | "list" | "delete";

/**
 * A request failed after its retries (5xx, 429, a reset connection, a timeout, an
 * unexpected status, or a handle that was cut off). Kind `"io"`.
 */
export class ObjectStoreError extends objectStoreError("ObjectStoreError", "OBJECT_STORE", "io") {
  static readonly isInstance = instanceCheck<ObjectStoreError>(this);
  readonly bucket: string;
  readonly key: string;
  /** The HTTP status of the last attempt, when there was a response. */
  readonly status: number | undefined;
  readonly operation: ObjectStoreOperation;
  /** How many attempts were made. */
  readonly attempts: number;

  constructor(reason: string, at: ObjectLocation & { operation: ObjectStoreOperation; status?: number | undefined; attempts?: number; cause?: unknown }) {
    const status = at.status === undefined ? "" : `status ${at.status}, `;
    const attempts = at.attempts === undefined || at.attempts === 1 ? "" : ` (after ${at.attempts} attempts)`;
    super(`${at.operation} ${where(at)}: ${status}${reason}${attempts}`, at.cause === undefined ? undefined : { cause: at.cause });
    this.bucket = at.bucket;
    this.key = at.key;
    this.status = at.status;
    this.operation = at.operation;
    this.attempts = at.attempts ?? 1;
  }
}

/**
 * A conditional write (create or update) whose outcome is unknown: the request may have
 * landed (it timed out, the connection was reset, or a 5xx came back after it was sent).
 * It is not retried blindly, because a retry cannot tell "mine landed" from "someone
 * else's did". Read the key back and check (a unique id in the body, say). Kind `"io"`.
 */
export class ObjectStoreAmbiguousError extends objectStoreError("ObjectStoreAmbiguousError", "OBJECT_STORE_AMBIGUOUS", "io") {
  static readonly isInstance = instanceCheck<ObjectStoreAmbiguousError>(this);
  readonly bucket: string;
  readonly key: string;
  readonly status: number | undefined;
  /** Whether the write landed: not known. */
  readonly landed = "unknown" as const;
  /** The put mode that was attempted. */
  readonly mode: "create" | "update";

  constructor(reason: string, at: ObjectLocation & { mode: "create" | "update"; status?: number | undefined; cause?: unknown }) {
    const status = at.status === undefined ? "" : `status ${at.status}, `;
    super(
      `put (${at.mode}) ${where(at)}: ${status}${reason}; the write may or may not have landed (not retried: read the key back to find out)`,
      at.cause === undefined ? undefined : { cause: at.cause },
    );
    this.bucket = at.bucket;
    this.key = at.key;
    this.status = at.status;
    this.mode = at.mode;
  }
}

/** Why a conditional write was refused. */
export type PreconditionReason = "exists" | "etag-mismatch" | "missing";

/**
 * A conditional write was refused and nothing was written: a create of a key that exists
 * (`reason: "exists"`), or an update whose etag is not the current one
 * (`"etag-mismatch"`) or whose key does not exist (`"missing"`; RGW answers 412, AWS 404).
 * Kind `"conflict"`: re-read and retry, or report the conflict.
 */
export class PreconditionFailedError extends objectStoreError("PreconditionFailedError", "OBJECT_STORE_PRECONDITION", "conflict") {
  static readonly isInstance = instanceCheck<PreconditionFailedError>(this);
  readonly bucket: string;
  readonly key: string;
  readonly mode: "create" | "update";
  readonly reason: PreconditionReason;
  readonly status: number | undefined;

  constructor(at: ObjectLocation & { mode: "create" | "update"; reason: PreconditionReason; status?: number | undefined }) {
    const what =
      at.reason === "exists" ? "the key already exists" : at.reason === "missing" ? "the key does not exist" : "the key's etag is not the expected one";
    const status = at.status === undefined ? "" : `status ${at.status}, `;
    super(`put (${at.mode}) ${where(at)}: ${status}precondition failed: ${what}; nothing was written`);
    this.bucket = at.bucket;
    this.key = at.key;
    this.mode = at.mode;
    this.reason = at.reason;
    this.status = at.status;
  }
}

/** `get` of a key that does not exist. Kind `"not-found"`. */
export class ObjectNotFoundError extends objectStoreError("ObjectNotFoundError", "OBJECT_STORE_NOT_FOUND", "not-found") {
  static readonly isInstance = instanceCheck<ObjectNotFoundError>(this);
  readonly bucket: string;
  readonly key: string;
  readonly status: number | undefined;

  constructor(at: ObjectLocation & { status?: number | undefined }) {
    super(`get ${where(at)}: ${at.status === undefined ? "" : `status ${at.status}, `}no such key`);
    this.bucket = at.bucket;
    this.key = at.key;
    this.status = at.status;
  }
}

/** A range read that does not fit in the object: `offset + length > size`. Kind `"argument"`. */
export class ObjectRangeError extends objectStoreError("ObjectRangeError", "OBJECT_STORE_RANGE", "argument") {
  static readonly isInstance = instanceCheck<ObjectRangeError>(this);
  readonly bucket: string;
  readonly key: string;
  readonly offset: number;
  readonly length: number;
  /** The object's size. */
  readonly size: number;

  constructor(at: ObjectLocation & { offset: number; length: number; size: number }) {
    super(`get ${where(at)}: range ${at.offset}+${at.length} (to ${at.offset + at.length}) is past the end of the object (${at.size} bytes)`);
    this.bucket = at.bucket;
    this.key = at.key;
    this.offset = at.offset;
    this.length = at.length;
    this.size = at.size;
  }
}

/** A bad argument to a public function (a key that is not a string, a bad mode). Kind `"argument"`. */
export class ObjectStoreArgumentError extends objectStoreError("ObjectStoreArgumentError", "OBJECT_STORE_ARGUMENT", "argument") {
  static readonly isInstance = instanceCheck<ObjectStoreArgumentError>(this);
  /** The argument or option that was wrong, e.g. `"key"`, `"mode.etag"`, `"options.maxAttempts"`. */
  readonly argument: string;

  constructor(argument: string, reason: string) {
    super(`${argument}: ${reason}`);
    this.argument = argument;
  }
}

/**
 * The endpoint ignores conditional writes (a create of an existing key succeeded), so a
 * writer must not use it: nothing but the probe was written. Kind `"unsupported"`.
 */
export class UnsafeEndpointError extends objectStoreError("UnsafeEndpointError", "OBJECT_STORE_UNSAFE", "unsupported") {
  static readonly isInstance = instanceCheck<UnsafeEndpointError>(this);
  /** The endpoint URL (or a description such as "AWS S3 (default endpoint)", "memory"). */
  readonly endpoint: string;
  readonly bucket: string;
  /** The probe key whose conditional write was accepted. */
  readonly key: string;
  /** The condition the endpoint ignored. */
  readonly condition: "If-None-Match" | "If-Match";

  constructor(at: ObjectLocation & { endpoint: string; condition?: "If-None-Match" | "If-Match" }) {
    const condition = at.condition ?? "If-None-Match";
    const what =
      condition === "If-None-Match"
        ? "a second create of the same key succeeded instead of failing with 412"
        : "an update with a wrong etag succeeded instead of failing with 412";
    super(`endpoint ${at.endpoint} ignores ${condition} (${where(at)}): ${what}; it cannot hold a replaykit store safely, nothing else was written`);
    this.endpoint = at.endpoint;
    this.bucket = at.bucket;
    this.key = at.key;
    this.condition = condition;
  }
}

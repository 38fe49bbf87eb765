import { describeValue, ObjectStoreArgumentError } from "./errors.js";

/** A byte range of an object: `length` bytes from `offset`. */
export interface ObjectRange {
  readonly offset: number;
  readonly length: number;
}

/** What `head` says about an object. */
export interface ObjectHead {
  readonly size: number;
  /** The object's current etag, as the server gives it (quoted for S3); pass it to an update. */
  readonly etag: string;
}

/** One object of a listing. */
export interface ListEntry {
  readonly key: string;
  readonly size: number;
}

/**
 * How a put treats an existing object: `create` only if the key is absent (S3
 * `If-None-Match: *`), `overwrite` unconditionally, `update` only if the current etag is
 * `etag` (S3 `If-Match`).
 */
export type PutMode = { readonly kind: "create" } | { readonly kind: "overwrite" } | { readonly kind: "update"; readonly etag: string };

/**
 * The small surface a replaykit store needs from object storage, after Rust's
 * `object_store`. Keys are full keys (a store's prefix is the caller's business); objects
 * are whole (a put replaces the object atomically; there is no append).
 */
export interface ObjectStore {
  /**
   * The object's bytes, or `range.length` bytes from `range.offset`.
   * @throws {ObjectNotFoundError} the key does not exist
   * @throws {ObjectRangeError} the range reaches past the end of the object
   * @throws {ObjectStoreError} the request failed after its retries
   */
  get(key: string, range?: ObjectRange): Promise<Uint8Array>;
  /**
   * The object's size and etag, or `undefined` when the key does not exist.
   * @throws {ObjectStoreError} the request failed after its retries
   */
  head(key: string): Promise<ObjectHead | undefined>;
  /**
   * Writes the whole object in one request, as `mode` says; resolves with the new etag.
   * @throws {PreconditionFailedError} create of an existing key, update with a stale etag or of a missing key
   * @throws {ObjectStoreAmbiguousError} a create or update that may or may not have landed
   * @throws {ObjectStoreError} the request failed after its retries
   */
  put(key: string, body: Uint8Array, mode: PutMode): Promise<{ etag: string }>;
  /**
   * Every object whose key starts with `prefix` (after `startAfter`, if given), in
   * lexicographic order of the keys' UTF-8 bytes, across all pages.
   * @throws {ObjectStoreError} a page request failed after its retries
   */
  list(prefix: string, startAfter?: string): AsyncIterable<ListEntry>;
  /**
   * Deletes the object; deleting a missing key succeeds.
   * @throws {ObjectStoreError} the request failed after its retries
   */
  delete(key: string): Promise<void>;
}

const encoder = new TextEncoder();
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Checks a key: a non-empty string of at most 1024 UTF-8 bytes (S3's limit). Internal. */
export function checkKey(key: unknown, argument = "key"): string {
  if (typeof key !== "string") throw new ObjectStoreArgumentError(argument, `expected a string, got ${describeValue(key)}`);
  if (key.length === 0) throw new ObjectStoreArgumentError(argument, "expected a non-empty key");
  if (LONE_SURROGATE.test(key)) throw new ObjectStoreArgumentError(argument, `${describeValue(key)} holds a lone surrogate (not valid UTF-8)`);
  const bytes = encoder.encode(key).length;
  if (bytes > 1024) throw new ObjectStoreArgumentError(argument, `a key has at most 1024 UTF-8 bytes, got ${bytes}`);
  return key;
}

/** Checks a list prefix or `startAfter` (may be empty). Internal. */
export function checkPrefix(prefix: unknown, argument: string): string {
  if (typeof prefix !== "string") throw new ObjectStoreArgumentError(argument, `expected a string, got ${describeValue(prefix)}`);
  if (LONE_SURROGATE.test(prefix)) throw new ObjectStoreArgumentError(argument, `${describeValue(prefix)} holds a lone surrogate`);
  return prefix;
}

/** Checks a put body. Internal. */
export function checkBody(body: unknown): Uint8Array {
  if (!(body instanceof Uint8Array)) throw new ObjectStoreArgumentError("body", `expected a Uint8Array, got ${describeValue(body)}`);
  return body;
}

/** Checks a put mode. Internal. */
export function checkMode(mode: unknown): PutMode {
  if (typeof mode !== "object" || mode === null)
    throw new ObjectStoreArgumentError("mode", `expected { kind: "create" | "overwrite" | "update" }, got ${describeValue(mode)}`);
  const { kind, etag } = mode as { kind?: unknown; etag?: unknown };
  if (kind === "create" || kind === "overwrite") return { kind };
  if (kind === "update") {
    if (typeof etag !== "string" || etag.length === 0)
      throw new ObjectStoreArgumentError("mode.etag", `an update needs the current etag, got ${describeValue(etag)}`);
    return { kind, etag };
  }
  throw new ObjectStoreArgumentError("mode.kind", `expected "create", "overwrite" or "update", got ${describeValue(kind)}`);
}

/** Checks a range (non-negative safe integers). Internal. */
export function checkRange(range: unknown): ObjectRange | undefined {
  if (range === undefined) return undefined;
  if (typeof range !== "object" || range === null) throw new ObjectStoreArgumentError("range", `expected { offset, length }, got ${describeValue(range)}`);
  const { offset, length } = range as { offset?: unknown; length?: unknown };
  for (const [name, v] of [
    ["offset", offset],
    ["length", length],
  ] as const) {
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0)
      throw new ObjectStoreArgumentError(`range.${name}`, `expected a non-negative integer, got ${describeValue(v)}`);
  }
  return { offset: offset as number, length: length as number };
}

/** The etag without its quotes (and a weak `W/` marker): how two etags compare. Internal. */
export function bareEtag(etag: string): string {
  const s = etag.startsWith("W/") ? etag.slice(2) : etag;
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s;
}

/**
 * Orders two keys as S3 lists them: by their UTF-8 bytes, which is code-point order (not
 * JavaScript's UTF-16 code-unit order, which differs above U+FFFF). Internal.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (an astral code point) sorts after every BMP character at or above U+E000.
    const sx = x >= 0xd800 && x <= 0xdfff;
    const sy = y >= 0xd800 && y <= 0xdfff;
    if (sx !== sy) return sx ? (y >= 0xe000 ? 1 : x - y) : x >= 0xe000 ? -1 : x - y;
    return x - y;
  }
  return a.length - b.length;
}

/**
 * The small object-storage surface replaykit stores run on, after Rust's `object_store`:
 * `get` (whole or a range), `head`, `put` (create-if-absent, overwrite, update-if-etag),
 * `list` and `delete`. Two implementations: {@link s3ObjectStore} over `@aws-sdk/client-s3`
 * (loaded on first use), and {@link memoryObjectStore} with exact precondition semantics and
 * seeded fault injection, for tests. {@link checkConditionalWrites} refuses endpoints that
 * ignore conditional writes.
 *
 * @example
 * ```ts
 * import { memoryObjectStore, PreconditionFailedError } from "@replaykit/object-store";
 *
 * const store = memoryObjectStore();
 * await store.put("commits/1", new Uint8Array([1]), { kind: "create" });
 * try {
 *   await store.put("commits/1", new Uint8Array([2]), { kind: "create" });
 * } catch (e) {
 *   if (!PreconditionFailedError.isInstance(e)) throw e; // another writer got there first
 * }
 * ```
 *
 * @packageDocumentation
 */
export { checkConditionalWrites } from "./check.js";
export {
  type ErrorKind,
  isReplaykitError,
  ObjectNotFoundError,
  ObjectRangeError,
  ObjectStoreAmbiguousError,
  ObjectStoreArgumentError,
  ObjectStoreBaseError,
  ObjectStoreError,
  type ObjectLocation,
  type ObjectStoreOperation,
  type PreconditionReason,
  PreconditionFailedError,
  UnsafeEndpointError,
} from "./errors.js";
export type { Fault, FaultPlan, FaultRule } from "./faults.js";
export { MemoryObjectState, type MemoryObjectStore, type MemoryObjectStoreOptions, type MemoryRequest, memoryObjectStore } from "./memory.js";
export { compareKeys, type ListEntry, type ObjectHead, type ObjectRange, type ObjectStore, type PutMode } from "./object-store.js";
export type { RetryOptions } from "./retry.js";
export { type S3Credentials, type S3ObjectStore, type S3ObjectStoreOptions, s3ObjectStore } from "./s3.js";

/**
 * Byte-budget eviction for replay corpora: drop the oldest entries until the rest fits,
 * never dropping a protected id. No dependencies, no I/O: it works on any objects with
 * `sectionId`, `addedAt` and `length`.
 *
 * @example
 * ```ts
 * import { evictUntil } from "@replaykit/eviction";
 * const { kept, evicted } = evictUntil(entries, { maxBytes: 10 * 1024 ** 2 });
 * ```
 *
 * @packageDocumentation
 */
export { EvictionError } from "./errors.js";
export { evictUntil, type EvictOptions, type Evictable } from "./evict-until.js";

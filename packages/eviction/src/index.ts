/**
 * Byte-budget eviction for replay corpora: drop the oldest entries until the rest fit,
 * never dropping a protected section id. Works on any objects with `sectionId`, `addedAt`
 * (a `Date` or epoch ms) and `length` (`evictUntil`), or on the same fields held as columns
 * (`evictIndices`, which returns indices); no dependencies, no I/O.
 *
 * @example
 * ```ts
 * import { evictUntil } from "@replaykit/eviction";
 *
 * const entries = [
 *   { sectionId: "a", addedAt: new Date("2026-01-01"), length: 600 },
 *   { sectionId: "b", addedAt: new Date("2026-02-01"), length: 600 },
 *   { sectionId: "c", addedAt: new Date("2026-03-01"), length: 600 },
 * ];
 * const { kept, evicted } = evictUntil(entries, { maxBytes: 1000, protectIds: ["a"] });
 * // evicted: [b, c] (oldest unprotected first); kept: [a], 600 bytes
 * ```
 *
 * @packageDocumentation
 */

export { EvictionError, isReplaykitError } from "./errors.js";
export type { EvictionErrorWhere } from "./errors.js";
export { evictIndices, type EvictColumnSource } from "./evict-indices.js";
export { evictUntil } from "./evict-until.js";
export type { Evictable, EvictOptions, EvictResult } from "./types.js";

/**
 * Seeded, weighted, recency-aware sampling without replacement (Efraimidis–Spirakis) over
 * your own objects: anything with a `sectionId`, an `addedAt` (a `Date` or epoch ms) and an
 * optional `weight`; and `sampleAsDlm`, dlm's own draw pick for pick (CPython's
 * `random.Random` stream from `pythonRandom`, on pure-rand's MT19937). No native code, no
 * file I/O, no Node built-ins: it runs in Node and in browsers.
 *
 * @example
 * ```ts
 * import { sample } from "@replaykit/sampler";
 *
 * const entries = [
 *   { sectionId: "a", addedAt: new Date("2026-04-17") },
 *   { sectionId: "b", addedAt: new Date("2026-01-01") },
 *   { sectionId: "c", addedAt: new Date("2026-04-01"), weight: 0 },
 * ];
 * const picked = sample(entries, { k: 1, now: new Date("2026-04-18"), seed: 7 });
 * ```
 *
 * @packageDocumentation
 */

export { sampleAsDlm } from "./as-dlm.js";
export type { SampleAsDlmOptions } from "./as-dlm.js";
export { sampleIndices } from "./columns.js";
export type { ColumnSource } from "./columns.js";
export { isReplaykitError, SamplerError } from "./errors.js";
export type { SamplerErrorWhere } from "./errors.js";
export { pythonRandom } from "./python-random.js";
export { sample } from "./sample.js";
export type { Sampleable, SampleOptions, Scheme, SchemeFn } from "./types.js";
export { recencyWeight } from "./weight.js";

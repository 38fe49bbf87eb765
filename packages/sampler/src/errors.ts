/**
 * The error class of `@replaykit/sampler`, in replaykit's shared error scheme
 * (`@replaykit/errors`): it carries the brand `Symbol.for("replaykit.error")` = `"sampler"`,
 * the stable code `"SAMPLER"` and the kind `"argument"`, keeps the original failure as
 * `cause`, and has a static `isInstance` that checks the brand and the code, never the
 * prototype, so it works across two installed copies of the package.
 *
 * @module
 */

import { errorClass, instanceCheck, REPLAYKIT_ERROR, ReplaykitErrorBase } from "@replaykit/errors";

export { isReplaykitError } from "@replaykit/errors";

/** Where a bad input was found: the entry's position in the caller's array and its id. */
export interface SamplerErrorWhere {
  /** Position of the offending entry in the `entries` array. */
  readonly index?: number | undefined;
  /** `sectionId` of the offending entry, when it has a string one. */
  readonly sectionId?: string | undefined;
  /** The original failure (for example what a scheme function threw). */
  readonly cause?: unknown;
}

/**
 * `sample` or `recencyWeight` was given something it cannot use: a `k` that is not a
 * non-negative integer, a bad `now`, both or neither of `seed` / `random`, an entry with a
 * bad `addedAt` or `weight`, or a scheme that returned a negative, NaN or infinite weight.
 * When an entry is at fault, `index` and `sectionId` say which one.
 */
export class SamplerError extends errorClass(ReplaykitErrorBase, "SamplerError", "SAMPLER", "argument") {
  static readonly isInstance = instanceCheck<SamplerError>(this);
  readonly [REPLAYKIT_ERROR] = "sampler";
  /** Position of the offending entry in the caller's array, when an entry is at fault. */
  readonly index: number | undefined;
  /** `sectionId` of the offending entry, when an entry is at fault. */
  readonly sectionId: string | undefined;

  constructor(message: string, where: SamplerErrorWhere = {}) {
    super(`sampler: ${placeOf(where)}${message}`, where.cause === undefined ? undefined : { cause: where.cause });
    this.index = where.index;
    this.sectionId = where.sectionId;
  }
}

function placeOf(where: SamplerErrorWhere): string {
  if (where.index === undefined && where.sectionId === undefined) return "";
  const at = where.index === undefined ? "entry" : `entry ${where.index}`;
  return where.sectionId === undefined ? `${at}: ` : `${at} (${where.sectionId}): `;
}

/**
 * The error class of `@replaykit/eviction`, in the scheme every replaykit package shares
 * (`@replaykit/errors`): it carries the brand `Symbol.for("replaykit.error")` (value
 * `"eviction"`), the stable code `"EVICTION"` and the kind `"argument"`;
 * `EvictionError.isInstance(e)` checks the brand and the code, so it keeps working when two
 * copies of this package are installed (where `instanceof` would not).
 *
 * The package throws for one reason only (its one function was given something it cannot
 * use), so its one class is both the package's base class and its argument error.
 *
 * @module
 */

import { errorClass, instanceCheck, REPLAYKIT_ERROR, ReplaykitErrorBase } from "@replaykit/errors";

export { isReplaykitError } from "@replaykit/errors";

/** Where a bad input was found: the argument, and for an entry its position and id. */
export interface EvictionErrorWhere {
  /** The offending argument: `entries`, `options`, `options.maxBytes`, `options.protectIds`, `entries[i].length`, … */
  readonly argument?: string | undefined;
  /** Position of the offending entry in the `entries` array. */
  readonly index?: number | undefined;
  /** `sectionId` of the offending entry, when it has a string one. */
  readonly sectionId?: string | undefined;
}

/**
 * `evictUntil` was given something it cannot use: `entries` that is not an array, options
 * that are not an object, a `maxBytes` that is not a non-negative safe integer, a
 * `protectIds` that is not an iterable of ids, or an entry without a string `sectionId`, a
 * valid `addedAt` or a non-negative integer `length`. `argument` names what was wrong; when
 * an entry is at fault, `index` and `sectionId` say which one.
 */
export class EvictionError extends errorClass(ReplaykitErrorBase, "EvictionError", "EVICTION", "argument") {
  static readonly isInstance = instanceCheck<EvictionError>(this);
  /** The offending argument (`options.maxBytes`, `entries[3].addedAt`, …). */
  readonly argument: string | undefined;
  /** Position of the offending entry in the caller's array, when an entry is at fault. */
  readonly index: number | undefined;
  /** `sectionId` of the offending entry, when an entry is at fault. */
  readonly sectionId: string | undefined;
  readonly [REPLAYKIT_ERROR] = "eviction";

  constructor(message: string, where: EvictionErrorWhere = {}, options?: { cause?: unknown }) {
    super(`eviction: ${placeOf(where)}${message}`, options);
    this.argument = where.argument;
    this.index = where.index;
    this.sectionId = where.sectionId;
  }
}

function placeOf(where: EvictionErrorWhere): string {
  if (where.index === undefined) return "";
  return where.sectionId === undefined ? `entry ${where.index}: ` : `entry ${where.index} (${where.sectionId}): `;
}

/**
 * The error class of `@replaykit/eviction`, in the scheme every replaykit package shares:
 * it carries the marker `Symbol.for("replaykit.error")` (value `"eviction"`) and the stable
 * code `"EVICTION"`; `EvictionError.isInstance(e)` checks both, so it keeps working when two
 * copies of this package are installed (where `instanceof` would not).
 *
 * The package throws for one reason only (its one function was given something it cannot
 * use), so its one class is both the package's base class and its argument error.
 *
 * @module
 */

/** Marks every replaykit error; the value is the package's short name. */
const REPLAYKIT_ERROR = Symbol.for("replaykit.error");

/**
 * True for an error thrown by any replaykit package (any copy of it): an object carrying
 * the `Symbol.for("replaykit.error")` marker. Its `code` says which failure it is.
 */
export function isReplaykitError(error: unknown): error is Error & { readonly code: string } {
  return typeof error === "object" && error !== null && typeof (error as Record<symbol, unknown>)[REPLAYKIT_ERROR] === "string";
}

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
export class EvictionError extends Error {
  readonly code = "EVICTION" as const;
  /** The offending argument (`options.maxBytes`, `entries[3].addedAt`, …). */
  readonly argument: string | undefined;
  /** Position of the offending entry in the caller's array, when an entry is at fault. */
  readonly index: number | undefined;
  /** `sectionId` of the offending entry, when an entry is at fault. */
  readonly sectionId: string | undefined;
  override readonly name = "EvictionError";
  readonly [REPLAYKIT_ERROR]: string = "eviction";

  constructor(message: string, where: EvictionErrorWhere = {}, options?: { cause?: unknown }) {
    super(`eviction: ${placeOf(where)}${message}`, options);
    this.argument = where.argument;
    this.index = where.index;
    this.sectionId = where.sectionId;
  }

  /** True for an `EvictionError` from any copy of this package: the replaykit marker and code `"EVICTION"`. */
  static isInstance(error: unknown): error is EvictionError {
    return isReplaykitError(error) && error.code === "EVICTION";
  }
}

function placeOf(where: EvictionErrorWhere): string {
  if (where.index === undefined) return "";
  return where.sectionId === undefined ? `entry ${where.index}: ` : `entry ${where.index} (${where.sectionId}): `;
}

/**
 * The error class of `@replaykit/eviction`. It carries a stable `code`, is branded with
 * `Symbol.for("replaykit.error.EVICTION")` so `EvictionError.isInstance(e)` keeps working
 * when two copies of this package are installed (where `instanceof` would not).
 *
 * @module
 */

const EVICTION = Symbol.for("replaykit.error.EVICTION");

/** Where a bad input was found: the entry's position in the caller's array and its id. */
export interface EvictionErrorWhere {
  /** Position of the offending entry in the `entries` array. */
  readonly index?: number | undefined;
  /** `sectionId` of the offending entry, when it has a string one. */
  readonly sectionId?: string | undefined;
}

/**
 * `evictUntil` was given something it cannot use: a `maxBytes` that is not a non-negative
 * safe integer, a `protectIds` that is not an iterable of ids, or an entry without a string
 * `sectionId`, a valid `addedAt` or a non-negative integer `length`. When an entry is at
 * fault, `index` and `sectionId` say which one.
 */
export class EvictionError extends Error {
  readonly code = "EVICTION" as const;
  /** Position of the offending entry in the caller's array, when an entry is at fault. */
  readonly index: number | undefined;
  /** `sectionId` of the offending entry, when an entry is at fault. */
  readonly sectionId: string | undefined;
  override readonly name = "EvictionError";
  readonly [EVICTION] = true;

  constructor(message: string, where: EvictionErrorWhere = {}) {
    super(`eviction: ${placeOf(where)}${message}`);
    this.index = where.index;
    this.sectionId = where.sectionId;
  }

  /** True for an `EvictionError` from any copy of this package. */
  static isInstance(error: unknown): error is EvictionError {
    return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[EVICTION] === true;
  }
}

function placeOf(where: EvictionErrorWhere): string {
  if (where.index === undefined) return "";
  return where.sectionId === undefined ? `entry ${where.index}: ` : `entry ${where.index} (${where.sectionId}): `;
}

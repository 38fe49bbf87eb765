/**
 * The error class of `@replaykit/sampler`. It carries a stable `code`, is branded with
 * `Symbol.for("replaykit.error.SAMPLER")` so `SamplerError.isInstance(e)` keeps working
 * when two copies of this package are installed (where `instanceof` would not), and keeps
 * the original failure as `cause`.
 *
 * @module
 */

const SAMPLER = Symbol.for("replaykit.error.SAMPLER");

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
export class SamplerError extends Error {
  readonly code = "SAMPLER" as const;
  /** Position of the offending entry in the caller's array, when an entry is at fault. */
  readonly index: number | undefined;
  /** `sectionId` of the offending entry, when an entry is at fault. */
  readonly sectionId: string | undefined;
  override readonly name = "SamplerError";
  readonly [SAMPLER] = true;

  constructor(message: string, where: SamplerErrorWhere = {}) {
    super(`sampler: ${placeOf(where)}${message}`, where.cause === undefined ? undefined : { cause: where.cause });
    this.index = where.index;
    this.sectionId = where.sectionId;
  }

  /** True for a `SamplerError` from any copy of this package. */
  static isInstance(error: unknown): error is SamplerError {
    return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[SAMPLER] === true;
  }
}

function placeOf(where: SamplerErrorWhere): string {
  if (where.index === undefined && where.sectionId === undefined) return "";
  const at = where.index === undefined ? "entry" : `entry ${where.index}`;
  return where.sectionId === undefined ? `${at}: ` : `${at} (${where.sectionId}): `;
}

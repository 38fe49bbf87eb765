/**
 * The error class of `@replaykit/sampler`, in replaykit's shared error scheme: it carries the
 * marker `Symbol.for("replaykit.error")` = `"sampler"` and the stable code `"SAMPLER"`, keeps
 * the original failure as `cause`, and has a static `isInstance` that checks the marker and
 * the code, never the prototype, so it works across two installed copies of the package.
 *
 * @module
 */

/** Marks every replaykit error; the value is the package's short name. */
const REPLAYKIT_ERROR = Symbol.for("replaykit.error");

/**
 * True for an error thrown by any replaykit package (any copy, any version using the shared
 * scheme): an object whose `Symbol.for("replaykit.error")` property is a string.
 */
export function isReplaykitError(error: unknown): error is Error & { readonly code: string } {
  return typeof error === "object" && error !== null && typeof (error as Record<symbol, unknown>)[REPLAYKIT_ERROR] === "string";
}

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
  override readonly name = "SamplerError";
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

  /** True for a `SamplerError` from any copy of this package: the replaykit marker and code `"SAMPLER"`. */
  static isInstance(error: unknown): error is SamplerError {
    return isReplaykitError(error) && error.code === "SAMPLER";
  }
}

function placeOf(where: SamplerErrorWhere): string {
  if (where.index === undefined && where.sectionId === undefined) return "";
  const at = where.index === undefined ? "entry" : `entry ${where.index}`;
  return where.sectionId === undefined ? `${at}: ` : `${at} (${where.sectionId}): `;
}

const BRAND = Symbol.for("replaykit.error.EVICTION");

/** `evictUntil` was given options it cannot use (`maxBytes` not a non-negative integer, bad entries). */
export class EvictionError extends Error {
  readonly code = "EVICTION" as const;
  override readonly name = "EvictionError";
  readonly [BRAND] = true;

  constructor(message: string) {
    super(`eviction: ${message}`);
  }

  /** True for an `EvictionError` from any copy of this package. */
  static isInstance(e: unknown): e is EvictionError {
    return typeof e === "object" && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
  }
}

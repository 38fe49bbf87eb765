/**
 * The structural types `@replaykit/sampler` works on. Any object with these fields can be
 * sampled; the sampler returns the caller's own objects.
 *
 * @module
 */

/** Anything the sampler can draw: a section id, when it was added, and an optional weight. */
export interface Sampleable {
  /** The entry's section id. Orders entries (by UTF-16 code unit) so results never depend on input order. */
  readonly sectionId: string;
  /** When the entry was added: a `Date` or epoch milliseconds. */
  readonly addedAt: Date | number;
  /** Multiplies the scheme weight; `0` means never drawn. Default `1`. */
  readonly weight?: number;
}

/**
 * A caller's weighting scheme: the weight of one entry at time `now`, a finite number ≥ 0.
 * The sampler multiplies it by `entry.weight` (default 1), as it does for the built-in schemes.
 * Generic over the caller's entry type, so a scheme can read the caller's own fields.
 */
export type SchemeFn<T extends Sampleable = Sampleable> = (entry: T, now: Date) => number;

/** `"recency"` (default): `max(1 / (1 + age_days), 0.01)`; `"uniform"`: 1; or a caller's function. */
export type Scheme<T extends Sampleable = Sampleable> = "recency" | "uniform" | SchemeFn<T>;

/** Options of {@link sample}. Give exactly one of `seed` and `random`. */
export interface SampleOptions<T extends Sampleable = Sampleable> {
  /** How many entries to draw: a non-negative integer. */
  readonly k: number;
  /** The time ages are measured against (recency scheme, and passed to scheme functions). */
  readonly now: Date;
  /** A safe integer: same seed + same entries (in any order) → same result. */
  readonly seed?: number | undefined;
  /** A caller's source of uniform numbers in [0, 1), consumed one per drawn entry in section-id order. */
  readonly random?: (() => number) | undefined;
  /** How entries are weighted before `entry.weight` is applied. Default `"recency"`. */
  readonly scheme?: Scheme<T> | undefined;
}

/**
 * The structural types `@replaykit/eviction` works on. Any object with these fields can be
 * evicted; `evictUntil` returns the caller's own objects.
 *
 * @module
 */

/** Anything `evictUntil` can weigh and drop: a section id, when it was added, its size. */
export interface Evictable {
  /** The entry's section id: protects it (`protectIds`) and breaks ties between equal `addedAt`. */
  readonly sectionId: string;
  /** When the entry was added: a `Date` or epoch milliseconds. Oldest goes first. */
  readonly addedAt: Date | number;
  /** Bytes the entry occupies: a non-negative safe integer. */
  readonly length: number;
}

/** Options of {@link evictUntil}. */
export interface EvictOptions {
  /** The byte budget: a non-negative safe integer. `0` drops every unprotected entry. */
  readonly maxBytes: number;
  /** Section ids never dropped, even if the budget cannot be met without them. */
  readonly protectIds?: Iterable<string> | undefined;
}

/** What {@link evictUntil} decided: every input entry is in exactly one of the two lists. */
export interface EvictResult<T> {
  /** The entries that stay, in input order. */
  kept: T[];
  /** The entries dropped, oldest first (ties: section id, then input order). */
  evicted: T[];
}

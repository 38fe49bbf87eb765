/**
 * What the shared steps of a draw (numbering duplicates, the heap, the stable order, the
 * `random` mode) read of entry `i`, whatever holds the entries: the caller's objects
 * (`sample`) or columns (`sampleIndices`). Only the first pass, which checks, weighs and
 * hashes every entry, differs between the two.
 *
 * @internal
 * @module
 */

export interface Rows {
  readonly length: number;
  /** Section id of entry `i`. */
  id(i: number): string;
  /** Epoch milliseconds of entry `i`'s `addedAt` (already checked to be finite). */
  time(i: number): number;
  /** Whether entry `a` goes before entry `b` in the stable order: section id (UTF-16 code units), then index. */
  before(a: number, b: number): boolean;
}

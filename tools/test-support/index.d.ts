import type { Arbitrary } from "fast-check";

/** The repository root. */
export declare const REPO: string;
/** The reference vectors, kept in the repository: `<repo>/vectors/dlm-reference`. */
export declare const VECTORS: string;
/** A `tempDir()` for one test file: fresh directories named `replaykit-<name>-…`, removed after the test that made them. */
export declare function tempDirs(name: string): () => string;
/** Date-time fields, each a plain number (month 1–12 when valid). */
export interface CalendarFields {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
}
/** `Date.UTC` for every year, or NaN when a field rolls over. */
export declare function utcExact(y: number, mo: number, d: number, h: number, mi: number, s: number): number;
/** Date-time fields around every boundary. */
export declare const calendarFields: Arbitrary<CalendarFields>;
/** The fields as `YYYY-MM-DDTHH:MM:SS`, each zero-padded. */
export declare function isoText(fields: CalendarFields): string;
/** A small seeded source of uniforms in [0, 1) (mulberry32), for a draw's `random` option and generated data. */
export declare function mulberry32(seed: number): () => number;
/** One seed of `draws.json`'s `store_rows`: dlm's rows for `random.Random(seed)` (the seed as text). */
export interface StoreRowsCase {
  readonly seed: string;
  readonly k: number;
  readonly rows: unknown[];
  readonly preference_rows: unknown[];
}
/** `draws.json`'s `store_rows`: the reference's naive `now` and dlm's rows per seed. */
export declare function dlmStoreRows(): { now: string; cases: StoreRowsCase[] };

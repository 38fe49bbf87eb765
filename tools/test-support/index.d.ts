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

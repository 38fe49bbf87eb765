// The index's added_at grammar over the shared calendar (@replaykit/corpus/calendar): it
// accepts exactly the field values the calendar calls valid, in years 1–9999, and gives the
// instant Date.UTC gives.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseIndexDate } from "../src/index.js";

/** `Date.UTC` for every year (it maps 0..99 to 1900..1999; `setUTCFullYear` does not), or NaN when a field rolls over. */
function utcExact(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, 0);
  const kept =
    date.getUTCFullYear() === y &&
    date.getUTCMonth() === mo - 1 &&
    date.getUTCDate() === d &&
    date.getUTCHours() === h &&
    date.getUTCMinutes() === mi &&
    date.getUTCSeconds() === s;
  return kept ? date.getTime() : Number.NaN;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");
/** Field values around every boundary: month 0 and 13, day 0 and 32, hour 24, minute and second 60. */
const fields = fc.record({
  y: fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.constantFrom(0, 1, 4, 100, 1900, 2000, 2024, 2100, 9999)),
  mo: fc.integer({ min: 0, max: 13 }),
  d: fc.integer({ min: 0, max: 32 }),
  h: fc.integer({ min: 0, max: 24 }),
  mi: fc.integer({ min: 0, max: 60 }),
  s: fc.integer({ min: 0, max: 60 }),
});
const textOf = ({ y, mo, d, h, mi, s }: { y: number; mo: number; d: number; h: number; mi: number; s: number }) =>
  `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}`;

describe("parseIndexDate and the calendar", () => {
  it("accepts exactly the valid fields of years 1–9999, at Date.UTC's instant", () => {
    fc.assert(
      fc.property(fields, (f) => {
        const expected = f.y >= 1 ? utcExact(f.y, f.mo, f.d, f.h, f.mi, f.s) : Number.NaN;
        const parsed = parseIndexDate(textOf(f));
        if (Number.isNaN(expected)) expect(parsed).toBeUndefined();
        else expect(parsed?.getTime()).toBe(expected);
      }),
      { numRuns: 3000 },
    );
  });
});

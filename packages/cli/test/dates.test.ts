// The CLI's date input over the shared calendar (@replaykit/corpus/calendar, through
// @replaykit/store): it accepts exactly the field values the calendar calls valid (any
// four-digit year; the store's range check comes later) at the instant Date.UTC gives.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { parseIsoDate } from "../src/dates.js";

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

describe("parseIsoDate and the calendar", () => {
  test("accepts exactly the valid fields, at Date.UTC's instant, with Z, naive, or an offset", () => {
    fc.assert(
      fc.property(fields, fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }), (f, offset) => {
        const expected = utcExact(f.y, f.mo, f.d, f.h, f.mi, f.s);
        const zone = `${offset < 0 ? "-" : "+"}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
        for (const [text, shift] of [
          [`${textOf(f)}Z`, 0],
          [textOf(f), 0],
          [`${textOf(f)}${zone}`, offset],
        ] as const) {
          const parsed = parseIsoDate(text);
          if (Number.isNaN(expected)) expect(parsed.ok).toBe(false);
          else expect(parsed).toEqual({ ok: true, date: new Date(expected - shift * 60_000), wholeSeconds: true });
        }
      }),
      { numRuns: 2000 },
    );
  });
});

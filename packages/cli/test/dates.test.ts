// The CLI's date input over the shared calendar (@replaykit/corpus/calendar, through
// @replaykit/store): it accepts exactly the field values the calendar calls valid (any
// four-digit year; the store's range check comes later) at the instant Date.UTC gives.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { calendarFields, isoText, utcExact } from "@replaykit/test-support";

const pad = (n: number) => String(n).padStart(2, "0");
import { parseIsoDate } from "../src/dates.js";

describe("parseIsoDate and the calendar", () => {
  test("accepts exactly the valid fields, at Date.UTC's instant, with Z, naive, or an offset", () => {
    fc.assert(
      fc.property(calendarFields, fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }), (f, offset) => {
        const expected = utcExact(f.y, f.mo, f.d, f.h, f.mi, f.s);
        const zone = `${offset < 0 ? "-" : "+"}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
        for (const [text, shift] of [
          [`${isoText(f)}Z`, 0],
          [isoText(f), 0],
          [`${isoText(f)}${zone}`, offset],
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

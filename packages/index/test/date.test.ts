// The index's added_at grammar over the shared calendar (@replaykit/corpus/calendar): it
// accepts exactly the field values the calendar calls valid, in years 1–9999, and gives the
// instant Date.UTC gives.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { calendarFields, isoText, utcExact } from "@replaykit/test-support";
import { parseIndexDate } from "../src/index.js";

describe("parseIndexDate and the calendar", () => {
  it("accepts exactly the valid fields of years 1–9999, at Date.UTC's instant", () => {
    fc.assert(
      fc.property(calendarFields, (f) => {
        const expected = f.y >= 1 ? utcExact(f.y, f.mo, f.d, f.h, f.mi, f.s) : Number.NaN;
        const parsed = parseIndexDate(isoText(f));
        if (Number.isNaN(expected)) expect(parsed).toBeUndefined();
        else expect(parsed?.getTime()).toBe(expected);
      }),
      { numRuns: 3000 },
    );
  });
});

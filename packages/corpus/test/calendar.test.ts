import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { calendarFields, isoText, utcExact } from "@replaykit/test-support";
import * as calendarSubpath from "../src/calendar.js";
import {
  civilFromDays,
  daysFromCivil,
  daysInMonth,
  END_DATE_MS,
  epochMs,
  isLeapYear,
  isStorableMs,
  isStorableYear,
  isValidCivilDate,
  isValidTimeOfDay,
  isValidUtcOffset,
  MAX_DATE_MS,
  MIN_DATE_MS,
  MS_PER_DAY,
} from "../src/calendar.js";
import { parseRfc3339 } from "../src/date.js";
import { calendar } from "../src/index.js";

/** `Date.UTC` for every year: it maps years 0..99 to 1900..1999, `setUTCFullYear` does not. */
function utc(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, ms);
  return d.getTime();
}

// Years a Date can hold whole (±271 821), and the ones that matter here.
const anyYear = fc.oneof(
  fc.integer({ min: -270_000, max: 270_000 }),
  fc.integer({ min: -1, max: 10_000 }),
  fc.constantFrom(0, 100, 1600, 1900, 2000, 2100, 9999),
);
const month = fc.integer({ min: 1, max: 12 });
const validDate = fc
  .tuple(anyYear, month, fc.integer({ min: 1, max: 31 }))
  .map(([y, m, d]) => [y, m, Math.min(d, new Date(utc(y, m + 1, 0)).getUTCDate())] as const);
const dateDays = fc.integer({ min: -100_000_000, max: 100_000_000 }); // ±8.64e15 ms: all a Date holds

describe("calendar: examples", () => {
  test("known days", () => {
    expect(daysFromCivil(1970, 1, 1)).toBe(0);
    expect(daysFromCivil(1969, 12, 31)).toBe(-1);
    expect(daysFromCivil(2000, 3, 1)).toBe(11_017);
    expect(daysFromCivil(1, 1, 1)).toBe(-719_162);
    expect(civilFromDays(0)).toEqual({ year: 1970, month: 1, day: 1 });
    expect(civilFromDays(-719_162)).toEqual({ year: 1, month: 1, day: 1 });
    expect(civilFromDays(-719_163)).toEqual({ year: 0, month: 12, day: 31 });
    expect(civilFromDays(daysFromCivil(2024, 2, 29))).toEqual({ year: 2024, month: 2, day: 29 });
  });

  test("leap years and month lengths", () => {
    expect([1900, 2000, 2024, 2026, 2100, 2400, 0, -4, -100].map(isLeapYear)).toEqual([false, true, true, false, false, true, true, true, false]);
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(2026, 2)).toBe(28);
    expect(daysInMonth(2026, 4)).toBe(30);
    expect(daysInMonth(2026, 12)).toBe(31);
    for (const bad of [0, 13, -1, 1.5, Number.NaN]) expect(daysInMonth(2026, bad)).toBe(0);
  });

  test("field validation", () => {
    expect(isValidCivilDate(2026, 2, 28)).toBe(true);
    expect(isValidCivilDate(2026, 2, 29)).toBe(false);
    expect(isValidCivilDate(2024, 2, 29)).toBe(true);
    expect(isValidCivilDate(2026, 4, 31)).toBe(false);
    expect(isValidCivilDate(2026, 13, 1)).toBe(false);
    expect(isValidCivilDate(2026, 1, 0)).toBe(false);
    expect(isValidCivilDate(2026, 1, 1.5)).toBe(false);
    expect(isValidCivilDate(2026.5, 1, 1)).toBe(false);
    expect(isValidCivilDate(Number.NaN, 1, 1)).toBe(false);
    expect(isValidTimeOfDay(23, 59, 59)).toBe(true);
    expect(isValidTimeOfDay(0, 0, 0)).toBe(true);
    for (const [h, m, s] of [
      [24, 0, 0],
      [0, 60, 0],
      [0, 0, 60],
      [-1, 0, 0],
      [0, 0.5, 0],
      [Number.NaN, 0, 0],
    ] as const) {
      expect(isValidTimeOfDay(h, m, s)).toBe(false);
    }
    expect(isValidUtcOffset(23, 59)).toBe(true);
    expect(isValidUtcOffset(24, 0)).toBe(false);
    expect(isValidUtcOffset(0, 60)).toBe(false);
    expect(isValidUtcOffset(-1, 0)).toBe(false);
  });

  test("the storable range is Python's datetime: years 1 to 9999", () => {
    expect(MIN_DATE_MS).toBe(utc(1, 1, 1));
    expect(END_DATE_MS).toBe(utc(10_000, 1, 1));
    expect(MAX_DATE_MS).toBe(END_DATE_MS - 1);
    expect(new Date(MAX_DATE_MS).toISOString()).toBe("9999-12-31T23:59:59.999Z");
    expect(isStorableMs(MIN_DATE_MS)).toBe(true);
    expect(isStorableMs(MIN_DATE_MS - 1)).toBe(false);
    expect(isStorableMs(MAX_DATE_MS)).toBe(true);
    expect(isStorableMs(END_DATE_MS)).toBe(false);
    expect(isStorableMs(Number.NaN)).toBe(false);
    expect(isStorableMs(Number.POSITIVE_INFINITY)).toBe(false);
    expect([0, 1, 9999, 10_000, 1.5].map(isStorableYear)).toEqual([false, true, true, false, false]);
  });

  test("epochMs is not Date.UTC's two-digit-year mapping", () => {
    expect(epochMs(50, 6, 1)).toBe(utc(50, 6, 1));
    expect(epochMs(50, 6, 1)).not.toBe(Date.UTC(50, 5, 1));
    expect(epochMs(2026, 4, 1, 12, 30, 15, 250)).toBe(Date.parse("2026-04-01T12:30:15.250Z"));
    // An offset is minutes subtracted: 12:00+02:00 is 10:00Z.
    expect(epochMs(2026, 4, 1, 12, 0 - 120)).toBe(Date.parse("2026-04-01T10:00:00Z"));
  });

  test("exported from the root as `calendar` and at the ./calendar subpath, the same functions", () => {
    expect(calendar.epochMs).toBe(calendarSubpath.epochMs);
    expect(Object.keys(calendar).sort()).toEqual(Object.keys(calendarSubpath).sort());
  });
});

describe("calendar: properties against Date.UTC", () => {
  test("daysFromCivil × a day is the instant Date.UTC gives", () => {
    fc.assert(
      fc.property(validDate, ([y, m, d]) => {
        expect(daysFromCivil(y, m, d) * MS_PER_DAY).toBe(utc(y, m, d));
      }),
      { numRuns: 2000 },
    );
  });

  test("civilFromDays is what a Date says of that day, and inverts daysFromCivil", () => {
    fc.assert(
      fc.property(dateDays, (days) => {
        const date = new Date(days * MS_PER_DAY);
        const civil = civilFromDays(days);
        expect(civil).toEqual({ year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() });
        expect(daysFromCivil(civil.year, civil.month, civil.day)).toBe(days);
      }),
      { numRuns: 2000 },
    );
  });

  test("daysInMonth and isLeapYear agree with Date's day 0 of the next month", () => {
    fc.assert(
      fc.property(anyYear, month, (y, m) => {
        expect(daysInMonth(y, m)).toBe(new Date(utc(y, m + 1, 0)).getUTCDate());
        expect(isLeapYear(y)).toBe(new Date(utc(y, 3, 0)).getUTCDate() === 29);
      }),
      { numRuns: 2000 },
    );
  });

  test("isValidCivilDate is true exactly when Date does not roll the fields over", () => {
    fc.assert(
      fc.property(anyYear, fc.integer({ min: -1, max: 14 }), fc.integer({ min: -1, max: 33 }), (y, m, d) => {
        const date = new Date(utc(y, m, d));
        const kept = date.getUTCFullYear() === y && date.getUTCMonth() + 1 === m && date.getUTCDate() === d;
        expect(isValidCivilDate(y, m, d)).toBe(kept);
      }),
      { numRuns: 3000 },
    );
  });

  test("epochMs of valid fields is Date.UTC's instant; isStorableMs is the year-1-to-9999 test", () => {
    fc.assert(
      fc.property(
        validDate,
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 999 }),
        ([y, m, d], h, mi, s, ms) => {
          const t = epochMs(y, m, d, h, mi, s, ms);
          expect(t).toBe(utc(y, m, d, h, mi, s, ms));
          expect(isStorableMs(t)).toBe(y >= 1 && y <= 9999);
        },
      ),
      { numRuns: 2000 },
    );
  });

  test("isValidTimeOfDay is true exactly when Date does not roll the time over", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1, max: 25 }), fc.integer({ min: -1, max: 61 }), fc.integer({ min: -1, max: 61 }), (h, mi, s) => {
        const date = new Date(utc(2026, 1, 1, h, mi, s));
        const kept = date.getUTCDate() === 1 && date.getUTCHours() === h && date.getUTCMinutes() === mi && date.getUTCSeconds() === s;
        expect(isValidTimeOfDay(h, mi, s)).toBe(kept);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("parseRfc3339 and the calendar", () => {
  test("accepts exactly the valid fields of years 1–9999, at Date.UTC's instant", () => {
    fc.assert(
      fc.property(calendarFields, (f) => {
        const expected = f.y >= 1 ? utcExact(f.y, f.mo, f.d, f.h, f.mi, f.s) : Number.NaN;
        const parsed = parseRfc3339(`${isoText(f)}Z`);
        if (Number.isNaN(expected)) expect(parsed).toBeUndefined();
        else expect(parsed?.getTime()).toBe(expected);
      }),
      { numRuns: 3000 },
    );
  });
});

// The one calendar of replaykit: the proleptic Gregorian arithmetic that every date grammar
// (the corpus's RFC 3339 tag-0 text, the index's naive ISO, the CLI's user input) shares.
// The grammars differ on purpose; what a day, a month and an epoch millisecond are does not.
// No `Date` parsing and no `Date.UTC` here: `Date.UTC` maps years 0..99 to 1900..1999, and
// the index parses dates straight from file bytes, so everything is plain integer arithmetic.

/** Milliseconds in a day (UTC has no leap seconds). */
export const MS_PER_DAY = 86_400_000;

/** The first instant of year 1: `0001-01-01T00:00:00Z` (the smallest Python `datetime`). */
export const MIN_DATE_MS = -62_135_596_800_000;

/** The last millisecond of year 9999: `9999-12-31T23:59:59.999Z` (the largest Python `datetime`). */
export const MAX_DATE_MS = 253_402_300_799_999;

/** The first instant after year 9999 (`MAX_DATE_MS + 1`), for half-open ranges. */
export const END_DATE_MS = MAX_DATE_MS + 1;

/** A calendar day: `month` 1–12, `day` 1–31. */
export interface CivilDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** True for a Gregorian leap year (proleptic: year 0 and negative years follow the same rule). */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in `month` (1–12) of `year`; 0 for a month outside 1–12. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  if (month === 4 || month === 6 || month === 9 || month === 11) return 30;
  return month >= 1 && month <= 12 && Number.isInteger(month) ? 31 : 0;
}

/** True when `year`-`month`-`day` names a day of the calendar (integers; any year). */
export function isValidCivilDate(year: number, month: number, day: number): boolean {
  return Number.isInteger(year) && Number.isInteger(day) && day >= 1 && day <= daysInMonth(year, month);
}

/** True for a time of day `hour`:`minute`:`second` (0–23, 0–59, 0–59: no leap second, no 24:00). */
export function isValidTimeOfDay(hour: number, minute: number, second: number): boolean {
  return (
    Number.isInteger(hour) &&
    Number.isInteger(minute) &&
    Number.isInteger(second) &&
    hour >= 0 &&
    hour <= 23 &&
    minute >= 0 &&
    minute <= 59 &&
    second >= 0 &&
    second <= 59
  );
}

/** True for a UTC offset `±hours:minutes` as ISO 8601 writes it (hours 0–23, minutes 0–59). */
export function isValidUtcOffset(hours: number, minutes: number): boolean {
  return Number.isInteger(hours) && Number.isInteger(minutes) && hours >= 0 && hours <= 23 && minutes >= 0 && minutes <= 59;
}

/** True for years 1–9999: the years of Python's `datetime`, which the reference (dlm) reads. */
export function isStorableYear(year: number): boolean {
  return Number.isInteger(year) && year >= 1 && year <= 9999;
}

/** True for epoch milliseconds in years 1–9999 (`MIN_DATE_MS` ≤ ms ≤ `MAX_DATE_MS`; NaN is false). */
export function isStorableMs(ms: number): boolean {
  return ms >= MIN_DATE_MS && ms <= MAX_DATE_MS;
}

/**
 * Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
 * The fields are not checked: pass a valid date ({@link isValidCivilDate}).
 *
 * @example daysFromCivil(1970, 1, 1) // 0
 */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400; // [0, 399]
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1; // [0, 365]
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy; // [0, 146096]
  return era * 146_097 + doe - 719_468;
}

/**
 * The calendar day `days` days after 1970-01-01 (H. Hinnant's `civil_from_days`), for any
 * integer `days`.
 *
 * @example civilFromDays(0) // { year: 1970, month: 1, day: 1 }
 */
export function civilFromDays(days: number): CivilDate {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097; // [0, 146096]
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365); // [0, 399]
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100)); // [0, 365]
  const mp = Math.floor((5 * doy + 2) / 153); // [0, 11], March first
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/**
 * Epoch milliseconds of a UTC date and time, for every year (unlike `Date.UTC`, year 50 is
 * year 50). The fields are not checked: validate them first ({@link isValidCivilDate},
 * {@link isValidTimeOfDay}); subtract an offset's minutes × 60 000 for a zoned time.
 *
 * @example epochMs(2026, 4, 1, 12) // Date.parse("2026-04-01T12:00:00Z")
 */
export function epochMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, millisecond = 0): number {
  return daysFromCivil(year, month, day) * MS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1000 + millisecond;
}

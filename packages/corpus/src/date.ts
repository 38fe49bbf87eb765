// The one RFC 3339 parser and formatter of the corpus layer: frames store dates as CBOR tag 0
// text in this form, and the layers above may reuse both functions.

import { END_DATE_MS, epochMs, isStorableMs, isStorableYear, isValidCivilDate, isValidTimeOfDay, isValidUtcOffset, MIN_DATE_MS } from "./calendar.js";

export { END_DATE_MS, MIN_DATE_MS };

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** True for a valid `Date` in years 1 to 9999 (what the reference can read back). */
export function isStorableDate(value: unknown): value is Date {
  return value instanceof Date && isStorableMs(value.getTime()); // an invalid Date's NaN fails
}

/**
 * Parses an RFC 3339 date-time (`2026-04-01T12:00:00Z`, with an optional fraction and a `Z`
 * or `±HH:MM` offset) to a UTC `Date`. Fractions are kept to the millisecond (truncated).
 * Returns undefined for anything else, including impossible dates (`2026-02-30`) and years
 * before 1.
 *
 * @example parseRfc3339("2026-04-01T12:00:00.250000Z")?.toISOString() // "2026-04-01T12:00:00.250Z"
 */
export function parseRfc3339(text: string): Date | undefined {
  if (typeof text !== "string") return undefined;
  // A payload's two dates are often the same text, and a sweep reads them 200,000 times per
  // 100,000 sections: the last one parsed is remembered (a Date is mutable: a new one each time).
  if (text === last.text) return new Date(last.ms);
  const canonical = canonicalMs(text);
  const ms = canonical === null ? generalMs(text) : canonical;
  if (ms === undefined) return undefined;
  last.text = text;
  last.ms = ms;
  return new Date(ms);
}
const last = { text: "", ms: 0 };

/** Digits at [from, from + n) as a number, or -1 when one is not a digit. */
function digits(t: string, from: number, n: number): number {
  let v = 0;
  for (let i = from; i < from + n; i++) {
    const c = t.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * The forms every frame holds (the reference writes `YYYY-MM-DDTHH:MM:SSZ`, or 6 fraction
 * digits before the `Z`), read without the regular expression: on a full sweep the regex
 * parse was a tenth of the read time. Returns null for text of another shape (left to
 * `generalMs`), undefined for an impossible date in this shape.
 */
function canonicalMs(t: string): number | undefined | null {
  const n = t.length;
  if ((n !== 20 && n !== 27) || t.charCodeAt(n - 1) !== 90 /* Z */) return null;
  if (t[4] !== "-" || t[7] !== "-" || t[10] !== "T" || t[13] !== ":" || t[16] !== ":") return null;
  let ms = 0;
  if (n === 27) {
    if (t[19] !== ".") return null;
    const fraction = digits(t, 20, 6);
    if (fraction < 0) return undefined;
    ms = Math.floor(fraction / 1000);
  }
  const year = digits(t, 0, 4);
  const month = digits(t, 5, 2);
  const day = digits(t, 8, 2);
  const hour = digits(t, 11, 2);
  const minute = digits(t, 14, 2);
  const second = digits(t, 17, 2);
  // A non-digit gives -1, which the range checks reject; years before 100 (and a year with a
  // non-digit) go the general way.
  if (year < 100) return null;
  return checkedUtc(year, month, day, hour, minute, second, ms, 0);
}

/** Every RFC 3339 date-time, through the regular expression. */
function generalMs(text: string): number | undefined {
  const m = RFC3339.exec(text);
  if (m === null) return undefined;
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, "0"));
  let offset = 0;
  if (m[9] !== undefined) {
    const oh = +m[10]!;
    const om = +m[11]!;
    if (!isValidUtcOffset(oh, om)) return undefined;
    offset = (m[9] === "-" ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  return checkedUtc(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +m[6]!, ms, offset);
}

/** The instant of the fields (less `offset`), or undefined for an impossible date or time (`2026-02-30`, year 0): the shared calendar decides. */
function checkedUtc(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number, offset: number): number | undefined {
  if (!isStorableYear(year) || !isValidCivilDate(year, month, day) || !isValidTimeOfDay(hour, minute, second)) return undefined;
  return epochMs(year, month, day, hour, minute, second, ms) - offset;
}

/**
 * Formats a date as RFC 3339 in UTC the way the reference writes it: `Z`, no fraction for
 * whole seconds, else 6 fraction digits (`2026-04-01T12:00:00.250000Z`).
 */
export function formatRfc3339(date: Date): string {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ for years 0..9999
  const ms = iso.slice(20, 23);
  return ms === "000" ? `${iso.slice(0, 19)}Z` : `${iso.slice(0, 19)}.${ms}000Z`;
}

/** The date truncated to whole seconds (towards the past, also before 1970). */
export function toWholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

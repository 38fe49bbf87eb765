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
  const m = RFC3339.exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = [+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +m[6]!];
  if (!isStorableYear(year) || !isValidCivilDate(year, month, day) || !isValidTimeOfDay(hour, minute, second)) return undefined;
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, "0"));
  let offset = 0;
  if (m[9] !== undefined) {
    const oh = +m[10]!;
    const om = +m[11]!;
    if (!isValidUtcOffset(oh, om)) return undefined;
    offset = (m[9] === "-" ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  const t = epochMs(year, month, day, hour, minute, second, ms);
  return new Date(t - offset);
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

import { calendar } from "@replaykit/store";

/**
 * ISO 8601 dates as the CLI reads and writes them. A date without an offset is UTC (as
 * dlm writes them); `T` or a space may separate date and time; a date alone is midnight UTC.
 */

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** A parsed date, or why the text is not one. */
export type ParsedDate = { ok: true; date: Date; wholeSeconds: boolean } | { ok: false; problem: string };

/**
 * Parses an ISO 8601 date-time (`2026-03-01T12:00:00Z`, `2026-03-01T12:00:00`,
 * `2026-03-01 12:00:00+02:00`, `2026-03-01`). Naive means UTC. Fractions of a second are
 * kept to the millisecond; `wholeSeconds` says whether there were any.
 */
export function parseIsoDate(text: string): ParsedDate {
  const m = ISO.exec(text.trim());
  if (m === null) return { ok: false, problem: `is not an ISO 8601 date-time (like 2026-03-01T12:00:00Z)` };
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "", zone = "Z"] = m;
  const year = Number(y),
    month = Number(mo),
    day = Number(d),
    hour = Number(h),
    minute = Number(mi),
    second = Number(s);
  if (!calendar.isValidCivilDate(year, month, day) || !calendar.isValidTimeOfDay(hour, minute, second)) {
    return { ok: false, problem: `is not a valid date-time` };
  }
  const fractionMs = frac === "" ? 0 : Number(`0.${frac}`) * 1000;
  let offsetMin = 0;
  if (zone.toUpperCase() !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    const oh = Number(digits.slice(0, 2)),
      om = Number(digits.slice(2) || "0");
    if (!calendar.isValidUtcOffset(oh, om)) return { ok: false, problem: `has an invalid UTC offset ${JSON.stringify(zone)}` };
    offsetMin = sign * (oh * 60 + om);
  }
  const date = new Date(calendar.epochMs(year, month, day, hour, minute - offsetMin, second, Math.floor(fractionMs)));
  return { ok: true, date, wholeSeconds: fractionMs === 0 };
}

/** `YYYY-MM-DDTHH:MM:SSZ` (with `.mmm` only when the date has milliseconds). */
export function formatIsoSeconds(date: Date): string {
  const iso = date.toISOString();
  return date.getTime() % 1000 === 0 ? `${iso.slice(0, 19)}Z` : iso;
}

/** The date truncated to whole seconds. */
export function toWholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

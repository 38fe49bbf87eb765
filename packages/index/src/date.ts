// `added_at` dates: the one date parser and formatter of this package. Both run once per
// entry on every load and save, so they avoid regular expressions and `new Date(string)`
// (whose accepted syntax is also implementation-defined).

import {
  civilFromDays,
  epochMs,
  isStorableMs,
  isStorableYear,
  isValidCivilDate,
  isValidTimeOfDay,
  isValidUtcOffset,
  MS_PER_DAY,
} from "@replaykit/corpus/calendar";
import { IndexArgumentError } from "./errors.js";

// The calendar (days per month, day numbers, the 0001–9999 range) is the one of
// @replaykit/corpus/calendar, which the corpus and CLI date grammars share.

/** Value of the 2 ASCII digits at `b[i]`, or -1. */
function digits2(b: Uint8Array, i: number): number {
  const x = b[i]! - 48;
  const y = b[i + 1]! - 48;
  if (!(x >= 0 && x <= 9 && y >= 0 && y <= 9)) return -1; // NaN past the end fails too
  return x * 10 + y;
}

/**
 * Parse an index date: `YYYY-MM-DDTHH:MM:SS`, optionally `.` and 1 to 6 fraction digits,
 * optionally `Z` or an offset `±HH:MM`. Without a zone the time is UTC (the reference
 * writes naive UTC). Digits below the millisecond are truncated, as a `Date` cannot hold
 * them.
 *
 * @returns the instant, or `undefined` when `text` is not such a date (bad syntax, month
 *   13, 30 February, hour 24, a year outside 0001–9999, …).
 * @throws {IndexArgumentError} `text` is not a string.
 */
export function parseIndexDate(text: string): Date | undefined {
  if (typeof text !== "string") throw new IndexArgumentError("parseIndexDate", "text", "a string", text);
  const ms = parseIndexDateMs(text);
  return ms === undefined ? undefined : new Date(ms);
}

/** Longest accepted date text: 19 + 7 (fraction) + 6 (offset). */
export const MAX_DATE_LENGTH = 32;

/** {@link parseIndexDate} of a string, as epoch milliseconds: its code units through {@link parseDateBytes}. */
export function parseIndexDateMs(s: string): number | undefined {
  const n = s.length;
  if (n < 19 || n > MAX_DATE_LENGTH) return undefined;
  const b = new Uint8Array(n); // per call: a shared scratch buffer would be module state
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 127) return undefined;
    b[i] = c;
  }
  return parseDateBytes(b, 0, n);
}

/**
 * The one date parser of this package, on the ASCII bytes `b[start..end)` (loadIndex's
 * fast path reads dates straight from the file's bytes: building a string per date first
 * cost it a third of its time). Epoch milliseconds, or `undefined` (see {@link parseIndexDate}).
 */
export function parseDateBytes(b: Uint8Array, start: number, end: number): number | undefined {
  if (end - start < 19 || end - start > MAX_DATE_LENGTH) return undefined;
  if (b[start + 4] !== 45 /* - */ || b[start + 7] !== 45 || b[start + 10] !== 84 /* T */ || b[start + 13] !== 58 /* : */ || b[start + 16] !== 58) {
    return undefined;
  }
  const y1 = digits2(b, start);
  const y2 = digits2(b, start + 2);
  const mo = digits2(b, start + 5);
  const d = digits2(b, start + 8);
  const h = digits2(b, start + 11);
  const mi = digits2(b, start + 14);
  const sec = digits2(b, start + 17);
  if (y1 < 0 || y2 < 0) return undefined;
  const y = y1 * 100 + y2;
  // digits2's -1 for a non-digit fails every range check below.
  if (!isStorableYear(y) || !isValidCivilDate(y, mo, d) || !isValidTimeOfDay(h, mi, sec)) return undefined;

  let i = start + 19;
  let frac = 0;
  if (i < end && b[i] === 46 /* . */) {
    i++;
    const first = i;
    let scale = 100;
    while (i < end) {
      const c = b[i]! - 48;
      if (c < 0 || c > 9) break;
      frac += c * scale; // milliseconds; digits past the third get scale 0 (dropped)
      scale = (scale / 10) | 0;
      i++;
    }
    const count = i - first;
    if (count < 1 || count > 6) return undefined;
  }

  let offsetMin = 0;
  if (i < end) {
    const c = b[i];
    if (c === 90 /* Z */) {
      i++;
    } else if (c === 43 /* + */ || c === 45 /* - */) {
      if (end - i !== 6 || b[i + 3] !== 58) return undefined;
      const oh = digits2(b, i + 1);
      const om = digits2(b, i + 4);
      if (!isValidUtcOffset(oh, om)) return undefined;
      offsetMin = (c === 43 ? 1 : -1) * (oh * 60 + om);
      i += 6;
    } else {
      return undefined;
    }
  }
  if (i !== end) return undefined;

  const ms = epochMs(y, mo, d, h, mi - offsetMin, sec, frac);
  if (!isStorableMs(ms)) return undefined;
  return ms;
}

/** True for a `Date`, also one from another realm (a vm context, a worker's structured clone). */
export function isDate(value: unknown): value is Date {
  return value instanceof Date || Object.prototype.toString.call(value) === "[object Date]";
}

/** Length of the text `writeIndexDate` writes for `ms`: 19, or 26 with a fraction. */
export function indexDateLength(ms: number): number {
  return ms % 1000 === 0 ? 19 : 26;
}

/** True when `ms` is an instant `formatIndexDate` can write (years 0001–9999). */
export function isIndexDateMs(ms: number): boolean {
  return isStorableMs(ms);
}

function put2(out: Uint8Array, pos: number, v: number): void {
  out[pos] = 48 + ((v / 10) | 0);
  out[pos + 1] = 48 + (v % 10);
}

/**
 * Write the ASCII text of {@link formatIndexDate} for `ms` (which must satisfy
 * `isIndexDateMs`) into `out` at `pos`; returns the position after it.
 */
export function writeIndexDate(out: Uint8Array, pos: number, ms: number): number {
  const days = Math.floor(ms / MS_PER_DAY);
  const { year: y, month: m, day: d } = civilFromDays(days);
  // ms is in years 0001–9999, so the time of day fits an int32 and is ≥ 0.
  let rem = (ms - days * MS_PER_DAY) | 0;

  const milli = rem % 1000;
  rem = (rem - milli) / 1000;
  const sec = rem % 60;
  rem = (rem - sec) / 60;
  const mi = rem % 60;
  const h = (rem - mi) / 60;

  put2(out, pos, (y / 100) | 0);
  put2(out, pos + 2, y % 100);
  out[pos + 4] = 45; // -
  put2(out, pos + 5, m);
  out[pos + 7] = 45;
  put2(out, pos + 8, d);
  out[pos + 10] = 84; // T
  put2(out, pos + 11, h);
  out[pos + 13] = 58; // :
  put2(out, pos + 14, mi);
  out[pos + 16] = 58;
  put2(out, pos + 17, sec);
  if (milli === 0) return pos + 19;
  // Python's isoformat writes microseconds: the milliseconds, then 000.
  out[pos + 19] = 46; // .
  out[pos + 20] = 48 + ((milli / 100) | 0);
  put2(out, pos + 21, milli % 100);
  out[pos + 23] = 48;
  out[pos + 24] = 48;
  out[pos + 25] = 48;
  return pos + 26;
}

/**
 * Format a date as the reference writes `added_at`: naive UTC `YYYY-MM-DDTHH:MM:SS`, with
 * `.ffffff` (6 digits, as Python's `isoformat`) only when the millisecond part is not 0.
 *
 * @returns the text, or `undefined` for an invalid `Date` or a year outside 0001–9999.
 * @throws {IndexArgumentError} `date` is not a `Date`.
 */
export function formatIndexDate(date: Date): string | undefined {
  if (!isDate(date)) throw new IndexArgumentError("formatIndexDate", "date", "a Date", date);
  const ms = Date.prototype.getTime.call(date);
  if (!isIndexDateMs(ms)) return undefined;
  const out = new Uint8Array(26);
  const end = writeIndexDate(out, 0, ms);
  return String.fromCharCode(...out.subarray(0, end));
}

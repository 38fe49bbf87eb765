import { InvalidArgumentError } from "commander";
import { formatIsoSeconds, parseIsoDate } from "./dates.js";
import type { CliIO } from "./io.js";
import { readSize } from "./size.js";

/**
 * What a command's action gets: the streams of the run. An action that returns has
 * succeeded (exit 0); a failure is thrown and turned into one line and an exit code by `run`.
 */
export interface Context {
  readonly io: CliIO;
}

// Option value parsers for commander: a bad value becomes commander's "option '--x <v>'
// argument 'y' is invalid. …" usage error (exit code 2).

/** A non-negative integer (`--k`). */
export function nonNegativeInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError("must be a non-negative integer.");
  return n;
}

/** A positive integer (`--commit`). */
export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError("must be a positive integer.");
  return n;
}

/** Any safe integer (`--seed`). */
export function integer(value: string): number {
  const n = Number(value);
  if (!/^[+-]?\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError("must be an integer.");
  return n;
}

/** An ISO 8601 date-time, naive = UTC (`--now`). */
export function isoDate(value: string): Date {
  const parsed = parseIsoDate(value);
  if (!parsed.ok) throw new InvalidArgumentError(`${parsed.problem}.`);
  return parsed.date;
}

/** A byte size (`--max-bytes`). */
export function size(value: string): number {
  const parsed = readSize(value);
  if (parsed.problem !== undefined) throw new InvalidArgumentError(`${parsed.problem}.`);
  return parsed.bytes;
}

/** Seconds to wait for another writer's lock (`--wait`): a non-negative number, fractions allowed. */
export function seconds(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !Number.isFinite(n)) throw new InvalidArgumentError("must be a number of seconds (like 10 or 0.5).");
  return n;
}

/** The `--wait SECONDS` option of every command that takes the store's lock. */
export const WAIT_FLAGS = "--wait <seconds>";
export const WAIT_HELP = "how long to wait for another writer holding the store's lock, in seconds (default 10)";

/** `lockTimeoutMs` for a `--wait` value (undefined: the store's default). */
export function lockTimeout(wait: number | undefined): { lockTimeoutMs?: number } {
  return wait === undefined ? {} : { lockTimeoutMs: Math.round(wait * 1000) };
}

/** A date for people: `2026-03-01T12:00:00Z`. */
export const showDate = formatIsoSeconds;

/** How long ago `then` was, relative to `now`: `3 hours ago`, `147 days ago`, `in 2 days`. */
export function relativeTime(then: Date, now: Date): string {
  const ms = now.getTime() - then.getTime();
  const abs = Math.abs(ms);
  const units: Array<[number, string]> = [
    [86_400_000 * 365, "year"],
    [86_400_000, "day"],
    [3_600_000, "hour"],
    [60_000, "minute"],
  ];
  let text = "just now";
  for (const [unitMs, name] of units) {
    // Days up to two years read better than "1 year".
    if (name === "year" && abs < unitMs * 2) continue;
    if (abs >= unitMs) {
      const n = Math.floor(abs / unitMs);
      text = `${n} ${name}${n === 1 ? "" : "s"}`;
      break;
    }
  }
  if (text === "just now") return text;
  return ms >= 0 ? `${text} ago` : `in ${text}`;
}

/** `1 section` / `3 sections`. */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? word : many}`;
}

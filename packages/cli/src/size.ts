import { UsageError } from "./errors.js";

const UNITS: Readonly<Record<string, number>> = {
  "": 1,
  b: 1,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  tb: 1000 ** 4,
};

const SIZE = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i;

/**
 * Reads a byte size: a plain number of bytes (`123`), or a number with a unit — binary
 * `KiB`, `MiB`, `GiB`, `TiB` (powers of 1024) or decimal `KB`, `MB`, `GB`, `TB` (powers of
 * 1000); units are case-insensitive, `B` is allowed, fractions are rounded down to whole
 * bytes (`1.5KiB` = 1536). Anything else (negative, a bare `K`/`M`/`G`, not a number) gives
 * the problem instead.
 */
export function readSize(text: string): { bytes: number; problem?: undefined } | { bytes?: undefined; problem: string } {
  const m = SIZE.exec(text.trim());
  const unit = m?.[2]?.toLowerCase() ?? "";
  const factor = UNITS[unit];
  if (m === null || factor === undefined) {
    const hint = /^[kmgt]$/i.test(unit)
      ? `; say ${unit.toUpperCase()}iB (powers of 1024) or ${unit.toUpperCase()}B (powers of 1000)`
      : "; use bytes or a unit: 64KiB, 10MiB, 1GiB (or KB, MB, GB as powers of 1000)";
    return { problem: `${JSON.stringify(text)} is not a size${hint}` };
  }
  const bytes = Math.floor(Number(m[1]) * factor);
  if (!Number.isSafeInteger(bytes)) return { problem: `${JSON.stringify(text)} is too large` };
  return { bytes };
}

/**
 * Parses a byte size (see `readSize`).
 *
 * @throws {UsageError} for anything that is not a size, naming `what`.
 * @example parseSize("64KiB") // 65536
 */
export function parseSize(text: string, what = "size"): number {
  const size = readSize(text);
  if (size.problem !== undefined) throw new UsageError(`${what}: ${size.problem}`);
  return size.bytes;
}

/**
 * A byte count for people: `812 B`, `4.20 KiB`, `0.41 MiB`, `1.93 GiB` — the largest binary
 * unit in which the figure is at least 0.1.
 */
export function formatBytes(bytes: number): string {
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = "B";
  for (const u of units) {
    if (value / 1024 < 0.1) break;
    value /= 1024;
    unit = u;
  }
  return unit === "B" ? `${bytes} B` : `${value.toFixed(2)} ${unit}`;
}

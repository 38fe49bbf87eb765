// Helpers the packages' tests share, in one place (plain JavaScript with a declaration file,
// so each package's test tsconfig reads its types without compiling it). Never published.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { afterEach } from "vitest";

/** The repository root. */
export const REPO = resolve(fileURLToPath(import.meta.url), "../../..");
/** The reference vectors, kept in the repository: `<repo>/vectors/dlm-reference`. */
export const VECTORS = join(REPO, "vectors", "dlm-reference");

/**
 * A `tempDir()` for one test file: each call makes a fresh directory under the OS temp dir
 * (named `replaykit-<name>-…`), removed after the test that made it.
 */
export function tempDirs(name) {
  const dirs = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), `replaykit-${name}-`));
    dirs.push(dir);
    return dir;
  };
}

/** `Date.UTC` for every year (it maps 0..99 to 1900..1999; `setUTCFullYear` does not), or NaN when a field rolls over. */
export function utcExact(y, mo, d, h, mi, s) {
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, 0);
  const kept =
    date.getUTCFullYear() === y &&
    date.getUTCMonth() === mo - 1 &&
    date.getUTCDate() === d &&
    date.getUTCHours() === h &&
    date.getUTCMinutes() === mi &&
    date.getUTCSeconds() === s;
  return kept ? date.getTime() : Number.NaN;
}

const pad = (n, width = 2) => String(n).padStart(width, "0");

/** Date-time fields around every boundary: year 0, month 0 and 13, day 0 and 32, hour 24, minute and second 60. */
export const calendarFields = fc.record({
  y: fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.constantFrom(0, 1, 4, 100, 1900, 2000, 2024, 2100, 9999)),
  mo: fc.integer({ min: 0, max: 13 }),
  d: fc.integer({ min: 0, max: 32 }),
  h: fc.integer({ min: 0, max: 24 }),
  mi: fc.integer({ min: 0, max: 60 }),
  s: fc.integer({ min: 0, max: 60 }),
});

/** The fields as `YYYY-MM-DDTHH:MM:SS`, each zero-padded. */
export function isoText({ y, mo, d, h, mi, s }) {
  return `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}`;
}

/** A small seeded source of uniforms in [0, 1) (mulberry32), for a draw's `random` option and generated data. */
export function mulberry32(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * The `store_rows` of `draws.json`: the rows dlm's `sample_rows` / `sample_preference_rows`
 * give for `random.Random(seed)` on the reference store. Seeds may pass 2^53: read as text.
 */
export function dlmStoreRows() {
  const text = readFileSync(join(VECTORS, "draws.json"), "utf8").replace(/"seed": (-?\d+)/g, '"seed": "$1"');
  return JSON.parse(text).store_rows;
}

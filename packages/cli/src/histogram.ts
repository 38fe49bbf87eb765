// The age histogram of `replaykit stats`. Ages (now − addedAt) go into bins whose edges are
// round durations growing ×1.5 to ×6 each (1 hour, 6 hours, 1 day, 2 days, 1 week … 10
// years): a log scale, so one section dated 1970 gets a bar of its own at the far end
// instead of squashing every other section into the first bar, and every label is a clean
// round duration.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const YEAR = 365 * DAY;

/** Bin edges (ms) with their labels, smallest first. */
const EDGES: ReadonlyArray<readonly [number, string, string]> = [
  [HOUR, "1 hour", "1"],
  [6 * HOUR, "6 hours", "6"],
  [DAY, "1 day", "1"],
  [2 * DAY, "2 days", "2"],
  [7 * DAY, "1 week", "1"],
  [14 * DAY, "2 weeks", "2"],
  [30 * DAY, "30 days", "30"],
  [60 * DAY, "60 days", "60"],
  [90 * DAY, "90 days", "90"],
  [180 * DAY, "180 days", "180"],
  [270 * DAY, "270 days", "270"],
  [YEAR, "1 year", "1"],
  [1.5 * YEAR, "1.5 years", "1.5"],
  [2 * YEAR, "2 years", "2"],
  [3 * YEAR, "3 years", "3"],
  [5 * YEAR, "5 years", "5"],
  [10 * YEAR, "10 years", "10"],
];

/** One row of the histogram. */
export interface AgeBucket {
  /** e.g. `1–2 weeks`, `under 1 hour`, `over 10 years`, or `future` for entries dated after now. */
  label: string;
  count: number;
}

/**
 * Buckets the ages of `addedAt` (relative to `now`) into log-scaled bins with round edges,
 * from the bin of the youngest section to the bin of the oldest (empty bins between them
 * are kept, so the scale stays visible). Entries dated after `now` get a `future` bucket of
 * their own. No entries → no buckets.
 */
export function ageBuckets(addedAt: Iterable<Date | number>, now: Date): AgeBucket[] {
  const counts = new Array<number>(EDGES.length + 1).fill(0);
  let future = 0;
  let any = false;
  const t0 = now.getTime();
  for (const d of addedAt) {
    any = true;
    const age = t0 - (typeof d === "number" ? d : d.getTime());
    if (age < 0) {
      future++;
      continue;
    }
    let bin = 0;
    while (bin < EDGES.length && age >= EDGES[bin]![0]) bin++;
    counts[bin]!++;
  }
  if (!any) return [];
  const buckets: AgeBucket[] = [];
  if (future > 0) buckets.push({ label: "future", count: future });
  const first = counts.findIndex((c) => c > 0);
  if (first === -1) return buckets;
  let last = counts.length - 1;
  while (counts[last] === 0) last--;
  for (let bin = first; bin <= last; bin++) buckets.push({ label: binLabel(bin), count: counts[bin]! });
  return buckets;
}

function binLabel(bin: number): string {
  if (bin === 0) return `under ${EDGES[0]![1]}`;
  if (bin === EDGES.length) return `over ${EDGES[EDGES.length - 1]![1]}`;
  const [, lowLabel, lowNumber] = EDGES[bin - 1]!;
  const [, highLabel] = EDGES[bin]!;
  // "1–2 weeks" when both ends share a unit, "6 hours–1 day" otherwise.
  const lowUnit = lowLabel.slice(lowNumber.length + 1).replace(/s$/, "");
  const highUnit = highLabel.replace(/^[\d.]+ /, "").replace(/s$/, "");
  return lowUnit === highUnit ? `${lowNumber}–${highLabel}` : `${lowLabel}–${highLabel}`;
}

/** Characters for drawing: Unicode blocks on a UTF-8 terminal, plain ASCII otherwise. */
export interface HistogramGlyphs {
  full: string;
  eighths: readonly string[];
  axis: string;
  dash: string;
}

const UNICODE: HistogramGlyphs = { full: "█", eighths: ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"], axis: "│", dash: "–" };
const ASCII: HistogramGlyphs = { full: "#", eighths: ["", "", "", "", "", "", "", ""], axis: "|", dash: "-" };

/**
 * True when the locale's character set is UTF-8 (LC_ALL, then LC_CTYPE, then LANG, as
 * POSIX orders them). No locale set at all counts as UTF-8, the default of every current
 * terminal; `C` / `POSIX` and other charsets do not.
 */
export function localeIsUtf8(env: Record<string, string | undefined>): boolean {
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG;
  if (locale === undefined || locale === "") return true;
  return /utf-?8/i.test(locale);
}

/** The glyphs for a locale. */
export function glyphsFor(env: Record<string, string | undefined>): HistogramGlyphs {
  return localeIsUtf8(env) ? UNICODE : ASCII;
}

/**
 * Draws buckets as lines: label, a bar scaled so the largest bucket fills `barWidth`
 * columns (Unicode: with eighth-block ends), and the count. A non-empty bucket always shows
 * at least a sliver.
 */
export function drawHistogram(buckets: readonly AgeBucket[], barWidth = 40, glyphs: HistogramGlyphs = UNICODE): string[] {
  const max = buckets.reduce((m, b) => Math.max(m, b.count), 0);
  const labels = buckets.map((b) => b.label.replaceAll("–", glyphs.dash));
  const labelWidth = labels.reduce((m, l) => Math.max(m, l.length), 0);
  return buckets.map(({ count }, i) => {
    const bar = max === 0 ? "" : blocks((count / max) * barWidth, glyphs);
    return `${labels[i]!.padStart(labelWidth)} ${glyphs.axis}${bar.padEnd(barWidth)} ${count.toLocaleString("en-US")}`;
  });
}

function blocks(columns: number, glyphs: HistogramGlyphs): string {
  const precise = glyphs.eighths[1] !== "";
  let eighths = precise ? Math.round(columns * 8) : Math.round(columns) * 8;
  if (eighths === 0 && columns > 0) eighths = precise ? 1 : 8;
  return glyphs.full.repeat(Math.floor(eighths / 8)) + glyphs.eighths[eighths % 8];
}

// The age histogram of `replaykit stats`: section ages (now − addedAt) in even buckets of a
// round width, drawn with Unicode block characters.

const DAY_MS = 86_400_000;
/** Bucket widths in days, smallest first; the first that needs at most MAX_BUCKETS wins. */
const WIDTHS = [1, 7, 14, 30, 60, 90, 180, 365, 730, 1825, 3650];
const MAX_BUCKETS = 12;
const EIGHTHS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];

/** One row of the histogram. */
export interface AgeBucket {
  /** e.g. `0–14 days`, or `future` for entries dated after now. */
  label: string;
  count: number;
}

/**
 * Buckets ages (in days, relative to `now`) into even buckets of a round width (1, 7, 14,
 * 30 … days), from 0 to the oldest entry. Entries dated after `now` get a `future` bucket
 * of their own. No entries → no buckets.
 */
export function ageBuckets(addedAt: readonly (Date | number)[], now: Date): AgeBucket[] {
  const ages = addedAt.map((d) => (now.getTime() - (typeof d === "number" ? d : d.getTime())) / DAY_MS);
  if (ages.length === 0) return [];
  const past = ages.filter((a) => a >= 0);
  const future = ages.length - past.length;
  const buckets: AgeBucket[] = [];
  if (future > 0) buckets.push({ label: "future", count: future });
  if (past.length === 0) return buckets;
  let oldest = 0;
  for (const a of past) if (a > oldest) oldest = a;
  const width = WIDTHS.find((w) => Math.floor(oldest / w) + 1 <= MAX_BUCKETS) ?? Math.ceil((oldest + 1) / MAX_BUCKETS);
  const n = Math.floor(oldest / width) + 1;
  const counts = new Array<number>(n).fill(0);
  for (const a of past) counts[Math.min(n - 1, Math.floor(a / width))]!++;
  counts.forEach((count, i) => buckets.push({ label: rangeLabel(i * width, (i + 1) * width, width), count }));
  return buckets;
}

/**
 * Draws buckets as lines: label, a bar of `█` (with eighth-block ends) scaled so the largest
 * bucket fills `barWidth` columns, and the count. A non-empty bucket always shows at least `▏`.
 */
export function drawHistogram(buckets: readonly AgeBucket[], barWidth = 40): string[] {
  const max = buckets.reduce((m, b) => Math.max(m, b.count), 0);
  const labelWidth = buckets.reduce((m, b) => Math.max(m, b.label.length), 0);
  return buckets.map(({ label, count }) => {
    const bar = max === 0 ? "" : blocks((count / max) * barWidth);
    return `${label.padStart(labelWidth)} │${bar.padEnd(barWidth)} ${count}`;
  });
}

function blocks(columns: number): string {
  let eighths = Math.round(columns * 8);
  if (eighths === 0 && columns > 0) eighths = 1;
  return "█".repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
}

function rangeLabel(from: number, to: number, width: number): string {
  return width >= 365 ? `${from / 365}–${to / 365} years` : `${from}–${to} days`;
}

// `ReplayStore.stats`: counts, sizes, types and dates of one view's live entries.
import type { IndexFormat } from "@replaykit/index";
import { withTypes } from "./sample.js";
import { unreferencedBytes } from "./verify.js";
import type { View } from "./view.js";

/** What `stats` reports. */
export interface StoreStats {
  entries: number;
  liveBytes: number;
  fileBytes: number;
  byType: Record<string, number>;
  oldest?: Date;
  newest?: Date;
  /** fileBytes − liveBytes (frames no entry points at, and torn tails). */
  deadBytes: number;
  autoMined: number;
  format: IndexFormat;
  /** Exposure recorded by draws with `recordExposure`: sections replayed at least once, and the sum of their replay counts (0s for a dlm store). */
  replayed: { sections: number; total: number };
  /** What `verify --repair` set aside (records, and the damaged bytes kept with them). */
  quarantined: { records: number; bytes: number };
}

/** The stats of `view` (a store of `format`, whose quarantine holds `quarantined`). */
export async function statsOf(view: View, format: IndexFormat, quarantined: StoreStats["quarantined"]): Promise<StoreStats> {
  const entries = view.entries;
  const fileBytes = await view.corpusSize();
  // A null-prototype record: section type names are plain keys ("constructor" included).
  const byType: Record<string, number> = Object.create(null) as Record<string, number>;
  let autoMined = 0;
  let oldest: number | undefined;
  let newest: number | undefined;
  for (const { entry, sectionType, autoMined: mined } of await withTypes(view, entries)) {
    byType[sectionType] = (byType[sectionType] ?? 0) + 1;
    if (mined) autoMined++;
    const t = entry.addedAt.getTime();
    if (oldest === undefined || t < oldest) oldest = t;
    if (newest === undefined || t > newest) newest = t;
  }
  const deadBytes = unreferencedBytes(entries, fileBytes);
  const stats: StoreStats = {
    entries: entries.length,
    // The bytes some entry points at, each once: entries may share a frame.
    liveBytes: fileBytes - deadBytes,
    fileBytes,
    byType: { ...byType },
    deadBytes,
    autoMined,
    format,
    replayed: replayedIn(view),
    quarantined,
  };
  if (oldest !== undefined) stats.oldest = new Date(oldest);
  if (newest !== undefined) stats.newest = new Date(newest);
  return stats;
}

/** The exposure recorded in a view: sections with a replay count > 0 and the counts' sum (none without columns). */
function replayedIn(view: View): { sections: number; total: number } {
  const counts = view.columns?.replayCount;
  let sections = 0;
  let total = 0;
  if (counts !== undefined) {
    for (let i = 0; i < counts.length; i++) {
      const c = counts[i]!;
      if (c > 0) {
        sections++;
        total += c;
      }
    }
  }
  return { sections, total };
}

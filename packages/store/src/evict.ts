// Entries leaving the index on a writer's decision: eviction to a byte budget (oldest
// first) and removal by section id (a deletion request). Both plan on the journal's
// columns where the store has one (objects only for what leaves) and commit removal records.
import { evictIndices, evictUntil } from "@replaykit/eviction";
import type { IndexEntry } from "@replaykit/index";
import type { StoreContext } from "./context.js";
import { crashPoint } from "./crash.js";
import { entriesOfRows, indexOf, rowsWithIds } from "./index-io.js";
import { planRemove } from "./ingest.js";

/** What `evict` returns: the entries that left (oldest first), the kept ones (made on first access), and counts that make no objects. */
export interface EvictResult {
  evicted: IndexEntry[];
  /** The kept entries in index order; made on first access (a million objects cost more than the eviction). */
  readonly kept: IndexEntry[];
  /** How many entries stayed, without making them. */
  keptCount: number;
  /** Frame bytes the kept entries point at (each entry counted; entries sharing a frame count twice). */
  keptBytes: number;
}

/**
 * Drops entries oldest first until the live bytes fit `maxBytes` (protected ids are never
 * dropped). Writers, with the lock held; the caller compacts afterwards if asked.
 */
export async function evictLocked(ctx: StoreContext, options: { maxBytes: number; protectIds?: Iterable<string> | undefined }): Promise<EvictResult> {
  const evictOptions = options.protectIds === undefined ? { maxBytes: options.maxBytes } : { maxBytes: options.maxBytes, protectIds: options.protectIds };
  const index = indexOf(ctx.paths);
  const columns = await index.writerColumns();
  let result: EvictResult;
  if (columns !== undefined) {
    const rows = evictIndices(
      {
        length: columns.size,
        addedAt: columns.addedAt,
        lengths: columns.frameLength,
        sectionId: (i) => columns.sectionId(i),
        hexIds: { hi: columns.idHi, lo: columns.idLo },
      },
      evictOptions,
    );
    const evicted = entriesOfRows(columns, rows);
    // The live entries after the commit are exactly the kept ones, in index order.
    // letGo: no later write changes them, so `kept` can be made from them later.
    const live = rows.length > 0 ? await index.removeRows(rows, "evicted") : columns;
    await index.letGo(live);
    let keptBytes = 0;
    for (let i = 0; i < live.size; i++) keptBytes += live.frameLength[i]!;
    let kept: IndexEntry[] | undefined;
    result = {
      evicted,
      get kept(): IndexEntry[] {
        kept ??= entriesOfRows(live);
        return kept;
      },
      keptCount: live.size,
      keptBytes,
    };
  } else {
    const entries = await index.load();
    const { kept, evicted } = evictUntil(entries, evictOptions);
    if (evicted.length > 0) await index.removeFrom(kept, evicted, await index.format(entries), "evicted");
    result = { evicted, kept, keptCount: kept.length, keptBytes: kept.reduce((n, e) => n + e.length, 0) };
  }
  crashPoint("evict:index-saved");
  return result;
}

/** Removes every live entry of the section ids `wanted`. Writers, with the lock held. */
export async function removeLocked(ctx: StoreContext, wanted: ReadonlySet<string>): Promise<IndexEntry[]> {
  const index = indexOf(ctx.paths);
  const columns = await index.writerColumns();
  if (columns !== undefined) {
    // A journal: planned on its columns (objects only for the removed), committed by row.
    const rows = rowsWithIds(columns, wanted);
    const removed = entriesOfRows(columns, rows);
    if (rows.length > 0) await index.removeRows(rows, "removed");
    return removed;
  }
  const entries = await index.load();
  const plan = planRemove(entries, wanted);
  if (plan.removed.length > 0) await index.removeFrom(plan.kept, plan.removed, await index.format(entries), "removed");
  return plan.removed;
}

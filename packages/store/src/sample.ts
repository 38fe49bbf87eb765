// Reading rows out of a view: each picked section's frame read and checked, then expanded
// by its type's expander; and the classic draws `sampleRows` / `samplePreferenceRows` over
// the view's columns (or a dlm store's entries), which pick exactly what `sample` picks.
import { CorpusCorruptError, type SectionSnapshot } from "@replaykit/corpus";
import type { IndexEntry } from "@replaykit/index";
import { replayRowId, type Row } from "@replaykit/parsers";
import type { Scheme } from "@replaykit/sampler";
import { expanderOf, type StoreContext } from "./context.js";
import { pickEntries, pickOfType, type DrawSource } from "./draw.js";
import { StoreArgumentError, UnknownSectionTypeError } from "./errors.js";
import type { View } from "./view.js";

/** The options `pickEntries` takes (checked by the caller). */
export interface PickOptions {
  k: number;
  now: Date;
  seed?: number | undefined;
  random?: (() => number) | undefined;
  scheme?: Scheme<IndexEntry> | undefined;
}

/** The rows of each picked section, in pick order. @throws {UnknownSectionTypeError} for a type without an expander. */
export function expandRows(ctx: StoreContext, picked: readonly IndexEntry[], snapshots: readonly SectionSnapshot[]): Row[] {
  const rows: Row[] = [];
  snapshots.forEach((s, i) => {
    const expander = expanderOf(ctx, s.sectionType);
    if (expander === undefined) throw new UnknownSectionTypeError(s.sectionType, picked[i]?.sectionId ?? s.sectionId);
    const rowId = replayRowId(s.sectionId, s.lastSeenAt);
    const source = { sectionId: s.sectionId, sectionType: s.sectionType, content: s.content, lastSeenAt: s.lastSeenAt, autoMined: s.autoMined };
    for (const row of expander(source, rowId)) rows.push(row);
  });
  return rows;
}

/** One entry with its section type and auto-mined flag, and (when `keep` wanted it) its decoded snapshot. */
export interface Classified {
  entry: IndexEntry;
  sectionType: string;
  autoMined: boolean;
  snapshot: SectionSnapshot | undefined;
}

/**
 * Each entry with its type and auto-mined flag: from the index, or by decoding (dlm
 * stores) in bounded batches of `view`. Decoded snapshots that `keep` accepts are returned
 * too, so they are not read twice; the others are dropped as the walk goes.
 */
export async function withTypes(view: View, entries: readonly IndexEntry[], keep: (snapshot: SectionSnapshot) => boolean = () => false): Promise<Classified[]> {
  const out: Classified[] = entries.map((entry) => ({ entry, sectionType: entry.sectionType!, autoMined: entry.autoMined ?? false, snapshot: undefined }));
  const unknown = out.filter((x) => x.entry.sectionType === undefined || x.entry.autoMined === undefined);
  for await (const batch of view.batches(unknown.map((x) => x.entry))) {
    (await view.check(batch)).forEach((r, j) => {
      if (r instanceof CorpusCorruptError) throw r;
      const x = unknown[batch.start + j]!;
      if (keep(r)) x.snapshot = r;
      x.sectionType = r.sectionType;
      x.autoMined = r.autoMined;
    });
  }
  return out;
}

/** What draw.ts reads of `view`: its columns, its entries only when asked, frames; `record` notes the picks to count as replayed. */
export function drawSource(ctx: StoreContext, view: View, record?: (picks: readonly IndexEntry[]) => void): DrawSource {
  const source: DrawSource = {
    get entries() {
      return view.entries;
    },
    columns: view.columns,
    read: (es) => view.readChecked(es),
    rowsOf: (e, s) => expandRows(ctx, [e], [s]),
    classify: (es) => withTypes(view, es),
  };
  return record === undefined ? source : { ...source, entries: view.entries, recordExposure: async (picks) => record(picks) };
}

/** `ReplayStore.sampleRows` in `view`: the sampler's picks among every live entry, read and expanded. */
export async function sampleRows(ctx: StoreContext, view: View, options: PickOptions): Promise<Row[]> {
  const picked = pickEntries(drawSource(ctx, view), undefined, options);
  return expandRows(ctx, picked, await view.readChecked(picked));
}

/**
 * `ReplayStore.samplePreferenceRows` in `view`: picks among preference sections only (and,
 * without `includeAutoMined`, not mined automatically). Types and flags come from the
 * columns; a dlm store's entries are decoded to learn theirs.
 */
export async function samplePreferenceRows(ctx: StoreContext, view: View, options: PickOptions, includeAutoMined: boolean): Promise<Row[]> {
  if (view.columns !== undefined) {
    const picked = await pickOfType(drawSource(ctx, view), "preference", includeAutoMined, options);
    return expandRows(ctx, picked, await view.readChecked(picked));
  }
  // Keep the decoded snapshots (dlm stores) of the eligible sections only.
  const known = await withTypes(view, view.entries, (s) => s.sectionType === "preference");
  const eligible: IndexEntry[] = [];
  const snapshotOf = new Map<IndexEntry, SectionSnapshot>();
  for (const { entry, sectionType, autoMined, snapshot } of known) {
    if (sectionType !== "preference" || (!includeAutoMined && autoMined)) continue;
    eligible.push(entry);
    if (snapshot !== undefined) snapshotOf.set(entry, snapshot);
  }
  const picked = pickEntries({ ...drawSource(ctx, view), entries: eligible, columns: undefined }, undefined, options);
  const missing = picked.filter((e) => !snapshotOf.has(e));
  const read = await view.readChecked(missing);
  missing.forEach((e, i) => {
    snapshotOf.set(e, read[i]!);
  });
  return expandRows(
    ctx,
    picked,
    picked.map((e) => snapshotOf.get(e)!),
  );
}

/** The sampler's options from a checked `sampleRows` options object. @throws {StoreArgumentError} when both `seed` and `random` are given. */
export function pickOptions(o: { k: number; now: Date; seed?: number | undefined; random?: (() => number) | undefined; scheme?: unknown }): PickOptions {
  if (o.seed !== undefined && o.random !== undefined) throw new StoreArgumentError("options", "must give seed or random, not both");
  return { k: o.k, now: o.now, seed: o.seed, random: o.random, scheme: o.scheme as Scheme<IndexEntry> | undefined };
}

/** Every live entry of `view` with its snapshot, in file (append) order, read in bounded batches: an export. */
export async function* exportView(view: View): AsyncGenerator<{ entry: IndexEntry; snapshot: SectionSnapshot }> {
  const order = view.entries
    .map((entry, i) => ({ entry, i }))
    .sort((a, b) => a.entry.byteOffset - b.entry.byteOffset || a.i - b.i)
    .map((x) => x.entry);
  for await (const batch of view.batches(order)) {
    for (const [j, r] of (await view.check(batch)).entries()) {
      if (r instanceof Error) throw r;
      yield { entry: batch.entries[j]!, snapshot: r };
    }
  }
}

import { IndexArgumentError } from "./errors.js";

/**
 * One index entry: where a snapshot's frame lies in `corpus.zst`, and its metadata.
 *
 * `sectionType`, `autoMined` and `crc32` exist only in stores replaykit created; an index
 * written by the reference (dlm) has none of them, and `serializeIndex` writes only the
 * keys an entry carries, so a dlm store stays dlm-shaped.
 */
export interface IndexEntry {
  /** 16 lowercase hex characters. */
  readonly sectionId: string;
  /** Offset of the frame in the corpus file (integer ≥ 0). */
  readonly byteOffset: number;
  /** Length of the frame in bytes (integer > 0). */
  readonly length: number;
  /** When the section was last seen (the snapshot's `lastSeenAt`), UTC. */
  readonly addedAt: Date;
  /** Sampling weight, finite and ≥ 0; 1 by default. */
  readonly weight: number;
  /** The snapshot's section type; absent in indexes written by the reference. */
  readonly sectionType?: string;
  /** Whether the section was mined automatically; absent in indexes written by the reference. */
  readonly autoMined?: boolean;
  /** CRC-32 of the frame's bytes (unsigned 32-bit); absent in indexes written by the reference. */
  readonly crc32?: number;
  /**
   * Draws that recorded this entry as replayed (the journal's exposure). Not stored in
   * index.json; set on the entries a store hands to a draw's scheme function.
   */
  readonly replayCount?: number;
  /** The last such draw's time (with `replayCount` > 0). Not stored in index.json. */
  readonly lastReplayAt?: Date;
}

/** An `IndexEntry` being built (the parsers add the optional keys one by one). Internal. */
export type MutableIndexEntry = { -readonly [K in keyof IndexEntry]: IndexEntry[K] };

/**
 * The shape of an index file: `"dlm"` when no entry carries a replaykit-only key (the
 * reference can read and write it), `"replaykit"` when at least one does.
 */
export type IndexFormat = "dlm" | "replaykit";

/**
 * True when `entry` carries one of the replaykit-only keys (`sectionType`, `autoMined`, `crc32`).
 *
 * @throws {IndexArgumentError} `entry` is not an object.
 */
export function hasReplaykitKeys(entry: IndexEntry): boolean {
  if (typeof entry !== "object" || entry === null) throw new IndexArgumentError("hasReplaykitKeys", "entry", "an index entry", entry);
  return entry.sectionType !== undefined || entry.autoMined !== undefined || entry.crc32 !== undefined;
}

/**
 * The format of an index, to decide how to write new entries into it: `"replaykit"` as
 * soon as one entry carries `sectionType`, `autoMined` or `crc32` (the reference rejects
 * unknown keys, so such an index is no longer dlm-readable anyway), `"dlm"` when none
 * does, `undefined` for an empty index (a new store: the writer chooses). This is the
 * format detection of replaykit: a store asks it, then builds new entries with `entryFor`.
 *
 * @throws {IndexArgumentError} `entries` is not an array.
 */
export function indexFormatOf(entries: readonly IndexEntry[]): IndexFormat | undefined {
  if (!Array.isArray(entries)) throw new IndexArgumentError("indexFormatOf", "entries", "an array of index entries", entries);
  if (entries.length === 0) return undefined;
  for (const entry of entries) if (hasReplaykitKeys(entry)) return "replaykit";
  return "dlm";
}

function bySectionId(a: IndexEntry, b: IndexEntry): number {
  return a.sectionId < b.sectionId ? -1 : a.sectionId > b.sectionId ? 1 : 0;
}

/**
 * A copy of `entries` in index order: by `sectionId` (code-point order, as Python
 * sorts), entries with the same id keeping their relative order (the sort is stable).
 *
 * @throws {IndexArgumentError} `entries` is not an array.
 */
export function sortIndexEntries<T extends IndexEntry>(entries: readonly T[]): T[] {
  if (!Array.isArray(entries)) throw new IndexArgumentError("sortIndexEntries", "entries", "an array of index entries", entries);
  return entries.slice().sort(bySectionId);
}

// The one section-id and section-type check of replaykit lives in @replaykit/corpus;
// re-exported here because this package exported them before it depended on corpus.
export { isSectionId, isSectionType } from "@replaykit/corpus";

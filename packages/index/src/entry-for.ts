import type { IndexEntry, IndexFormat } from "./entry.js";
import { IndexArgumentError, IndexEntryInvalidError } from "./errors.js";
import { checkEntry } from "./serialize.js";

/** What `entryFor` needs to know of a frame just written: the union of both formats' fields. */
export interface EntryFields {
  /** 16 lowercase hex characters. */
  readonly sectionId: string;
  /** Offset of the frame in the corpus file. */
  readonly byteOffset: number;
  /** Length of the frame in bytes. */
  readonly length: number;
  /** When the section was last seen (the snapshot's `lastSeenAt`). */
  readonly addedAt: Date;
  /** Sampling weight; 1 when absent. */
  readonly weight?: number;
  /** The snapshot's section type: required for the replaykit format, ignored for dlm. */
  readonly sectionType?: string;
  /** Whether the section was mined automatically: required for the replaykit format, ignored for dlm. */
  readonly autoMined?: boolean;
  /** CRC-32 of the frame's bytes: written in the replaykit format when given, ignored for dlm. */
  readonly crc32?: number;
}

/**
 * The index entry for a frame, in the shape of an index of `format`: for `"dlm"` only the
 * reference's keys (`sectionId`, `byteOffset`, `length`, `addedAt`, `weight`), so the
 * store stays readable by dlm; for `"replaykit"` also `sectionType`, `autoMined` and
 * (when given) `crc32`. The fields are checked as `serializeIndex` checks them, so the
 * entry can be saved.
 *
 * @example
 * ```ts
 * const format = indexFormatOf(entries) ?? "replaykit"; // an empty index: the writer chooses
 * entries.push(entryFor(format, { sectionId, byteOffset, length, addedAt: snapshot.lastSeenAt,
 *   sectionType: snapshot.sectionType, autoMined: snapshot.autoMined, crc32: crc32(frame) }));
 * ```
 *
 * @throws {IndexArgumentError} `format` is not `"dlm"` or `"replaykit"`, or `fields` is not an object.
 * @throws {IndexEntryInvalidError} a field cannot be written (bad id, negative offset,
 *   invalid date, …), or the replaykit format misses `sectionType` or `autoMined`;
 *   `field` names it.
 */
export function entryFor(format: IndexFormat, fields: EntryFields): IndexEntry {
  if (format !== "dlm" && format !== "replaykit") {
    throw new IndexArgumentError("entryFor", "format", '"dlm" or "replaykit"', format);
  }
  if (typeof fields !== "object" || fields === null || Array.isArray(fields)) {
    throw new IndexArgumentError("entryFor", "fields", "an object of entry fields", fields);
  }
  const base = {
    sectionId: fields.sectionId,
    byteOffset: fields.byteOffset,
    length: fields.length,
    addedAt: fields.addedAt,
    weight: fields.weight ?? 1,
  };
  let entry: IndexEntry = base;
  if (format === "replaykit") {
    for (const field of ["sectionType", "autoMined"] as const) {
      if (fields[field] === undefined) {
        throw new IndexEntryInvalidError(`invalid index entry, ${field}: required in the replaykit format`, { field });
      }
    }
    entry = { ...base, sectionType: fields.sectionType!, autoMined: fields.autoMined! };
    if (fields.crc32 !== undefined) entry = { ...entry, crc32: fields.crc32 };
  }
  checkEntry(entry);
  return entry;
}

/**
 * The entry without its replaykit-only keys, as the reference would write it: its
 * `"dlm"`-format shape. Use it to append to a dlm store, or to downgrade an index
 * explicitly.
 *
 * @throws {IndexArgumentError} `entry` is not an object.
 * @throws {IndexEntryInvalidError} a field cannot be written.
 */
export function toDlmEntry(entry: IndexEntry): IndexEntry {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
    throw new IndexArgumentError("toDlmEntry", "entry", "an index entry", entry);
  }
  return entryFor("dlm", entry);
}

/**
 * Salvage: every whole, checksummed commit of a damaged journal (index.rkx), including the
 * ones after the damage, for a store's recover (FORMAT.md, "Damage and salvage").
 *
 * @module
 */
import { open, type FileHandle } from "node:fs/promises";
import { crc32 as zlibCrc32 } from "node:zlib";
import { IndexArgumentError, IndexCorruptError, IndexReadError } from "../errors.js";
import { type ApplyResult, checkHeader, corrupt, publishRows, skipPadding, stageEntries, validExposure } from "./apply.js";
import { Columns, type IndexView } from "./columns.js";
import { COMMIT_HEAD_BYTES, ENTRY_BYTES, EXPOSURE_BYTES, HEADER_BYTES, NO_TYPE, RecordKind, RemoveReason, type RemoveReasonName } from "./format.js";
import type { EntryKey } from "./index-journal.js";
import { readCommits, readFully, scanTail, sizeOf } from "./read-commits.js";

/** What {@link salvageJournal} could read of a journal. */
export interface JournalSalvage {
  /**
   * The live entries as far as the whole commits tell: exactly the journal's view up to the
   * first damage, then the entries appended by the whole commits after it, with the removals
   * and exposure updates after it that name an entry appended before the damage. Entries
   * after the damage whose section type was defined after it have no `sectionType` (the
   * frame has it).
   */
  readonly view: IndexView;
  /** The runs of bytes that are not whole commits, in file order (the last may be a torn tail). */
  readonly damage: ReadonlyArray<{ readonly byteOffset: number; readonly length: number }>;
  /** Whole commits read after the first damage. */
  readonly commitsAfter: number;
  /** Entries a whole commit removed (before or after the damage), by key, with the reason recorded. */
  readonly removed: ReadonlyArray<EntryKey & { readonly reason: RemoveReasonName }>;
  /**
   * Remove and exposure items after the damage that name an entry appended after it began:
   * its ordinal depends on how many entries the lost commits appended, which is unknown, so
   * they are not applied (those entries stay live, their exposure as last known).
   */
  readonly unresolved: number;
  /** Whole commits after the damage whose records break the format (not applied). */
  readonly skippedCommits: number;
}

const REASON_NAMES = Object.keys(RemoveReason) as RemoveReasonName[];

/**
 * Reads every whole, checksummed commit of the journal at `path`, also those after damage in
 * the middle of the file, and applies them as far as they can be placed (see
 * {@link JournalSalvage}; the rule is in FORMAT.md, "Damage and salvage"). Reads only: the
 * file is not changed. Memory is the entries' columns plus one commit at a time, allocated
 * after its checksum held.
 *
 * @throws {IndexArgumentError} `path` is not a non-empty string.
 * @throws {IndexReadError} the file cannot be read.
 * @throws {IndexCorruptError} a bad file header, or a commit before the damage that breaks the format.
 */
export async function salvageJournal(path: string): Promise<JournalSalvage> {
  if (typeof path !== "string" || path === "") throw new IndexArgumentError("salvageJournal", "path", "a non-empty path", path);
  let fd: FileHandle;
  try {
    fd = await open(path, "r");
  } catch (cause) {
    throw new IndexReadError(path, cause);
  }
  try {
    const size = await sizeOf(fd, path);
    const header = new Uint8Array(Math.min(size, HEADER_BYTES));
    checkHeader(header.subarray(0, await readFully(fd, path, header, 0)), path);
    const cols = new Columns();
    const removed: Array<EntryKey & { reason: RemoveReasonName }> = [];
    const onRemove = (rows: readonly number[], reason: number) => {
      for (const row of rows) removed.push({ sectionId: cols.sectionId(row), byteOffset: cols.off[row]!, reason: REASON_NAMES[reason]! });
    };
    const result: ApplyResult = { end: HEADER_BYTES, ignoredBytes: 0, commits: 0, appended: 0, removed: 0, exposed: 0, onRemove };
    const applied = await readCommits(fd, path, cols, HEADER_BYTES, size, undefined, undefined, result);
    const out = { view: cols, damage: [] as Array<{ byteOffset: number; length: number }>, commitsAfter: 0, removed, unresolved: 0, skippedCommits: 0 };
    if (applied.ignoredBytes === 0) return out;
    // Ordinals and type codes below these are exact after the damage too; above them, unknown.
    const known = { ordinals: cols.nextOrdinal, types: cols.typeNames.length };
    const scan = await scanTail(fd, path, applied.end, size, async (pos, length) => {
      const bytes = new Uint8Array(COMMIT_HEAD_BYTES + length);
      const view = new DataView(bytes.buffer);
      // Checked by the scan; checked again here, as the bytes in hand are what is applied.
      if ((await readFully(fd, path, bytes, pos)) < bytes.length || zlibCrc32(bytes.subarray(4)) >>> 0 !== view.getUint32(0, true)) {
        out.skippedCommits++;
        return;
      }
      try {
        salvageCommit(cols, view, pos, path, known, out, onRemove);
      } catch (error) {
        if (!IndexCorruptError.isInstance(error)) throw error;
        out.skippedCommits++;
      }
    });
    out.damage = scan.regions.map((r) => ({ ...r }));
    out.commitsAfter = scan.commits;
    return out;
  } finally {
    await fd.close().catch(() => undefined);
  }
}

/**
 * Applies one whole commit found after damage (`view` holds it, head included; file offset
 * `base`): parsed and checked whole first, then applied, so a commit that breaks the format
 * changes nothing.
 */
function salvageCommit(
  cols: Columns,
  view: DataView,
  base: number,
  path: string,
  known: { readonly ordinals: number; readonly types: number },
  out: { unresolved: number },
  onRemove: (rows: readonly number[], reason: number) => void,
): void {
  const scratch = new Columns();
  for (const name of cols.typeNames.slice(0, known.types)) scratch.intern(name);
  const removes: Array<{ reason: number; ordinals: number[] }> = [];
  const exposure: Array<{ ordinal: number; count: number; last: number }> = [];
  const end = view.byteLength;
  let q = COMMIT_HEAD_BYTES;
  while (q < end) {
    const record = q;
    const kind = view.getUint8(q);
    const arg = view.getUint8(q + 1);
    const count = view.getUint32(q + 4, true);
    if (view.getUint16(q + 2, true) !== 0 || count === 0) throw corrupt(path, base + q, "bad record head");
    if (kind === RecordKind.remove ? arg > 3 : arg !== 0) throw corrupt(path, base + q + 1, `record argument ${arg}`);
    q += 8;
    if (kind === RecordKind.types) {
      // Codes defined after the damage are unknown (the lost commits may have defined some): skipped.
      for (let i = 0; i < count; i++) {
        if (q >= end || q + 1 + view.getUint8(q) > end) throw corrupt(path, base + q, "types record runs past its commit");
        q += 1 + view.getUint8(q);
      }
    } else if (kind === RecordKind.entries) {
      if (count > (end - q) / ENTRY_BYTES) throw corrupt(path, base + record + 4, `${count} entries do not fit their commit`);
      const row = stageEntries(scratch, view, q, count);
      for (let r = row; r < row + count; r++) if (scratch.type[r]! >= known.types) scratch.type[r] = NO_TYPE;
      publishRows(scratch, row, count, base + q, path);
      q += count * ENTRY_BYTES;
    } else if (kind === RecordKind.remove) {
      if (count > (end - q) / 4) throw corrupt(path, base + record + 4, `${count} ordinals do not fit their commit`);
      const ordinals: number[] = [];
      for (let i = 0; i < count; i++, q += 4) {
        const ordinal = view.getUint32(q, true);
        if (i > 0 && ordinal <= ordinals[i - 1]!) throw corrupt(path, base + q, "remove ordinals are not strictly ascending");
        ordinals.push(ordinal);
      }
      removes.push({ reason: arg, ordinals });
    } else if (kind === RecordKind.exposure) {
      if (count > (end - q) / EXPOSURE_BYTES) throw corrupt(path, base + record + 4, `${count} exposure items do not fit their commit`);
      for (let i = 0; i < count; i++, q += EXPOSURE_BYTES) {
        const item = { ordinal: view.getUint32(q, true), count: view.getUint32(q + 4, true), last: view.getFloat64(q + 8, true) };
        if (!validExposure(item.count, item.last)) throw corrupt(path, base + q + 4, "exposure: bad last replay time");
        exposure.push(item);
      }
    } else throw corrupt(path, base + record, `unknown record kind ${kind}`);
    q = skipPadding(view, record, q, end, base, path);
  }

  // Checked whole: apply. Only ordinals from before the damage can be placed.
  const live = (ordinal: number): number => (ordinal < known.ordinals ? cols.rowOf(ordinal) : -1);
  for (let r = 0; r < scratch.size; r++) {
    cols.push(
      scratch.hi[r]!,
      scratch.lo[r]!,
      scratch.off[r]!,
      scratch.len[r]!,
      scratch.at[r]!,
      scratch.w[r]!,
      scratch.type[r]!,
      scratch.flag[r]!,
      scratch.crc[r]!,
      scratch.count[r]!,
      scratch.last[r]!,
    );
  }
  for (const { reason, ordinals } of removes) {
    const rows: number[] = [];
    for (const ordinal of ordinals) {
      const row = live(ordinal);
      if (row < 0) out.unresolved++;
      else rows.push(row);
    }
    onRemove(rows, reason);
    cols.removeRows(rows);
  }
  for (const item of exposure) {
    const row = live(item.ordinal);
    if (row < 0) {
      out.unresolved++;
      continue;
    }
    cols.count[row] = item.count;
    cols.last[row] = item.last;
  }
}

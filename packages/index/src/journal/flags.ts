/**
 * Reading and building the `flag` byte of a journal entry (FORMAT.md, "Kind 2 — entries"),
 * so code outside this package never spells the bit values.
 *
 * @module
 */
import { FLAG_AUTO_MINED, FLAG_HAS_AUTO_MINED, FLAG_HAS_CRC, NO_TYPE } from "./format.js";

/** `IndexView.typeCode` of an entry without a section type (entries migrated from dlm). */
export const NO_TYPE_CODE: number = NO_TYPE;

/**
 * Whether an entry's `crc32` holds its frame's CRC-32 (`view.flags[i]`); entries migrated
 * from dlm's index have none.
 *
 * @example `if (hasCrc(view.flags[i])) check(frame, view.crc32[i]);`
 */
export function hasCrc(flags: number): boolean {
  return (flags & FLAG_HAS_CRC) !== 0;
}

/** An entry's auto-mined flag from its `flags` byte, or undefined where the index does not know it (entries migrated from dlm). */
export function autoMinedOf(flags: number): boolean | undefined {
  return (flags & FLAG_HAS_AUTO_MINED) === 0 ? undefined : (flags & FLAG_AUTO_MINED) !== 0;
}

/** The `flags` byte the journal stores for an entry with these optional fields. */
export function flagsOf(entry: { readonly autoMined?: boolean | undefined; readonly crc32?: number | undefined }): number {
  let flags = 0;
  if (entry.autoMined !== undefined) flags |= FLAG_HAS_AUTO_MINED | (entry.autoMined ? FLAG_AUTO_MINED : 0);
  if (entry.crc32 !== undefined) flags |= FLAG_HAS_CRC;
  return flags;
}

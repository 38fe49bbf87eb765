/**
 * The byte layout of the journal, index.rkx (see FORMAT.md beside the package README for the
 * prose version). Everything is little-endian. A file is a 16-byte header followed by
 * commits; a commit is `crc32 u32 | length u32 | payload`, the CRC covering the length field
 * and the payload, and the payload is a sequence of records.
 *
 * @module
 */

/** Whether this machine stores numbers little-endian, as the file does (every platform Node ships for but s390x). */
export const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** The first 8 bytes of every journal file: PNG-style, so text-mode transfers and truncations show. */
export const MAGIC = Uint8Array.of(0x89, 0x52, 0x4b, 0x49, 0x58, 0x0d, 0x0a, 0x1a); // \x89 R K I X \r \n \x1a
/** The format revision this code writes and reads. */
export const REVISION = 1;
/** Bytes of the file header: magic, revision u16, flags u16, CRC-32 of the first 12 bytes. */
export const HEADER_BYTES = 16;
/** Bytes before a commit's payload: CRC-32 u32, payload length u32. */
export const COMMIT_HEAD_BYTES = 8;
/** Bytes per read or write call: Node refuses one of 2 GiB or more. */
export const IO_CHUNK = 1 << 30;
/** Largest payload a reader accepts; a longer declared length is a torn or damaged tail. */
export const MAX_COMMIT_PAYLOAD = 0x7fff_fff0;

/** Record kinds inside a commit's payload. */
export const RecordKind = {
  /** New section-type names, given codes in order after the ones already defined. */
  types: 0x01,
  /** New entries, given ordinals in order after the ones already appended. */
  entries: 0x02,
  /** Entries (by ordinal) that leave the live index. */
  remove: 0x03,
  /** Absolute exposure values (replay count, last replay time) of live entries. */
  exposure: 0x04,
} as const;

/** Why entries left the index, recorded with every remove record (informational). */
export const RemoveReason = { removed: 0, evicted: 1, superseded: 2, quarantined: 3 } as const;
/** The reason names of {@link RemoveReason}. */
export type RemoveReasonName = keyof typeof RemoveReason;

/**
 * The columns of an entries record, in file order. A record of n entries holds each
 * column's n values back to back (column-major, like an Arrow record batch), widest first,
 * so every column starts aligned to its width when the record does (records are 8-aligned):
 * a little-endian reader copies each one with a single typed-array `set`.
 */
export const ENTRY_COLUMNS = [
  ["off", 8], // f64 byteOffset: integer ≥ 0, frame offset in the corpus
  ["at", 8], // f64 addedAt: seconds since the Unix epoch (millisecond precision)
  ["w", 8], // f64 weight: finite, ≥ 0
  ["last", 8], // f64 lastReplayAt: seconds since the epoch; 0 exactly when replayCount is 0
  ["hi", 4], // u32 section id hex digits 0–7 as a number
  ["lo", 4], // u32 section id hex digits 8–15
  ["len", 4], // u32 frame length ≥ 1
  ["crc", 4], // u32 CRC-32 of the frame (0 unless FLAG_HAS_CRC)
  ["count", 4], // u32 replayCount
  ["type", 2], // u16 code in the type table, NO_TYPE for none
  ["flag", 1], // u8 flags
] as const;
/** Bytes of one entry (the sum of the column widths); a record pads its end to a multiple of 8. */
export const ENTRY_BYTES = 55;

/** Entry flag: the section was mined automatically. */
export const FLAG_AUTO_MINED = 0x01;
/** Entry flag: `autoMined` is known (absent in entries migrated from dlm indexes). */
export const FLAG_HAS_AUTO_MINED = 0x02;
/** Entry flag: the crc32 field holds the frame's CRC-32. */
export const FLAG_HAS_CRC = 0x04;
/** Every flag bit a reader understands; others set are corruption. */
export const KNOWN_FLAGS = FLAG_AUTO_MINED | FLAG_HAS_AUTO_MINED | FLAG_HAS_CRC;
/** Type code of an entry without a section type. */
export const NO_TYPE = 0xffff;
/** Bytes of one item of an exposure record: ordinal u32, replay count u32, last replay f64. */
export const EXPOSURE_BYTES = 16;

/** The file header bytes (constant for a revision). */
export function encodeHeader(crc32: (bytes: Uint8Array) => number): Uint8Array {
  const header = new Uint8Array(HEADER_BYTES);
  const view = new DataView(header.buffer);
  header.set(MAGIC, 0);
  view.setUint16(8, REVISION, true);
  view.setUint16(10, 0, true);
  view.setUint32(12, crc32(header.subarray(0, 12)), true);
  return header;
}

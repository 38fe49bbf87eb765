import { describeValue } from "@replaykit/errors";
import { parseIndexDateMs } from "./date.js";
import { isSectionId, isSectionType } from "@replaykit/corpus";
import type { IndexEntry, MutableIndexEntry } from "./entry.js";
import { IndexArgumentError, IndexCorruptError } from "./errors.js";

// JSON.parse, then a hand-written validator. (A valibot schema for the same checks cost
// about as much as JSON.parse itself on 100,000 entries, before building a single Date.)
// This is the general path, and the one that names what is wrong: loadIndex reads a file in
// the canonical layout with its byte-level fast path (fast-parse.ts, which stayed because it
// pays — README, "Performance") and falls back to this for anything else.

const KNOWN_KEYS: ReadonlySet<string> = new Set(["added_at", "auto_mined", "byte_offset", "crc32", "length", "section_id", "section_type", "weight"]);

function corrupt(
  source: string | undefined,
  entry: number | undefined,
  field: string | undefined,
  what: string,
  sectionId?: string,
  cause?: unknown,
): IndexCorruptError {
  let where = source === undefined ? "corrupt index" : `corrupt index ${source}`;
  if (entry !== undefined) where += `: entry ${entry} (0-based)`;
  if (sectionId !== undefined) where += ` (section ${sectionId})`;
  if (field !== undefined) where += `, key "${field}"`;
  const details: { path?: string; entry?: number; field?: string; sectionId?: string; cause?: unknown } = {};
  if (source !== undefined) details.path = source;
  if (entry !== undefined) details.entry = entry;
  if (field !== undefined) details.field = field;
  if (sectionId !== undefined) details.sectionId = sectionId;
  if (cause !== undefined) details.cause = cause;
  return new IndexCorruptError(`${where}: ${what}`, details);
}

function badField(source: string | undefined, i: number, field: string, value: unknown, expected: string, sectionId?: string): IndexCorruptError {
  const what = value === undefined ? `missing (expected ${expected})` : `expected ${expected}, got ${describeValue(value)}`;
  return corrupt(source, i, field, what, sectionId);
}

function toEntry(raw: unknown, i: number, source: string | undefined): IndexEntry {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw corrupt(source, i, undefined, `expected an object, got ${describeValue(raw)}`);
  }
  const o = raw as Record<string, unknown>;

  const sectionId = o["section_id"];
  if (!isSectionId(sectionId)) {
    throw badField(source, i, "section_id", sectionId, "16 lowercase hex characters");
  }
  const byteOffset = o["byte_offset"];
  if (typeof byteOffset !== "number" || !Number.isSafeInteger(byteOffset) || byteOffset < 0) {
    throw badField(source, i, "byte_offset", byteOffset, "an integer ≥ 0", sectionId);
  }
  const length = o["length"];
  if (typeof length !== "number" || !Number.isSafeInteger(length) || length <= 0) {
    throw badField(source, i, "length", length, "an integer > 0", sectionId);
  }
  const addedAtText = o["added_at"];
  const addedAtMs = typeof addedAtText === "string" ? parseIndexDateMs(addedAtText) : undefined;
  if (addedAtMs === undefined) {
    throw badField(source, i, "added_at", addedAtText, "an ISO 8601 date-time YYYY-MM-DDTHH:MM:SS[.ffffff][Z|±HH:MM]", sectionId);
  }
  let keys = 4;
  let weight = o["weight"];
  if (weight === undefined) {
    weight = 1;
  } else {
    keys++;
    if (typeof weight !== "number" || !(weight >= 0) || weight === Infinity) {
      throw badField(source, i, "weight", weight, "a finite number ≥ 0", sectionId);
    }
  }

  const sectionType = o["section_type"];
  if (sectionType !== undefined) {
    keys++;
    if (!isSectionType(sectionType)) {
      throw badField(source, i, "section_type", sectionType, "a section type matching /^[a-z][a-z0-9_-]*$/", sectionId);
    }
  }
  const autoMined = o["auto_mined"];
  if (autoMined !== undefined) {
    keys++;
    if (typeof autoMined !== "boolean") throw badField(source, i, "auto_mined", autoMined, "true or false", sectionId);
  }
  const crc32 = o["crc32"];
  if (crc32 !== undefined) {
    keys++;
    if (typeof crc32 !== "number" || !Number.isInteger(crc32) || crc32 < 0 || crc32 > 0xffff_ffff) {
      throw badField(source, i, "crc32", crc32, "an unsigned 32-bit integer", sectionId);
    }
  }

  let count = 0;
  for (const _ in o) count++;
  if (count !== keys) {
    const unknown = Object.keys(o).find((k) => !KNOWN_KEYS.has(k)) ?? "";
    throw corrupt(
      source,
      i,
      unknown,
      "unknown key (an index entry has only section_id, byte_offset, length, added_at, weight, section_type, auto_mined, crc32)",
      sectionId,
    );
  }

  // One object shape for dlm entries, so the loop stays monomorphic.
  // `+ 0` turns a -0 (JSON allows "-0") into 0, as it is written back.
  const entry: MutableIndexEntry = { sectionId, byteOffset: byteOffset + 0, length, addedAt: new Date(addedAtMs), weight: weight as number };
  if (sectionType !== undefined) entry.sectionType = sectionType;
  if (autoMined !== undefined) entry.autoMined = autoMined;
  if (crc32 !== undefined) entry.crc32 = crc32 + 0;
  return entry;
}

/**
 * Parse the text of an `index.json` strictly.
 *
 * Accepts what the reference writes (naive ISO dates read as UTC, `weight` `1.0`) and
 * what replaykit writes (plus `section_type`, `auto_mined`, `crc32`); `weight` defaults to
 * 1 when absent. Entries come back in file order (a valid file is already sorted).
 *
 * @param text the file's text.
 * @param source the file name, used in error messages and as the error's `path`.
 * @throws {IndexArgumentError} `text` is not a string, or `source` is neither a string nor undefined.
 * @throws {IndexCorruptError} the text is not JSON, not an array, or an entry is not an
 *   object, misses a key, has an unknown key, or has a value of the wrong type or range.
 */
export function parseIndex(text: string, source?: string): IndexEntry[] {
  if (typeof text !== "string") throw new IndexArgumentError("parseIndex", "text", "the index text as a string", text);
  if (source !== undefined && typeof source !== "string") {
    throw new IndexArgumentError("parseIndex", "source", "a file name (string) or undefined", source);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw corrupt(source, undefined, undefined, `not valid JSON (${detail})`, undefined, cause);
  }
  if (!Array.isArray(data)) {
    throw corrupt(source, undefined, undefined, `expected a JSON array of entries, got ${describeValue(data)}`);
  }
  const n = data.length;
  const entries = new Array<IndexEntry>(n);
  for (let i = 0; i < n; i++) entries[i] = toEntry(data[i], i, source);
  return entries;
}

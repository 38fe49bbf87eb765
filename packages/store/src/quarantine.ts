// The quarantine: what `verify --repair` set aside. Each record names the damaged entry (id,
// offset, length, reason) and where its bytes are kept: repair copies them out of the corpus
// into `index.rkx.quarantine.bin` before the entry leaves the index, so a compaction (which
// drops every byte no entry points at) cannot take them, and no record ever points at bytes
// that became another frame's. Records are replaced atomically; the bytes file only grows,
// until the last record is dropped and it goes.
import { crc32, fsyncDir, writeFileAtomic } from "@replaykit/corpus";
import type { IndexEntry, IndexFormat } from "@replaykit/index";
import { readFileSync } from "node:fs";
import { open, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import * as v from "valibot";
import { StoreArgumentError, StoreIOError } from "./errors.js";
import { assertRegular, type StoreLayout } from "./layout.js";
import type { StoreContext } from "./context.js";
import { indexOf } from "./index-io.js";
import { verifyView, type VerifyProblem, type VerifyReport } from "./verify.js";
import type { View } from "./view.js";

/** An entry `verify({ repair: true })` moved out of the live index, and where its bytes are kept. */
export interface QuarantineRecord {
  /** The record's number in this store's quarantine (1, 2, …; never reused). */
  id: number;
  sectionId: string;
  /** Where the frame was in the corpus when it was set aside (the corpus may have been compacted since). */
  byteOffset: number;
  length: number;
  /** What verify found wrong. */
  reason: string;
  /** When it was quarantined (ISO 8601). */
  quarantinedAt: string;
  /** The entry's other fields, so it can be put back by hand. */
  addedAt: string;
  weight: number;
  /**
   * Where the damaged bytes are kept in the quarantine's bytes file, with their CRC-32.
   * Absent for records written by replaykit before it kept them (their bytes stayed in the
   * corpus and a compaction may have dropped them), and when none of the frame was inside
   * the corpus file.
   */
  kept?: { offset: number; length: number; crc32: number };
}

const Record_ = v.object({
  id: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(1))),
  sectionId: v.pipe(v.string(), v.regex(/^[0-9a-f]{16}$/)),
  byteOffset: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
  length: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
  reason: v.string(),
  quarantinedAt: v.pipe(v.string(), v.isoTimestamp()),
  addedAt: v.pipe(v.string(), v.isoTimestamp()),
  weight: v.pipe(v.number(), v.finite()),
  kept: v.optional(
    v.object({
      offset: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
      length: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
      crc32: v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(0xffff_ffff)),
    }),
  ),
});
const Records = v.array(Record_);

/** Reads one quarantine records file ([] when missing). @throws {StoreIOError} when it cannot be read, or is not a list of records (naming the first bad one). */
function readRecordsFile(path: string): QuarantineRecord[] {
  assertRegular(path);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return [];
    throw new StoreIOError(path, "read the quarantine record", error);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new StoreIOError(path, "parse the quarantine record", error);
  }
  const result = v.safeParse(Records, parsed);
  if (!result.success) {
    const issue = result.issues[0];
    throw new StoreIOError(path, "parse the quarantine record", new Error(`${v.getDotPath(issue) ?? "(top)"}: ${issue.message}`));
  }
  return result.output.map((r) => ({ ...r, id: r.id ?? 0 }));
}

/**
 * The store's quarantine, oldest first ([] when there is none): the records under the
 * current name, after any an earlier replaykit wrote under the old name (`index.json.quarantine.json`).
 * Records without a number get one after the highest.
 * @throws {StoreIOError} when a records file cannot be read or is not a list of valid records.
 */
export function readQuarantine(layout: StoreLayout): QuarantineRecord[] {
  const records = [...readRecordsFile(layout.legacy.quarantinePath), ...readRecordsFile(layout.quarantinePath)];
  let next = Math.max(0, ...records.map((r) => r.id)) + 1;
  for (const r of records) if (r.id === 0) r.id = next++;
  return records;
}

/** Records and bytes of the quarantine, for `stats`. */
export function quarantineSummary(layout: StoreLayout): { records: number; bytes: number } {
  const records = readQuarantine(layout);
  return { records: records.length, bytes: records.reduce((n, r) => n + (r.kept?.length ?? 0), 0) };
}

async function writeRecords(layout: StoreLayout, records: readonly QuarantineRecord[]): Promise<void> {
  const path = layout.quarantinePath;
  try {
    await writeFileAtomic(path, new TextEncoder().encode(`${JSON.stringify(records, null, 2)}\n`));
  } catch (error) {
    throw new StoreIOError(path, "write the quarantine record", error);
  }
  // The old name's records now live under the new one.
  await unlink(layout.legacy.quarantinePath).catch(() => undefined);
}

/**
 * Sets damaged entries aside: appends their bytes (as far as they are inside the corpus
 * file) to the bytes file and syncs it, then adds the records.
 * Writers only, with the lock held, before the entries leave the index (a crash in
 * between leaves an entry both live and recorded, never neither).
 */
export async function addToQuarantine(
  layout: StoreLayout,
  damaged: ReadonlyArray<{ entry: IndexEntry; problem: VerifyProblem }>,
  now: Date,
): Promise<QuarantineRecord[]> {
  const records = readQuarantine(layout);
  let next = Math.max(0, ...records.map((r) => r.id)) + 1;
  const path = layout.quarantineBytesPath;
  assertRegular(path);
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, "a");
  } catch (error) {
    throw new StoreIOError(path, "open the quarantine's bytes file", error);
  }
  const added: QuarantineRecord[] = [];
  try {
    let at = (await handle.stat()).size;
    for (const { entry, problem } of damaged) {
      const bytes = await readRaw(layout.corpusPath, entry);
      const record: QuarantineRecord = {
        id: next++,
        sectionId: entry.sectionId,
        byteOffset: entry.byteOffset,
        length: entry.length,
        reason: problem.message,
        quarantinedAt: now.toISOString(),
        addedAt: entry.addedAt.toISOString(),
        weight: entry.weight,
      };
      if (bytes.length > 0) {
        await handle.write(bytes, 0, bytes.length, at);
        record.kept = { offset: at, length: bytes.length, crc32: crc32(bytes) };
        at += bytes.length;
      }
      added.push(record);
    }
    await handle.sync();
  } catch (error) {
    throw new StoreIOError(path, "write the quarantine's bytes file", error);
  } finally {
    await handle.close().catch(() => undefined);
  }
  await fsyncDir(dirname(path)).catch(() => undefined);
  await writeRecords(layout, [...records, ...added]);
  return added;
}

/**
 * The damaged bytes a record keeps, checked against their CRC-32.
 * @throws {StoreArgumentError} when no record has that number, or its bytes were not kept.
 * @throws {StoreIOError} when the bytes file cannot be read or the bytes no longer match.
 */
export async function quarantinedBytes(layout: StoreLayout, id: number): Promise<Uint8Array> {
  const record = readQuarantine(layout).find((r) => r.id === id);
  if (record === undefined) throw new StoreArgumentError("id", `names no quarantine record (${id})`);
  if (record.kept === undefined) {
    throw new StoreArgumentError("id", `names record ${id}, whose bytes were not kept (set aside by an earlier replaykit, or outside the corpus file)`);
  }
  const path = layout.quarantineBytesPath;
  assertRegular(path);
  const bytes = new Uint8Array(record.kept.length);
  try {
    const handle = await open(path, "r");
    try {
      let got = 0;
      while (got < bytes.length) {
        const { bytesRead } = await handle.read(bytes, got, bytes.length - got, record.kept.offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      if (got < bytes.length) throw new Error(`ends before byte ${record.kept.offset + bytes.length}`);
    } finally {
      await handle.close().catch(() => undefined);
    }
  } catch (error) {
    throw new StoreIOError(path, `read record ${id}'s bytes from`, error);
  }
  if (crc32(bytes) !== record.kept.crc32)
    throw new StoreIOError(path, `read record ${id}'s bytes from`, new Error("CRC-32 mismatch: the bytes file was changed"));
  return bytes;
}

/**
 * Drops quarantine records (and, once no record is left, the bytes file). Writers only,
 * with the lock held. Returns the records dropped.
 * @throws {StoreArgumentError} when a number names no record.
 */
export async function dropQuarantined(layout: StoreLayout, ids: ReadonlySet<number> | "all"): Promise<QuarantineRecord[]> {
  const records = readQuarantine(layout);
  if (ids !== "all") for (const id of ids) if (!records.some((r) => r.id === id)) throw new StoreArgumentError("ids", `name no quarantine record ${id}`);
  const dropped = records.filter((r) => ids === "all" || ids.has(r.id));
  const kept = records.filter((r) => !(ids === "all" || ids.has(r.id)));
  if (dropped.length === 0) return [];
  await writeRecords(layout, kept);
  if (kept.length === 0) {
    await unlink(layout.quarantineBytesPath).catch(() => undefined);
    await unlink(layout.quarantinePath).catch(() => undefined);
  }
  return dropped;
}

/** The bytes of `entry`'s frame as they are in the corpus file (clipped to its end): what repair sets aside. */
async function readRaw(corpusPath: string, entry: { byteOffset: number; length: number }): Promise<Uint8Array> {
  const handle = await open(corpusPath, "r").catch(() => undefined);
  if (handle === undefined) return new Uint8Array(0);
  try {
    const size = (await handle.stat()).size;
    const length = Math.max(0, Math.min(entry.length, size - entry.byteOffset));
    const bytes = new Uint8Array(length);
    let got = 0;
    while (got < length) {
      const { bytesRead } = await handle.read(bytes, got, length - got, entry.byteOffset + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return bytes.subarray(0, got);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/**
 * `verify({ repair: true })` in a writer's view: checks every entry; each damaged one's
 * bytes go into the quarantine first, then the entries leave the live index (one commit).
 * Writers only, with the lock held.
 */
export async function repairView(
  ctx: StoreContext,
  view: View,
  format: IndexFormat,
  onProgress?: (done: number, total: number) => void,
): Promise<VerifyReport> {
  const { report, damaged } = await verifyView(view, format, readQuarantine(ctx.layout), onProgress);
  if (damaged.length === 0) return report;
  await addToQuarantine(ctx.layout, damaged, new Date());
  const bad = new Set(damaged.map((d) => d.entry));
  await indexOf(ctx.paths).removeFrom(
    view.entries.filter((e) => !bad.has(e)),
    [...bad],
    format,
    "quarantined",
  );
  return { ...report, quarantined: damaged.map((d) => d.problem), quarantine: readQuarantine(ctx.layout) };
}

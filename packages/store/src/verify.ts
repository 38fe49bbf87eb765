// verify (check every frame against its entry, never throw for damage), the lost-index
// check, and repair's quarantine record.
import { CorpusCorruptError, writeFileAtomic } from "@replaykit/corpus";
import type { IndexEntry, IndexFormat } from "@replaykit/index";
import { readFile } from "node:fs/promises";
import { StoreIOError } from "./errors.js";
import { emptiedOnPurpose } from "./index-io.js";
import { hasIntactFrame } from "./recover.js";
import type { View } from "./view.js";

/** One thing `verify` found wrong. */
export interface VerifyProblem {
  sectionId?: string;
  byteOffset?: number;
  /** The frame's length, for problems with an entry. */
  length?: number;
  message: string;
}

/** What `verify` reports. */
export interface VerifyReport {
  ok: boolean;
  entries: number;
  problems: VerifyProblem[];
  /** Index format: "dlm" (reference keys only) or "replaykit". */
  format: IndexFormat;
  /** How frames were checked: CRC-32 from the index, or decoding alone (dlm stores). */
  integrity: "crc32" | "decode-only" | "mixed";
  /** Bytes of the corpus file no entry points at (reclaimable by `compact`). */
  reclaimableBytes: number;
  /**
   * True when the index holds no entries but the corpus holds intact frames: the index
   * looks lost. `recover()` rebuilds it; `compact()` would discard the frames and refuses.
   */
  indexLooksLost: boolean;
  /** With `repair: true`: the problems whose entries were moved to the quarantine record. */
  quarantined: VerifyProblem[];
}

/** The result of checking a view: the report, and the entries found damaged. */
export interface VerifyOutcome {
  report: VerifyReport;
  damaged: Array<{ entry: IndexEntry; problem: VerifyProblem }>;
}

/** Checks every entry of the view (see `ReplayStore.verify`). Never throws for damage. */
export async function verifyView(
  indexPath: string,
  view: View,
  format: IndexFormat,
  maxFrameBytes: number,
  onProgress?: (done: number, total: number) => void,
): Promise<VerifyOutcome> {
  const { entries } = view;
  const damaged: VerifyOutcome["damaged"] = [];
  const problems: VerifyProblem[] = [];
  const flag = (entry: IndexEntry, message: string) => {
    const problem = { sectionId: entry.sectionId, byteOffset: entry.byteOffset, length: entry.length, message };
    problems.push(problem);
    damaged.push({ entry, problem });
  };
  const fileBytes = await view.corpusSize();
  const inFile: IndexEntry[] = [];
  for (const e of entries) {
    if (e.byteOffset + e.length > fileBytes) flag(e, `frame (+${e.length}) reaches past the end of the corpus (${fileBytes} bytes)`);
    else inFile.push(e);
  }
  let done = 0;
  for await (const batch of view.batches(inFile)) {
    (await view.check(batch)).forEach((result, j) => {
      if (result instanceof CorpusCorruptError) flag(batch.entries[j]!, result.message);
    });
    done += batch.entries.length;
    onProgress?.(done, inFile.length);
  }
  const indexLooksLost =
    entries.length === 0 && fileBytes > 0 && !(await emptiedOnPurpose(indexPath)) && (await hasIntactFrame(view.corpusFile, maxFrameBytes));
  if (indexLooksLost) {
    problems.push({
      message:
        `the index holds no entries but the corpus (${fileBytes} bytes) holds intact frames: the index looks lost. ` +
        "Rebuild it from the corpus with recover() (replaykit recover <dir>); do not compact, which would discard them",
    });
  }
  const withCrc = entries.filter((e) => e.crc32 !== undefined).length;
  return {
    report: {
      ok: problems.length === 0,
      entries: entries.length,
      problems,
      format,
      integrity: withCrc === entries.length ? "crc32" : withCrc === 0 ? "decode-only" : "mixed",
      reclaimableBytes: unreferencedBytes(entries, fileBytes),
      indexLooksLost,
      quarantined: [],
    },
    damaged,
  };
}

/** Bytes of the corpus file that no entry points at (entries may share or overlap frames). */
export function unreferencedBytes(entries: readonly IndexEntry[], fileBytes: number): number {
  const ranges = entries
    .map((e) => [e.byteOffset, Math.min(e.byteOffset + e.length, fileBytes)] as const)
    .filter(([from, to]) => to > from)
    .sort((a, b) => a[0] - b[0]);
  let covered = 0;
  let end = 0;
  for (const [from, to] of ranges) {
    if (to <= end) continue;
    covered += to - Math.max(from, end);
    end = to;
  }
  return fileBytes - covered;
}

// ---------------------------------------------------------------- quarantine

/** An entry `verify({ repair: true })` moved out of the live index: its frame stays in the corpus. */
export interface QuarantineRecord {
  sectionId: string;
  byteOffset: number;
  length: number;
  /** What verify found wrong. */
  reason: string;
  /** When it was quarantined (ISO 8601). */
  quarantinedAt: string;
  /** The entry's other fields, so it can be put back by hand. */
  addedAt: string;
  weight: number;
}

export const quarantinePath = (indexPath: string): string => `${indexPath}.quarantine.json`;

/** The quarantine record ([] when there is none). @throws {StoreIOError} when it cannot be read or parsed. */
export async function readQuarantine(indexPath: string): Promise<QuarantineRecord[]> {
  const path = quarantinePath(indexPath);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return [];
    throw new StoreIOError(path, "read the quarantine record", error);
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (Array.isArray(parsed)) return parsed as QuarantineRecord[];
  } catch {
    // fall through
  }
  throw new StoreIOError(path, "parse the quarantine record", new Error(`unexpected content ${JSON.stringify(text.slice(0, 80))}`));
}

/** Adds records to the quarantine (atomic replace, never through a symlink). Writers only. */
export async function addToQuarantine(indexPath: string, damaged: VerifyOutcome["damaged"], now: Date): Promise<void> {
  const records = await readQuarantine(indexPath);
  for (const { entry, problem } of damaged) {
    records.push({
      sectionId: entry.sectionId,
      byteOffset: entry.byteOffset,
      length: entry.length,
      reason: problem.message,
      quarantinedAt: now.toISOString(),
      addedAt: entry.addedAt.toISOString(),
      weight: entry.weight,
    });
  }
  const path = quarantinePath(indexPath);
  try {
    await writeFileAtomic(path, new TextEncoder().encode(`${JSON.stringify(records, null, 2)}\n`));
  } catch (error) {
    throw new StoreIOError(path, "write the quarantine record", error);
  }
}

// verify (check every frame against its entry, never throw for damage), the lost-index
// check, and repair's quarantine record.
import { CorpusCorruptError } from "@replaykit/corpus";
import type { IndexEntry, IndexFormat } from "@replaykit/index";
import type { QuarantineRecord } from "./quarantine.js";
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
  /** With `repair: true`: the problems whose entries this run moved to the quarantine. */
  quarantined: VerifyProblem[];
  /** The store's whole quarantine after this run: every record `verify --repair` ever set aside and not dropped. */
  quarantine: QuarantineRecord[];
}

/** The result of checking a view: the report, and the entries found damaged. */
export interface VerifyOutcome {
  report: VerifyReport;
  damaged: Array<{ entry: IndexEntry; problem: VerifyProblem }>;
}

/** Checks every entry of the view (see `ReplayStore.verify`). Never throws for damage. */
export async function verifyView(
  view: View,
  format: IndexFormat,
  quarantine: QuarantineRecord[],
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
  const damage = view.damage;
  if (damage !== undefined) {
    problems.push({
      byteOffset: damage.byteOffset,
      message:
        `the index has ${damage.length} damaged bytes at byte ${damage.byteOffset} with ${damage.commitsAfter} whole commit(s) after them ` +
        "(damage, not a torn tail: writes refuse until it is mended). Run recover() (replaykit recover <dir>), which brings those commits back; do not compact",
    });
  }
  const indexLooksLost = await view.looksLost();
  if (indexLooksLost) {
    problems.push({
      message:
        `the index is missing or holds no entries while the corpus (${fileBytes} bytes) holds sections: the index looks lost. ` +
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
      quarantine,
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

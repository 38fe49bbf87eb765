/**
 * Ingest (DESIGN §4 "Ingest (v2)"): what `appendMany` writes and what `remove` takes out —
 * pure functions over index entries and snapshots, testable without files — and the
 * pipeline that runs them against a store (`ingestSnapshots`).
 */
import { describeValue } from "@replaykit/errors";
import { appendFrames, crc32, encodeFrames, type SectionSnapshot } from "@replaykit/corpus";
import { entryFor, isSectionId, type IndexEntry, type IndexFormat } from "@replaykit/index";
import { replayRowId, type RowExpander } from "@replaykit/parsers";
import { expanderOf, type StoreContext } from "./context.js";
import { crashPoint } from "./crash.js";
import { StoreArgumentError, StoreIndexLostError, StoreNotFoundError, UnknownSectionTypeError } from "./errors.js";
import { indexOf } from "./index-io.js";
import type { View } from "./view.js";

/**
 * What `appendMany` does with a snapshot equal to a live entry (same section id and
 * last-seen time): `"skip"` does not write it again; `"supersede"` also drops the older
 * entries of the same section; `"keep"` writes every snapshot (dlm's behaviour).
 */
export type DuplicatePolicy = "skip" | "supersede" | "keep";

/** Options of `appendMany` / `ingest`. */
export interface AppendOptions {
  /** Default true: each body must expand with its type's expander, else the parser's error and nothing is written. */
  validate?: boolean;
  /** Default `"skip"` on replaykit stores, `"keep"` on dlm stores (dlm's behaviour). */
  onDuplicate?: DuplicatePolicy;
  /** Called as the snapshots to write are compressed (the long part of a large append): how many are done, of how many. */
  onProgress?: (done: number, total: number) => void;
}

/** What `ingest` did, snapshot by snapshot. */
export interface IngestResult {
  /** One live entry per snapshot, in input order: the new one, or the existing one when skipped. */
  entries: IndexEntry[];
  /** The entries written by this call. */
  added: IndexEntry[];
  /** Indices (into the input) of the snapshots not written: equal to a live entry, or older than it under "supersede". */
  skipped: number[];
  /** Entries that left the index because a newer snapshot of their section superseded them. */
  superseded: IndexEntry[];
}

/** One snapshot whose body its type's expander rejects. */
export interface BodyProblem {
  /** Position of the snapshot in the input. */
  index: number;
  sectionId: string;
  sectionType: string;
  /** The expander's error (a `SectionParseError` for the built-in grammars: `sectionLine`, `reason`) or `UnknownSectionTypeError`. */
  error: Error;
}

/**
 * Every snapshot whose body cannot become training rows: its type has no expander, or the
 * expander throws (the built-in instruction and preference grammars name the body line).
 * Runs each expander once per snapshot; writes nothing.
 *
 * @example
 * const problems = bodyProblems(snapshots, defaultExpanders);
 * for (const p of problems) console.error(p.index, p.error.message);
 */
export function bodyProblems(snapshots: readonly SectionSnapshot[], expanders: Readonly<Record<string, RowExpander | undefined>>): BodyProblem[] {
  const problems: BodyProblem[] = [];
  snapshots.forEach((s, index) => {
    const expander = expanderOf({ expanders }, s.sectionType);
    let error: Error | undefined;
    if (expander === undefined) error = new UnknownSectionTypeError(s.sectionType, s.sectionId);
    else {
      try {
        const source = { sectionId: s.sectionId, sectionType: s.sectionType, content: s.content, lastSeenAt: s.lastSeenAt, autoMined: s.autoMined };
        expander(source, replayRowId(s.sectionId, s.lastSeenAt));
      } catch (thrown) {
        error = thrown instanceof Error ? thrown : new Error(String(thrown));
      }
    }
    if (error !== undefined) problems.push({ index, sectionId: s.sectionId, sectionType: s.sectionType, error });
  });
  return problems;
}

/**
 * Throws the first body problem's own error (the parser's, with section id and line).
 * @throws {SectionParseError | UnknownSectionTypeError | Error} whatever the expander threw.
 */
export function assertBodies(snapshots: readonly SectionSnapshot[], expanders: Readonly<Record<string, RowExpander | undefined>>): void {
  const [first] = bodyProblems(snapshots, expanders);
  if (first !== undefined) throw first.error;
}

/** Which snapshots to write, and what each snapshot's live entry will be. */
export interface AppendPlan {
  /** Indices of the snapshots to write, in input order. */
  write: number[];
  /** Per snapshot: an existing entry, or the index (into `write`'s output) of a new one. */
  target: Array<{ live: IndexEntry } | { added: number }>;
  skipped: number[];
  superseded: Set<IndexEntry>;
}

/**
 * Decides, against the live entries, which snapshots `appendMany` writes under `policy`.
 * Equal means same section id and `lastSeenAt` = the entry's `addedAt` (an entry's addedAt
 * is its snapshot's lastSeenAt); equal snapshots within one call count as duplicates too.
 */
export function planAppend(live: readonly IndexEntry[], snapshots: readonly SectionSnapshot[], policy: DuplicatePolicy): AppendPlan {
  const plan: AppendPlan = { write: [], target: [], skipped: [], superseded: new Set() };
  if (policy === "keep") {
    for (let i = 0; i < snapshots.length; i++) plan.target.push({ added: plan.write.push(i) - 1 });
    return plan;
  }
  const keyOf = (id: string, t: Date) => `${id}@${t.getTime()}`;
  // A malformed snapshot matches nothing: it is planned as a write, where encoding rejects it with a typed error.
  const keyable = (s: SectionSnapshot) => typeof s.sectionId === "string" && s.lastSeenAt instanceof Date;
  const seen = new Map<string, { live: IndexEntry } | { added: number }>();
  for (const e of live) if (!seen.has(keyOf(e.sectionId, e.addedAt))) seen.set(keyOf(e.sectionId, e.addedAt), { live: e });
  // Under "supersede" only the newest time of each section survives, live or incoming.
  const newest = new Map<string, number>();
  if (policy === "supersede") {
    const note = (id: string, t: number) => newest.set(id, Math.max(newest.get(id) ?? -Infinity, t));
    for (const e of live) note(e.sectionId, e.addedAt.getTime());
    for (const s of snapshots) if (keyable(s)) note(s.sectionId, s.lastSeenAt.getTime());
  }
  const stale: number[] = [];
  snapshots.forEach((s, i) => {
    if (!keyable(s)) {
      plan.target.push({ added: plan.write.push(i) - 1 });
      return;
    }
    const key = keyOf(s.sectionId, s.lastSeenAt);
    const existing = seen.get(key);
    if (existing !== undefined) {
      plan.skipped.push(i);
      plan.target.push(existing);
    } else if (policy === "supersede" && s.lastSeenAt.getTime() < newest.get(s.sectionId)!) {
      // Older than what the store (or this call) holds for the section: superseded at once.
      plan.skipped.push(i);
      plan.target.push({ added: -1 });
      stale.push(i);
    } else {
      const target = { added: plan.write.push(i) - 1 };
      seen.set(key, target);
      plan.target.push(target);
    }
  });
  if (policy === "supersede") {
    for (const i of stale) {
      const s = snapshots[i]!;
      plan.target[i] = seen.get(keyOf(s.sectionId, new Date(newest.get(s.sectionId)!)))!;
    }
    for (const e of live) if (e.addedAt.getTime() < newest.get(e.sectionId)!) plan.superseded.add(e);
  }
  return plan;
}

/**
 * The new index and the result, once the planned snapshots are written as `added` (in
 * `plan.write` order).
 */
export function applyAppend(live: readonly IndexEntry[], plan: AppendPlan, added: readonly IndexEntry[]): { index: IndexEntry[]; result: IngestResult } {
  const kept = plan.superseded.size === 0 ? live : live.filter((e) => !plan.superseded.has(e));
  const entries = plan.target.map((t) => ("live" in t ? t.live : added[t.added]!));
  return {
    index: [...kept, ...added],
    result: { entries, added: [...added], skipped: plan.skipped, superseded: [...plan.superseded] },
  };
}

/**
 * The section ids of a `remove` call, checked.
 * @throws {StoreArgumentError} when `ids` is not an iterable of section ids (16 lowercase hex).
 */
export function removeIdsOf(ids: unknown): Set<string> {
  if (typeof ids === "string" || ids === null || typeof (ids as { [Symbol.iterator]?: unknown })?.[Symbol.iterator] !== "function") {
    throw new StoreArgumentError("ids", "must be an iterable of section ids (16 lowercase hex characters)");
  }
  const out = new Set<string>();
  let i = 0;
  for (const id of ids as Iterable<unknown>) {
    if (!isSectionId(id)) throw new StoreArgumentError(`ids[${i}]`, `must be a section id (16 lowercase hex characters), got ${describeValue(id)}`);
    out.add(id);
    i++;
  }
  return out;
}

/** Splits the live entries into those `remove` keeps and those it takes out (every entry of each id). */
export function planRemove(live: readonly IndexEntry[], ids: ReadonlySet<string>): { kept: IndexEntry[]; removed: IndexEntry[] } {
  const kept: IndexEntry[] = [];
  const removed: IndexEntry[] = [];
  for (const e of live) (ids.has(e.sectionId) ? removed : kept).push(e);
  return { kept, removed };
}

// ---------------------------------------------------------------- the pipeline

/** Appends of more snapshots than this plan once before taking the lock, to compress only what the index lacks outside it. */
const PLAN_BEFORE_LOCK_ABOVE = 16;

/** How the ingest pipeline reaches the store: a consistent read, and a write under the lock. */
export interface StoreAccess {
  read<T>(fn: (view: View) => Promise<T>): Promise<T>;
  write<T>(fn: () => Promise<T>): Promise<T>;
}

/**
 * `ReplayStore.ingest`: validates, compresses outside the lock only what the index does
 * not hold already (so re-ingesting a file compresses nothing), then under the lock plans
 * against the live entries of the snapshots' ids, writes the frames (fsynced) and commits
 * the index once. Options are checked by the caller.
 */
export async function ingestSnapshots(
  ctx: StoreContext,
  access: StoreAccess,
  snapshots: readonly SectionSnapshot[],
  options: { validate: boolean; onDuplicate: DuplicatePolicy | undefined; onProgress: ((done: number, total: number) => void) | undefined },
): Promise<IngestResult> {
  const { validate, onDuplicate, onProgress } = options;
  if (snapshots.length === 0) return { entries: [], added: [], skipped: [], superseded: [] };
  const policyOf = (format: IndexFormat): DuplicatePolicy => onDuplicate ?? (format === "dlm" ? "keep" : "skip");
  // Only the live entries of the snapshots' section ids matter to the plan: found in the
  // index's columns without making an object per entry.
  const ids = new Set(snapshots.map((s) => s.sectionId));
  const index = indexOf(ctx.paths);
  // A small append compresses all of its snapshots up front instead: reading the index
  // twice (here and under the lock) would cost more than compressing a few frames. The plan
  // made under the lock decides; what it needs beyond this guess is compressed there.
  const guess =
    snapshots.length <= PLAN_BEFORE_LOCK_ABOVE
      ? snapshots.map((_, i) => i)
      : await access
          .read(async (view) => {
            const format = view.columns !== undefined ? "replaykit" : await index.format(view.entries);
            return planAppend(view.entriesOf(ids), snapshots, policyOf(format)).write;
          })
          .catch((error: unknown) => {
            if (StoreNotFoundError.isInstance(error) || StoreIndexLostError.isInstance(error)) return snapshots.map((_, i) => i);
            throw error;
          });
  const frames = new Map<number, Uint8Array>();
  const encode = async (indices: number[]) => {
    // In slices, so a large append can report progress.
    const SLICE = 4096;
    for (let at = 0; at < indices.length; at += SLICE) {
      const slice = indices.slice(at, at + SLICE);
      (await encodeFrames(slice.map((i) => snapshots[i]!))).forEach((f, j) => {
        frames.set(slice[j]!, f);
      });
      onProgress?.(frames.size, Math.max(frames.size, guess.length));
    }
  };
  // encodeFrames validates every snapshot it is given before any write; a snapshot never
  // compressed is one equal to a live entry, which is not written.
  await encode(guess);
  if (validate) assertBodies(snapshots, ctx.expanders);
  return access.write(async () => {
    // The index exists before the first frame: a crash in a first append leaves dead bytes, not a lost index.
    await index.ensureIndex();
    // A journal gives the live entries of these ids only (all of index.json's otherwise).
    const { entries, all } = await index.loadOf(ids);
    const format = await index.format(entries);
    const plan = planAppend(entries, snapshots, policyOf(format));
    await encode(plan.write.filter((i) => !frames.has(i)));
    if (plan.write.length === 0 && plan.superseded.size === 0) return applyAppend(entries, plan, []).result;
    const pointers =
      plan.write.length === 0
        ? []
        : await appendFrames(
            ctx.layout.corpusPath,
            plan.write.map((i) => frames.get(i)!),
          );
    crashPoint("append:frames-written");
    const added = plan.write.map((i, j): IndexEntry => {
      const s = snapshots[i]!;
      const p = pointers[j]!;
      return entryFor(format, {
        sectionId: s.sectionId,
        byteOffset: p.byteOffset,
        length: p.length,
        addedAt: s.lastSeenAt,
        sectionType: s.sectionType,
        autoMined: s.autoMined,
        crc32: crc32(frames.get(i)!),
      });
    });
    const { index: next, result } = applyAppend(entries, plan, added);
    // A plain append commits only what it adds; a supersede rewrites the index.
    if (plan.superseded.size === 0) await index.append(entries, added, format);
    else if (!all) await index.supersede([...plan.superseded], added);
    else await index.replace(next, format, "superseded");
    return result;
  });
}

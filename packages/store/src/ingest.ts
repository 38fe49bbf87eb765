/**
 * Ingest semantics (DESIGN §4 "Ingest (v2)"): what `appendMany` writes and what `remove`
 * takes out. Pure functions over index entries and snapshots; the facade (`store.ts`) calls
 * them under its lock and does the writing, so the rules live in one place and are testable
 * without files.
 */
import { describeValue } from "@replaykit/errors";
import type { SectionSnapshot } from "@replaykit/corpus";
import { isSectionId, type IndexEntry } from "@replaykit/index";
import { replayRowId, type RowExpander } from "@replaykit/parsers";
import { StoreArgumentError, UnknownSectionTypeError } from "./errors.js";

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

const POLICIES: readonly DuplicatePolicy[] = ["skip", "supersede", "keep"];

/**
 * Checks the options of `appendMany`.
 * @throws {StoreArgumentError} naming the bad option.
 */
export function appendOptionsOf(options: unknown): { validate: boolean; onDuplicate: DuplicatePolicy | undefined; onProgress: AppendOptions["onProgress"] } {
  if (options === undefined) return { validate: true, onDuplicate: undefined, onProgress: undefined };
  if (typeof options !== "object" || options === null || Array.isArray(options)) throw new StoreArgumentError("options", "must be an object");
  const { validate = true, onDuplicate, onProgress } = options as AppendOptions;
  if (onProgress !== undefined && typeof onProgress !== "function") throw new StoreArgumentError("options.onProgress", "must be a function");
  if (typeof validate !== "boolean") throw new StoreArgumentError("options.validate", "must be a boolean");
  if (onDuplicate !== undefined && !POLICIES.includes(onDuplicate)) {
    throw new StoreArgumentError(
      "options.onDuplicate",
      `must be one of ${POLICIES.map((p) => JSON.stringify(p)).join(", ")}, got ${describeValue(onDuplicate)}`,
    );
  }
  return { validate, onDuplicate, onProgress };
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
    const expander = Object.hasOwn(expanders, s.sectionType) ? expanders[s.sectionType] : undefined;
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

/**
 * Checks the options of `remove`.
 * @throws {StoreArgumentError} naming the bad option.
 */
export function removeOptionsOf(options: unknown): { purge: boolean } {
  if (options === undefined) return { purge: false };
  if (typeof options !== "object" || options === null || Array.isArray(options)) throw new StoreArgumentError("options", "must be an object");
  const { purge = false } = options as { purge?: unknown };
  if (typeof purge !== "boolean") throw new StoreArgumentError("options.purge", "must be a boolean");
  return { purge };
}

/** Splits the live entries into those `remove` keeps and those it takes out (every entry of each id). */
export function planRemove(live: readonly IndexEntry[], ids: ReadonlySet<string>): { kept: IndexEntry[]; removed: IndexEntry[] } {
  const kept: IndexEntry[] = [];
  const removed: IndexEntry[] = [];
  for (const e of live) (ids.has(e.sectionId) ? removed : kept).push(e);
  return { kept, removed };
}

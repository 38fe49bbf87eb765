/**
 * Draw receipts: what a draw records so a training run can show and repeat its replay mix.
 *
 * @module
 */

import { createHash } from "node:crypto";
import type { IndexEntry, IndexView } from "@replaykit/index";
import { isReplaykitError, StoreError } from "./errors.js";

/** One section a draw picked, found again by `redraw` through (sectionId, addedAt). */
export interface DrawPick {
  sectionId: string;
  /** The entry's `addedAt`, ISO 8601 (UTC, milliseconds). */
  addedAt: string;
  /** The entry's index weight when it was drawn. */
  weight: number;
  sectionType: string;
}

/**
 * The record of one draw: enough to show what a training run replayed and, with
 * `ReplayStore.redraw`, to get the same rows byte for byte while the picks are in the store.
 * Plain JSON: write it next to the run's outputs.
 */
export interface DrawReceipt {
  version: 1;
  /** The seed the draw used (drawn from `random` or generated when the caller gave none). */
  seed: number;
  /** `options.now`, ISO 8601. */
  now: string;
  /** "recency", "uniform", or "custom" for a caller's function (redraw re-reads the picks, it never re-runs a scheme). */
  scheme: string;
  /** The budget and filters, as JSON: k / rows / maxTokens, mix, includeAutoMined, countTokens ("bytes/4" or "custom"). */
  options: Record<string, unknown>;
  /** The store's live entries when drawn: their count and a SHA-256 over (id, offset, length, addedAt, weight) in index order. */
  store: { digest: string; entries: number };
  /** Every picked section, in the order its rows were emitted. */
  picks: DrawPick[];
  /** Per section type of a mix: how much of its quota (sections, rows or tokens) it could not fill. Absent when none fell short. */
  shortfall?: Record<string, number>;
}

/**
 * A receipt cannot be redrawn: it is malformed (`reason` "invalid"), or some of its picks
 * are no longer in the store (`reason` "missing", listed in `missing`: evicted or removed
 * since the draw).
 */
export class DrawReceiptError extends StoreError {
  readonly code = "DRAW_RECEIPT" as const;
  override readonly name = "DrawReceiptError";
  readonly reason: "invalid" | "missing";
  /** The picks that are gone (reason "missing"); empty otherwise. */
  readonly missing: ReadonlyArray<{ sectionId: string; addedAt: string }>;

  constructor(message: string, options: { reason: "invalid" | "missing"; missing?: ReadonlyArray<{ sectionId: string; addedAt: string }>; cause?: unknown }) {
    super(`store: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.reason = options.reason;
    this.missing = options.missing ?? [];
  }

  /** True for a `DrawReceiptError` from any copy of this package. */
  static isInstance(e: unknown): e is DrawReceiptError {
    return isReplaykitError(e) && e.code === "DRAW_RECEIPT";
  }
}

/**
 * SHA-256 (hex, "sha256:" prefix) over the entries' (sectionId, byteOffset, length,
 * addedAt ms, weight), one tab-separated line each, in index order. Any append, eviction,
 * removal, re-weighting or compaction changes it.
 */
export function storeDigest(entries: readonly IndexEntry[]): string {
  return digestOf(entries.length, (i) => {
    const e = entries[i]!;
    return digestLine(e.sectionId, e.byteOffset, e.length, e.addedAt.getTime(), e.weight);
  });
}

/**
 * {@link storeDigest} of the same entries held as a v2 index's columns (the same lines:
 * addedAt is the index's seconds rounded back to the millisecond, as `entry()` gives it).
 */
export function storeDigestOfColumns(columns: IndexView): string {
  return digestOf(columns.size, (i) =>
    digestLine(columns.sectionId(i), columns.byteOffset[i]!, columns.frameLength[i]!, Math.round(columns.addedAt[i]! * 1000), columns.weight[i]!),
  );
}

function digestLine(sectionId: string, byteOffset: number, length: number, addedAtMs: number, weight: number): string {
  return `${sectionId}\t${byteOffset}\t${length}\t${addedAtMs}\t${weight}\n`;
}

function digestOf(count: number, line: (i: number) => string): string {
  const hash = createHash("sha256");
  const BATCH = 4096; // one update per batch of lines: far fewer calls into the hash
  for (let i = 0; i < count; i += BATCH) {
    let text = "";
    const end = Math.min(count, i + BATCH);
    for (let j = i; j < end; j++) text += line(j);
    hash.update(text);
  }
  return `sha256:${hash.digest("hex")}`;
}

/** The key `redraw` finds a pick by: offsets change with compaction, (id, addedAt) does not. */
export function pickKey(sectionId: string, addedAtMs: number): string {
  return `${sectionId}@${addedAtMs}`;
}

/**
 * Checks that `value` is a receipt `redraw` can use (a parsed JSON object is fine) and
 * returns its picks with their times in ms.
 * @throws {DrawReceiptError} reason "invalid", naming the bad field.
 */
export function receiptPicks(value: unknown): Array<DrawPick & { addedAtMs: number }> {
  const bad = (field: string, why: string) => new DrawReceiptError(`receipt ${field} ${why}`, { reason: "invalid" });
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw bad("", "must be an object (a DrawReceipt)");
  const r = value as Partial<DrawReceipt>;
  if (r.version !== 1) throw bad("version", `must be 1, got ${JSON.stringify(r.version) ?? "undefined"}`);
  if (!Array.isArray(r.picks)) throw bad("picks", "must be an array");
  return r.picks.map((p: unknown, i) => {
    const pick = p as Partial<DrawPick> | null;
    if (typeof pick !== "object" || pick === null) throw bad(`picks[${i}]`, "must be an object");
    if (typeof pick.sectionId !== "string") throw bad(`picks[${i}].sectionId`, "must be a string");
    const addedAtMs = typeof pick.addedAt === "string" ? Date.parse(pick.addedAt) : Number.NaN;
    if (!Number.isFinite(addedAtMs)) throw bad(`picks[${i}].addedAt`, "must be an ISO 8601 date");
    return { sectionId: pick.sectionId, addedAt: pick.addedAt!, weight: Number(pick.weight), sectionType: String(pick.sectionType), addedAtMs };
  });
}

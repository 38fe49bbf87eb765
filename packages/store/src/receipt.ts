/**
 * Draw receipts: what a draw records so a training run can show and repeat its replay mix.
 *
 * @module
 */

import { describeValue, instanceCheck } from "@replaykit/errors";
import { createHash } from "node:crypto";
import type { IndexEntry, IndexView } from "@replaykit/index";
import { StoreError } from "./errors.js";

/** One section a draw picked, found again by `redraw` through (sectionId, addedAt). */
export interface DrawPick {
  sectionId: string;
  /** The entry's `addedAt`, ISO 8601 (UTC, milliseconds). */
  addedAt: string;
  /** The entry's index weight when it was drawn. */
  weight: number;
  sectionType: string;
  /**
   * What the section held when drawn: SHA-256 (hex, first 32 digits) of its type, a NUL and
   * its content (see `contentDigest`). `redraw` refuses a pick whose section now holds
   * something else (a purge and a re-add with the same id and time). Absent in receipts
   * written before it existed (those picks are matched by id and time alone).
   */
  content?: string;
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
  /** The store's live entries when drawn: their count and a SHA-256 over (id, offset, length, addedAt, weight) in index order (see `storeDigest`). */
  /** `commit`: the store's commit the draw read (a store in object storage: `redraw` reads that commit again). */
  store: { digest: string; entries: number; commit?: number };
  /** Every picked section, in the order its rows were emitted. */
  picks: DrawPick[];
  /** Per section type of a mix: how much of its quota (sections, rows or tokens) it could not fill. Absent when none fell short. */
  shortfall?: Record<string, number>;
}

/**
 * A receipt cannot be redrawn: it is malformed (`reason` "invalid", kind `"corrupt"`), some
 * of its picks are no longer in the store (`reason` "missing", kind `"not-found"`, listed in
 * `missing`: evicted or removed since the draw), or a pick's section now holds other content
 * than when it was drawn (`reason` "changed", kind `"conflict"`, listed in `missing` too).
 */
const KIND_OF_REASON = { invalid: "corrupt", missing: "not-found", changed: "conflict" } as const;

export class DrawReceiptError extends StoreError {
  static readonly code = "DRAW_RECEIPT";
  static override readonly kind = "corrupt";
  static readonly isInstance = instanceCheck<DrawReceiptError>(this);
  declare readonly code: typeof DrawReceiptError.code;
  override readonly name = "DrawReceiptError";
  readonly reason: "invalid" | "missing" | "changed";
  /** The picks that are gone (reason "missing"); empty otherwise. */
  readonly missing: ReadonlyArray<{ sectionId: string; addedAt: string }>;

  constructor(
    message: string,
    options: { reason: "invalid" | "missing" | "changed"; missing?: ReadonlyArray<{ sectionId: string; addedAt: string }>; cause?: unknown },
  ) {
    super(`store: ${message}`, { cause: options.cause, kind: KIND_OF_REASON[options.reason] });
    this.reason = options.reason;
    this.missing = options.missing ?? [];
  }
}

/**
 * SHA-256 (hex, "sha256:" prefix) over the entries' fields as six little-endian columns, one
 * after the other, each in index order: the ids' first 8 hex digits (uint32), their last 8
 * (uint32), byteOffset (float64), length (uint32), addedAt in seconds = ms / 1000 (float64,
 * as a v2 index stores it), weight (float64). Any append, eviction, removal, re-weighting or
 * compaction changes it.
 */
export function storeDigest(entries: readonly IndexEntry[]): string {
  const n = entries.length;
  const columns = [new Uint32Array(n), new Uint32Array(n), new Float64Array(n), new Uint32Array(n), new Float64Array(n), new Float64Array(n)] as const;
  const [hi, lo, offset, length, addedAt, weight] = columns;
  for (let i = 0; i < n; i++) {
    const e = entries[i]!;
    hi[i] = Number.parseInt(e.sectionId.slice(0, 8), 16);
    lo[i] = Number.parseInt(e.sectionId.slice(8), 16);
    offset[i] = e.byteOffset;
    length[i] = e.length;
    addedAt[i] = e.addedAt.getTime() / 1000;
    weight[i] = e.weight;
  }
  return digestOf(columns);
}

/**
 * {@link storeDigest} of the same entries held as a v2 index's columns: their bytes are
 * hashed as they are (a 1M-entry index digests in about 30 ms; text lines took most of a draw).
 */
export function storeDigestOfColumns(columns: IndexView): string {
  return digestOf([columns.idHi, columns.idLo, columns.byteOffset, columns.frameLength, columns.addedAt, columns.weight]);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function digestOf(columns: ReadonlyArray<Uint32Array | Float64Array>): string {
  const hash = createHash("sha256");
  for (const column of columns) {
    if (LITTLE_ENDIAN) {
      hash.update(new Uint8Array(column.buffer, column.byteOffset, column.byteLength));
      continue;
    }
    // A big-endian host writes the same little-endian bytes, element by element.
    const out = new DataView(new ArrayBuffer(column.byteLength));
    const wide = column instanceof Float64Array;
    for (let i = 0; i < column.length; i++) {
      if (wide) out.setFloat64(8 * i, column[i]!, true);
      else out.setUint32(4 * i, column[i]!, true);
    }
    hash.update(new Uint8Array(out.buffer));
  }
  return `sha256:${hash.digest("hex")}`;
}

/** The content digest a receipt pins for one picked section: SHA-256 of `type NUL content`, 32 hex digits. */
export function contentDigest(sectionType: string, content: string): string {
  return createHash("sha256").update(sectionType).update("\0").update(content).digest("hex").slice(0, 32);
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
  if (r.version !== 1) throw bad("version", `must be 1, got ${describeValue(r.version)}`);
  if (!Array.isArray(r.picks)) throw bad("picks", "must be an array");
  return r.picks.map((p: unknown, i) => {
    const pick = p as Partial<DrawPick> | null;
    if (typeof pick !== "object" || pick === null) throw bad(`picks[${i}]`, "must be an object");
    if (typeof pick.sectionId !== "string") throw bad(`picks[${i}].sectionId`, "must be a string");
    const addedAtMs = typeof pick.addedAt === "string" ? Date.parse(pick.addedAt) : Number.NaN;
    if (!Number.isFinite(addedAtMs)) throw bad(`picks[${i}].addedAt`, "must be an ISO 8601 date");
    if (pick.content !== undefined && (typeof pick.content !== "string" || !/^[0-9a-f]{32}$/.test(pick.content)))
      throw bad(`picks[${i}].content`, "must be 32 hex digits");
    const out: DrawPick & { addedAtMs: number } = {
      sectionId: pick.sectionId,
      addedAt: pick.addedAt!,
      weight: Number(pick.weight),
      sectionType: String(pick.sectionType),
      addedAtMs,
    };
    if (pick.content !== undefined) out.content = pick.content;
    return out;
  });
}

/**
 * `sampleIndices`: the same draw as `sample`, over entries held as columns (typed arrays)
 * instead of one object per entry — a store's v2 index, a database result, Arrow columns.
 *
 * @module
 */

import { describeValue } from "@replaykit/errors";
import { SamplerError } from "./errors.js";
import { BUCKETS, entryHash, entryHashHex, timeHi, timeLo, uniformOf } from "./keyed-uniform.js";
import { type Checked, checkOptions, pick, rankKeysFor, selectionHeap } from "./pick.js";
import type { Rows } from "./rows.js";
import { belowFloor, type TopK } from "./top-k.js";
import type { Sampleable, SampleOptions } from "./types.js";
import { customWeight, RECENCY, recencyFactor, UNIFORM } from "./weight.js";

/**
 * Entries as columns: entry `i` is the object `{ sectionId: sectionId(i), addedAt:
 * addedAtMs[i], weight: weight?.[i] }`. `sampleIndices` picks exactly what `sample` picks
 * for those objects (in that order). Give the times as `addedAtMs`, or as `addedAtSeconds`
 * (entry `i` is then at `Math.round(addedAtSeconds[i] × 1000)` ms): exactly one of the two.
 */
export interface ColumnSource<T extends Sampleable = Sampleable> {
  /** Number of entries. */
  readonly length: number;
  /** `addedAt` of each entry in epoch milliseconds (finite numbers). */
  readonly addedAtMs?: ArrayLike<number> | undefined;
  /**
   * Or `addedAt` of each entry in seconds since the epoch, to the millisecond (the v2
   * index's `addedAt` column as it is): entry `i` is at `Math.round(addedAtSeconds[i] × 1000)`
   * ms, worked out as the draw goes — no millisecond copy of the column.
   */
  readonly addedAtSeconds?: ArrayLike<number> | undefined;
  /** Each entry's weight (finite, ≥ 0); absent = 1 for every entry. */
  readonly weight?: ArrayLike<number> | undefined;
  /** The section id of entry `i`. Called only where a draw needs the text (rare without `hexIds`: it is the hash input then). */
  sectionId(i: number): string;
  /**
   * Optional fast form of ids that are 16 lowercase hex digits: digits 0–7 of entry `i`'s id
   * in `hi[i]`, digits 8–15 in `lo[i]` (the v2 index's `idHi` / `idLo`). The hash is then
   * computed from the nibbles, without building strings; `sectionId(i)` must still return
   * the same id (it names entries in errors and separates the rare hash collisions).
   */
  readonly hexIds?: { readonly hi: Uint32Array; readonly lo: Uint32Array } | undefined;
  /**
   * Entry `i` as an object, for a scheme function (called once per entry, only when
   * `scheme` is a function). Its `weight` is not read: the `weight` column multiplies the
   * scheme's result, as `entry.weight` does in `sample`.
   */
  entry?(i: number): T;
}

/**
 * Draws `k` of the entries of `source` exactly as {@link sample} draws from the equivalent
 * entry objects (see {@link ColumnSource}) and returns their indices, largest key first.
 * Same options, same route (one pass weighs and hashes every entry, the same duplicate
 * numbering, heap and stable order); nothing is allocated per entry beyond three typed
 * arrays (weights, hashes, the hashes in bucket order).
 *
 * @example
 * ```ts
 * const picks = sampleIndices(
 *   { length: 2, addedAtMs: [Date.parse("2026-04-17"), Date.parse("2026-01-01")], sectionId: (i) => ["a", "b"][i]! },
 *   { k: 1, now: new Date("2026-04-18"), seed: 7 },
 * ); // Uint32Array [0] or [1]
 * ```
 * @throws {SamplerError} for bad options (as `sample`); a `source` that is not an object
 *   with a non-negative integer `length`, an `addedAtMs` (and `weight`, `hexIds.hi` /
 *   `.lo` when given) covering `length` entries and a `sectionId` function, or with no
 *   `entry` function when `scheme` is a function; an `addedAtMs` value that is not finite,
 *   a weight that is not a finite number ≥ 0, a scheme function that throws or returns a bad
 *   weight, or `random()` that fails. Entry errors name the entry (index and id).
 */
export function sampleIndices<T extends Sampleable>(source: ColumnSource<T>, options: SampleOptions<T>): Uint32Array {
  checkSource(source);
  const checked = checkOptions(options);
  if (checked.mode !== RECENCY && checked.mode !== UNIFORM && typeof source.entry !== "function") {
    throw new SamplerError(`source.entry must be a function when scheme is a function, got ${describeValue(source.entry)}`);
  }
  if (checked.k === 0) return new Uint32Array(0);
  const n = source.length;
  const weights = new Float64Array(n);
  const keys = rankKeysFor(checked, n);
  const hashes = keys === undefined ? undefined : new Int32Array(n);
  const counts = new Int32Array(BUCKETS + 1);
  const rows = columnRows(source);
  // The selection's heap is fed as the entries are hashed (one pass over a million entries
  // fewer, and the first call's loops are slow until V8 optimises them); it is redone only
  // when the duplicate search rewrites a hash.
  const early = hashes === undefined ? undefined : selectionHeap(rows, checked.k);
  const positives = weighColumns(source, checked, weights, hashes, keys === undefined ? 0 : keys.of(0), counts, early);
  return Uint32Array.from(pick(rows, weights, hashes, counts, keys, positives, checked, early));
}

function checkSource(source: ColumnSource<Sampleable>): void {
  if (typeof source !== "object" || source === null) throw new SamplerError(`source must be an object of columns, got ${describeValue(source)}`);
  const n = source.length;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0)
    throw new SamplerError(`source.length must be a non-negative integer, got ${describeValue(n)}`);
  if ((source.addedAtMs === undefined) === (source.addedAtSeconds === undefined)) {
    throw new SamplerError(
      source.addedAtMs === undefined
        ? `source.addedAtMs must be an array-like of epoch milliseconds (or give source.addedAtSeconds), got ${describeValue(source.addedAtMs)}`
        : "give source.addedAtMs or source.addedAtSeconds, not both",
    );
  }
  if (source.addedAtMs !== undefined) covers("source.addedAtMs", source.addedAtMs, n);
  else covers("source.addedAtSeconds", source.addedAtSeconds, n);
  if (source.weight !== undefined) covers("source.weight", source.weight, n);
  if (typeof source.sectionId !== "function") throw new SamplerError(`source.sectionId must be a function, got ${describeValue(source.sectionId)}`);
  const hex = source.hexIds;
  if (hex !== undefined) {
    if (typeof hex !== "object" || hex === null) throw new SamplerError(`source.hexIds must be { hi, lo } (Uint32Array), got ${describeValue(hex)}`);
    for (const key of ["hi", "lo"] as const) {
      if (!(hex[key] instanceof Uint32Array)) throw new SamplerError(`source.hexIds.${key} must be a Uint32Array, got ${describeValue(hex[key])}`);
      covers(`source.hexIds.${key}`, hex[key], n);
    }
  }
}

function covers(name: string, column: unknown, n: number): void {
  const length = typeof column === "object" && column !== null ? (column as { length?: unknown }).length : undefined;
  if (typeof length !== "number" || !(length >= n)) {
    throw new SamplerError(
      `${name} must be an array-like of at least source.length (${n}) numbers, got ${describeValue(column)}${typeof length === "number" ? ` of length ${length}` : ""}`,
    );
  }
}

/** The columns as the shared steps read them. With hex ids, the stable order compares the words (the same order as the hex strings). */
function columnRows(source: ColumnSource<Sampleable>): Rows {
  const ms = source.addedAtMs;
  const seconds = source.addedAtSeconds as ArrayLike<number>;
  const at = (i: number): number => (ms !== undefined ? (ms[i] as number) : Math.round((seconds[i] as number) * 1000));
  const hex = source.hexIds;
  const id = (i: number): string => source.sectionId(i);
  if (hex !== undefined) {
    const { hi, lo } = hex;
    return {
      length: source.length,
      id,
      time: at,
      before: (a, b) => {
        const x = hi[a] as number;
        const y = hi[b] as number;
        if (x !== y) return x < y;
        const p = lo[a] as number;
        const q = lo[b] as number;
        return p < q || (p === q && a < b);
      },
    };
  }
  return {
    length: source.length,
    id,
    time: at,
    before: (a, b) => {
      const x = source.sectionId(a);
      const y = source.sectionId(b);
      return x < y || (x === y && a < b);
    },
  };
}

/**
 * `sample`'s first pass over columns: checks and weighs every entry and hashes each one with
 * weight > 0 (from the hex words when the source has them). Returns how many have weight > 0.
 */
function weighColumns(
  source: ColumnSource<Sampleable>,
  plan: Checked,
  weights: Float64Array,
  hashes: Int32Array | undefined,
  key0: number,
  counts: Int32Array,
  early: TopK | undefined,
): number {
  const n = source.length;
  const ms = source.addedAtMs;
  const seconds = source.addedAtSeconds as ArrayLike<number>;
  const extra = source.weight;
  const hi = source.hexIds?.hi;
  const lo = source.hexIds?.lo;
  const mode = plan.mode;
  const nowMs = plan.nowMs;
  let positives = 0;
  for (let i = 0; i < n; i++) {
    const raw = ms !== undefined ? (ms[i] as number) : (seconds[i] as number);
    const t = ms !== undefined ? raw : Math.round(raw * 1000);
    if (typeof raw !== "number" || t - t !== 0) {
      throw badColumn(
        source,
        i,
        ms !== undefined
          ? `addedAtMs must be finite epoch milliseconds, got ${describeValue(raw)}`
          : `addedAtSeconds must be finite seconds, got ${describeValue(raw)}`,
      );
    }
    let w = mode === RECENCY ? recencyFactor(nowMs, t) : mode === UNIFORM ? 1 : customWeight((source.entry as (i: number) => Sampleable)(i), i, plan);
    if (extra !== undefined) {
      const x = extra[i] as number;
      if (typeof x !== "number" || !(x >= 0) || x === Number.POSITIVE_INFINITY)
        throw badColumn(source, i, `weight must be a finite number >= 0, got ${describeValue(x)}`);
      const product = w * x;
      if (!(product < Number.POSITIVE_INFINITY)) throw badColumn(source, i, `the scheme weight ${w} times weight ${x} overflows to Infinity`);
      w = product;
    }
    weights[i] = w;
    if (w > 0) {
      positives++;
      if (hashes !== undefined) {
        const h =
          hi === undefined
            ? entryHash(idAt(source, i), t, key0)
            : entryHashHex(timeLo(t), timeHi(t), (hi[i] as number) | 0, ((lo as Uint32Array)[i] as number) | 0, key0);
        hashes[i] = h;
        const b = (h >>> 24) + 1;
        counts[b] = (counts[b] as number) + 1;
        const u = uniformOf(h);
        if (!belowFloor((early as TopK).floor, u, w)) (early as TopK).consider(u, w, i);
      }
    }
  }
  return positives;
}

/** `source.sectionId(i)`, checked to be a string. */
function idAt(source: ColumnSource<Sampleable>, i: number): string {
  const id: unknown = source.sectionId(i);
  if (typeof id !== "string") throw new SamplerError(`source.sectionId(${i}) must return a string, got ${describeValue(id)}`, { index: i });
  return id;
}

function badColumn(source: ColumnSource<Sampleable>, index: number, message: string): SamplerError {
  let sectionId: string | undefined;
  try {
    const id: unknown = source.sectionId(index);
    if (typeof id === "string") sectionId = id;
  } catch {
    // The id is only there to name the entry; the column's fault is the error.
  }
  return new SamplerError(message, { index, sectionId });
}

/**
 * The one route of every draw after its first pass: checking the options, numbering
 * duplicates, the heap of `k`, the full sweep and the `random` mode. `sample` (objects) and
 * `sampleIndices` (columns) differ only in the pass that checks, weighs and hashes entries.
 *
 * @internal
 * @module
 */

import { describeValue } from "@replaykit/errors";
import { drawFromSource } from "./draw-from-source.js";
import { nowMsOf } from "./entry-fields.js";
import { SamplerError } from "./errors.js";
import { numberDuplicates, RankKeys, uniformOf } from "./keyed-uniform.js";
import type { Rows } from "./rows.js";
import { belowFloor, TopK } from "./top-k.js";
import type { SchemeFn } from "./types.js";
import { CUSTOM, type Plan, RECENCY, UNIFORM } from "./weight.js";

/** The checked options of one draw. */
export interface Checked extends Plan {
  readonly k: number;
  readonly seed: number | undefined;
  readonly random: (() => number) | undefined;
}

/**
 * Checks the options every draw takes (`k`, `now`, `seed` / `random`, `scheme`).
 *
 * @throws {SamplerError} naming the option at fault.
 */
export function checkOptions(options: unknown): Checked {
  if (typeof options !== "object" || options === null) {
    throw new SamplerError(`options must be an object, got ${describeValue(options)}`);
  }
  const { k, seed, random, now } = options as Record<string, unknown>;
  if (typeof k !== "number" || !Number.isInteger(k) || k < 0) {
    throw new SamplerError(`k must be a non-negative integer, got ${describeValue(k)}`);
  }
  const nowMs = nowMsOf(now);
  if ((seed === undefined) === (random === undefined)) {
    throw new SamplerError(seed === undefined ? "give a seed or a random source, got neither" : "give a seed or a random source, not both");
  }
  if (seed !== undefined && !Number.isSafeInteger(seed)) {
    throw new SamplerError(`seed must be a safe integer, got ${describeValue(seed)}`);
  }
  if (random !== undefined && typeof random !== "function") {
    throw new SamplerError(`random must be a function returning numbers in [0, 1), got ${describeValue(random)}`);
  }
  const scheme = (options as { scheme?: unknown }).scheme ?? "recency";
  let mode: Plan["mode"];
  if (scheme === "recency") mode = RECENCY;
  else if (scheme === "uniform") mode = UNIFORM;
  else if (typeof scheme === "function") mode = CUSTOM;
  else throw new SamplerError(`scheme must be "recency", "uniform" or a function, got ${describeValue(scheme)}`);
  return {
    k,
    now: now as Date,
    nowMs,
    mode,
    fn: mode === CUSTOM ? (scheme as SchemeFn<never>) : undefined,
    seed: seed as number | undefined,
    random: random as (() => number) | undefined,
  };
}

/** The rank keys of a seeded draw over `n` entries, or undefined when nothing is hashed (`random`, or k ≥ n: every entry with weight > 0 comes back). */
export function rankKeysFor(checked: Checked, n: number): RankKeys | undefined {
  return checked.random === undefined && checked.k < n ? new RankKeys(checked.seed as number) : undefined;
}

/**
 * Picks from weighed (and, when `keys` is given, hashed) entries: indices, largest key
 * first. `positives` entries have weight > 0; `counts` are the hash buckets the first pass
 * counted (see `numberDuplicates`). `early`, when given, is a heap of `k` the first pass
 * already offered every entry with weight > 0 to, in input order, with its rank-0 hash: it
 * is the selection unless the duplicate search rewrites a hash.
 */
export function pick(
  rows: Rows,
  weights: Float64Array,
  hashes: Int32Array | undefined,
  counts: Int32Array,
  keys: RankKeys | undefined,
  positives: number,
  checked: Checked,
  early?: TopK,
): number[] {
  const { k, random } = checked;
  if (k >= positives) return stableOrder(rows, positiveIndices(weights, positives));
  if (random !== undefined) return drawFromSource(rows, weights, stableOrder(rows, positiveIndices(weights, positives)), k, random);
  const rewrote = numberDuplicates(rows, weights, hashes as Int32Array, counts, keys as RankKeys);
  return early !== undefined && !rewrote ? early.drain() : select(rows, weights, hashes as Int32Array, k);
}

/** The heap {@link select} fills, for a first pass to fill as it hashes (see `pick`'s `early`). */
export function selectionHeap(rows: Rows, k: number): TopK {
  return new TopK(k, (a, b) => rows.before(a, b));
}

/**
 * The seeded selection: every entry with weight > 0 is offered to a heap of `k` with its key
 * ln(u) / w. A pass over typed arrays; most entries are turned away without a logarithm.
 */
function select(rows: Rows, weights: Float64Array, hashes: Int32Array, k: number): number[] {
  const heap = selectionHeap(rows, k);
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i] as number;
    if (w > 0) {
      const u = uniformOf(hashes[i] as number);
      if (!belowFloor(heap.floor, u, w)) heap.consider(u, w, i);
    }
  }
  return heap.drain();
}

/** Indices of the entries with weight > 0, in input order. */
function positiveIndices(weights: Float64Array, positives: number): number[] {
  const out = new Array<number>(positives);
  let at = 0;
  for (let i = 0; i < weights.length; i++) if ((weights[i] as number) > 0) out[at++] = i;
  return out;
}

/** Sorts `indices` in place into the stable order: section id (UTF-16 code units), then input order. */
function stableOrder(rows: Rows, indices: number[]): number[] {
  return indices.sort((a, b) => (rows.before(a, b) ? -1 : 1));
}

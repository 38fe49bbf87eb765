/**
 * Entry weights and the stable order, shared by every draw path.
 *
 * @internal
 * @module
 */

import { badAddedAt, badWeight, describe, sectionIdOf, timeOf } from "./entry-fields.js";
import { SamplerError } from "./errors.js";
import { recencyFactor } from "./recency-weight.js";
import type { Sampleable, SchemeFn } from "./types.js";

export const RECENCY = 0;
export const UNIFORM = 1;
export const CUSTOM = 2;
/** Internal: every entry's weight is already worked out, in `Plan.weights` (a caller's scheme, called once per entry up front). */
export const GIVEN = 3;

/** The checked options of one `sample` call, in the form the loops use. */
export interface Plan {
  readonly k: number;
  readonly now: Date;
  readonly nowMs: number;
  readonly mode: typeof RECENCY | typeof UNIFORM | typeof CUSTOM | typeof GIVEN;
  readonly fn: SchemeFn | undefined;
  /** Under GIVEN: entry i's weight (its entry already checked). */
  readonly weights?: Float64Array;
}

/**
 * The weight of `entry` (at position `index`): scheme weight × `entry.weight`, checked.
 * 0 means never drawn. Used by the full sweep, the caller's-source path and, on the seeded
 * path, to weigh every entry up front under a caller's scheme; the seeded loops use
 * weigh-fast.ts, which carries its own copy of these checks and formulas, written for speed —
 * change both together (the tests compare them).
 */
export function weightAt(entry: Sampleable, index: number, plan: Plan): number {
  const t =
    typeof entry === "object" && entry !== null && typeof entry.sectionId === "string"
      ? timeOf(entry.addedAt)
      : Number.NaN;
  if (t - t !== 0) return rejectEntry(entry, index); // no id, or addedAt NaN / ±Infinity
  const mode = plan.mode;
  const w = mode === RECENCY ? recencyFactor(t, plan.nowMs) : mode === UNIFORM ? 1 : customWeight(entry, index, plan);
  const extra = entry.weight;
  if (extra === undefined) return w;
  if (typeof extra === "number" && extra >= 0) {
    const product = w * extra;
    if (product < Number.POSITIVE_INFINITY) return product;
  }
  return rejectWeight(entry, index, w);
}

function rejectEntry(entry: Sampleable, index: number): never {
  sectionIdOf(entry, index);
  throw badAddedAt(entry, index);
}

function rejectWeight(entry: Sampleable, index: number, schemeWeight: number): never {
  const extra = entry.weight;
  if (typeof extra !== "number" || !(extra >= 0) || extra === Number.POSITIVE_INFINITY) throw badWeight(entry, index);
  throw new SamplerError(`the scheme weight ${schemeWeight} times weight ${extra} overflows to Infinity`, {
    index,
    sectionId: entry.sectionId,
  });
}

/** The caller's scheme weight of `entry`, checked; a `SamplerError` naming the entry otherwise. */
export function customWeight(entry: Sampleable, index: number, plan: Plan): number {
  let w: unknown;
  try {
    w = (plan.fn as SchemeFn)(entry, plan.now);
  } catch (cause) {
    throw new SamplerError("the scheme function threw", { index, sectionId: entry.sectionId, cause });
  }
  if (typeof w !== "number" || !(w >= 0) || w === Number.POSITIVE_INFINITY) {
    throw new SamplerError(`the scheme returned ${describe(w)}; a weight must be a finite number >= 0`, {
      index,
      sectionId: entry.sectionId,
    });
  }
  return w;
}

/** Indices of the entries with weight > 0, in input order (every entry is checked). */
export function positiveIndices(entries: readonly Sampleable[], plan: Plan): number[] {
  const out: number[] = [];
  for (let i = 0; i < entries.length; i++) if (weightAt(entries[i] as Sampleable, i, plan) > 0) out.push(i);
  return out;
}

/** Sorts `indices` in place into the stable order: section id (UTF-16 code units), then input order. */
export function stableOrder(entries: readonly Sampleable[], indices: number[]): number[] {
  return indices.sort((a, b) => {
    const x = (entries[a] as Sampleable).sectionId;
    const y = (entries[b] as Sampleable).sectionId;
    return x < y ? -1 : x > y ? 1 : a - b;
  });
}

/** Whether entry `a` goes before entry `b` in the stable order. */
export function isBefore(entries: readonly Sampleable[], a: number, b: number): boolean {
  const x = (entries[a] as Sampleable).sectionId;
  const y = (entries[b] as Sampleable).sectionId;
  return x < y || (x === y && a < b);
}

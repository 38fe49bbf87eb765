/**
 * Reading and checking the fields of a caller's entry.
 *
 * @internal
 * @module
 */

import { describeValue } from "@replaykit/errors";
import { SamplerError } from "./errors.js";
import type { Sampleable } from "./types.js";

const dateTag = "[object Date]";

/** Epoch milliseconds of `addedAt` (a `Date` from any realm, or a number); NaN when it is neither. */
export function timeOf(addedAt: unknown): number {
  return typeof addedAt === "number" ? addedAt : addedAt instanceof Date ? addedAt.getTime() : otherTimeOf(addedAt);
}

/** A Date from another realm (an iframe, a vm context) fails `instanceof`; anything else is NaN. */
function otherTimeOf(addedAt: unknown): number {
  if (typeof addedAt === "object" && addedAt !== null && Object.prototype.toString.call(addedAt) === dateTag) {
    return Date.prototype.getTime.call(addedAt) as number;
  }
  return Number.NaN;
}

/** Epoch milliseconds of `now`, which must be a valid `Date`; a `SamplerError` otherwise. */
export function nowMsOf(now: unknown): number {
  const ms = typeof now === "object" ? timeOf(now) : Number.NaN;
  if (!Number.isFinite(ms)) throw new SamplerError(`now must be a valid Date, got ${describeValue(now)}`);
  return ms;
}

/**
 * Epoch milliseconds of `entry.addedAt`, checked along with the entry and its `sectionId`;
 * a `SamplerError` naming position `index` otherwise. Small, so V8 inlines it into loops.
 */
export function checkedTime(entry: Sampleable, index: number | undefined): number {
  if (typeof entry !== "object" || entry === null || typeof entry.sectionId !== "string") throw badEntry(entry, index);
  const t = timeOf(entry.addedAt);
  if (t - t !== 0) throw badAddedAt(entry, index); // NaN or ±Infinity
  return t;
}

function badEntry(entry: unknown, index: number | undefined): SamplerError {
  if (typeof entry !== "object" || entry === null) {
    return new SamplerError(`expected an object with sectionId and addedAt, got ${describeValue(entry)}`, { index });
  }
  return new SamplerError(`sectionId must be a string, got ${describeValue((entry as { sectionId?: unknown }).sectionId)}`, {
    index,
  });
}

function badAddedAt(entry: Sampleable, index: number | undefined): SamplerError {
  return new SamplerError(`addedAt must be a valid Date or finite epoch milliseconds, got ${describeValue(entry.addedAt)}`, {
    index,
    sectionId: entry.sectionId,
  });
}

/** Thrown for a `weight` that is present but not a finite number ≥ 0. */
export function badWeight(entry: Sampleable, index: number | undefined): SamplerError {
  return new SamplerError(`weight must be a finite number >= 0 (or absent), got ${describeValue(entry.weight)}`, {
    index,
    sectionId: entry.sectionId,
  });
}

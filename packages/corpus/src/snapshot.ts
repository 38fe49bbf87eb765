import { createHash } from "node:crypto";
import { describe, SnapshotInvalidError } from "./errors.js";

/** A section type: `prose`, `instruction`, `preference` are built in; any `/^[a-z][a-z0-9_-]*$/` is allowed. */
export type SectionType = string;

/** One document section as the model saw it: what is stored in one corpus frame. */
export interface SectionSnapshot {
  /** 16 lowercase hex characters. */
  readonly sectionId: string;
  readonly sectionType: SectionType;
  readonly content: string;
  readonly autoMined: boolean;
  /** UTC, whole seconds for snapshots made by `createSnapshot`. */
  readonly firstSeenAt: Date;
  /** UTC, whole seconds for snapshots made by `createSnapshot`. */
  readonly lastSeenAt: Date;
  readonly trainingRunsSeen: readonly number[];
}

/** Where a frame lives in a corpus file. */
export interface FramePointer {
  byteOffset: number;
  length: number;
}

/** What `createSnapshot` takes: only `sectionType` and `content` are required. */
export interface SnapshotInit {
  sectionType: SectionType;
  content: string;
  sectionId?: string;
  autoMined?: boolean;
  firstSeenAt?: Date;
  lastSeenAt?: Date;
  trainingRunsSeen?: number[];
}

export const SECTION_ID = /^[0-9a-f]{16}$/;
export const SECTION_TYPE = /^[a-z][a-z0-9_-]*$/;
// Dates the reference (Python datetime) can represent: years 1..9999 (Date.UTC maps 1 to 1901, hence setUTCFullYear).
const YEAR_1 = (() => {
  const d = new Date(0);
  d.setUTCFullYear(1, 0, 1);
  return d.getTime();
})();
const YEAR_10000 = Date.UTC(10000, 0, 1);

/**
 * The content-derived section id: the first 16 hex characters of
 * `sha256(sectionType + "\n" + content)`.
 *
 * @example sectionIdOf("prose", "Hello") // a stable 16-hex id
 */
export function sectionIdOf(sectionType: string, content: string): string {
  return createHash("sha256").update(`${sectionType}\n${content}`, "utf8").digest("hex").slice(0, 16);
}

/** Why a date cannot be stored, or undefined when it can. */
export function dateProblem(value: unknown, wholeSeconds: boolean): string | undefined {
  if (!(value instanceof Date)) return `must be a Date, got ${describe(value)}`;
  const ms = value.getTime();
  if (Number.isNaN(ms)) return "is an invalid Date";
  if (ms < YEAR_1 || ms >= YEAR_10000) return `is out of range (years 1 to 9999): ${ms}`;
  if (wholeSeconds && ms % 1000 !== 0) return `must be whole seconds, got ${value.toISOString()}`;
  return undefined;
}

/**
 * Checks every field of a snapshot-shaped value; throws `SnapshotInvalidError` naming the
 * first bad field. `wholeSeconds` is required of new snapshots; frames read back from a
 * reference store may carry fractional seconds, and re-encoding them is allowed.
 */
export function assertSnapshotFields(s: Record<string, unknown>, wholeSeconds: boolean): void {
  if (typeof s.sectionId !== "string" || !SECTION_ID.test(s.sectionId)) {
    throw new SnapshotInvalidError("sectionId", `must be 16 lowercase hex characters, got ${describe(s.sectionId)}`);
  }
  checkTypeAndContent(s);
  if (typeof s.autoMined !== "boolean") {
    throw new SnapshotInvalidError("autoMined", `must be a boolean, got ${describe(s.autoMined)}`);
  }
  for (const field of ["firstSeenAt", "lastSeenAt"] as const) {
    const problem = dateProblem(s[field], wholeSeconds);
    if (problem !== undefined) throw new SnapshotInvalidError(field, problem);
  }
  checkRuns(s.trainingRunsSeen);
}

function checkTypeAndContent(s: Record<string, unknown>): void {
  if (typeof s.sectionType !== "string" || !SECTION_TYPE.test(s.sectionType)) {
    throw new SnapshotInvalidError("sectionType", `must match /^[a-z][a-z0-9_-]*$/, got ${describe(s.sectionType)}`);
  }
  if (typeof s.content !== "string") {
    throw new SnapshotInvalidError("content", `must be a string, got ${describe(s.content)}`);
  }
  if (!isWellFormed(s.content)) {
    // A lone surrogate cannot be written as UTF-8; storing U+FFFD instead would change the text.
    throw new SnapshotInvalidError("content", "contains a lone UTF-16 surrogate (not valid Unicode text)");
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const isWellFormed = (text: string): boolean => {
  const native = (text as { isWellFormed?: () => boolean }).isWellFormed;
  return native !== undefined ? native.call(text) : !LONE_SURROGATE.test(text);
};

function checkRuns(runs: unknown): void {
  if (!Array.isArray(runs)) {
    throw new SnapshotInvalidError("trainingRunsSeen", `must be an array of non-negative integers, got ${describe(runs)}`);
  }
  for (let i = 0; i < runs.length; i++) {
    const r: unknown = runs[i];
    if (typeof r !== "number" || !Number.isSafeInteger(r) || r < 0) {
      throw new SnapshotInvalidError(
        `trainingRunsSeen[${i}]`,
        `must be a non-negative safe integer, got ${describe(r)}`,
      );
    }
  }
}

/**
 * Builds a validated, frozen snapshot. A missing `sectionId` is `sectionIdOf(type, content)`;
 * a missing `lastSeenAt` is now (truncated to whole seconds); a missing `firstSeenAt` is
 * `lastSeenAt`; `autoMined` defaults to false and `trainingRunsSeen` to `[]`.
 *
 * @throws {SnapshotInvalidError} naming the field that is wrong.
 * @example
 * const s = createSnapshot({ sectionType: "prose", content: "The sky is blue." });
 */
export function createSnapshot(init: SnapshotInit): SectionSnapshot {
  if (typeof init !== "object" || init === null) {
    throw new SnapshotInvalidError("(init)", `must be an object, got ${describe(init)}`);
  }
  checkTypeAndContent(init as unknown as Record<string, unknown>);
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const lastSeenAt = init.lastSeenAt ?? now;
  const firstSeenAt = init.firstSeenAt ?? lastSeenAt;
  const snapshot = {
    sectionId: init.sectionId ?? sectionIdOf(init.sectionType, init.content),
    sectionType: init.sectionType,
    content: init.content,
    autoMined: init.autoMined ?? false,
    firstSeenAt: new Date(firstSeenAt instanceof Date ? firstSeenAt.getTime() : NaN),
    lastSeenAt: new Date(lastSeenAt instanceof Date ? lastSeenAt.getTime() : NaN),
    trainingRunsSeen: Object.freeze(Array.isArray(init.trainingRunsSeen) ? [...init.trainingRunsSeen] : []),
  };
  // Check the dates the caller gave under their own names (a default copies lastSeenAt).
  for (const field of ["lastSeenAt", "firstSeenAt"] as const) {
    const problem = init[field] === undefined ? undefined : dateProblem(init[field], true);
    if (problem !== undefined) throw new SnapshotInvalidError(field, problem);
  }
  if (init.trainingRunsSeen !== undefined) checkRuns(init.trainingRunsSeen);
  assertSnapshotFields(snapshot, true);
  if (snapshot.firstSeenAt.getTime() > snapshot.lastSeenAt.getTime()) {
    throw new SnapshotInvalidError(
      "firstSeenAt",
      `is after lastSeenAt (${snapshot.firstSeenAt.toISOString()} > ${snapshot.lastSeenAt.toISOString()})`,
    );
  }
  return Object.freeze(snapshot);
}

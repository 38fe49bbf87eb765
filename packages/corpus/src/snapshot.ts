import { createHash } from "node:crypto";
import * as v from "valibot";
import { isStorableDate, toWholeSeconds } from "./date.js";
import { describeValue } from "@replaykit/errors";
import { CorpusArgumentError, SnapshotInvalidError } from "./errors.js";

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

/**
 * What `createSnapshot` takes: only `sectionType` and `content` are required. Any other key
 * is an error. Dates must be whole seconds: a date with milliseconds is an error.
 */
export interface SnapshotInit {
  sectionType: SectionType;
  content: string;
  sectionId?: string | undefined;
  autoMined?: boolean | undefined;
  firstSeenAt?: Date | undefined;
  lastSeenAt?: Date | undefined;
  trainingRunsSeen?: readonly number[] | undefined;
}

const SECTION_ID = /^[0-9a-f]{16}$/;
const SECTION_TYPE = /^[a-z][a-z0-9_-]*$/;

/**
 * True for a section id: exactly 16 lowercase hex characters. The one id check of replaykit.
 * (The `string` overload, listed last, is what generic callers such as valibot's `check`
 * infer, so it can be passed to a string pipe as is.)
 */
export function isSectionId(value: unknown): value is string;
export function isSectionId(value: string): boolean;
export function isSectionId(value: unknown): value is string {
  return typeof value === "string" && value.length === 16 && SECTION_ID.test(value);
}

/**
 * Asserts that `value` is a section id (16 lowercase hex characters).
 *
 * @param argument how the caller names the value in the error (default `"sectionId"`).
 * @param functionName the public function that received it (default `"assertSectionId"`).
 * @throws {CorpusArgumentError} naming `argument` when it is not.
 */
export function assertSectionId(value: unknown, argument = "sectionId", functionName = "assertSectionId"): asserts value is string {
  if (!isSectionId(value)) throw new CorpusArgumentError(functionName, argument, "16 lowercase hex characters", value);
}

/** True for a section type name: `/^[a-z][a-z0-9_-]*$/` (overloads as for `isSectionId`). */
export function isSectionType(value: unknown): value is SectionType;
export function isSectionType(value: string): boolean;
export function isSectionType(value: unknown): value is SectionType {
  return typeof value === "string" && SECTION_TYPE.test(value);
}

/**
 * The content-derived section id: the first 16 hex characters of
 * `sha256(sectionType + "\n" + content)`.
 *
 * @throws {CorpusArgumentError} when either argument is not a string.
 * @example sectionIdOf("prose", "Hello") // a stable 16-hex id
 */
export function sectionIdOf(sectionType: string, content: string): string {
  if (typeof sectionType !== "string") throw new CorpusArgumentError("sectionIdOf", "sectionType", "a string", sectionType);
  if (typeof content !== "string") throw new CorpusArgumentError("sectionIdOf", "content", "a string", content);
  return createHash("sha256").update(`${sectionType}\n${content}`, "utf8").digest("hex").slice(0, 16);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const isWellFormed = (text: string): boolean => {
  const native = (text as { isWellFormed?: () => boolean }).isWellFormed;
  return native !== undefined ? native.call(text) : !LONE_SURROGATE.test(text);
};

// The field schemas, shared by the init and the snapshot schema.
const fields = {
  sectionId: v.pipe(v.string(), v.check(isSectionId, "must be 16 lowercase hex characters")),
  sectionType: v.pipe(v.string(), v.check(isSectionType, "must match /^[a-z][a-z0-9_-]*$/")),
  // A lone surrogate cannot be written as UTF-8; storing U+FFFD instead would change the text.
  content: v.pipe(v.string(), v.check(isWellFormed, "contains a lone UTF-16 surrogate (not valid Unicode text)")),
  autoMined: v.boolean(),
  date: v.pipe(
    v.date(),
    v.check((d: Date) => isStorableDate(d), "is out of range (years 1 to 9999)"),
  ),
  // What createSnapshot is given must already be whole seconds, as the CLI requires: silently
  // dropping milliseconds made the library accept what the CLI refuses (issue 22).
  givenDate: v.pipe(
    v.date(),
    v.check((d: Date) => isStorableDate(d), "is out of range (years 1 to 9999)"),
    v.check((d: Date) => d.getTime() % 1000 === 0, "must be whole seconds (no milliseconds; truncate with toWholeSeconds)"),
  ),
  runs: v.array(v.pipe(v.number(), v.safeInteger(), v.minValue(0))),
};

const InitSchema = v.strictObject({
  sectionType: fields.sectionType,
  content: fields.content,
  sectionId: v.optional(fields.sectionId),
  autoMined: v.optional(fields.autoMined),
  firstSeenAt: v.optional(fields.givenDate),
  lastSeenAt: v.optional(fields.givenDate),
  trainingRunsSeen: v.optional(fields.runs),
});

// A snapshot handed to `encodeFrame`: extra keys are ignored (it may be a richer object),
// and dates may carry milliseconds (snapshots read back from a reference store do).
const SnapshotSchema = v.object({
  sectionId: fields.sectionId,
  sectionType: fields.sectionType,
  content: fields.content,
  autoMined: fields.autoMined,
  firstSeenAt: fields.date,
  lastSeenAt: fields.date,
  trainingRunsSeen: fields.runs,
});

/** The first issue of a failed parse as a `SnapshotInvalidError` naming its path. */
export function invalid(issues: readonly v.BaseIssue<unknown>[]): SnapshotInvalidError {
  const issue = issues[0]!;
  const field = v.getDotPath(issue) ?? "(snapshot)";
  const got = issue.path?.at(-1)?.value;
  if (issue.type === "strict_object" && issue.expected === "never") {
    return new SnapshotInvalidError(field, `is not a snapshot field (known: ${Object.keys(InitSchema.entries).join(", ")})`);
  }
  if (issue.kind === "validation") return new SnapshotInvalidError(field, `${issue.message}, got ${describeValue(got)}`);
  return new SnapshotInvalidError(field, `must be ${issue.expected ?? "valid"}, got ${describeValue(issue.input)}`);
}

/**
 * Checks a snapshot-shaped value before it is encoded.
 *
 * @throws {CorpusArgumentError} when it is not an object at all.
 * @throws {SnapshotInvalidError} naming the first bad field.
 */
export function assertSnapshot(value: unknown, functionName: string, argument: string): asserts value is SectionSnapshot {
  if (typeof value !== "object" || value === null) {
    throw new CorpusArgumentError(functionName, argument, "a SectionSnapshot", value);
  }
  const result = v.safeParse(SnapshotSchema, value, { abortEarly: true });
  if (!result.success) throw invalid(result.issues);
}

/**
 * Builds a validated, frozen snapshot. A missing `sectionId` is `sectionIdOf(type, content)`;
 * a missing `lastSeenAt` is now; a missing `firstSeenAt` is `lastSeenAt`; `autoMined`
 * defaults to false and `trainingRunsSeen` to `[]`. Given dates must be whole seconds (as
 * the CLI requires); only the default, now, is truncated to whole seconds (towards the past).
 * For the current time, leave the date out or pass `toWholeSeconds(new Date())`.
 *
 * @throws {SnapshotInvalidError} naming the field that is wrong (`field` is the issue path,
 *   e.g. `trainingRunsSeen.2`, or `lastSeenAt` for a date with milliseconds), or naming an
 *   unknown key (e.g. `auto_mined`).
 * @example
 * const s = createSnapshot({ sectionType: "prose", content: "The sky is blue." });
 */
export function createSnapshot(init: SnapshotInit): SectionSnapshot {
  if (typeof init !== "object" || init === null || Array.isArray(init)) {
    throw new SnapshotInvalidError("(init)", `must be an object, got ${describeValue(init)}`);
  }
  const result = v.safeParse(InitSchema, init, { abortEarly: true });
  if (!result.success) throw invalid(result.issues);
  const i = result.output;
  // Only the default (now) is truncated; given dates were checked to be whole seconds, and
  // are copied so that the caller's later setTime cannot change a frozen snapshot.
  const lastSeenAt = i.lastSeenAt === undefined ? toWholeSeconds(new Date()) : new Date(i.lastSeenAt.getTime());
  const firstSeenAt = i.firstSeenAt === undefined ? lastSeenAt : new Date(i.firstSeenAt.getTime());
  if (firstSeenAt.getTime() > lastSeenAt.getTime()) {
    throw new SnapshotInvalidError("firstSeenAt", `is after lastSeenAt (${firstSeenAt.toISOString()} > ${lastSeenAt.toISOString()})`);
  }
  return Object.freeze({
    sectionId: i.sectionId ?? sectionIdOf(i.sectionType, i.content),
    sectionType: i.sectionType,
    content: i.content,
    autoMined: i.autoMined ?? false,
    firstSeenAt,
    lastSeenAt,
    trainingRunsSeen: Object.freeze([...(i.trainingRunsSeen ?? [])]),
  });
}

import { describeValue, instanceCheck } from "@replaykit/errors";
import { CliError, EXIT_FAILURE } from "./errors.js";
import { createSnapshot, isSectionId, isSectionType, type SectionSnapshot, type SnapshotInit } from "@replaykit/store";
import * as v from "valibot";
import { formatIsoSeconds, parseIsoDate } from "./dates.js";

/**
 * The JSONL section format shared by `add` (reads it) and `export` (writes it): one JSON
 * object a line with snake_case keys.
 */
export interface SectionJson {
  section_id?: string;
  section_type: string;
  content: string;
  auto_mined?: boolean;
  first_seen_at?: string;
  last_seen_at?: string;
  training_runs_seen?: number[];
}

const KEYS = ["section_id", "section_type", "content", "auto_mined", "first_seen_at", "last_seen_at", "training_runs_seen"] as const;

/** "must be <what>, got <the value>" for a value of the wrong type or shape. */
const must =
  (what: string) =>
  (issue: v.BaseIssue<unknown>): string =>
    `must be ${what}, got ${describeValue(issue.input)}${issue.input === null ? " (leave the key out to use its default)" : ""}`;

/** An ISO 8601 date-time in whole seconds (no offset = UTC), as a Date. */
const isoSeconds = v.pipe(
  v.string(must("an ISO 8601 string")),
  v.check(
    (text) => parseIsoDate(text).ok,
    (issue) => `${JSON.stringify(issue.input)} is not an ISO 8601 date-time (like 2026-03-01T12:00:00Z)`,
  ),
  v.check(
    (text) => (parseIsoDate(text) as { wholeSeconds?: boolean }).wholeSeconds === true,
    (issue) => `must be whole seconds, got ${JSON.stringify(issue.input)}`,
  ),
  v.transform((text) => (parseIsoDate(text) as { date: Date }).date),
);

/** One line of the section format; the schema's issue paths are the line's keys. */
const SectionLine = v.strictObject(
  {
    section_type: v.pipe(
      v.string(must("a string")),
      v.check(
        (text: string) => isSectionType(text),
        (issue) => `must be a section type (a lowercase letter, then lowercase letters, digits, _ or -), got ${describeValue(issue.input)}`,
      ),
    ),
    content: v.string(must("a string")),
    section_id: v.optional(
      v.pipe(
        v.string(must("a string")),
        v.check(
          (text: string) => isSectionId(text),
          (issue) => `must be 16 lowercase hex characters, got ${describeValue(issue.input)}`,
        ),
      ),
    ),
    auto_mined: v.optional(v.boolean(must("true or false"))),
    first_seen_at: v.optional(isoSeconds),
    last_seen_at: v.optional(isoSeconds),
    training_runs_seen: v.optional(
      v.array(v.pipe(v.number(must("a number")), v.safeInteger(must("an integer")), v.minValue(0, must("non-negative"))), must("an array of run numbers")),
    ),
  },
  (issue) =>
    issue.expected === "never"
      ? `unknown key (allowed: ${KEYS.join(", ")})`
      : issue.received === "undefined"
        ? "missing (it is required)"
        : `expected a JSON object, got ${describeValue(issue.input)}`,
);

/** One problem of one input line: the key (by its path, e.g. `training_runs_seen.2`) and what is wrong. */
export interface LineProblem {
  /** The key path, or undefined for the line as a whole (not JSON, not an object). */
  readonly key: string | undefined;
  readonly problem: string;
}

/** Why one input line cannot become a snapshot: every problem found in it. */
export class SectionLineError extends CliError {
  static readonly code = "CLI_SECTION_LINE";
  static override readonly kind = "corrupt";
  static readonly isInstance = instanceCheck<SectionLineError>(this);
  declare readonly code: typeof SectionLineError.code;
  readonly exitCode = EXIT_FAILURE;
  override readonly name = "SectionLineError";
  constructor(
    readonly lineNumber: number,
    readonly problems: readonly LineProblem[],
    /** True when the line is not JSON at all (as opposed to JSON with bad keys). */
    readonly notJson = false,
  ) {
    super(`line ${lineNumber}: ${problems.map(({ key, problem }) => (key === undefined ? problem : `${key}: ${problem}`)).join("; ")}`);
  }
}

/**
 * Parses and validates one line of the section format into a snapshot. `now` is the
 * default `last_seen_at` (whole seconds); `first_seen_at` defaults to `last_seen_at`;
 * `section_id` defaults to the content hash.
 *
 * @throws {SectionLineError} naming the line and, for each problem, the key.
 */
export function parseSectionLine(text: string, lineNumber: number, now: Date): SectionSnapshot {
  const fail = (problems: LineProblem[]): never => {
    throw new SectionLineError(lineNumber, problems);
  };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SectionLineError(lineNumber, [{ key: undefined, problem: `not valid JSON (${printable((error as Error).message)})` }], true);
  }
  if (Array.isArray(value)) fail([{ key: undefined, problem: "expected a JSON object, got an array" }]);
  const parsed = v.safeParse(SectionLine, value);
  if (!parsed.success) return fail(parsed.issues.map((issue) => ({ key: v.getDotPath(issue) ?? undefined, problem: issue.message })));
  const line = parsed.output;
  const init: SnapshotInit = { sectionType: line.section_type, content: line.content, lastSeenAt: line.last_seen_at ?? now };
  if (line.section_id !== undefined) init.sectionId = line.section_id;
  if (line.auto_mined !== undefined) init.autoMined = line.auto_mined;
  if (line.first_seen_at !== undefined) init.firstSeenAt = line.first_seen_at;
  if (line.training_runs_seen !== undefined) init.trainingRunsSeen = line.training_runs_seen;
  if (init.firstSeenAt !== undefined && init.firstSeenAt.getTime() > init.lastSeenAt!.getTime()) {
    fail([{ key: "first_seen_at", problem: `is after last_seen_at (${formatIsoSeconds(init.firstSeenAt)} > ${formatIsoSeconds(init.lastSeenAt!)})` }]);
  }
  return createSnapshot(init);
}

/** A snapshot as one line of the section format (no newline); dates as `YYYY-MM-DDTHH:MM:SSZ`. */
export function sectionToJson(s: SectionSnapshot): string {
  const out: Required<SectionJson> = {
    section_id: s.sectionId,
    section_type: s.sectionType,
    content: s.content,
    auto_mined: s.autoMined,
    first_seen_at: formatIsoSeconds(s.firstSeenAt),
    last_seen_at: formatIsoSeconds(s.lastSeenAt),
    training_runs_seen: [...s.trainingRunsSeen],
  };
  return JSON.stringify(out);
}

/** Control characters (a binary file's bytes echoed in a parse error) as `\xNN`, so they cannot move a terminal's cursor. */
function printable(text: string): string {
  return text.replace(/\p{Cc}/gu, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

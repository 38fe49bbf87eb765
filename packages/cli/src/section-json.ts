import { createSnapshot, SnapshotInvalidError, type SectionSnapshot, type SnapshotInit } from "@replaykit/store";
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
const REQUIRED = ["section_type", "content"] as const;

/** Snapshot field names (as `SnapshotInvalidError.field` gives them) → JSON keys. */
const JSON_KEY_OF: Readonly<Record<string, string>> = {
  sectionId: "section_id",
  sectionType: "section_type",
  content: "content",
  autoMined: "auto_mined",
  firstSeenAt: "first_seen_at",
  lastSeenAt: "last_seen_at",
  trainingRunsSeen: "training_runs_seen",
};

/** Why one input line cannot become a snapshot. */
export class SectionLineError extends Error {
  override readonly name = "SectionLineError";
  constructor(
    readonly lineNumber: number,
    readonly key: string | undefined,
    readonly problem: string,
  ) {
    super(`line ${lineNumber}: ${key === undefined ? "" : `${key}: `}${problem}`);
  }
}

/**
 * Parses and validates one line of the section format into a snapshot. `now` is the
 * default `last_seen_at` (whole seconds); `first_seen_at` defaults to `last_seen_at`;
 * `section_id` defaults to the content hash.
 *
 * @throws {SectionLineError} naming the line and, when it is about one key, the key.
 */
export function parseSectionLine(text: string, lineNumber: number, now: Date): SectionSnapshot {
  const fail = (key: string | undefined, problem: string): never => {
    throw new SectionLineError(lineNumber, key, problem);
  };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    fail(undefined, `not valid JSON (${(error as Error).message})`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail(undefined, `expected a JSON object, got ${value === null ? "null" : Array.isArray(value) ? "an array" : typeof value}`);
  }
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!(KEYS as readonly string[]).includes(key)) fail(undefined, `unknown key ${JSON.stringify(key)} (allowed: ${KEYS.join(", ")})`);
  }
  for (const key of REQUIRED) if (!(key in obj)) fail(undefined, `missing required key ${JSON.stringify(key)}`);
  for (const key of KEYS) {
    if (obj[key] === null) fail(key, `is null (leave the key out to use its default)`);
  }
  const init: SnapshotInit = { sectionType: obj.section_type as string, content: obj.content as string };
  if (obj.section_id !== undefined) init.sectionId = obj.section_id as string;
  if (obj.auto_mined !== undefined) init.autoMined = obj.auto_mined as boolean;
  if (obj.training_runs_seen !== undefined) init.trainingRunsSeen = obj.training_runs_seen as number[];
  for (const [key, field] of [["last_seen_at", "lastSeenAt"], ["first_seen_at", "firstSeenAt"]] as const) {
    const raw = obj[key];
    if (raw === undefined) continue;
    if (typeof raw !== "string") fail(key, `must be an ISO 8601 string, got ${describeJson(raw)}`);
    const parsed = parseIsoDate(raw as string);
    if (!parsed.ok) fail(key, `${JSON.stringify(raw)} ${parsed.problem}`);
    else if (!parsed.wholeSeconds) fail(key, `must be whole seconds, got ${JSON.stringify(raw)}`);
    else init[field] = parsed.date;
  }
  init.lastSeenAt ??= now;
  try {
    return createSnapshot(init);
  } catch (error) {
    if (!SnapshotInvalidError.isInstance(error)) throw error;
    const [field = "", index = ""] = /^([A-Za-z]+)(.*)$/.exec(error.field)?.slice(1) ?? [];
    const key = JSON_KEY_OF[field] === undefined ? undefined : `${JSON_KEY_OF[field]}${index}`;
    const problem = error.message.replace(/^snapshot\.[^:]*:\s*/, "");
    return fail(key, snakeCase(problem));
  }
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

function snakeCase(message: string): string {
  return message.replace(/\b(sectionId|sectionType|autoMined|firstSeenAt|lastSeenAt|trainingRunsSeen)\b/g, (name) => JSON_KEY_OF[name] ?? name);
}

function describeJson(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object" && value !== null) return "an object";
  return JSON.stringify(value);
}

import { describeValue } from "@replaykit/errors";
import { checkString, ParsersArgumentError, RowSourceInvalidError } from "./errors.js";
import { parseInstructionBody } from "./instruction.js";
import { parsePreferenceBody } from "./preference.js";
import { normalizeProbeMarkers } from "./probe.js";
import { stripWhitespace } from "./whitespace.js";

/** One message of a {@link MessagesRow}. */
export interface RowMessage {
  role: "user" | "assistant" | "system";
  content: string;
}

/** A plain-text row (TRL's "language modeling" form): prose sections give these. */
export interface TextRow {
  text: string;
  /** The replayed section this row came from ({@link replayRowId}). */
  _dlm_section_id: string;
}

/** A conversational row (TRL's `messages` form): instruction sections give these. */
export interface MessagesRow {
  messages: RowMessage[];
  /** The replayed section this row came from ({@link replayRowId}). */
  _dlm_section_id: string;
}

/** A prompt-completion row: {@link toPromptCompletion} makes one from a two-turn {@link MessagesRow}. */
export interface PromptCompletionRow {
  prompt: string;
  completion: string;
  /** The replayed section this row came from ({@link replayRowId}). */
  _dlm_section_id: string;
}

/** A preference row (TRL's DPO form): preference sections give these. */
export interface PreferenceRow {
  prompt: string;
  chosen: string;
  rejected: string;
  /** The replayed section this row came from ({@link replayRowId}). */
  _dlm_section_id: string;
}

/**
 * One training row, in one of the four shapes a TRL trainer takes as is, told apart by
 * their keys (`"text" in row`, `"messages" in row`, `"completion" in row`,
 * `"chosen" in row`); {@link rowShape} names the shape of a row at run time. Every row is
 * stamped with the id of the replayed section it came from.
 */
export type Row = TextRow | MessagesRow | PromptCompletionRow | PreferenceRow;

/** The name of a {@link Row}'s shape, as {@link rowShape} returns it (and the CLI's `--shape` takes it). */
export type RowShape = "text" | "messages" | "prompt-completion" | "preference";

/** What an expander sees of a stored section snapshot. */
export interface RowSource {
  sectionId: string;
  sectionType: string;
  content: string;
  lastSeenAt: Date;
  autoMined: boolean;
}

/**
 * Turns one section into training rows. It must return fresh plain JSON objects, stamp
 * every row's `_dlm_section_id` with `rowId`, be deterministic, and throw only typed
 * errors (an `Error` with a string `code`) on content it cannot parse.
 * `@replaykit/parsers/testing` checks all of that.
 */
export type RowExpander = (source: RowSource, rowId: string) => Row[];

const pad = (value: number, width: number): string => String(value).padStart(width, "0");

/**
 * The `_dlm_section_id` of a replayed row, exactly as the reference writes it:
 * `replay:<sectionId>:<lastSeenAt.isoformat()>` of a UTC-aware datetime, i.e.
 * `YYYY-MM-DDTHH:MM:SS+00:00` (with `.ffffff` microseconds before the offset only when the
 * date has a fractional second).
 *
 * @throws {ParsersArgumentError} when `sectionId` is not a string or `lastSeenAt` is not a
 *   valid `Date` in years 1–9999 (the range of Python's `datetime`).
 *
 * @example
 * ```ts
 * replayRowId("32435532d70848f8", new Date("2026-03-10T00:00:00Z"));
 * // "replay:32435532d70848f8:2026-03-10T00:00:00+00:00"
 * ```
 */
export function replayRowId(sectionId: string, lastSeenAt: Date): string {
  checkString(sectionId, "sectionId");
  const time = lastSeenAt instanceof Date ? lastSeenAt.getTime() : Number.NaN;
  if (Number.isNaN(time)) {
    throw new ParsersArgumentError("lastSeenAt", `must be a valid Date, got ${describeValue(lastSeenAt)}`);
  }
  const d = lastSeenAt;
  const year = d.getUTCFullYear();
  if (year < 1 || year > 9999) {
    throw new ParsersArgumentError("lastSeenAt", `year ${year} is outside 1-9999`);
  }
  const ms = d.getUTCMilliseconds();
  const fraction = ms === 0 ? "" : `.${pad(ms * 1000, 6)}`;
  const date = `${pad(year, 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
  const time24 = `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
  return `replay:${sectionId}:${date}T${time24}${fraction}+00:00`;
}

function contentOf(source: RowSource, rowId: string): string {
  if (typeof rowId !== "string") {
    throw new RowSourceInvalidError("rowId", `must be a string, got ${describeValue(rowId)}`);
  }
  const content = (source as Partial<RowSource> | null | undefined)?.content;
  if (typeof content !== "string") {
    throw new RowSourceInvalidError("content", `must be a string, got ${describeValue(content)}`);
  }
  return content;
}

function sectionIdOf(source: RowSource): string {
  return typeof source.sectionId === "string" ? source.sectionId : String(source.sectionId);
}

/**
 * Prose → one `{ text, _dlm_section_id }` row with the content trimmed (Python
 * `str.strip`), or no row when the content is blank.
 *
 * @throws {RowSourceInvalidError} when `content` or `rowId` is not a string.
 */
export const proseExpander: RowExpander = (source, rowId) => {
  const text = stripWhitespace(contentOf(source, rowId));
  return text === "" ? [] : [{ text, _dlm_section_id: rowId }];
};

/**
 * Instruction → one `{ messages: [user, assistant], _dlm_section_id }` row per Q/A pair.
 * `### Q !probe` headers are normalised first ({@link normalizeProbeMarkers}).
 *
 * @throws {InstructionParseError} when the body does not parse.
 * @throws {RowSourceInvalidError} when `content` or `rowId` is not a string.
 */
export const instructionExpander: RowExpander = (source, rowId) => {
  const content = contentOf(source, rowId);
  const pairs = parseInstructionBody(normalizeProbeMarkers(content), { sectionId: sectionIdOf(source) });
  return pairs.map(
    (pair): MessagesRow => ({
      messages: [
        { role: "user", content: pair.question },
        { role: "assistant", content: pair.answer },
      ],
      _dlm_section_id: rowId,
    }),
  );
};

/**
 * Preference → one `{ prompt, chosen, rejected, _dlm_section_id }` row per triple
 * (`autoMined` does not change the rows; filtering on it is the store's job).
 *
 * @throws {PreferenceParseError} when the body does not parse.
 * @throws {RowSourceInvalidError} when `content` or `rowId` is not a string.
 */
export const preferenceExpander: RowExpander = (source, rowId) => {
  const content = contentOf(source, rowId);
  const triples = parsePreferenceBody(content, { sectionId: sectionIdOf(source) });
  return triples.map((t) => ({ prompt: t.prompt, chosen: t.chosen, rejected: t.rejected, _dlm_section_id: rowId }));
};

/**
 * The built-in expanders, keyed by section type: a micromark-style record. Spread it to
 * replace or add one (`{ ...defaultExpanders, chat: chatExpander }`); the store takes the
 * extra ones as `StoreOptions.expanders`.
 */
export const defaultExpanders: Readonly<Record<"prose" | "instruction" | "preference", RowExpander>> = Object.freeze({
  prose: proseExpander,
  instruction: instructionExpander,
  preference: preferenceExpander,
});

const SHAPE_KEYS: Readonly<Record<RowShape, readonly string[]>> = {
  text: ["text"],
  messages: ["messages"],
  "prompt-completion": ["completion", "prompt"],
  preference: ["chosen", "prompt", "rejected"],
};
const ROLES: ReadonlySet<unknown> = new Set(["user", "assistant", "system"]);

/**
 * The shape of `row`, or why it has none (a string starting with `!`). One definition of
 * the four shapes, for {@link rowShape} and the conformance suite. Internal.
 */
export function shapeOf(row: unknown, path = "row"): RowShape | `!${string}` {
  if (typeof row !== "object" || row === null || Array.isArray(row)) return `!${path} is ${describeValue(row)}, not an object`;
  const record = row as Record<string, unknown>;
  if (typeof record["_dlm_section_id"] !== "string") return `!${path}._dlm_section_id is ${describeValue(record["_dlm_section_id"])}, not a string`;
  const keys = Object.keys(record)
    .filter((key) => key !== "_dlm_section_id")
    .sort()
    .join(",");
  const shape = (Object.keys(SHAPE_KEYS) as RowShape[]).find((s) => SHAPE_KEYS[s].join(",") === keys);
  if (shape === undefined) {
    return `!${path} has the keys [${keys}] besides _dlm_section_id; a row has exactly one of [text], [messages], [prompt, completion], [prompt, chosen, rejected]`;
  }
  if (shape === "messages") {
    const messages = record["messages"];
    if (!Array.isArray(messages)) return `!${path}.messages is ${describeValue(messages)}, not an array`;
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i] as Record<string, unknown> | null;
      const at = `${path}.messages[${i}]`;
      if (typeof m !== "object" || m === null || Array.isArray(m)) return `!${at} is ${describeValue(m)}, not an object`;
      if (Object.keys(m).sort().join(",") !== "content,role") return `!${at} has the keys [${Object.keys(m).join(", ")}], not [role, content]`;
      if (!ROLES.has(m["role"])) return `!${at}.role is ${describeValue(m["role"])}, not "user", "assistant" or "system"`;
      if (typeof m["content"] !== "string") return `!${at}.content is ${describeValue(m["content"])}, not a string`;
    }
    return shape;
  }
  for (const key of SHAPE_KEYS[shape]) {
    if (typeof record[key] !== "string") return `!${path}.${key} is ${describeValue(record[key])}, not a string`;
  }
  return shape;
}

/**
 * Which of the four shapes `row` has: `"text"`, `"messages"`, `"prompt-completion"` or
 * `"preference"` (the names of the CLI's `--shape` and of its `--out` files). The row
 * must have exactly that shape's keys plus `_dlm_section_id`, with the right types.
 *
 * @throws {ParsersArgumentError} when `row` is not a row of any of the four shapes.
 *
 * @example
 * ```ts
 * rowShape({ text: "Hi.", _dlm_section_id: "replay:…" }); // "text"
 * ```
 */
export function rowShape(row: Row): RowShape {
  const shape = shapeOf(row);
  if (shape.startsWith("!")) throw new ParsersArgumentError("row", `must be a row of one of the four shapes: ${shape.slice(1)}`);
  return shape as RowShape;
}

/**
 * A two-turn conversation as a prompt-completion row: the user turn becomes `prompt`, the
 * assistant turn `completion`, with the same `_dlm_section_id`. This is what the CLI's
 * `--shape prompt-completion` does to instruction rows.
 *
 * @throws {ParsersArgumentError} when `row` is not a messages row of exactly one user turn
 *   followed by one assistant turn (a system turn or more turns cannot become one prompt
 *   and one completion without losing something).
 *
 * @example
 * ```ts
 * toPromptCompletion({ messages: [{ role: "user", content: "2+2?" }, { role: "assistant", content: "4" }], _dlm_section_id: "id" });
 * // { prompt: "2+2?", completion: "4", _dlm_section_id: "id" }
 * ```
 */
export function toPromptCompletion(row: MessagesRow): PromptCompletionRow {
  const shape = shapeOf(row);
  if (shape !== "messages") {
    const why = shape.startsWith("!") ? shape.slice(1) : `it is a ${shape} row`;
    throw new ParsersArgumentError("row", `must be a messages row: ${why}`);
  }
  const [user, assistant, ...more] = row.messages;
  if (user?.role !== "user" || assistant?.role !== "assistant" || more.length > 0) {
    const roles = row.messages.map((m) => m.role).join(", ");
    throw new ParsersArgumentError("row.messages", `must be one user turn then one assistant turn, got [${roles}]`);
  }
  return { prompt: user.content, completion: assistant.content, _dlm_section_id: row._dlm_section_id };
}

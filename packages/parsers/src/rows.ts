import { describeValue, RowSourceInvalidError } from "./errors.js";
import { parseInstructionBody } from "./instruction.js";
import { parsePreferenceBody } from "./preference.js";
import { normalizeProbeMarkers } from "./probe.js";
import { stripWhitespace } from "./whitespace.js";

/**
 * One training row: a plain JSON object, stamped with the id of the replayed section it
 * came from. TRL-style trainers and Hugging Face datasets read the other keys.
 */
export type Row = Record<string, unknown> & { _dlm_section_id: string };

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
 * @throws {RowSourceInvalidError} when `sectionId` is not a string or `lastSeenAt` is not a
 *   valid `Date` in years 1–9999 (the range of Python's `datetime`).
 *
 * @example
 * ```ts
 * replayRowId("32435532d70848f8", new Date("2026-03-10T00:00:00Z"));
 * // "replay:32435532d70848f8:2026-03-10T00:00:00+00:00"
 * ```
 */
export function replayRowId(sectionId: string, lastSeenAt: Date): string {
  if (typeof sectionId !== "string") {
    throw new RowSourceInvalidError("sectionId", `must be a string, got ${describeValue(sectionId)}`);
  }
  const time = lastSeenAt instanceof Date ? lastSeenAt.getTime() : Number.NaN;
  if (Number.isNaN(time)) {
    throw new RowSourceInvalidError("lastSeenAt", `must be a valid Date, got ${describeValue(lastSeenAt)}`);
  }
  const d = lastSeenAt;
  const year = d.getUTCFullYear();
  if (year < 1 || year > 9999) {
    throw new RowSourceInvalidError("lastSeenAt", `year ${year} is outside 1-9999`);
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
  return pairs.map((pair) => ({
    messages: [
      { role: "user", content: pair.question },
      { role: "assistant", content: pair.answer },
    ],
    _dlm_section_id: rowId,
  }));
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

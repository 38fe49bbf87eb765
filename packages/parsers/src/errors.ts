/**
 * Error classes of `@replaykit/parsers`. Each has a stable `code`, is branded with
 * `Symbol.for("replaykit.error.<code>")` so `isInstance` works across two installed copies
 * of the package, and names the section and the line that failed.
 */

const brand = (code: string): symbol => Symbol.for(`replaykit.error.${code}`);
const SECTION_PARSE = brand("SECTION_PARSE");
const INSTRUCTION = brand("INSTRUCTION_PARSE");
const PREFERENCE = brand("PREFERENCE_PARSE");
const ROW_SOURCE = brand("ROW_SOURCE_INVALID");

function branded(error: unknown, mark: symbol): boolean {
  return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[mark] === true;
}

/** A short description of a value of the wrong type, for error messages. Internal. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (value instanceof Date) return "a Date";
  return typeof value;
}

/** Where a section parse failed: the section id and the 1-based line within the body. */
export interface SectionLocation {
  readonly sectionId: string;
  readonly sectionLine: number;
  readonly cause?: unknown;
}

/**
 * Base class of section-grammar errors: a body that does not follow its grammar. Extend it
 * for a plugin grammar (set `code` and `name`) to get the same fields and message shape.
 *
 * The message reads `section <id>, line <n>: <reason>`; `reason` alone is the reference
 * implementation's message (it quotes the offending line with Python's `repr`).
 */
export abstract class SectionParseError extends Error {
  /** A stable, SCREAMING_SNAKE_CASE code naming the failure kind. */
  abstract readonly code: string;
  /** The id of the section whose body failed to parse. */
  readonly sectionId: string;
  /** 1-based line within the section body where the problem was detected. */
  readonly sectionLine: number;
  /** What was wrong, without the location prefix (the reference's message). */
  readonly reason: string;
  readonly [SECTION_PARSE] = true;

  constructor(reason: string, where: SectionLocation) {
    super(
      `section ${where.sectionId}, line ${where.sectionLine}: ${reason}`,
      where.cause === undefined ? undefined : { cause: where.cause },
    );
    this.sectionId = where.sectionId;
    this.sectionLine = where.sectionLine;
    this.reason = reason;
  }

  /** True for any `SectionParseError` (built in or a plugin's) from any copy of this package. */
  static isInstance(error: unknown): error is SectionParseError {
    return branded(error, SECTION_PARSE);
  }
}

/** An instruction body does not follow the `### Q` / `### A` grammar. */
export class InstructionParseError extends SectionParseError {
  readonly code = "INSTRUCTION_PARSE" as const;
  override readonly name = "InstructionParseError";
  readonly [INSTRUCTION] = true;

  /** True for an `InstructionParseError` from any copy of this package. */
  static override isInstance(error: unknown): error is InstructionParseError {
    return branded(error, INSTRUCTION);
  }
}

/** A preference body does not follow the `### Prompt` / `### Chosen` / `### Rejected` grammar. */
export class PreferenceParseError extends SectionParseError {
  readonly code = "PREFERENCE_PARSE" as const;
  override readonly name = "PreferenceParseError";
  readonly [PREFERENCE] = true;

  /** True for a `PreferenceParseError` from any copy of this package. */
  static override isInstance(error: unknown): error is PreferenceParseError {
    return branded(error, PREFERENCE);
  }
}

/**
 * A row expander or `replayRowId` was given a source it cannot use: `field` names the
 * field (`content` not a string, `lastSeenAt` not a valid date in years 1–9999, …).
 */
export class RowSourceInvalidError extends Error {
  readonly code = "ROW_SOURCE_INVALID" as const;
  /** The offending field of the row source. */
  readonly field: string;
  override readonly name = "RowSourceInvalidError";
  readonly [ROW_SOURCE] = true;

  constructor(field: string, message: string) {
    super(`row source ${field}: ${message}`);
    this.field = field;
  }

  /** True for a `RowSourceInvalidError` from any copy of this package. */
  static isInstance(error: unknown): error is RowSourceInvalidError {
    return branded(error, ROW_SOURCE);
  }
}

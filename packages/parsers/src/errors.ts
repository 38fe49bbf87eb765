/**
 * Error classes of `@replaykit/parsers`, in the scheme every replaykit package shares: each
 * error carries the marker `Symbol.for("replaykit.error")` (value `"parsers"`) and a stable
 * UPPER_SNAKE `code`; `X.isInstance(e)` checks the marker and the code, so it keeps working
 * when two copies of the package are installed (where `instanceof` would not).
 */

/** Marks every replaykit error; the value is the package's short name. */
const REPLAYKIT_ERROR = Symbol.for("replaykit.error");

/**
 * True for an error thrown by any replaykit package (any copy of it): an object carrying
 * the `Symbol.for("replaykit.error")` marker. Its `code` says which failure it is.
 */
export function isReplaykitError(error: unknown): error is Error & { readonly code: string } {
  return typeof error === "object" && error !== null && typeof (error as Record<symbol, unknown>)[REPLAYKIT_ERROR] === "string";
}

function hasCode(error: unknown, code: string): boolean {
  return isReplaykitError(error) && error.code === code;
}

/** A short description of a value of the wrong type, for error messages. Internal. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return "an array";
  if (value instanceof Date) return "a Date";
  if (value instanceof Promise) return "a Promise";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** Base class of every error `@replaykit/parsers` throws. */
export abstract class ParsersError extends Error {
  /** A stable UPPER_SNAKE code naming the failure kind, unique across replaykit. */
  abstract readonly code: string;
  readonly [REPLAYKIT_ERROR]: string = "parsers";
}

/** Where a section parse failed: the section id and the 1-based line within the body. */
export interface SectionLocation {
  readonly sectionId: string;
  readonly sectionLine: number;
  readonly cause?: unknown;
}

/**
 * Base class of section-grammar errors: a body that does not follow its grammar. Extend it
 * for a plugin grammar (set `code` and `name`) to get the same fields, message shape and
 * replaykit marker.
 *
 * The message reads `section <id>, line <n>: <reason>`; `reason` alone is the reference
 * implementation's message (it quotes the offending line with Python's `repr`).
 */
export abstract class SectionParseError extends ParsersError {
  /** The id of the section whose body failed to parse. */
  readonly sectionId: string;
  /** 1-based line within the section body where the problem was detected. */
  readonly sectionLine: number;
  /** What was wrong, without the location prefix (the reference's message). */
  readonly reason: string;

  constructor(reason: string, where: SectionLocation) {
    super(`section ${where.sectionId}, line ${where.sectionLine}: ${reason}`, where.cause === undefined ? undefined : { cause: where.cause });
    this.sectionId = where.sectionId;
    this.sectionLine = where.sectionLine;
    this.reason = reason;
  }

  /**
   * True for any `SectionParseError` (built in or a plugin's) from any copy of this
   * package: a replaykit error with a string `sectionId` and a numeric `sectionLine`.
   */
  static isInstance(error: unknown): error is SectionParseError {
    if (!isReplaykitError(error)) return false;
    const { sectionId, sectionLine } = error as unknown as Partial<SectionLocation>;
    return typeof sectionId === "string" && typeof sectionLine === "number";
  }
}

/** An instruction body does not follow the `### Q` / `### A` grammar. */
export class InstructionParseError extends SectionParseError {
  readonly code = "INSTRUCTION_PARSE" as const;
  override readonly name = "InstructionParseError";

  /** True for an `InstructionParseError` from any copy of this package. */
  static override isInstance(error: unknown): error is InstructionParseError {
    return hasCode(error, "INSTRUCTION_PARSE");
  }
}

/** A preference body does not follow the `### Prompt` / `### Chosen` / `### Rejected` grammar. */
export class PreferenceParseError extends SectionParseError {
  readonly code = "PREFERENCE_PARSE" as const;
  override readonly name = "PreferenceParseError";

  /** True for a `PreferenceParseError` from any copy of this package. */
  static override isInstance(error: unknown): error is PreferenceParseError {
    return hasCode(error, "PREFERENCE_PARSE");
  }
}

/**
 * A row expander was given a source it cannot use: `field` names the field (`content` or
 * `rowId` not a string, the source not an object).
 */
export class RowSourceInvalidError extends ParsersError {
  readonly code = "ROW_SOURCE_INVALID" as const;
  /** The offending field of the row source. */
  readonly field: string;
  override readonly name = "RowSourceInvalidError";

  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super(`row source ${field}: ${message}`, options);
    this.field = field;
  }

  /** True for a `RowSourceInvalidError` from any copy of this package. */
  static isInstance(error: unknown): error is RowSourceInvalidError {
    return hasCode(error, "ROW_SOURCE_INVALID");
  }
}

/**
 * A public function of `@replaykit/parsers` was called with an argument it cannot use:
 * `argument` names it (`body`, `options.sectionId`, `lastSeenAt`, `row.messages`, …).
 */
export class ParsersArgumentError extends ParsersError {
  readonly code = "PARSERS_ARGUMENT" as const;
  /** The offending argument, as a path from the parameter name. */
  readonly argument: string;
  override readonly name = "ParsersArgumentError";

  constructor(argument: string, message: string, options?: { cause?: unknown }) {
    super(`parsers: ${argument} ${message}`, options);
    this.argument = argument;
  }

  /** True for a `ParsersArgumentError` from any copy of this package. */
  static isInstance(error: unknown): error is ParsersArgumentError {
    return hasCode(error, "PARSERS_ARGUMENT");
  }
}

/** Throws a {@link ParsersArgumentError} unless `value` is a string. Internal. */
export function checkString(value: unknown, argument: string): asserts value is string {
  if (typeof value !== "string") throw new ParsersArgumentError(argument, `must be a string, got ${describeValue(value)}`);
}

/** Throws a {@link ParsersArgumentError} unless `value` is a number. Internal. */
export function checkNumber(value: unknown, argument: string): asserts value is number {
  if (typeof value !== "number") throw new ParsersArgumentError(argument, `must be a number, got ${describeValue(value)}`);
}

/**
 * The `sectionId` of a parser's options, checked: options must be an object with a string
 * `sectionId`. Internal.
 */
export function sectionIdOption(options: unknown): string {
  if (typeof options !== "object" || options === null) {
    throw new ParsersArgumentError("options", `must be an object with a string sectionId, got ${describeValue(options)}`);
  }
  const { sectionId } = options as { sectionId?: unknown };
  checkString(sectionId, "options.sectionId");
  return sectionId;
}

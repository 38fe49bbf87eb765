/**
 * Error classes of `@replaykit/parsers`, in the scheme every replaykit package shares
 * (`@replaykit/errors`): each error carries the brand `Symbol.for("replaykit.error")` (value
 * `"parsers"`), a stable UPPER_SNAKE `code` and a `kind`; `X.isInstance(e)` checks the brand
 * and the code, so it keeps working when two copies of the package are installed (where
 * `instanceof` would not).
 */

import { brandOf, describeValue, errorClass, instanceCheck, REPLAYKIT_ERROR, ReplaykitErrorBase } from "@replaykit/errors";

export { isReplaykitError } from "@replaykit/errors";

/** Base class of every error `@replaykit/parsers` throws. */
export abstract class ParsersError extends ReplaykitErrorBase {
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
  /** A body that breaks its grammar is malformed data, wherever it came from. */
  static override readonly kind = "corrupt";
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
   * (`InstructionParseError.isInstance` and `PreferenceParseError.isInstance` check their
   * own code.) Never throws.
   */
  static readonly isInstance = (error: unknown): error is SectionParseError => {
    if (brandOf(error) === undefined) return false;
    try {
      const { sectionId, sectionLine } = error as Partial<SectionLocation>;
      return typeof sectionId === "string" && typeof sectionLine === "number";
    } catch {
      return false; // a hostile object (throwing getters, a Proxy)
    }
  };
}

/** An instruction body does not follow the `### Q` / `### A` grammar. */
export class InstructionParseError extends errorClass(SectionParseError, "InstructionParseError", "INSTRUCTION_PARSE", "corrupt") {
  static override readonly isInstance = instanceCheck<InstructionParseError>(this);
}

/** A preference body does not follow the `### Prompt` / `### Chosen` / `### Rejected` grammar. */
export class PreferenceParseError extends errorClass(SectionParseError, "PreferenceParseError", "PREFERENCE_PARSE", "corrupt") {
  static override readonly isInstance = instanceCheck<PreferenceParseError>(this);
}

/**
 * A row expander was given a source it cannot use: `field` names the field (`content` or
 * `rowId` not a string, the source not an object).
 */
export class RowSourceInvalidError extends errorClass(ParsersError, "RowSourceInvalidError", "PARSERS_ROW_SOURCE", "argument", ["ROW_SOURCE_INVALID"]) {
  static readonly isInstance = instanceCheck<RowSourceInvalidError>(this);
  /** The offending field of the row source. */
  readonly field: string;

  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super(`row source ${field}: ${message}`, options);
    this.field = field;
  }
}

/**
 * A public function of `@replaykit/parsers` was called with an argument it cannot use:
 * `argument` names it (`body`, `options.sectionId`, `lastSeenAt`, `row.messages`, …).
 */
export class ParsersArgumentError extends errorClass(ParsersError, "ParsersArgumentError", "PARSERS_ARGUMENT", "argument") {
  static readonly isInstance = instanceCheck<ParsersArgumentError>(this);
  /** The offending argument, as a path from the parameter name. */
  readonly argument: string;

  constructor(argument: string, message: string, options?: { cause?: unknown }) {
    super(`parsers: ${argument} ${message}`, options);
    this.argument = argument;
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

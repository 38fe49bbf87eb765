/**
 * The command's own failures, in replaykit's shared error scheme (`@replaykit/errors`: brand
 * `Symbol.for("replaykit.error")` = `"cli"`, a stable `code`, a `kind`, `isInstance` by
 * brand and code), and the exit codes. Everything the CLI prints as an error goes through
 * `describeError`, which turns any thrown value into one line and an exit code.
 */

import {
  describeValue,
  errorClass,
  type ErrorKind,
  instanceCheck,
  isErrorKind,
  isReplaykitError,
  REPLAYKIT_ERROR,
  ReplaykitErrorBase,
} from "@replaykit/errors";

/**
 * The exit code of each error kind. 0 is success and 1 the generic failure (what the
 * command reports itself: bad input lines, problems `verify` found; and any error without
 * a kind). Changing one is a breaking change.
 */
export const EXIT_CODES: Readonly<Record<ErrorKind, number>> = Object.freeze({
  argument: 2, // a usage error: bad flags, sizes or arguments (commander's own errors too)
  "not-found": 3, // no store at the directory, a receipt's picks gone
  corrupt: 4, // a damaged index or frame, a malformed body or receipt
  io: 5, // the system refused: permissions, a full disk, a read-only file system
  locked: 6, // another writer held the store past --wait
  conflict: 7, // the store changed under the command (another writer, a compaction)
  unsupported: 8, // valid, but not something this command handles (a section type without an expander)
});

/** The exit code of the generic failure. */
export const EXIT_FAILURE = 1;

/** The base class of the CLI's errors; `exitCode` is what the process exits with. */
export abstract class CliError extends ReplaykitErrorBase {
  abstract readonly exitCode: number;
  readonly [REPLAYKIT_ERROR] = "cli";
}

/** Bad flags, a bad size, a missing argument, an unreadable ids file: exit code 2. */
export class UsageError extends errorClass(CliError, "UsageError", "CLI_USAGE", "argument") {
  static readonly isInstance = instanceCheck<UsageError>(this);
  readonly exitCode = EXIT_CODES.argument;
}

/**
 * A failure the CLI itself detects and reports (bad input lines, verify problems, no store).
 * Without a `kind` it is the generic failure, exit code 1 (its `kind` then says `"corrupt"`:
 * the input or the store is not as it should be); with one, the exit code of that kind.
 */
export class CliFailure extends errorClass(CliError, "CliFailure", "CLI_FAILURE", "corrupt") {
  static readonly isInstance = instanceCheck<CliFailure>(this);
  readonly exitCode: number;

  constructor(message: string, options: { cause?: unknown; kind?: ErrorKind } = {}) {
    super(message, options);
    this.exitCode = options.kind === undefined ? EXIT_FAILURE : EXIT_CODES[options.kind];
  }
}

/** The exit code for an error of `kind` (the generic failure for none, or a kind this version does not know). */
export function exitCodeOf(kind: unknown): number {
  return isErrorKind(kind) ? EXIT_CODES[kind] : EXIT_FAILURE;
}

/** One line (no newlines) and an exit code for anything thrown by a command. */
export function describeError(error: unknown): { message: string; exitCode: number; known: boolean } {
  if (UsageError.isInstance(error) || CliFailure.isInstance(error)) {
    return { message: oneLine(error.message), exitCode: error.exitCode, known: true };
  }
  const message = error instanceof Error ? error.message : typeof error === "string" ? error : describeValue(error);
  if (isReplaykitError(error) && error.code === "UNKNOWN_SECTION_TYPE") {
    // The store's advice (register an expander in code) is not something a shell user can do.
    const { sectionType, sectionId } = error as { sectionType?: string; sectionId?: string };
    return {
      message: `section ${sectionId ?? "?"} has type ${JSON.stringify(sectionType)}, which has no row expander: the replaykit command samples prose, instruction and preference sections; sample other types through @replaykit/store with an expander`,
      exitCode: exitCodeOf(error.kind),
      known: true,
    };
  }
  if (isReplaykitError(error)) return { message: oneLine(message), exitCode: exitCodeOf(error.kind), known: true };
  // Node's own errors (ENOENT on an input file, ENOSPC …) carry a readable message too.
  if (isSystemError(error)) return { message: oneLine(message), exitCode: EXIT_CODES[error.code === "ENOENT" ? "not-found" : "io"], known: true };
  return { message: `internal error: ${oneLine(message)} (set REPLAYKIT_DEBUG=1 for the stack)`, exitCode: EXIT_FAILURE, known: false };
}

/** Collapses a multi-line message into one line. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, " ").trim();
}

/** An error from Node's fs / net layer (it has a `syscall` and an `E…` code). */
export function isSystemError(error: unknown): error is Error & { code: string; syscall: string } {
  const e = error as { code?: unknown; syscall?: unknown } | null;
  return typeof e === "object" && e !== null && typeof e.code === "string" && typeof e.syscall === "string";
}

const OUTPUT_REASONS: Readonly<Record<string, string>> = {
  EPIPE: "the reader closed the pipe",
  ENOSPC: "no space left on the device",
  EBADF: "the stream is closed",
  EIO: "input/output error",
  EDQUOT: "disk quota exceeded",
  EFBIG: "file too large",
};

/** The one line for a failed write to stdout or stderr: `cannot write to stdout: no space left on the device (ENOSPC)`. */
export function outputErrorLine(stream: "stdout" | "stderr", error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const reason = typeof code === "string" ? `${OUTPUT_REASONS[code] ?? oneLine((error as Error).message)} (${code})` : oneLine(String(error));
  return `cannot write to ${stream}: ${reason}`;
}

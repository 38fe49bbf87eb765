/**
 * The command's own failures, in replaykit's shared error scheme (marker
 * `Symbol.for("replaykit.error")` = `"cli"`, a stable `code`, `isInstance` by marker and
 * code). Everything the CLI prints as an error goes through `describeError`, which turns
 * any thrown value into one line and an exit code.
 */

import { isReplaykitError } from "@replaykit/store";

/** Marks every replaykit error; the value is the package's short name. */
const REPLAYKIT_ERROR = Symbol.for("replaykit.error");

function hasCode(error: unknown, code: string): boolean {
  return isReplaykitError(error) && error.code === code;
}

/** The base class of the CLI's errors; `exitCode` is what the process exits with. */
export abstract class CliError extends Error {
  /** Stable UPPER_SNAKE code, unique across replaykit. */
  abstract readonly code: string;
  abstract readonly exitCode: number;
  readonly [REPLAYKIT_ERROR] = "cli";
}

/** Bad flags, a bad size, a missing argument, an unreadable ids file: exit code 2. */
export class UsageError extends CliError {
  readonly code = "CLI_USAGE" as const;
  readonly exitCode = 2;
  override readonly name = "UsageError";

  /** True for a `UsageError` from any copy of this package. */
  static isInstance(error: unknown): error is UsageError {
    return hasCode(error, "CLI_USAGE");
  }
}

/** A failure the CLI itself detects (bad input lines, no store, verify problems): exit code 1. */
export class CliFailure extends CliError {
  readonly code = "CLI_FAILURE" as const;
  readonly exitCode = 1;
  override readonly name = "CliFailure";

  /** True for a `CliFailure` from any copy of this package. */
  static isInstance(error: unknown): error is CliFailure {
    return hasCode(error, "CLI_FAILURE");
  }
}

/** One line (no newlines) and an exit code for anything thrown by a command. */
export function describeError(error: unknown): { message: string; exitCode: number; known: boolean } {
  if (UsageError.isInstance(error) || CliFailure.isInstance(error)) {
    return { message: oneLine(error.message), exitCode: error.exitCode, known: true };
  }
  const message = error instanceof Error ? error.message : String(error);
  if (hasCode(error, "UNKNOWN_SECTION_TYPE")) {
    // The store's advice (register an expander in code) is not something a shell user can do.
    const { sectionType, sectionId } = error as { sectionType?: string; sectionId?: string };
    return {
      message: `section ${sectionId ?? "?"} has type ${JSON.stringify(sectionType)}, which has no row expander: the replaykit command samples prose, instruction and preference sections; sample other types through @replaykit/store with an expander`,
      exitCode: 1,
      known: true,
    };
  }
  if (isReplaykitError(error)) return { message: oneLine(message), exitCode: 1, known: true };
  // Node's own errors (ENOENT on an input file, ENOSPC …) carry a readable message too.
  if (isSystemError(error)) return { message: oneLine(message), exitCode: 1, known: true };
  return { message: `internal error: ${oneLine(message)} (set REPLAYKIT_DEBUG=1 for the stack)`, exitCode: 1, known: false };
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

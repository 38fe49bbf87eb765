/**
 * The command's own failures. Everything the CLI prints as an error goes through
 * `describeError`, which turns any thrown value into one line and an exit code.
 */

/** Bad flags, a bad size, a missing argument, an invalid protect file: exit code 2. */
export class UsageError extends Error {
  readonly code = "USAGE" as const;
  readonly exitCode = 2;
  override readonly name = "UsageError";
}

/** A failure the CLI itself detects (bad input lines, no store, verify problems): exit code 1. */
export class CliFailure extends Error {
  readonly code = "FAILURE" as const;
  readonly exitCode = 1;
  override readonly name = "CliFailure";
}

const KNOWN_CODES = new Set([
  "STORE_LOCKED",
  "STORE_IO",
  "STORE_NOT_FOUND",
  "STORE_INVALID_ARGUMENT",
  "UNKNOWN_SECTION_TYPE",
  "CORPUS_CORRUPT",
  "CORPUS_IO",
  "SNAPSHOT_INVALID",
  "INDEX_CORRUPT",
  "INDEX_READ",
  "INDEX_WRITE",
  "INDEX_ENTRY_INVALID",
  "SAMPLER",
  "EVICTION",
  "INSTRUCTION_PARSE",
  "PREFERENCE_PARSE",
  "ROW_SOURCE_INVALID",
]);

/** One line (no newlines) and an exit code for anything thrown by a command. */
export function describeError(error: unknown): { message: string; exitCode: number; known: boolean } {
  if (error instanceof UsageError || error instanceof CliFailure) {
    return { message: oneLine(error.message), exitCode: error.exitCode, known: true };
  }
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === "UNKNOWN_SECTION_TYPE") {
    // The store's advice (register an expander in code) is not something a shell user can do.
    const { sectionType, sectionId } = error as { sectionType?: string; sectionId?: string };
    return {
      message: `section ${sectionId ?? "?"} has type ${JSON.stringify(sectionType)}, which has no row expander: the replaykit command samples prose, instruction and preference sections; sample other types through @replaykit/store with an expander`,
      exitCode: 1,
      known: true,
    };
  }
  if (typeof code === "string" && KNOWN_CODES.has(code)) return { message: oneLine(message), exitCode: 1, known: true };
  // Node's own errors (ENOENT on an input file, EPIPE …) carry a readable message too.
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

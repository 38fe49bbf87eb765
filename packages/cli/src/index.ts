/**
 * `@replaykit/cli`: the `replaykit` command — add, sample, stats, verify, evict, compact,
 * export and upgrade a replay store from the shell. `run` is the whole command as a
 * function, for tests and for embedding.
 *
 * @example
 * ```ts
 * import { run } from "@replaykit/cli";
 *
 * const exitCode = await run(["sample", "./replay", "--k", "8", "--seed", "1"]);
 * ```
 *
 * @packageDocumentation
 */
export { run } from "./run.js";
export type { CliIO, OutStream } from "./io.js";
export { CliFailure, EXIT_CODES, EXIT_FAILURE, UsageError } from "./errors.js";
export { type ErrorKind, isReplaykitError } from "@replaykit/errors";
export { formatBytes, parseSize } from "./size.js";

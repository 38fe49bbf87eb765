/**
 * `@replaykit/errors`: the error scheme every replaykit package shares. Every error a
 * replaykit package throws carries the brand `Symbol.for("replaykit.error")`, a stable
 * `code` and a `kind` saying what the caller can do; `isReplaykitError` and each class's
 * `isInstance` check the brand and the code, never the prototype, so they work across two
 * installed copies of a package. No dependencies, no Node built-ins: runs in browsers.
 *
 * @example
 * ```ts
 * import { isReplaykitError } from "@replaykit/errors";
 *
 * try {
 *   await store.evict({ maxBytes: 64 * 2 ** 20 });
 * } catch (error) {
 *   if (isReplaykitError(error) && error.kind === "locked") scheduleRetry();
 *   else throw error;
 * }
 * ```
 *
 * @packageDocumentation
 */
export { describeValue } from "./describe-value.js";
export {
  brandOf,
  ERROR_KINDS,
  type ErrorClass,
  type ErrorClassOf,
  errorClass,
  instanceCheck,
  type ErrorKind,
  hasCode,
  isErrorKind,
  isReplaykitError,
  REPLAYKIT_ERROR,
  type ReplaykitError,
  ReplaykitErrorBase,
  type ReplaykitErrorClass,
  type ReplaykitErrorOptions,
  systemCodeOf,
} from "./error.js";

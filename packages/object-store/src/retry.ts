import { ObjectStoreAmbiguousError, ObjectStoreArgumentError, ObjectStoreError, type ObjectStoreOperation, describeValue } from "./errors.js";

/**
 * How failed requests are retried: exponential backoff with full jitter (the wait before
 * retry n is uniform in [0, min(maxDelayMs, baseDelayMs · 2^(n-1)))), on 5xx, 429, reset
 * connections and timeouts. A conditional put (create, update) that may have landed is
 * never retried (see {@link ObjectStoreAmbiguousError}).
 */
export interface RetryOptions {
  /** Attempts per request, the first included; 1 turns retries off. */
  maxAttempts?: number;
  /** The backoff's base. */
  baseDelayMs?: number;
  /** The backoff's cap. */
  maxDelayMs?: number;
}

/** {@link RetryOptions} with every field set. Internal. */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** Validates retry options over defaults. Internal. */
export function retryPolicy(options: RetryOptions | undefined, defaults: RetryPolicy, argument: string): RetryPolicy {
  if (options === undefined) return defaults;
  if (typeof options !== "object" || options === null) throw new ObjectStoreArgumentError(argument, `expected an object, got ${describeValue(options)}`);
  const pick = (name: keyof RetryPolicy, min: number) => {
    const v = options[name];
    if (v === undefined) return defaults[name];
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min)
      throw new ObjectStoreArgumentError(`${argument}.${name}`, `expected an integer ≥ ${min}, got ${describeValue(v)}`);
    return v;
  };
  return { maxAttempts: pick("maxAttempts", 1), baseDelayMs: pick("baseDelayMs", 0), maxDelayMs: pick("maxDelayMs", 0) };
}

/**
 * One attempt that failed in a way a retry may fix, classified. Thrown by attempts,
 * caught by {@link withRetries}; never reaches a caller. Internal.
 */
export class AttemptFailure {
  constructor(
    /** What happened, for the final error's message (no secrets). */
    readonly reason: string,
    readonly info: {
      /** HTTP status, when a response came. */
      status?: number | undefined;
      /** Would a retry of an idempotent request make sense (5xx, 429, reset, timeout). */
      retryable: boolean;
      /** Could the request have been applied (it reached the server and no definite refusal came back). */
      mayHaveLanded: boolean;
      /** A sanitised cause for the final error. */
      cause?: unknown;
    },
  ) {}
}

/** What a request is, for retries and for the final error. Internal. */
export interface RequestContext {
  readonly operation: ObjectStoreOperation;
  readonly bucket: string;
  readonly key: string;
  /** For a conditional put: its mode (such a put is never retried once it may have landed). */
  readonly conditional?: "create" | "update" | undefined;
}

/** Full-jitter exponential backoff before retry number `retry` (1-based). Internal. */
export function backoffMs(policy: RetryPolicy, retry: number, random: () => number): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(retry - 1, 30));
  return Math.floor(random() * cap);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` until it succeeds, throws a final error (anything but an
 * {@link AttemptFailure}), or the policy's attempts are spent. Internal.
 * @throws {ObjectStoreAmbiguousError} a conditional put failed in a way that may have landed
 * @throws {ObjectStoreError} the last attempt failed
 */
export async function withRetries<T>(ctx: RequestContext, policy: RetryPolicy, random: () => number, attempt: (n: number) => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!(error instanceof AttemptFailure)) throw error;
      const { status, retryable, mayHaveLanded, cause } = error.info;
      if (ctx.conditional !== undefined && mayHaveLanded) {
        throw new ObjectStoreAmbiguousError(error.reason, { bucket: ctx.bucket, key: ctx.key, mode: ctx.conditional, status, cause });
      }
      if (!retryable || n >= policy.maxAttempts) {
        throw new ObjectStoreError(error.reason, { operation: ctx.operation, bucket: ctx.bucket, key: ctx.key, status, attempts: n, cause });
      }
      await sleep(backoffMs(policy, n, random));
    }
  }
}

/** At most `limit` calls of `run` in flight; the others wait in order. Internal. */
export function limiter(limit: number): <T>(run: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (run) => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else active++;
    try {
      return await run();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}

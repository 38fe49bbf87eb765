import { describeValue, ObjectStoreArgumentError, type ObjectStoreOperation } from "./errors.js";

/**
 * One injected fault.
 *
 * - `latency`: the request waits `ms` (or a seeded uniform draw in `[minMs, maxMs]`)
 *   before it is served; several matching latency rules add up.
 * - `status`: the server answers with this HTTP status (503 "SlowDown", 500, 429 …).
 * - `reset`: the connection is reset after the request was sent.
 * - `timeout`: no answer within the timeout (after `afterMs`, default 0).
 * - `timeout-after-write`: the write is applied, then the caller sees a timeout (the
 *   same as `{ kind: "timeout", landed: true }`).
 *
 * `landed: true` on a `status`, `reset` or `timeout` fault applies the request first (a put
 * or delete takes effect), then fails: what a real server does when it commits and the
 * answer is lost. A failure that may have landed makes a create or update reject with
 * `ObjectStoreAmbiguousError` (not retried); other requests are retried (5xx, 429, reset,
 * timeout), and a 4xx other than 429 is not.
 */
export type Fault =
  | { readonly kind: "latency"; readonly ms: number }
  | { readonly kind: "latency"; readonly minMs: number; readonly maxMs: number }
  | { readonly kind: "status"; readonly status: number; readonly message?: string; readonly landed?: boolean }
  | { readonly kind: "reset"; readonly landed?: boolean }
  | { readonly kind: "timeout"; readonly afterMs?: number; readonly landed?: boolean }
  | { readonly kind: "timeout-after-write"; readonly afterMs?: number };

/**
 * When a fault strikes: on requests of `operations` (default all) whose key (a listing's
 * prefix) starts with `prefix` (default ""), on the `nth` such request (1-based; a number
 * or a list), else with `probability` (default 1), at most `times` times. Every attempt
 * of a retried request is a request.
 */
export interface FaultRule {
  readonly fault: Fault;
  readonly operations?: readonly ObjectStoreOperation[];
  readonly prefix?: string;
  readonly nth?: number | readonly number[];
  readonly probability?: number;
  readonly times?: number;
}

/**
 * The faults a memory store injects: rules checked in order on every request (each
 * counting its matches and drawing its random number, so a plan replays exactly from its
 * seed for the same sequence of calls); latencies add up, the first error fault wins.
 */
export interface FaultPlan {
  /** Seed of the probabilities and random latencies. Default 1. */
  readonly seed?: number;
  readonly rules: readonly FaultRule[];
}

/** A seeded PRNG (mulberry32 over a mixed seed): uniform doubles in [0, 1). Internal. */
export function seededRandom(seed: number): () => number {
  let s = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ 0xc2b2ae35) >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What the fault plan decided for one request. Internal. */
export interface FaultDecision {
  readonly latencyMs: number;
  readonly fault: Exclude<Fault, { kind: "latency" }> | undefined;
}

const OPERATIONS: readonly ObjectStoreOperation[] = ["get", "head", "put", "list", "delete"];

function fail(argument: string, reason: string): never {
  throw new ObjectStoreArgumentError(argument, reason);
}

function checkRule(rule: unknown, i: number): FaultRule {
  const at = `faults.rules[${i}]`;
  if (typeof rule !== "object" || rule === null) fail(at, `expected a rule object, got ${describeValue(rule)}`);
  const r = rule as Record<string, unknown>;
  const f = r.fault as Record<string, unknown> | undefined;
  if (typeof f !== "object" || f === null) fail(`${at}.fault`, `expected a fault object, got ${describeValue(f)}`);
  const nonNegative = (name: string, v: unknown) => {
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) fail(`${at}.fault.${name}`, `expected a non-negative number, got ${describeValue(v)}`);
  };
  switch (f.kind) {
    case "latency":
      if ("ms" in f) nonNegative("ms", f.ms);
      else {
        nonNegative("minMs", f.minMs);
        nonNegative("maxMs", f.maxMs);
        if ((f.maxMs as number) < (f.minMs as number)) fail(`${at}.fault.maxMs`, "must be ≥ minMs");
      }
      break;
    case "status":
      if (typeof f.status !== "number" || !Number.isInteger(f.status) || f.status < 400 || f.status > 599)
        fail(`${at}.fault.status`, `expected an HTTP error status (400-599), got ${describeValue(f.status)}`);
      break;
    case "timeout":
    case "timeout-after-write":
      if (f.afterMs !== undefined) nonNegative("afterMs", f.afterMs);
      break;
    case "reset":
      break;
    default:
      fail(`${at}.fault.kind`, `expected "latency", "status", "reset", "timeout" or "timeout-after-write", got ${describeValue(f.kind)}`);
  }
  if (r.operations !== undefined && (!Array.isArray(r.operations) || r.operations.some((o) => !OPERATIONS.includes(o))))
    fail(`${at}.operations`, `expected a list of ${OPERATIONS.join(", ")}, got ${describeValue(r.operations)}`);
  if (r.prefix !== undefined && typeof r.prefix !== "string") fail(`${at}.prefix`, `expected a string, got ${describeValue(r.prefix)}`);
  const nth = r.nth === undefined ? [] : Array.isArray(r.nth) ? r.nth : [r.nth];
  if (nth.some((n) => typeof n !== "number" || !Number.isSafeInteger(n) || n < 1))
    fail(`${at}.nth`, `expected a positive integer or a list of them, got ${describeValue(r.nth)}`);
  if (r.probability !== undefined && (typeof r.probability !== "number" || !(r.probability >= 0 && r.probability <= 1)))
    fail(`${at}.probability`, `expected a number in [0, 1], got ${describeValue(r.probability)}`);
  if (r.times !== undefined && (typeof r.times !== "number" || !Number.isSafeInteger(r.times) || r.times < 0))
    fail(`${at}.times`, `expected a non-negative integer, got ${describeValue(r.times)}`);
  return rule as FaultRule;
}

/** A fault plan in play: its counters and its random stream. Internal. */
export class FaultInjector {
  private readonly rules: readonly FaultRule[];
  private readonly matched: number[];
  private readonly fired: number[];
  private readonly random: () => number;

  constructor(plan: FaultPlan | undefined) {
    if (plan !== undefined && (typeof plan !== "object" || plan === null || !Array.isArray(plan.rules)))
      fail("faults", `expected { seed?, rules: [...] }, got ${describeValue(plan)}`);
    if (plan?.seed !== undefined && (typeof plan.seed !== "number" || !Number.isSafeInteger(plan.seed)))
      fail("faults.seed", `expected an integer, got ${describeValue(plan.seed)}`);
    this.rules = (plan?.rules ?? []).map(checkRule);
    this.matched = this.rules.map(() => 0);
    this.fired = this.rules.map(() => 0);
    this.random = seededRandom(plan?.seed ?? 1);
  }

  /** The jitter source of this handle's retries (the same seeded stream). */
  get rng(): () => number {
    return this.random;
  }

  decide(operation: ObjectStoreOperation, key: string): FaultDecision {
    let latencyMs = 0;
    let fault: FaultDecision["fault"];
    this.rules.forEach((rule, i) => {
      if (rule.operations !== undefined && !rule.operations.includes(operation)) return;
      if (rule.prefix !== undefined && !key.startsWith(rule.prefix)) return;
      const count = ++this.matched[i]!;
      const draw = this.random();
      const nth = rule.nth === undefined ? undefined : typeof rule.nth === "number" ? [rule.nth] : rule.nth;
      const strikes = nth !== undefined ? nth.includes(count) : draw < (rule.probability ?? 1);
      if (!strikes || (rule.times !== undefined && this.fired[i]! >= rule.times)) return;
      const f = rule.fault;
      if (f.kind === "latency") {
        latencyMs += "ms" in f ? f.ms : f.minMs + this.random() * (f.maxMs - f.minMs);
        this.fired[i]!++;
      } else if (fault === undefined) {
        fault = f;
        this.fired[i]!++;
      }
    });
    return { latencyMs, fault };
  }
}

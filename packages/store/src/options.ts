// The store's options objects, checked with valibot (as the CLI checks its input lines and
// corpus checks snapshot inits): one schema per options object, so a wrong type or a
// misspelt key is a StoreArgumentError naming the key (`options.lockTimeout` is not silently
// ignored), and the defaults live in one place.
import { DEFAULT_MAX_FRAME_BYTES } from "@replaykit/corpus";
import type { RowExpander } from "@replaykit/parsers";
import * as v from "valibot";
import { StoreArgumentError } from "./errors.js";

/** Default `lockTimeoutMs`: how long a mutating call waits for another writer. */
export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;

const expanderRecord = v.record(
  v.string(),
  v.union([v.undefined(), v.custom<RowExpander>((x) => typeof x === "function", "must be a function (source, rowId) => rows, or undefined to remove a type")]),
);

const storeOptionsSchema = v.strictObject({
  expanders: v.optional(expanderRecord),
  lock: v.optional(v.boolean("must be a boolean")),
  lockTimeoutMs: v.optional(v.pipe(v.number("must be a number of milliseconds"), v.minValue(0, "must not be negative"), v.finite("must be finite"))),
  create: v.optional(v.boolean("must be a boolean")),
  maxFrameBytes: v.optional(
    v.pipe(v.number("must be a number of bytes"), v.safeInteger("must be a whole number of bytes"), v.minValue(1, "must be at least 1")),
  ),
});

/** The options of `ReplayStore.open` / `ReplayStore.at`, checked, with their defaults. */
export interface ResolvedStoreOptions {
  expanders: Partial<Record<string, RowExpander>>;
  lock: boolean;
  lockTimeoutMs: number;
  create: boolean;
  maxFrameBytes: number;
}

/**
 * Checks a `StoreOptions` object and fills in the defaults.
 * @throws {StoreArgumentError} naming the first bad key (`options.lockTimeoutMs`, `options.expanders.glossary`, …).
 */
export function resolveStoreOptions(options: unknown): ResolvedStoreOptions {
  const o = checked(storeOptionsSchema, options, "options");
  return {
    expanders: o.expanders === undefined ? {} : withDroppedKeys(o.expanders, (options as { expanders: object }).expanders),
    lock: o.lock ?? true,
    lockTimeoutMs: o.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
    create: o.create ?? true,
    maxFrameBytes: o.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
  };
}

/**
 * valibot's `record` leaves out the keys `__proto__`, `prototype` and `constructor`, but
 * `constructor` is a valid section type: the given record's own keys that the parse
 * dropped come back, checked the same way.
 */
function withDroppedKeys(parsed: Partial<Record<string, RowExpander>>, given: object): Partial<Record<string, RowExpander>> {
  const out = { ...parsed };
  for (const [type, expander] of Object.entries(given)) {
    if (Object.hasOwn(parsed, type)) continue;
    if (expander !== undefined && typeof expander !== "function")
      fail(`options.expanders.${type}`, "must be a function (source, rowId) => rows, or undefined to remove a type");
    Object.defineProperty(out, type, { value: expander, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Parses `value` with `schema`, turning the first issue into a StoreArgumentError named by its path under `name`. */
export function checked<S extends v.GenericSchema>(schema: S, value: unknown, name: string): v.InferOutput<S> {
  const result = v.safeParse(schema, value);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const path = v.getDotPath(issue);
  if (issue.kind === "schema" && issue.type === "strict_object" && issue.input !== undefined && path !== null) {
    return fail(`${name}.${path}`, "is not an option here (misspelt?)");
  }
  if (path === null && issue.type === "strict_object") return fail(name, "must be an object");
  return fail(path === null ? name : `${name}.${path}`, issue.message.startsWith("Invalid") ? `is invalid (${issue.message})` : issue.message);
}

function fail(argument: string, message: string): never {
  throw new StoreArgumentError(argument, message);
}

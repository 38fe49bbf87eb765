// The store's options objects, checked with valibot (as the CLI checks its input lines and
// corpus checks snapshot inits): one schema per options object, so a wrong type or a
// misspelt key is a StoreArgumentError naming the key (`options.lockTimeout` is not silently
// ignored), and the defaults live in one place.
import { DEFAULT_MAX_FRAME_BYTES } from "@replaykit/corpus";
import type { IndexEntry } from "@replaykit/index";
import type { RowExpander } from "@replaykit/parsers";
import type { Scheme, SchemeFn } from "@replaykit/sampler";
import * as v from "valibot";
import type { ObjectStore } from "@replaykit/object-store";
import { StoreArgumentError } from "./errors.js";

/** Options of `ReplayStore.open` / `ReplayStore.at`. */
export interface StoreOptions {
  /** Replace or add how a section type becomes rows (merged over `defaultExpanders`; undefined removes a type). */
  expanders?: Partial<Record<string, RowExpander>>;
  /** Default true: mutating calls hold a lock file next to the index, across processes. */
  lock?: boolean;
  /** Default 10 000: how long a mutating call waits for another writer before `StoreLockedError`. */
  lockTimeoutMs?: number;
  /**
   * Default true: the first write creates the store's directory if it is missing; false
   * makes that write a `StoreNotFoundError`. Reads of a store whose directory is missing are
   * a `StoreNotFoundError` either way and create nothing.
   */
  create?: boolean;
  /** Default 64 MiB: a frame declaring more content than this is a `CorpusCorruptError` before anything is allocated for it. */
  maxFrameBytes?: number;
  // ---- a store in object storage (`ReplayStore.open("s3://bucket/prefix")`); ignored for directories
  /**
   * The S3 endpoint and client settings. Credentials, region and endpoint default to the
   * standard AWS chain (`AWS_*` environment, shared config, profile; `AWS_ENDPOINT_URL_S3` /
   * `AWS_ENDPOINT_URL`); an explicit endpoint implies path-style addressing.
   */
  s3?: { endpoint?: string; region?: string; forcePathStyle?: boolean; maxConcurrency?: number; maxAttempts?: number };
  /** Immutable objects are cached on this machine here. Default `$REPLAYKIT_CACHE`, else the OS cache directory; `""` turns the cache off. */
  cacheDir?: string;
  /** Default 10 GiB; least recently used objects go first. */
  cacheMaxBytes?: number;
  /** Read the store as of this commit (a pinned snapshot); default the latest at open. */
  commit?: number;
  /** Instead of an S3 client: any `ObjectStore` (`@replaykit/object-store`; e.g. `memoryObjectStore()` in tests). */
  objectStore?: ObjectStore;
  /**
   * Default 1 hour: how long the objects of a generation a compaction retired stay, so a
   * reader that pinned a commit within that time keeps reading it (`remove` with `purge`
   * deletes them at once).
   */
  gracePeriodMs?: number;
}

/** Options of the long calls (`verify`, `compact`). */
export interface ProgressOptions {
  /** Called after each batch of frames with how many are done and how many there are in all. */
  onProgress?: (done: number, total: number) => void;
}

/** Options of `verify`. */
export interface VerifyOptions extends ProgressOptions {
  /** Default false. True: move every damaged entry's bytes into the quarantine and the entry out of the index (a write: it takes the lock). */
  repair?: boolean;
}

/** Options of `compact`. */
export interface CompactOptions extends ProgressOptions {
  /** Default false: when the index looks lost `compact` refuses with `StoreArgumentError`, because it would discard every section. */
  force?: boolean;
}

/** Options of `sampleRows`. Give exactly one of `seed` and `random` (as the sampler's `sample`). */
export interface SampleRowsOptions {
  k: number;
  now: Date;
  /** A safe integer: the same seed and store give the same rows. Not made up when absent: `draw` does that, and records it in its receipt. */
  seed?: number;
  random?: () => number;
  scheme?: Scheme<IndexEntry>;
  /** Instead of seed/random: the rows, in order, of dlm's sample_rows for `random.Random(dlmSeed)` on this store (see dlm-draw.ts). */
  dlmSeed?: number | bigint;
}

/** Options of `samplePreferenceRows`. */
export interface SamplePreferenceRowsOptions extends SampleRowsOptions {
  /** Default true. */
  includeAutoMined?: boolean;
}

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
  s3: v.optional(
    v.strictObject({
      endpoint: v.optional(v.pipe(v.string("must be an http(s) URL"), v.url("must be an http(s) URL"))),
      region: v.optional(v.pipe(v.string("must be a region name"), v.minLength(1, "must be a region name"))),
      forcePathStyle: v.optional(v.boolean("must be a boolean")),
      maxConcurrency: v.optional(
        v.pipe(v.number("must be a positive integer"), v.safeInteger("must be a positive integer"), v.minValue(1, "must be at least 1")),
      ),
      maxAttempts: v.optional(v.pipe(v.number("must be a positive integer"), v.safeInteger("must be a positive integer"), v.minValue(1, "must be at least 1"))),
    }),
  ),
  cacheDir: v.optional(v.string('must be a directory path ("" turns the cache off)')),
  cacheMaxBytes: v.optional(
    v.pipe(v.number("must be a number of bytes"), v.safeInteger("must be a whole number of bytes"), v.minValue(0, "must not be negative")),
  ),
  commit: v.optional(v.pipe(v.number("must be a commit number"), v.safeInteger("must be a commit number"), v.minValue(0, "must not be negative"))),
  objectStore: v.optional(
    v.custom<ObjectStore>(
      (x) =>
        typeof x === "object" && x !== null && ["get", "head", "put", "list", "delete"].every((m) => typeof (x as Record<string, unknown>)[m] === "function"),
      "must be an ObjectStore (get, head, put, list, delete)",
    ),
  ),
  gracePeriodMs: v.optional(v.pipe(v.number("must be a number of milliseconds"), v.minValue(0, "must not be negative"), v.finite("must be finite"))),
});

/** The options of `ReplayStore.open` / `ReplayStore.at`, checked, with their defaults. */
export interface ResolvedStoreOptions {
  expanders: Partial<Record<string, RowExpander>>;
  lock: boolean;
  lockTimeoutMs: number;
  create: boolean;
  maxFrameBytes: number;
  s3: NonNullable<StoreOptions["s3"]>;
  cacheDir: string | undefined;
  cacheMaxBytes: number | undefined;
  commit: number | undefined;
  objectStore: ObjectStore | undefined;
  gracePeriodMs: number | undefined;
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
    s3: o.s3 ?? {},
    cacheDir: o.cacheDir,
    cacheMaxBytes: o.cacheMaxBytes,
    commit: o.commit,
    objectStore: o.objectStore,
    gracePeriodMs: o.gracePeriodMs,
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
  if (path === null && (issue.type === "strict_object" || issue.type === "object")) return fail(name, "must be an object");
  return fail(path === null ? name : `${name}.${path}`, issue.message.startsWith("Invalid") ? `is invalid (${issue.message})` : issue.message);
}

function fail(argument: string, message: string): never {
  throw new StoreArgumentError(argument, message);
}

// ---------------------------------------------------------------- the calls' options objects
// One schema per options object. Messages say what the value must be; `checked` names the
// argument as `options.<key>` (the naming every store error uses).

const fn = <T>(message: string) => v.custom<T>((x) => typeof x === "function", message);
const progress = v.optional(fn<(done: number, total: number) => void>("must be a function (done, total) => void"));
const flag = v.optional(v.boolean("must be a boolean"));
const validDate = v.custom<Date>((x) => x instanceof Date && !Number.isNaN(x.getTime()), "must be a valid Date");
const count = v.pipe(
  v.number("must be a non-negative integer"),
  v.safeInteger("must be a non-negative integer"),
  v.minValue(0, "must be a non-negative integer"),
);
const seed = v.optional(v.pipe(v.number("must be a safe integer"), v.safeInteger("must be a safe integer")));
const random = v.optional(fn<() => number>("must be a function returning numbers in [0, 1)"));
const scheme = v.optional(
  v.union([v.literal("recency"), v.literal("uniform"), fn<SchemeFn<IndexEntry>>("")], 'must be "recency", "uniform" or a function (entry, now) => weight'),
);
/** dlm's integer seed (`random.Random(dlmSeed)`): any integer, a bigint beyond 2^53. */
const dlmSeed = v.optional(
  v.union(
    [v.pipe(v.number(), v.safeInteger("must be a safe integer, or a bigint for larger ones")), v.bigint()],
    "must be an integer (a safe integer number, or a bigint for larger ones)",
  ),
);

/** `verify(options)`. */
export const VerifyOptionsSchema = v.strictObject({ repair: flag, onProgress: progress });
/** `compact(options)`. */
export const CompactOptionsSchema = v.strictObject({ force: flag, onProgress: progress });
/** `sampleRows(options)`. */
export const SampleRowsOptionsSchema = v.strictObject({ k: count, now: validDate, seed, random, scheme, dlmSeed });
/** `samplePreferenceRows(options)`. */
export const SamplePreferenceRowsOptionsSchema = v.strictObject({ k: count, now: validDate, seed, random, scheme, dlmSeed, includeAutoMined: flag });
/** `remove(ids, options)`. */
export const RemoveOptionsSchema = v.optional(v.strictObject({ purge: flag }), {});
/** `evict(options)`. */
export const EvictOptionsSchema = v.strictObject({
  maxBytes: v.pipe(
    v.number("must be a non-negative integer number of bytes"),
    v.safeInteger("must be a non-negative integer number of bytes"),
    v.minValue(0, "must be a non-negative integer number of bytes"),
  ),
  protectIds: v.optional(
    v.custom<Iterable<string>>(
      (x) => typeof x !== "string" && typeof (x as { [Symbol.iterator]?: unknown } | null)?.[Symbol.iterator] === "function",
      "must be an iterable of section ids",
    ),
  ),
  compact: flag,
});
/** `appendMany(snapshots, options)` / `ingest`. */
export const AppendOptionsSchema = v.optional(
  v.strictObject({
    validate: flag,
    onDuplicate: v.optional(v.picklist(["skip", "supersede", "keep"], 'must be one of "skip", "supersede", "keep"')),
    onProgress: progress,
  }),
  {},
);
/** `draw(options)`: field types here; the rules across fields (one budget, shares) in draw.ts. */
export const DrawOptionsSchema = v.strictObject({
  now: validDate,
  seed,
  random,
  scheme,
  k: v.optional(count),
  rows: v.optional(count),
  maxTokens: v.optional(count),
  countTokens: v.optional(fn<(row: unknown) => number>("must be a function (row) => tokens")),
  // Not v.record: valibot drops keys such as "constructor", and a section type may be named that.
  mix: v.optional(
    // (Each share is checked by draw.ts, which names the type: `options.mix.prose`.)
    v.custom<Record<string, number>>((x) => typeof x === "object" && x !== null && !Array.isArray(x), "must be an object of section type → share"),
  ),
  includeAutoMined: flag,
  recordExposure: flag,
  shard: v.optional(
    v.pipe(
      v.strictObject({ rank: count, worldSize: v.pipe(count, v.minValue(1, "must be at least 1")) }, "must be { rank, worldSize }"),
      v.check((s) => s.rank < s.worldSize, "must have rank below worldSize"),
    ),
  ),
});

/** A quarantine record's number (`quarantinedBytes(id)`). */
export const RecordNumberSchema = v.pipe(
  v.number("must be a quarantine record number (1, 2, …)"),
  v.safeInteger("must be a quarantine record number (1, 2, …)"),
  v.minValue(1, "must be a quarantine record number (1, 2, …)"),
);
/** Quarantine record numbers (`dropQuarantined(ids)`). */
export const RecordNumbersSchema = v.array(RecordNumberSchema, 'must be an iterable of record numbers, or "all"');

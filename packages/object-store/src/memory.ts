import {
  describeValue,
  ObjectNotFoundError,
  ObjectRangeError,
  ObjectStoreArgumentError,
  ObjectStoreError,
  type ObjectStoreOperation,
  PreconditionFailedError,
} from "./errors.js";
import { type FaultPlan, FaultInjector } from "./faults.js";
import {
  bareEtag,
  checkBody,
  checkKey,
  checkMode,
  checkPrefix,
  checkRange,
  compareKeys,
  type ListEntry,
  type ObjectHead,
  type ObjectRange,
  type ObjectStore,
  type PutMode,
} from "./object-store.js";
import { AttemptFailure, type RetryOptions, retryPolicy, sleep, withRetries } from "./retry.js";

/** Keys per listing page, as S3 (each page is one request, subject to faults). */
const PAGE = 1000;

interface StoredObject {
  readonly body: Uint8Array;
  readonly etag: string;
}

/**
 * The objects of a memory store. Several handles ({@link memoryObjectStore} with
 * `{ state }`, or {@link MemoryObjectStore.fork}) share one state, as several machines
 * share one bucket.
 */
export class MemoryObjectState {
  private readonly objects = new Map<string, StoredObject>();
  private sorted: string[] | undefined;
  private writes = 0;

  /** How many objects there are. */
  get size(): number {
    return this.objects.size;
  }

  /** Every key, in listing order. */
  keys(): readonly string[] {
    this.sorted ??= [...this.objects.keys()].sort(compareKeys);
    return this.sorted;
  }

  /** @internal */
  read(key: string): StoredObject | undefined {
    return this.objects.get(key);
  }

  /** @internal Stores a copy; a fresh etag on every write (even of the same bytes). */
  write(key: string, body: Uint8Array): string {
    const etag = `"m${(++this.writes).toString(16).padStart(8, "0")}"`;
    if (!this.objects.has(key)) this.sorted = undefined;
    this.objects.set(key, { body: body.slice(), etag });
    return etag;
  }

  /** @internal */
  remove(key: string): void {
    if (this.objects.delete(key)) this.sorted = undefined;
  }
}

/** One request a memory handle served or failed (every attempt of a retried call). */
export interface MemoryRequest {
  readonly operation: ObjectStoreOperation;
  /** The key (a listing's prefix). */
  readonly key: string;
  /** The fault injected, if any. */
  readonly fault?: string;
}

/** Options of {@link memoryObjectStore}. */
export interface MemoryObjectStoreOptions {
  /** Faults to inject (latency, errors, resets, timeouts); none by default. */
  faults?: FaultPlan;
  /** The objects; a fresh empty state by default. Pass another handle's `state` to share it. */
  state?: MemoryObjectState;
  /** The bucket name in error messages. Default `"memory"`. */
  bucket?: string;
  /** Retries of failed requests. Default 5 attempts, 1 ms base, 20 ms cap (jitter from the fault seed). */
  retry?: RetryOptions;
}

/** A memory store handle: an {@link ObjectStore} plus what tests need. */
export interface MemoryObjectStore extends ObjectStore {
  /** The objects this handle reads and writes. */
  readonly state: MemoryObjectState;
  readonly bucket: string;
  /** Every request this handle made, in order (attempts of retried calls each count). */
  readonly requests: readonly MemoryRequest[];
  /** A new handle on the same state, with its own faults, retries and cut-off switch. */
  fork(options?: Omit<MemoryObjectStoreOptions, "state">): MemoryObjectStore;
  /**
   * Cuts this handle off, as if its process were killed: every later call, and every call
   * in flight that has not been applied yet, rejects with an `ObjectStoreError`
   * (`"reject"`, the default) or never settles (`"hang"`). Other handles are unaffected.
   */
  cutOff(mode?: "reject" | "hang"): void;
}

const DEFAULT_RETRY = { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 20 } as const;

/**
 * An object store in memory with the exact semantics of a strict S3 server: create fails
 * if the key exists (atomically, however many race), update only with the current etag,
 * every write a new etag, exact range checks, listing in UTF-8 byte order by pages of
 * 1000. Injects the faults of `options.faults`, deterministically from its seed.
 *
 * @example
 * ```ts
 * const store = memoryObjectStore();
 * await store.put("a/1", new TextEncoder().encode("hi"), { kind: "create" });
 * ```
 * @throws {ObjectStoreArgumentError} bad options (a fault rule, a retry setting)
 */
export function memoryObjectStore(options: MemoryObjectStoreOptions = {}): MemoryObjectStore {
  if (typeof options !== "object" || options === null) throw new ObjectStoreArgumentError("options", `expected an object, got ${describeValue(options)}`);
  const state = options.state ?? new MemoryObjectState();
  if (!(state instanceof MemoryObjectState)) throw new ObjectStoreArgumentError("options.state", `expected a MemoryObjectState, got ${describeValue(state)}`);
  const bucket = options.bucket ?? "memory";
  if (typeof bucket !== "string" || bucket === "")
    throw new ObjectStoreArgumentError("options.bucket", `expected a non-empty string, got ${describeValue(bucket)}`);
  const faults = new FaultInjector(options.faults);
  const policy = retryPolicy(options.retry, DEFAULT_RETRY, "options.retry");
  const requests: MemoryRequest[] = [];
  let cut: "reject" | "hang" | undefined;

  const cutOffError = (operation: ObjectStoreOperation, key: string) =>
    new ObjectStoreError("this handle was cut off (its process is gone)", { operation, bucket, key });

  /** One request: faults, latency, the cut-off switch, then `apply` (synchronous, so atomic). */
  async function request<T>(operation: ObjectStoreOperation, key: string, apply: () => T): Promise<T> {
    if (cut === "reject") throw cutOffError(operation, key);
    if (cut === "hang") return new Promise<T>(() => {});
    const { latencyMs, fault } = faults.decide(operation, key);
    requests.push(fault === undefined ? { operation, key } : { operation, key, fault: fault.kind });
    if (latencyMs > 0) await sleep(latencyMs);
    else await Promise.resolve();
    if (cut !== undefined) {
      if (cut === "hang") return new Promise<T>(() => {});
      throw cutOffError(operation, key);
    }
    if (fault === undefined) return apply();
    const landed = fault.kind === "timeout-after-write" || ("landed" in fault && fault.landed === true);
    // A fault that landed: the request takes effect, and its answer (success or a typed refusal) is lost.
    if (landed) {
      try {
        apply();
      } catch {}
    }
    if ((fault.kind === "timeout" || fault.kind === "timeout-after-write") && (fault.afterMs ?? 0) > 0) await sleep(fault.afterMs ?? 0);
    switch (fault.kind) {
      case "status":
        throw new AttemptFailure(fault.message ?? (fault.status === 503 ? "SlowDown (injected)" : "injected error"), {
          status: fault.status,
          retryable: fault.status >= 500 || fault.status === 429,
          mayHaveLanded: fault.status >= 500 || landed,
        });
      case "reset":
        throw new AttemptFailure("connection reset (ECONNRESET, injected)", { retryable: true, mayHaveLanded: true });
      default:
        throw new AttemptFailure("request timed out (injected)", { retryable: true, mayHaveLanded: true });
    }
  }

  const run = <T>(operation: ObjectStoreOperation, key: string, conditional: "create" | "update" | undefined, apply: () => T) =>
    withRetries({ operation, bucket, key, conditional }, policy, faults.rng, () => request(operation, key, apply));

  const store: MemoryObjectStore = {
    state,
    bucket,
    requests,

    async get(key: string, range?: ObjectRange): Promise<Uint8Array> {
      checkKey(key);
      const r = checkRange(range);
      return run("get", key, undefined, () => {
        const o = state.read(key);
        if (o === undefined) throw new ObjectNotFoundError({ bucket, key, status: 404 });
        if (r === undefined) return o.body.slice();
        if (r.offset + r.length > o.body.length) throw new ObjectRangeError({ bucket, key, offset: r.offset, length: r.length, size: o.body.length });
        return o.body.slice(r.offset, r.offset + r.length);
      });
    },

    async head(key: string): Promise<ObjectHead | undefined> {
      checkKey(key);
      return run("head", key, undefined, () => {
        const o = state.read(key);
        return o === undefined ? undefined : { size: o.body.length, etag: o.etag };
      });
    },

    async put(key: string, body: Uint8Array, mode: PutMode): Promise<{ etag: string }> {
      checkKey(key);
      checkBody(body);
      const m = checkMode(mode);
      const conditional = m.kind === "overwrite" ? undefined : m.kind;
      const copy = body.slice();
      return run("put", key, conditional, () => {
        const current = state.read(key);
        if (m.kind === "create" && current !== undefined) throw new PreconditionFailedError({ bucket, key, mode: "create", reason: "exists", status: 412 });
        if (m.kind === "update") {
          if (current === undefined) throw new PreconditionFailedError({ bucket, key, mode: "update", reason: "missing", status: 412 });
          if (bareEtag(current.etag) !== bareEtag(m.etag))
            throw new PreconditionFailedError({ bucket, key, mode: "update", reason: "etag-mismatch", status: 412 });
        }
        return { etag: state.write(key, copy) };
      });
    },

    async *list(prefix: string, startAfter?: string): AsyncIterable<ListEntry> {
      checkPrefix(prefix, "prefix");
      if (startAfter !== undefined) checkPrefix(startAfter, "startAfter");
      let cursor = startAfter;
      for (;;) {
        const page = await run("list", prefix, undefined, () => {
          const keys = state.keys();
          // Binary search for the first key after the cursor (or at the prefix).
          const from = cursor !== undefined && compareKeys(cursor, prefix) >= 0 ? cursor : undefined;
          let lo = 0;
          let hi = keys.length;
          while (lo < hi) {
            const mid = (lo + hi) >>> 1;
            const c = from === undefined ? compareKeys(keys[mid]!, prefix) < 0 : compareKeys(keys[mid]!, from) <= 0;
            if (c) lo = mid + 1;
            else hi = mid;
          }
          const out: ListEntry[] = [];
          for (let i = lo; i < keys.length && out.length < PAGE; i++) {
            const k = keys[i]!;
            if (!k.startsWith(prefix)) break;
            out.push({ key: k, size: state.read(k)!.body.length });
          }
          return out;
        });
        yield* page;
        if (page.length < PAGE) return;
        cursor = page[page.length - 1]!.key;
      }
    },

    async delete(key: string): Promise<void> {
      checkKey(key);
      await run("delete", key, undefined, () => state.remove(key));
    },

    fork(forkOptions: Omit<MemoryObjectStoreOptions, "state"> = {}): MemoryObjectStore {
      return memoryObjectStore({ bucket, ...forkOptions, state });
    },

    cutOff(mode: "reject" | "hang" = "reject"): void {
      if (mode !== "reject" && mode !== "hang") throw new ObjectStoreArgumentError("mode", `expected "reject" or "hang", got ${describeValue(mode)}`);
      cut = mode;
    },
  };
  return store;
}

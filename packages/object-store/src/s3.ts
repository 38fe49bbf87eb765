import type { S3Client } from "@aws-sdk/client-s3";
import {
  describeValue,
  ObjectNotFoundError,
  ObjectRangeError,
  ObjectStoreArgumentError,
  type ObjectStoreOperation,
  PreconditionFailedError,
} from "./errors.js";
import {
  bareEtag,
  checkBody,
  checkKey,
  checkMode,
  checkPrefix,
  checkRange,
  type ListEntry,
  type ObjectHead,
  type ObjectRange,
  type ObjectStore,
  type PutMode,
} from "./object-store.js";
import { AttemptFailure, limiter, type RetryPolicy, retryPolicy, withRetries } from "./retry.js";

/** Explicit credentials (by default the SDK's chain: AWS_* env, shared config and profiles, …). */
export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Options of {@link s3ObjectStore}. */
export interface S3ObjectStoreOptions {
  /** The bucket. Keys are full keys: a store's prefix is the caller's. */
  bucket: string;
  /** The endpoint URL; default `AWS_ENDPOINT_URL_S3`, then `AWS_ENDPOINT_URL`, then AWS. */
  endpoint?: string;
  /** Default: the SDK's chain (`AWS_REGION`, shared config); `us-east-1` for a custom endpoint with none. */
  region?: string;
  /** Path-style URLs (`endpoint/bucket/key`); default true when an endpoint is set, else false. */
  forcePathStyle?: boolean;
  /** Default: the SDK's default credential chain. */
  credentials?: S3Credentials;
  /** Requests in flight at most (the rest queue). Default 16. */
  maxConcurrency?: number;
  /** Attempts per request, the first included. Default 5. Conditional puts that may have landed are never retried. */
  maxAttempts?: number;
  /** Backoff of the retries (full jitter). Default base 100 ms, cap 5000 ms. */
  retry?: { baseDelayMs?: number; maxDelayMs?: number };
  /** One attempt's time limit, body included. Default 30000. */
  requestTimeoutMs?: number;
  /**
   * The SDK's checksums: `"when-required"` (plain bodies; what RGW, MinIO, R2 and the
   * like take) or `"when-supported"` (the SDK's default since 3.729: aws-chunked bodies with
   * CRC trailers). Default: `"when-supported"` on AWS, `"when-required"` elsewhere.
   */
  checksums?: "when-required" | "when-supported";
  /**
   * How an update's `If-Match` carries the etag: `"quoted"` (RFC 9110, AWS), `"unquoted"`
   * (what Ceph RGW 16 matches), or `"auto"` (default): quoted first; on 412, once more
   * unquoted (safe: both are conditional on the same etag), remembering what worked.
   */
  ifMatchEtag?: "auto" | "quoted" | "unquoted";
}

/** An {@link ObjectStore} over S3, plus its settings and a way to close its sockets. */
export interface S3ObjectStore extends ObjectStore {
  readonly bucket: string;
  /** The endpoint URL, or `"AWS S3 (default endpoint)"`. */
  readonly endpoint: string;
  /** Closes the client's keep-alive sockets; later calls open new ones. */
  close(): void;
}

const AWS_DEFAULT = "AWS S3 (default endpoint)";
const NEVER_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "CredentialsProviderError"]);
const TRANSIENT_CODES = new Set(["RequestTimeout", "RequestTimeTooSkewed", "SlowDown", "InternalError", "ServiceUnavailable", "ThrottlingException"]);

type Sdk = typeof import("@aws-sdk/client-s3");
let sdkPromise: Promise<Sdk> | undefined;
// Loaded on first use, so a memory-only user never loads the SDK.
const loadSdk = () => (sdkPromise ??= import("@aws-sdk/client-s3"));

function positiveInt(value: unknown, argument: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1)
    throw new ObjectStoreArgumentError(argument, `expected a positive integer, got ${describeValue(value)}`);
  return value;
}

function env(name: string): string | undefined {
  const v = typeof process === "undefined" ? undefined : process.env[name];
  return v === undefined || v === "" ? undefined : v;
}

/** Replaces every secret (and anything shaped like a signature) in `text`. */
function scrubber(secrets: readonly string[]): (text: string) => string {
  const list = secrets.filter((s) => s.length >= 4);
  return (text) => {
    let out = text;
    for (const s of list) out = out.split(s).join("[redacted]");
    return out
      .replace(/(Signature=)[0-9a-f]{16,}/gi, "$1[redacted]")
      .replace(/(X-Amz-Security-Token=)[^&\s"]+/gi, "$1[redacted]")
      .replace(/(x-amz-security-token:\s*)\S+/gi, "$1[redacted]");
  };
}

interface SdkErrorShape {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  Code?: unknown;
  $metadata?: { httpStatusCode?: number; requestId?: string };
  $response?: { statusCode?: number; headers?: Record<string, string> };
  cause?: unknown;
}

/**
 * Options are checked at once; the SDK is loaded and the client made on the first request.
 *
 * @example
 * ```ts
 * const store = s3ObjectStore({ bucket: "corpus", endpoint: "http://127.0.0.1:7480" });
 * const { etag } = await store.put("store/commits/00000001", bytes, { kind: "create" });
 * ```
 * @throws {ObjectStoreArgumentError} a bad option (no bucket, an endpoint that is not an http(s) URL, …)
 */
export function s3ObjectStore(options: S3ObjectStoreOptions): S3ObjectStore {
  if (typeof options !== "object" || options === null) throw new ObjectStoreArgumentError("options", `expected an object, got ${describeValue(options)}`);
  const { bucket } = options;
  if (typeof bucket !== "string" || bucket === "" || bucket.includes("/"))
    throw new ObjectStoreArgumentError("options.bucket", `expected a bucket name, got ${describeValue(bucket)}`);
  const endpointOption = options.endpoint ?? env("AWS_ENDPOINT_URL_S3") ?? env("AWS_ENDPOINT_URL");
  let endpointUrl: URL | undefined;
  if (endpointOption !== undefined) {
    try {
      endpointUrl = new URL(endpointOption);
    } catch {}
    if (typeof endpointOption !== "string" || endpointUrl === undefined || !/^https?:$/.test(endpointUrl.protocol))
      throw new ObjectStoreArgumentError("options.endpoint", `expected an http(s) URL, got ${describeValue(endpointOption)}`);
    if (endpointUrl.username !== "" || endpointUrl.password !== "")
      throw new ObjectStoreArgumentError("options.endpoint", "credentials do not belong in the endpoint URL");
  }
  const endpoint = endpointUrl === undefined ? AWS_DEFAULT : endpointUrl.href.replace(/\/$/, "");
  const onAws = endpointUrl === undefined || /\.amazonaws\.com(\.cn)?$/.test(endpointUrl.hostname);
  if (options.forcePathStyle !== undefined && typeof options.forcePathStyle !== "boolean")
    throw new ObjectStoreArgumentError("options.forcePathStyle", `expected a boolean, got ${describeValue(options.forcePathStyle)}`);
  if (options.region !== undefined && (typeof options.region !== "string" || options.region === ""))
    throw new ObjectStoreArgumentError("options.region", `expected a region name, got ${describeValue(options.region)}`);
  const checksums = options.checksums ?? (onAws ? "when-supported" : "when-required");
  if (checksums !== "when-required" && checksums !== "when-supported")
    throw new ObjectStoreArgumentError("options.checksums", `expected "when-required" or "when-supported", got ${describeValue(checksums)}`);
  const ifMatchEtag = options.ifMatchEtag ?? "auto";
  if (!["auto", "quoted", "unquoted"].includes(ifMatchEtag))
    throw new ObjectStoreArgumentError("options.ifMatchEtag", `expected "auto", "quoted" or "unquoted", got ${describeValue(ifMatchEtag)}`);
  const creds = options.credentials;
  if (
    creds !== undefined &&
    (typeof creds !== "object" || creds === null || typeof creds.accessKeyId !== "string" || typeof creds.secretAccessKey !== "string")
  )
    throw new ObjectStoreArgumentError("options.credentials", "expected { accessKeyId, secretAccessKey, sessionToken? } strings");
  const maxConcurrency = positiveInt(options.maxConcurrency, "options.maxConcurrency", 16);
  const requestTimeoutMs = positiveInt(options.requestTimeoutMs, "options.requestTimeoutMs", 30_000);
  const policy: RetryPolicy = retryPolicy(
    { maxAttempts: positiveInt(options.maxAttempts, "options.maxAttempts", 5), ...options.retry },
    { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 5000 },
    "options.retry",
  );
  const region =
    options.region ?? (endpointUrl !== undefined && env("AWS_REGION") === undefined && env("AWS_DEFAULT_REGION") === undefined ? "us-east-1" : undefined);
  const scrub = scrubber(
    [creds?.secretAccessKey, creds?.sessionToken, env("AWS_SECRET_ACCESS_KEY"), env("AWS_SESSION_TOKEN")].filter((s): s is string => s !== undefined),
  );
  const gate = limiter(maxConcurrency);
  let etagForm: "quoted" | "unquoted" | undefined = ifMatchEtag === "auto" ? undefined : ifMatchEtag;
  let client: Promise<{ sdk: Sdk; s3: S3Client }> | undefined;

  const getClient = () =>
    (client ??= loadSdk().then((sdk) => {
      // The SDK warns once per process, from its constructor, that releases from 2027 need
      // Node 22; we pin a release, so the warning tells our users nothing. Turned off
      // around our constructor only (the SDK then keeps it off for the process).
      const name = "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED";
      const before = process.env[name];
      process.env[name] = "true";
      try {
        const s3 = new sdk.S3Client({
          ...(region === undefined ? {} : { region }),
          ...(endpointUrl === undefined ? {} : { endpoint: endpoint }),
          forcePathStyle: options.forcePathStyle ?? endpointUrl !== undefined,
          ...(creds === undefined ? {} : { credentials: { ...creds } }),
          // Our own loop retries (it knows which puts must not be repeated).
          maxAttempts: 1,
          requestChecksumCalculation: checksums === "when-required" ? "WHEN_REQUIRED" : "WHEN_SUPPORTED",
          responseChecksumValidation: checksums === "when-required" ? "WHEN_REQUIRED" : "WHEN_SUPPORTED",
          requestHandler: {
            requestTimeout: requestTimeoutMs,
            connectionTimeout: Math.min(requestTimeoutMs, 10_000),
            httpAgent: { keepAlive: true, maxSockets: maxConcurrency },
            httpsAgent: { keepAlive: true, maxSockets: maxConcurrency },
          },
        });
        return { sdk, s3 };
      } finally {
        if (before === undefined) delete process.env[name];
        else process.env[name] = before;
      }
    }));

  /** Classifies an SDK or network error: a final typed error is the caller's, an AttemptFailure is retried. */
  function classify(error: unknown, timedOut: boolean): AttemptFailure {
    const e = (typeof error === "object" && error !== null ? error : { message: String(error) }) as SdkErrorShape;
    const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
    const name = typeof e.name === "string" ? e.name : "Error";
    const code = [e.code, e.Code, (e.cause as SdkErrorShape | undefined)?.code].find((c): c is string => typeof c === "string") ?? name;
    const message = scrub(typeof e.message === "string" ? e.message : "");
    const summary = new Error(scrub(`${name}${code !== name ? ` (${code})` : ""}: ${message}`));
    summary.name = "S3ErrorSummary";
    if (e.$metadata?.requestId !== undefined) Object.assign(summary, { requestId: e.$metadata.requestId });
    if (timedOut || name === "TimeoutError" || code === "ETIMEDOUT" || name === "AbortError")
      return new AttemptFailure(`request timed out after ${requestTimeoutMs} ms`, { retryable: true, mayHaveLanded: true, cause: summary });
    if (status === undefined || status === 0) {
      const neverSent = NEVER_SENT.has(code) || NEVER_SENT.has(name);
      return new AttemptFailure(`${code}: ${message}`.slice(0, 300), {
        retryable: code !== "CredentialsProviderError",
        mayHaveLanded: !neverSent,
        cause: summary,
      });
    }
    const retryable = status >= 500 || status === 429 || status === 409 || TRANSIENT_CODES.has(code);
    return new AttemptFailure(`${code}${message && message !== code ? `: ${message}` : ""}`.slice(0, 300), {
      status,
      retryable,
      // 429 and 409 (a conflicting conditional write in flight) are refusals; a 5xx may follow a commit.
      mayHaveLanded: status >= 500,
      cause: summary,
    });
  }

  const statusOf = (error: unknown) => (error as SdkErrorShape | undefined)?.$metadata?.httpStatusCode;

  /** One attempt of `send`, bounded by the concurrency gate and the time limit. */
  function attempt<T>(send: (s3: S3Client, sdk: Sdk, signal: AbortSignal) => Promise<T>, onError?: (error: unknown) => T): Promise<T> {
    return gate(async () => {
      const { s3, sdk } = await getClient();
      const controller = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, requestTimeoutMs);
      try {
        return await send(s3, sdk, controller.signal);
      } catch (error) {
        if (onError !== undefined && !timedOut) return onError(error);
        throw classify(error, timedOut);
      } finally {
        clearTimeout(timer);
      }
    });
  }

  const run = <T>(operation: ObjectStoreOperation, key: string, conditional: "create" | "update" | undefined, fn: () => Promise<T>) =>
    withRetries({ operation, bucket, key, conditional }, policy, Math.random, fn);

  const head = (key: string): Promise<ObjectHead | undefined> =>
    run("head", key, undefined, () =>
      attempt(
        async (s3, sdk, abortSignal) => {
          const res = await s3.send(new sdk.HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal });
          return { size: res.ContentLength ?? 0, etag: res.ETag ?? "" };
        },
        (error) => {
          if (statusOf(error) === 404) return undefined;
          throw classify(error, false);
        },
      ),
    );

  async function getRange(key: string, r: ObjectRange): Promise<Uint8Array> {
    const rangeError = (size: number) => new ObjectRangeError({ bucket, key, offset: r.offset, length: r.length, size });
    if (r.length === 0) {
      // HTTP cannot ask for zero bytes; the size decides.
      const h = await head(key);
      if (h === undefined) throw new ObjectNotFoundError({ bucket, key, status: 404 });
      if (r.offset > h.size) throw rangeError(h.size);
      return new Uint8Array(0);
    }
    let outOfRange = false;
    const bytes = await run("get", key, undefined, () =>
      attempt(
        async (s3, sdk, abortSignal) => {
          const res = await s3.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${r.offset}-${r.offset + r.length - 1}` }), {
            abortSignal,
          });
          const body = res.Body === undefined ? new Uint8Array(0) : await res.Body.transformToByteArray();
          if (res.ContentRange === undefined) {
            // A server that ignores Range answers 200 with the whole object.
            if (r.offset + r.length > body.length) throw rangeError(body.length);
            return body.slice(r.offset, r.offset + r.length);
          }
          const total = /\/(\d+)$/.exec(res.ContentRange)?.[1];
          if (body.length !== r.length) throw rangeError(total === undefined ? r.offset + body.length : Number(total));
          return body;
        },
        (error) => {
          if (ObjectRangeError.isInstance(error)) throw error;
          const status = statusOf(error);
          if (status === 404) throw new ObjectNotFoundError({ bucket, key, status });
          if (status === 416) {
            outOfRange = true;
            return new Uint8Array(0);
          }
          throw classify(error, false);
        },
      ),
    );
    if (!outOfRange) return bytes;
    const h = await head(key);
    if (h === undefined) throw new ObjectNotFoundError({ bucket, key, status: 404 });
    throw rangeError(h.size);
  }

  async function putOnce(key: string, body: Uint8Array, mode: PutMode, ifMatch: string | undefined): Promise<{ etag: string }> {
    const conditional = mode.kind === "overwrite" ? undefined : mode.kind;
    return run("put", key, conditional, () =>
      attempt(
        async (s3, sdk, abortSignal) => {
          const res = await s3.send(
            new sdk.PutObjectCommand({
              Bucket: bucket,
              Key: key,
              Body: body,
              ContentLength: body.length,
              ...(mode.kind === "create" ? { IfNoneMatch: "*" } : {}),
              ...(ifMatch === undefined ? {} : { IfMatch: ifMatch }),
            }),
            { abortSignal },
          );
          return { etag: res.ETag ?? "" };
        },
        (error) => {
          const status = statusOf(error);
          if (mode.kind === "create" && status === 412) throw new PreconditionFailedError({ bucket, key, mode: "create", reason: "exists", status });
          if (mode.kind === "update" && status === 412) throw new PreconditionFailedError({ bucket, key, mode: "update", reason: "etag-mismatch", status });
          if (mode.kind === "update" && status === 404) throw new PreconditionFailedError({ bucket, key, mode: "update", reason: "missing", status });
          throw classify(error, false);
        },
      ),
    );
  }

  async function update(key: string, body: Uint8Array, etag: string): Promise<{ etag: string }> {
    const bare = bareEtag(etag);
    const quoted = `"${bare}"`;
    try {
      return await putOnce(key, body, { kind: "update", etag }, etagForm === "unquoted" ? bare : quoted).then((r) => {
        etagForm ??= "quoted";
        return r;
      });
    } catch (error) {
      if (!PreconditionFailedError.isInstance(error) || error.reason === "missing") throw error;
      if (etagForm === undefined) {
        try {
          const r = await putOnce(key, body, { kind: "update", etag }, bare);
          etagForm = "unquoted";
          return r;
        } catch (second) {
          if (!PreconditionFailedError.isInstance(second)) throw second;
        }
      }
      // RGW answers 412 for a missing key too: say which it was.
      const h = await head(key).catch(() => undefined);
      if (h === undefined) throw new PreconditionFailedError({ bucket, key, mode: "update", reason: "missing", status: error.status });
      throw error;
    }
  }

  return {
    bucket,
    endpoint,

    async get(key: string, range?: ObjectRange): Promise<Uint8Array> {
      checkKey(key);
      const r = checkRange(range);
      if (r !== undefined) return getRange(key, r);
      return run("get", key, undefined, () =>
        attempt(
          async (s3, sdk, abortSignal) => {
            const res = await s3.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal });
            return res.Body === undefined ? new Uint8Array(0) : await res.Body.transformToByteArray();
          },
          (error) => {
            const status = statusOf(error);
            if (status === 404) throw new ObjectNotFoundError({ bucket, key, status });
            throw classify(error, false);
          },
        ),
      );
    },

    async head(key: string): Promise<ObjectHead | undefined> {
      checkKey(key);
      return head(key);
    },

    async put(key: string, body: Uint8Array, mode: PutMode): Promise<{ etag: string }> {
      checkKey(key);
      checkBody(body);
      const m = checkMode(mode);
      if (m.kind === "update") return update(key, body, m.etag);
      return putOnce(key, body, m, undefined);
    },

    async *list(prefix: string, startAfter?: string): AsyncIterable<ListEntry> {
      checkPrefix(prefix, "prefix");
      if (startAfter !== undefined) checkPrefix(startAfter, "startAfter");
      let token: string | undefined;
      for (;;) {
        const page = await run("list", prefix, undefined, () =>
          attempt(async (s3, sdk, abortSignal) =>
            s3.send(
              new sdk.ListObjectsV2Command({
                Bucket: bucket,
                Prefix: prefix,
                ...(token === undefined ? (startAfter === undefined ? {} : { StartAfter: startAfter }) : { ContinuationToken: token }),
              }),
              { abortSignal },
            ),
          ),
        );
        for (const o of page.Contents ?? []) if (o.Key !== undefined) yield { key: o.Key, size: o.Size ?? 0 };
        if (page.IsTruncated !== true || page.NextContinuationToken === undefined) return;
        token = page.NextContinuationToken;
      }
    },

    async delete(key: string): Promise<void> {
      checkKey(key);
      await run("delete", key, undefined, () =>
        attempt(
          async (s3, sdk, abortSignal) => {
            await s3.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key: key }), { abortSignal });
          },
          (error) => {
            if (statusOf(error) === 404) return;
            throw classify(error, false);
          },
        ),
      );
    },

    close(): void {
      const current = client;
      client = undefined;
      void current?.then(({ s3 }) => s3.destroy()).catch(() => {});
    },
  };
}

// Opening a store in object storage: the object store (an S3 client, or one given), the
// machine's cache, the settings.
import type { ObjectStore } from "@replaykit/object-store";
import type { ResolvedStoreOptions } from "../options.js";
import { DEFAULT_CACHE_MAX_BYTES, defaultCacheDir } from "./cache.js";
import { parseS3Location } from "./location.js";
import { DEFAULT_GRACE_PERIOD_MS, loadObjectStore, RemoteStore } from "./remote.js";

/** Requests in flight per store object by default: a draw's frames are many small range GETs, bound by round trips. */
export const DEFAULT_MAX_CONCURRENCY = 64;

/**
 * The remote side of `ReplayStore.open("s3://bucket/prefix")`. `openLocal` opens a
 * working copy's directory as a local store (writes run the local code there).
 * @throws {StoreArgumentError} for a malformed location or options.
 * @throws {StoreUnsupportedError} when `@replaykit/object-store` is not installed.
 */
export async function connectRemote<L>(location: string, o: ResolvedStoreOptions, openLocal: (dir: string) => Promise<L>): Promise<RemoteStore<L>> {
  const where = parseS3Location(location);
  let objects: ObjectStore;
  let endpoint: string;
  if (o.objectStore !== undefined) {
    objects = o.objectStore;
    const named = objects as Partial<{ endpoint: string; bucket: string }>;
    endpoint = `custom:${named.endpoint ?? named.bucket ?? "object-store"}`;
  } else {
    const { s3ObjectStore } = await loadObjectStore();
    const s3 = s3ObjectStore({
      bucket: where.bucket,
      ...(o.s3.endpoint === undefined ? {} : { endpoint: o.s3.endpoint }),
      ...(o.s3.region === undefined ? {} : { region: o.s3.region }),
      ...(o.s3.forcePathStyle === undefined ? {} : { forcePathStyle: o.s3.forcePathStyle }),
      maxConcurrency: o.s3.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY,
      ...(o.s3.maxAttempts === undefined ? {} : { maxAttempts: o.s3.maxAttempts }),
    });
    objects = s3;
    endpoint = s3.endpoint;
  }
  return new RemoteStore(
    where,
    objects,
    {
      cacheDir: o.cacheDir ?? defaultCacheDir(),
      cacheMaxBytes: o.cacheMaxBytes ?? DEFAULT_CACHE_MAX_BYTES,
      gracePeriodMs: o.gracePeriodMs ?? DEFAULT_GRACE_PERIOD_MS,
      maxConcurrency: o.s3.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY,
      endpoint,
    },
    openLocal,
  );
}

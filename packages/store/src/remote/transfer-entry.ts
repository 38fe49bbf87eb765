// `pushStore` and `pullStore` as the package exports them: the copy code (and the lock it
// takes) loads with the first call, so a process that only reads a store never loads it.
import type { PullOptions, PullResult, PushOptions, PushResult } from "./transfer.js";

export type { PullOptions, PullResult, PushOptions, PushResult, TransferProgress } from "./transfer.js";

/**
 * Copies the store in directory `dir` into the empty object-storage location `location`
 * (`s3://bucket/prefix`) as commit 1, byte for byte, holding the store's writer lock so
 * the copy is one consistent snapshot. Checks the endpoint's conditional writes first and
 * every live frame's CRC-32 before uploading anything. Resumable: run it again after an
 * interruption and it sends only the segments not yet there.
 *
 * @example
 * ```ts
 * const { commit, bytes } = await pushStore("./replay", "s3://team-bucket/replay");
 * ```
 * @throws {StoreNotEmptyError} when the location already holds commits (not of this push).
 * @throws {StoreDamagedError} when the store has damaged frames (nothing is uploaded).
 * @throws {StoreUnsupportedError} for a dlm store (`index.json`: run `replaykit upgrade` first).
 * @throws {StoreNotFoundError} when `dir` does not exist.
 * @throws {UnsafeEndpointError} when the endpoint ignores conditional writes (nothing is written).
 */
export async function pushStore(dir: string, location: string, options?: PushOptions): Promise<PushResult> {
  return (await import("./transfer.js")).pushStore(dir, location, options);
}

/**
 * Writes commit `options.commit` (default the latest) of the store at `location` into the
 * directory `dir` as `corpus.zst` and `index.rkx`: for an unchanged pushed store, the
 * source's files byte for byte. Checks every frame's CRC-32 before renaming the files into
 * place (the index last). Resumable: a re-run for the same location and commit continues the
 * download where it stopped.
 *
 * @example
 * ```ts
 * const { commit } = await pullStore("s3://team-bucket/replay", "./replay-copy");
 * ```
 * @throws {StoreNotEmptyError} when `dir` already holds a store (nothing is written).
 * @throws {StoreNotFoundError} when the location holds no commits.
 * @throws {StoreObjectCorruptError} naming the object of a damaged frame (the downloaded
 *   files are left beside the target as `corpus.zst.damaged` and `index.rkx.damaged`).
 * @throws {StoreArgumentError} (options.commit) for a commit the store does not have.
 */
export async function pullStore(location: string, dir: string, options?: PullOptions): Promise<PullResult> {
  return (await import("./transfer.js")).pullStore(location, dir, options);
}

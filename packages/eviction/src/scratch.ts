/**
 * One reusable scratch buffer for `evictUntil` and `evictIndices`: `evictUntil` needs 44
 * bytes an entry (times, lengths, the radix sort's keys and indices, the drop order),
 * `evictIndices` 28 bytes an entry it sorts (all of them, or the ~1 % `reachable` keeps).
 *
 * A fresh 44 MB of typed arrays per call for a million entries costs more than the sort:
 * every page is faulted in on first write, and V8 counts the new external memory towards
 * its next garbage collection. The buffer is held through a `WeakRef`, so calls in a burst
 * share it and the garbage collector can still take it back between bursts.
 *
 * @internal
 * @module
 */

let cached: WeakRef<ArrayBuffer> | undefined;
let inUse = false;

/**
 * Runs `use` with a buffer of at least `bytes` bytes (contents undefined). A nested call (an
 * `addedAt` getter or a `source.sectionId` function that itself evicts) gets a buffer of its
 * own, so it cannot overwrite the outer call's.
 */
export function withScratch<R>(bytes: number, use: (buffer: ArrayBuffer) => R): R {
  if (inUse || typeof WeakRef !== "function") return use(new ArrayBuffer(bytes));
  let buffer = cached?.deref();
  if (buffer === undefined || buffer.byteLength < bytes) {
    buffer = new ArrayBuffer(bytes);
    cached = new WeakRef(buffer);
  }
  inUse = true;
  try {
    return use(buffer);
  } finally {
    inUse = false;
  }
}

/**
 * Forgets the cached buffer, so the next call allocates afresh as a first call does. Only
 * the benchmark uses it, to time a first call beside a repeated one.
 */
export function dropScratch(): void {
  cached = undefined;
}

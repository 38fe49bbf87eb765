/**
 * One reusable scratch buffer for the any-order routes, which need about 10 bytes an entry
 * (buckets) or 60 (tables).
 *
 * A fresh 10 MB buffer per call for a million entries costs more than the work done in it:
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
 * Runs `use` with a buffer of at least `bytes` bytes (contents undefined). A nested call (a
 * scheme function that itself calls `sample`) gets a buffer of its own.
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

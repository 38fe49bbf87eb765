import { Buffer } from "node:buffer";

// One reusable scratch buffer for the large transient byte arrays of a load or a save
// (the file's bytes, the serialized index). A 100,000-entry index is ~15 MB; allocating
// that afresh on every call costs page faults that, on some virtual machines, take longer
// than the parsing itself. The buffer is kept only while calls keep coming: it is dropped
// IDLE_MS after the last release, so an idle process holds nothing.

const IDLE_MS = 1000;

let pooled: Buffer | undefined;
let timer: ReturnType<typeof setTimeout> | undefined;

function drop(): void {
  pooled = undefined;
  timer = undefined;
}

/**
 * A buffer of exactly `size` bytes (contents undefined). Take it back with
 * `releaseScratch` when done; until then nobody else gets it.
 */
export function acquireScratch(size: number): Buffer {
  const buffer = pooled;
  if (buffer !== undefined && buffer.length >= size) {
    pooled = undefined;
    return buffer.subarray(0, size);
  }
  return Buffer.allocUnsafeSlow(size);
}

/** Give back a buffer from `acquireScratch`. Nothing may keep a reference to it. */
export function releaseScratch(buffer: Buffer): void {
  const whole = Buffer.from(buffer.buffer, 0, buffer.buffer.byteLength); // the whole allocation
  if (pooled === undefined || whole.length > pooled.length) pooled = whole;
  if (timer !== undefined) clearTimeout(timer);
  timer = setTimeout(drop, IDLE_MS);
  timer.unref?.();
}

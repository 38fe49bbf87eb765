/**
 * `@mongodb-js/zstd` with every `decompress` counted in `calls.decompress`, for a test file's
 * `vi.mock` (imported inside its factory, which vitest hoists above the file's imports):
 * tests show what reached zstd, and what was rejected before it.
 */
export async function countingZstd(importOriginal: <T>() => Promise<T>, calls: { decompress: number }) {
  const real = await importOriginal<typeof import("@mongodb-js/zstd")>();
  return {
    ...real,
    decompress: (data: Buffer) => {
      calls.decompress++;
      return real.decompress(data);
    },
  };
}

/**
 * XXH32, Yann Collet's 32-bit xxHash, as specified in "xxHash fast digest algorithm",
 * https://github.com/Cyan4973/xxHash/blob/dev/doc/xxhash_spec.md (version 0.1.1, the XXH32
 * section), the one hash every seeded draw uses. It is not cryptographic; it is fast in
 * 32-bit integer arithmetic (JavaScript's `Math.imul`), and its output passes SMHasher.
 *
 * The message is given in the form the sampler needs without building a byte buffer: two
 * 32-bit words followed by a string read as UTF-16LE, i.e. the bytes
 * `LE32(a) ‖ LE32(b) ‖ UTF-16LE(text)` (8 + 2·text.length bytes). A word of the message is
 * then two code units, `text.charCodeAt(j) | text.charCodeAt(j + 1) << 16`, which is exactly
 * a little-endian read of those bytes. The tests check this function against the published
 * sanity vectors of the xxHash repository (`cli/xsum_sanity_check.c`) and against a plain
 * byte-at-a-time transcription of the specification on random messages.
 *
 * @internal
 * @module
 */

// The five primes of the specification, as signed 32-bit integers (for Math.imul).
const P1 = -1640531535; // 0x9E3779B1
const P2 = -2048144777; // 0x85EBCA77
const P3 = -1028477379; // 0xC2B2AE3D
const P4 = 668265263; // 0x27D4EB2F
const P5 = 374761393; // 0x165667B1

/**
 * XXH32 of the bytes `LE32(a) ‖ LE32(b) ‖ UTF-16LE(text)` with a 32-bit `seed`, as a signed
 * 32-bit integer (`>>> 0` gives the specification's unsigned value).
 *
 * Rotations are written out (`(x << r) | (x >>> 32 − r)`) rather than called, so that the
 * whole function stays small enough for V8 to inline into the sampler's loop.
 */
export function xxh32(a: number, b: number, text: string, seed: number): number {
  const n = text.length;
  let h: number;
  let x: number;
  let i = 0;
  if (n >= 4) {
    // 16 bytes or more: four accumulators over 16-byte stripes. The first stripe is a, b
    // and units 0–3; the next ones are 8 units each.
    let v1 = (seed + P1 + P2) | 0;
    let v2 = (seed + P2) | 0;
    let v3 = seed | 0;
    let v4 = (seed - P1) | 0;
    x = (v1 + Math.imul(a, P2)) | 0;
    v1 = Math.imul((x << 13) | (x >>> 19), P1);
    x = (v2 + Math.imul(b, P2)) | 0;
    v2 = Math.imul((x << 13) | (x >>> 19), P1);
    x = (v3 + Math.imul(text.charCodeAt(0) | (text.charCodeAt(1) << 16), P2)) | 0;
    v3 = Math.imul((x << 13) | (x >>> 19), P1);
    x = (v4 + Math.imul(text.charCodeAt(2) | (text.charCodeAt(3) << 16), P2)) | 0;
    v4 = Math.imul((x << 13) | (x >>> 19), P1);
    for (i = 4; i + 8 <= n; i += 8) {
      x = (v1 + Math.imul(text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16), P2)) | 0;
      v1 = Math.imul((x << 13) | (x >>> 19), P1);
      x = (v2 + Math.imul(text.charCodeAt(i + 2) | (text.charCodeAt(i + 3) << 16), P2)) | 0;
      v2 = Math.imul((x << 13) | (x >>> 19), P1);
      x = (v3 + Math.imul(text.charCodeAt(i + 4) | (text.charCodeAt(i + 5) << 16), P2)) | 0;
      v3 = Math.imul((x << 13) | (x >>> 19), P1);
      x = (v4 + Math.imul(text.charCodeAt(i + 6) | (text.charCodeAt(i + 7) << 16), P2)) | 0;
      v4 = Math.imul((x << 13) | (x >>> 19), P1);
    }
    h = (((v1 << 1) | (v1 >>> 31)) + ((v2 << 7) | (v2 >>> 25)) + ((v3 << 12) | (v3 >>> 20)) + ((v4 << 18) | (v4 >>> 14))) | 0;
    h = (h + 8 + 2 * n) | 0;
  } else {
    // Under 16 bytes: a and b are the first two of the remaining words.
    h = (seed + P5 + 8 + 2 * n) | 0;
    x = (h + Math.imul(a, P3)) | 0;
    h = Math.imul((x << 17) | (x >>> 15), P4);
    x = (h + Math.imul(b, P3)) | 0;
    h = Math.imul((x << 17) | (x >>> 15), P4);
  }
  // Remaining whole words, then (odd length) the last unit as two single bytes.
  for (; i + 2 <= n; i += 2) {
    x = (h + Math.imul(text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16), P3)) | 0;
    h = Math.imul((x << 17) | (x >>> 15), P4);
  }
  if (i < n) {
    const unit = text.charCodeAt(i);
    x = (h + Math.imul(unit & 0xff, P5)) | 0;
    h = Math.imul((x << 11) | (x >>> 21), P1);
    x = (h + Math.imul(unit >>> 8, P5)) | 0;
    h = Math.imul((x << 11) | (x >>> 21), P1);
  }
  // Avalanche.
  h = Math.imul(h ^ (h >>> 15), P2);
  h = Math.imul(h ^ (h >>> 13), P3);
  return h ^ (h >>> 16);
}

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

// The steps of the specification as small functions, for xxh32Hex. (`xxh32` writes them out
// instead: as calls they measured 20–40 % slower there, and it is the hot path of `sample`.)

/** One stripe round of the specification: acc + word·P2, rotated left 13, times P1. */
function round(acc: number, word: number): number {
  const x = (acc + Math.imul(word, P2)) | 0;
  return Math.imul((x << 13) | (x >>> 19), P1);
}

/** The four accumulators merged (rotations 1, 7, 12, 18). */
function merge(v1: number, v2: number, v3: number, v4: number): number {
  return (((v1 << 1) | (v1 >>> 31)) + ((v2 << 7) | (v2 >>> 25)) + ((v3 << 12) | (v3 >>> 20)) + ((v4 << 18) | (v4 >>> 14))) | 0;
}

/** One remaining whole 4-byte word: h + word·P3, rotated left 17, times P4. */
function word4(h: number, word: number): number {
  const x = (h + Math.imul(word, P3)) | 0;
  return Math.imul((x << 17) | (x >>> 15), P4);
}

/** The final avalanche. */
function avalanche(h0: number): number {
  let h = Math.imul(h0 ^ (h0 >>> 15), P2);
  h = Math.imul(h ^ (h >>> 13), P3);
  return h ^ (h >>> 16);
}

/**
 * `HEX_WORDS[byte]`: the UTF-16 units of the byte's two lowercase hex digits ('0'–'9' are
 * 48–57, 'a'–'f' 97–102) as one little-endian message word, `unit0 | unit1 << 16`. A table:
 * working the digits out from the nibbles on every call measured 3× slower.
 */
const HEX_WORDS = new Int32Array(256);
for (let byte = 0; byte < 256; byte++) {
  const d0 = byte >>> 4;
  const d1 = byte & 15;
  HEX_WORDS[byte] = (d0 + (d0 < 10 ? 48 : 87)) | ((d1 + (d1 < 10 ? 48 : 87)) << 16);
}

/**
 * `xxh32(a, b, text, seed)` where `text` is the 16 lowercase hex digits of `hi` (digits
 * 0–7) and `lo` (digits 8–15), without building the string (the same steps as `xxh32`, in the
 * specification's order, for this one message length; the tests check it against `xxh32` of the
 * hex string): each message word is two hex
 * digits' UTF-16 units, looked up by byte. The message is 40 bytes: the first
 * stripe is a, b and digits 0–3, the second digits 4–11, then digits 12–15 as two words.
 */
export function xxh32Hex(a: number, b: number, hi: number, lo: number, seed: number): number {
  const w = HEX_WORDS;
  const v1 = round(round((seed + P1 + P2) | 0, a), w[(hi >>> 8) & 255] as number);
  const v2 = round(round((seed + P2) | 0, b), w[hi & 255] as number);
  const v3 = round(round(seed | 0, w[hi >>> 24] as number), w[lo >>> 24] as number);
  const v4 = round(round((seed - P1) | 0, w[(hi >>> 16) & 255] as number), w[(lo >>> 16) & 255] as number);
  const h = (merge(v1, v2, v3, v4) + 40) | 0;
  return avalanche(word4(word4(h, w[(lo >>> 8) & 255] as number), w[lo & 255] as number));
}

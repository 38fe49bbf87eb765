// XXH32 transcribed byte by byte from the specification (xxHash's doc/xxhash_spec.md,
// "XXH32 Algorithm Description"), as plainly as possible: the tests check it against the
// published vectors and then check the sampler's word-wise form against it.

const P1 = 0x9e3779b1;
const P2 = 0x85ebca77;
const P3 = 0xc2b2ae3d;
const P4 = 0x27d4eb2f;
const P5 = 0x165667b1;

const mul = (a: number, b: number) => Math.imul(a, b) >>> 0;
const add = (a: number, b: number) => (a + b) >>> 0;
const rotl = (x: number, r: number) => ((x << r) | (x >>> (32 - r))) >>> 0;
const read32 = (bytes: Uint8Array, at: number) =>
  ((bytes[at] as number) | ((bytes[at + 1] as number) << 8) | ((bytes[at + 2] as number) << 16) | ((bytes[at + 3] as number) << 24)) >>> 0;

/** XXH32(bytes, seed) as an unsigned 32-bit integer. */
export function xxh32Bytes(bytes: Uint8Array, seed: number): number {
  const len = bytes.length;
  let p = 0;
  let acc: number;
  if (len >= 16) {
    let a1 = add(add(seed, P1), P2);
    let a2 = add(seed, P2);
    let a3 = seed >>> 0;
    let a4 = (seed - P1) >>> 0;
    const round = (acc: number, lane: number) => mul(rotl(add(acc, mul(lane, P2)), 13), P1);
    for (; p + 16 <= len; p += 16) {
      a1 = round(a1, read32(bytes, p));
      a2 = round(a2, read32(bytes, p + 4));
      a3 = round(a3, read32(bytes, p + 8));
      a4 = round(a4, read32(bytes, p + 12));
    }
    acc = add(add(add(rotl(a1, 1), rotl(a2, 7)), rotl(a3, 12)), rotl(a4, 18));
  } else {
    acc = add(seed, P5);
  }
  acc = add(acc, len);
  for (; p + 4 <= len; p += 4) acc = mul(rotl(add(acc, mul(read32(bytes, p), P3)), 17), P4);
  for (; p < len; p++) acc = mul(rotl(add(acc, mul(bytes[p] as number, P5)), 11), P1);
  acc = mul((acc ^ (acc >>> 15)) >>> 0, P2);
  acc = mul((acc ^ (acc >>> 13)) >>> 0, P3);
  return (acc ^ (acc >>> 16)) >>> 0;
}

/** The bytes LE32(a) ‖ LE32(b) ‖ UTF-16LE(text): the message form the sampler hashes. */
export function messageBytes(a: number, b: number, text: string): Uint8Array {
  const out = new Uint8Array(8 + 2 * text.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, a >>> 0, true);
  view.setUint32(4, b >>> 0, true);
  for (let i = 0; i < text.length; i++) view.setUint16(8 + 2 * i, text.charCodeAt(i), true);
  return out;
}

/**
 * The sanity buffer of xxHash's self-test (cli/xsum_sanity_check.c, XSUM_fillTestBuffer):
 * byteGen = PRIME32; each byte is byteGen >> 56, then byteGen *= PRIME64 (mod 2^64).
 */
export function sanityBuffer(len: number): Uint8Array {
  const out = new Uint8Array(len);
  let gen = 2654435761n;
  for (let i = 0; i < len; i++) {
    out[i] = Number(gen >> 56n);
    gen = (gen * 11400714785074694797n) & 0xffffffffffffffffn;
  }
  return out;
}

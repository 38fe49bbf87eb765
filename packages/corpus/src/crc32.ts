import * as zlib from "node:zlib";

// zlib.crc32 arrived in Node 20.15; before that a table-driven CRC-32 (IEEE) is used.
const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
let table: Uint32Array | undefined;

/**
 * CRC-32 (IEEE 802.3, as zlib computes it) of a frame's bytes: the checksum replaykit stores
 * in the index so `verify` notices any damaged frame, even a flip that still decodes.
 */
export function crc32(data: Uint8Array): number {
  if (native !== undefined) return native(data) >>> 0;
  if (table === undefined) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

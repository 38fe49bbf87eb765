import { crc32 as zlibCrc32 } from "node:zlib";
import { CorpusArgumentError } from "./errors.js";

/**
 * CRC-32 (IEEE 802.3, as zlib computes it) of a frame's bytes: the checksum replaykit stores
 * in the index so `verify` notices any damaged frame, even a flip that still decodes.
 * It is `node:zlib`'s `crc32` (Node ≥ 20.15), the one CRC of replaykit.
 *
 * @throws {CorpusArgumentError} when `data` is not a Uint8Array.
 */
export function crc32(data: Uint8Array): number {
  if (!(data instanceof Uint8Array)) throw new CorpusArgumentError("crc32", "data", "a Uint8Array", data);
  return zlibCrc32(data) >>> 0;
}

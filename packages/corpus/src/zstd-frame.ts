// The zstd frame format (RFC 8878 §3.1.1), just enough of it to (1) put the content size in
// the header of the frames @mongodb-js/zstd writes without one, and (2) walk a frame's
// blocks so a pointer's length can be checked, a run of frames split, and the most a frame
// can decompress to bounded, without decompressing anything.

const MAGIC = 0xfd2fb528;

/** What the header and block walk of one frame found. */
export interface FrameInfo {
  /** Frame_Content_Size, or undefined when the header does not record it. */
  contentSize: number | undefined;
  /** Bytes the frame occupies (header + blocks + checksum). */
  frameLength: number;
  /**
   * The most its blocks can decompress to: raw and RLE blocks state their size, a compressed
   * block regenerates at most 128 KiB (Block_Maximum_Size, RFC 8878 §3.1.1.2.4).
   */
  maxContentSize: number;
}

const BLOCK_MAX = 128 * 1024;

/** Thrown by the walkers on bytes that are not one well-formed zstd frame. */
export class FrameFormatError extends Error {}

const readLE = (b: Uint8Array, at: number, n: number): number => {
  let v = 0;
  for (let i = n - 1; i >= 0; i--) v = v * 256 + b[at + i]!;
  return v;
};

function headerOf(b: Uint8Array, start: number, end: number) {
  if (end - start < 6) throw new FrameFormatError("too short to be a zstd frame");
  if (readLE(b, start, 4) !== MAGIC) throw new FrameFormatError("no zstd magic number at the frame start");
  const fhd = b[start + 4]!;
  if (fhd & 0x08) throw new FrameFormatError("reserved bit set in the frame header descriptor");
  const fcsFlag = fhd >> 6;
  const singleSegment = (fhd >> 5) & 1;
  const hasChecksum = (fhd >> 2) & 1;
  const dictFlag = fhd & 3;
  const windowBytes = singleSegment ? 0 : 1;
  const dictBytes = [0, 1, 2, 4][dictFlag]!;
  const fcsBytes = [singleSegment ? 1 : 0, 2, 4, 8][fcsFlag]!;
  const headerLength = 5 + windowBytes + dictBytes + fcsBytes;
  if (end - start < headerLength) throw new FrameFormatError("frame header is cut short");
  const fcsAt = start + 5 + windowBytes + dictBytes;
  let contentSize: number | undefined;
  if (fcsBytes > 0) {
    contentSize = readLE(b, fcsAt, fcsBytes) + (fcsBytes === 2 ? 256 : 0);
  }
  return { fhd, singleSegment, hasChecksum, dictBytes, headerLength, contentSize, windowByte: singleSegment ? undefined : b[start + 5]! };
}

/**
 * Walks the frame that starts at `start` and must end exactly at `end`.
 * @throws {FrameFormatError} when it is not one complete zstd frame of that length.
 */
export function walkFrame(b: Uint8Array, start: number, end: number): FrameInfo {
  const h = headerOf(b, start, end);
  if (h.dictBytes !== 0 && readLE(b, start + 5 + (h.singleSegment ? 0 : 1), h.dictBytes) !== 0) {
    throw new FrameFormatError("frame needs a dictionary (none is used by replaykit or dlm)");
  }
  let at = start + h.headerLength;
  let maxContentSize = 0;
  for (;;) {
    if (end - at < 3) throw new FrameFormatError("frame is cut short inside its blocks");
    const bh = readLE(b, at, 3);
    const last = bh & 1;
    const type = (bh >> 1) & 3;
    const size = bh >>> 3;
    if (type === 3) throw new FrameFormatError("reserved block type");
    if (size > BLOCK_MAX) throw new FrameFormatError("block larger than the 128 KiB maximum");
    maxContentSize += type === 2 ? BLOCK_MAX : size;
    at += 3 + (type === 1 ? 1 : size);
    if (at > end) throw new FrameFormatError("frame is cut short inside a block");
    if (last) break;
  }
  if (h.hasChecksum) at += 4;
  if (at !== end) {
    throw new FrameFormatError(
      at > end ? "frame is cut short (content checksum missing)" : `frame ends at +${at - start}, ${end - at} bytes before the pointer's end`,
    );
  }
  if (h.contentSize !== undefined && h.contentSize > maxContentSize) {
    throw new FrameFormatError(`frame declares ${h.contentSize} content bytes, its blocks can hold at most ${maxContentSize}`);
  }
  return { contentSize: h.contentSize, frameLength: end - start, maxContentSize };
}

/**
 * The content size a frame's header declares, read from the header alone (no block walk);
 * undefined when the bytes do not start with a readable zstd frame header or it records none.
 */
export function declaredContentSize(b: Uint8Array): number | undefined {
  try {
    return headerOf(b, 0, b.length).contentSize;
  } catch {
    return undefined;
  }
}

/**
 * Rewrites a one-frame zstd buffer so its header records `contentSize`, in the form libzstd
 * itself writes for one-shot compression: single-segment (no window descriptor) when the
 * content fits the original window, with an FCS field of 1, 2, 4 or 8 bytes (the 2-byte
 * form stores size − 256). A header that already records a size is returned unchanged.
 */
export function withContentSize(frame: Uint8Array, contentSize: number): Uint8Array {
  const h = headerOf(frame, 0, frame.length);
  if (h.contentSize !== undefined) return frame;
  const windowSize = h.windowByte === undefined ? Infinity : windowSizeOf(h.windowByte);
  const singleSegment = contentSize <= windowSize;
  const fcsCode = (contentSize >= 256 ? 1 : 0) + (contentSize >= 65536 + 256 ? 1 : 0) + (contentSize >= 0xffffffff ? 1 : 0);
  // Without the single-segment flag, FCS code 0 means "no size field": use the 2-byte form.
  const code = !singleSegment && fcsCode === 0 ? 1 : fcsCode;
  const fcsBytes = [singleSegment ? 1 : 0, 2, 4, 8][code]!;
  const stored = code === 1 ? contentSize - 256 : contentSize;
  if (stored < 0) throw new RangeError("content size too small for the 2-byte FCS form");
  const newHeaderLength = 5 + (singleSegment ? 0 : 1) + h.dictBytes + fcsBytes;
  const body = frame.subarray(h.headerLength);
  const out = Buffer.allocUnsafe(newHeaderLength + body.length); // every byte is written below
  out.set(frame.subarray(0, 4), 0);
  out[4] = (code << 6) | (singleSegment ? 0x20 : 0) | (h.fhd & 0x07);
  let at = 5;
  if (!singleSegment) out[at++] = h.windowByte!;
  out.set(frame.subarray(5 + (h.singleSegment ? 0 : 1), 5 + (h.singleSegment ? 0 : 1) + h.dictBytes), at);
  at += h.dictBytes;
  let v = stored;
  for (let i = 0; i < fcsBytes; i++) {
    out[at++] = v % 256;
    v = Math.floor(v / 256);
  }
  out.set(body, at);
  return out;
}

function windowSizeOf(descriptor: number): number {
  const exponent = descriptor >> 3;
  const mantissa = descriptor & 7;
  const base = 2 ** (10 + exponent);
  return base + (base / 8) * mantissa;
}

// The canonical CBOR payload of one snapshot (DESIGN §3): a 7-key map with snake_case keys in
// length-first order, dates as tag 0 RFC 3339 text, shortest-form integers. cborg does the
// encoding (its default map sorter is length-first, as RFC 8949 §4.2.3 and cbor2 order keys)
// and the general decoding. One speed-tuned second copy stays: a fixed-schema reader for
// payloads in exactly the canonical layout, because it makes readSnapshots 1.5–2× faster end
// to end (README, "Why these dependencies"); anything else goes through cborg. (A hand-written
// writer was measured too, 0.97–1.13× on appendSnapshots, and removed.)
import { decode, encode, Token, Type, type TagDecodeControl } from "cborg";
import { formatRfc3339, parseRfc3339 } from "./date.js";
import { describe } from "./errors.js";
import { isSectionId, isSectionType, type SectionSnapshot } from "./snapshot.js";

/** A payload that is not a snapshot: `reason` says whether the CBOR or its shape is wrong. */
export class PayloadError extends Error {
  constructor(
    readonly reason: "cbor" | "shape",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const encodeOptions = {
  typeEncoders: {
    Date: (d: unknown) => [new Token(Type.tag, 0), new Token(Type.string, formatRfc3339(d as Date))],
  },
};

/**
 * Encodes an already validated snapshot as its canonical CBOR map (length-first key order,
 * shortest heads, definite lengths, tag-0 dates): byte-identical to the reference's cbor2
 * output (the vectors check it).
 */
export function encodePayload(s: SectionSnapshot): Uint8Array {
  return encode(
    {
      section_id: s.sectionId,
      section_type: s.sectionType,
      content: s.content,
      auto_mined: s.autoMined,
      first_seen_at: s.firstSeenAt,
      last_seen_at: s.lastSeenAt,
      training_runs_seen: s.trainingRunsSeen,
    },
    encodeOptions,
  );
}

const decodeOptions = {
  strict: true,
  allowIndefinite: false,
  allowUndefined: false,
  allowBigInt: false,
  allowNaN: false,
  allowInfinity: false,
  rejectDuplicateMapKeys: true,
  tags: {
    0: (inner: TagDecodeControl) => {
      const text = inner();
      if (typeof text !== "string") throw new PayloadError("shape", "tag 0 (date/time) does not wrap a text string");
      const date = parseRfc3339(text);
      if (date === undefined) throw new PayloadError("shape", `tag 0 holds an invalid RFC 3339 date/time ${JSON.stringify(text)}`);
      return date;
    },
  },
};

const KEYS = ["content", "auto_mined", "section_id", "last_seen_at", "section_type", "first_seen_at", "training_runs_seen"];

// Keys in canonical (length-first, then bytewise) order, each as its CBOR text bytes.
const KEY_BYTES = Object.fromEntries(KEYS.map((k) => [k, Buffer.from([0x60 | k.length, ...Buffer.from(k, "latin1")])])) as Record<
  string,
  Buffer
>;

/**
 * The fast path: reads a payload laid out exactly as canonical CBOR (cborg's, cbor2's) lays it out
 * (7 keys in canonical order, definite lengths). Anything else returns undefined and goes
 * through cborg, which accepts every well-formed encoding and words the errors.
 */
function readCanonical(b: Uint8Array): Record<string, unknown> | undefined {
  if (b.length < 80 || b[0] !== 0xa7) return undefined;
  const buf = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  let at = 1;
  const end = buf.length;
  const arg = (major: number): number => {
    if (at >= end) return -1;
    const head = buf[at++]!;
    if (head >> 5 !== major) return -1;
    const info = head & 31;
    if (info < 24) return info;
    if (info === 24 && at + 1 <= end) return buf[at++]!;
    if (info === 25 && at + 2 <= end) return (at += 2), buf.readUInt16BE(at - 2);
    if (info === 26 && at + 4 <= end) return (at += 4), buf.readUInt32BE(at - 4);
    if (info === 27 && at + 8 <= end) {
      const v = buf.readBigUInt64BE(at);
      at += 8;
      return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : -1;
    }
    return -1;
  };
  const key = (k: string): boolean => {
    const kb = KEY_BYTES[k]!;
    if (at + kb.length > end) return false;
    for (let i = 0; i < kb.length; i++) if (buf[at + i] !== kb[i]) return false;
    at += kb.length;
    return true;
  };
  const text = (): string | undefined => {
    const n = arg(3);
    if (n < 0 || at + n > end) return undefined;
    at += n;
    return buf.toString("utf8", at - n, at);
  };
  const date = (): Date | undefined => {
    if (buf[at] !== 0xc0) return undefined;
    at++;
    const t = text();
    return t === undefined ? undefined : parseRfc3339(t);
  };
  if (!key("content")) return undefined;
  const content = text();
  if (content === undefined || !key("auto_mined")) return undefined;
  const flag = buf[at++];
  if (flag !== 0xf4 && flag !== 0xf5) return undefined;
  if (!key("section_id")) return undefined;
  const sectionId = text();
  if (sectionId === undefined || !key("last_seen_at")) return undefined;
  const last = date();
  if (last === undefined || !key("section_type")) return undefined;
  const sectionType = text();
  if (sectionType === undefined || !key("first_seen_at")) return undefined;
  const first = date();
  if (first === undefined || !key("training_runs_seen")) return undefined;
  const count = arg(4);
  if (count < 0 || count > end - at) return undefined;
  const runs: number[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const r = arg(0);
    if (r < 0) return undefined;
    runs[i] = r;
  }
  if (at !== end) return undefined;
  return {
    content,
    auto_mined: flag === 0xf5,
    section_id: sectionId,
    last_seen_at: last,
    section_type: sectionType,
    first_seen_at: first,
    training_runs_seen: runs,
  };
}

/** Decodes and validates one payload. @throws {PayloadError} */

/**
 * Decodes and validates one payload: the fast reader when the payload is laid out exactly as
 * canonical CBOR lays it out (every frame replaykit or dlm writes), else cborg.
 *
 * @throws {PayloadError}
 */
export function decodePayload(bytes: Uint8Array): SectionSnapshot {
  const fast = readCanonical(bytes);
  return fast !== undefined ? toSnapshot(fast) : decodePayloadWithCborg(bytes);
}

/**
 * Decodes and validates one payload through cborg alone: the path for any other valid layout
 * and for damage (cborg words the errors), and the oracle the fast reader is tested against.
 * The shape check is written out rather than a valibot schema: this is the hot path of every
 * read, over our own files (DESIGN §2), and the field rules are the shared ones.
 *
 * @throws {PayloadError}
 */
export function decodePayloadWithCborg(bytes: Uint8Array): SectionSnapshot {
  let value: unknown;
  try {
    value = decode(bytes, decodeOptions as never);
  } catch (cause) {
    if (cause instanceof PayloadError) throw cause;
    throw new PayloadError("cbor", `payload is not well-formed CBOR: ${(cause as Error).message}`, { cause });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value) || value instanceof Date) {
    throw new PayloadError("shape", `payload is not a CBOR map (got ${describe(value)})`);
  }
  const map = value as Record<string, unknown>;
  const keys = Object.keys(map);
  if (keys.length !== KEYS.length || !KEYS.every((k) => Object.hasOwn(map, k))) {
    throw new PayloadError(
      "shape",
      `payload map must have exactly the keys ${KEYS.join(", ")}; got ${keys.map((k) => JSON.stringify(k)).join(", ")}`,
    );
  }
  return toSnapshot(map);
}

/** Checks the decoded map's fields (the reader already checked the CBOR types it read). */
function toSnapshot(map: Record<string, unknown>): SectionSnapshot {
  const { section_id, section_type, content, auto_mined, first_seen_at, last_seen_at, training_runs_seen } = map;
  if (!isSectionId(section_id)) throw field("section_id", "16 lowercase hex characters", section_id);
  if (!isSectionType(section_type)) throw field("section_type", "a section type", section_type);
  if (typeof content !== "string") throw field("content", "text", content);
  if (typeof auto_mined !== "boolean") throw field("auto_mined", "a boolean", auto_mined);
  if (!(first_seen_at instanceof Date)) throw field("first_seen_at", "a tag-0 date/time", first_seen_at);
  if (!(last_seen_at instanceof Date)) throw field("last_seen_at", "a tag-0 date/time", last_seen_at);
  if (!Array.isArray(training_runs_seen)) throw field("training_runs_seen", "an array", training_runs_seen);
  for (const run of training_runs_seen) {
    if (typeof run !== "number" || !Number.isSafeInteger(run) || run < 0) {
      throw field("training_runs_seen", "an array of unsigned integers", run);
    }
  }
  return Object.freeze({
    sectionId: section_id,
    sectionType: section_type,
    content,
    autoMined: auto_mined,
    firstSeenAt: first_seen_at,
    lastSeenAt: last_seen_at,
    trainingRunsSeen: Object.freeze(training_runs_seen as number[]),
  });
}

const field = (name: string, expected: string, got: unknown): PayloadError =>
  new PayloadError("shape", `field ${name} must be ${expected}, got ${describe(got)}`);

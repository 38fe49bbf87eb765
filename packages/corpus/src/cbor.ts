// The canonical CBOR payload of one snapshot (DESIGN §3): a 7-key map with snake_case keys in
// length-first order, dates as tag 0 RFC 3339 text, shortest-form integers. cborg does the
// encoding (its default map sorter is length-first, as RFC 8949 §4.2.3 and cbor2 order keys).
// Reading has a fixed-schema reader for exactly that layout, with cborg behind it for every
// other encoding and for the errors: without it a full `readSnapshots` sweep took 1.36–1.6×
// as long (same run, A/B, issue 22), where the project's bar for a tuned path is 1.1× of the
// best measured. (A fixed-schema writer gained under 1.13× on appends and stays removed.)
import { Buffer } from "node:buffer";
import type { TagDecodeControl } from "cborg";
import { formatRfc3339, parseRfc3339 } from "./date.js";
import { describeValue } from "@replaykit/errors";
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

// cborg is loaded by the first write or the first payload the fixed-schema reader leaves to
// it, not with the package: a fresh process that only reads our own frames (a draw) never
// needs it, and loading it was a few percent of such a process's time.
type Cborg = typeof import("cborg");
let cborg: Cborg | undefined;
let encodeOptions: object | undefined;

/** @internal Loads cborg (once); `encodePayload`, and `decodePayload` beyond the fixed-schema reader, need it loaded. */
export async function loadCborg(): Promise<void> {
  cborg ??= await import("cborg");
}

/** @internal True when `decodePayload` can decode any payload (cborg is loaded). */
export const cborgLoaded = (): boolean => cborg !== undefined;

function loaded(): Cborg {
  if (cborg === undefined) throw new Error("internal: cborg is used before loadCborg()");
  return cborg;
}

/**
 * Encodes an already validated snapshot as its canonical CBOR map (length-first key order,
 * shortest heads, definite lengths, tag-0 dates): byte-identical to the reference's cbor2
 * output (the vectors check it). cborg must be loaded (`loadCborg`).
 */
export function encodePayload(s: SectionSnapshot): Uint8Array {
  const { encode, Token, Type } = loaded();
  encodeOptions ??= {
    typeEncoders: {
      Date: (d: unknown) => [new Token(Type.tag, 0), new Token(Type.string, formatRfc3339(d as Date))],
    },
  };
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

/**
 * Decodes and validates one payload (strict: shortest-form heads, definite lengths, no
 * duplicate keys). A payload laid out exactly as `encodePayload` lays it out is read by a
 * fixed-schema reader; anything else goes through cborg, which accepts every well-formed
 * encoding and words the errors. The shape check is written out rather than a valibot schema:
 * this is the hot path of every read, over our own files (DESIGN §2), and the field rules are
 * the shared ones (`isSectionId`, `isSectionType`). cborg must be loaded (`loadCborg`) for
 * payloads the fixed-schema reader leaves to it.
 *
 * @throws {PayloadError}
 */
export function decodePayload(bytes: Uint8Array): SectionSnapshot {
  return toSnapshot(readCanonical(bytes) ?? decodeMap(bytes));
}

/**
 * @internal `decodePayload` without cborg: undefined for a payload the fixed-schema reader
 * leaves to cborg.
 * @throws {PayloadError}
 */
export function decodeOwnPayload(bytes: Uint8Array): SectionSnapshot | undefined {
  const map = readCanonical(bytes);
  return map === undefined ? undefined : toSnapshot(map);
}

/**
 * @internal `decodePayload` through cborg alone: the oracle the fixed-schema reader is tested
 * against.
 * @throws {PayloadError}
 */
export function decodePayloadWithCborg(bytes: Uint8Array): SectionSnapshot {
  return toSnapshot(decodeMap(bytes));
}

function decodeMap(bytes: Uint8Array): Record<string, unknown> {
  let value: unknown;
  try {
    value = loaded().decode(bytes, decodeOptions as never);
  } catch (cause) {
    if (cause instanceof PayloadError) throw cause;
    throw new PayloadError("cbor", `payload is not well-formed CBOR: ${(cause as Error).message}`, { cause });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value) || value instanceof Date) {
    throw new PayloadError("shape", `payload is not a CBOR map (got ${describeValue(value)})`);
  }
  const map = value as Record<string, unknown>;
  const keys = Object.keys(map);
  if (keys.length !== KEYS.length || !KEYS.every((k) => Object.hasOwn(map, k))) {
    throw new PayloadError("shape", `payload map must have exactly the keys ${KEYS.join(", ")}; got ${keys.map((k) => JSON.stringify(k)).join(", ")}`);
  }
  return map;
}

// The keys as `encodePayload` writes them (canonical order), each with its CBOR text head.
const KEY_BYTES = KEYS.map((k) => Uint8Array.from([0x60 | k.length, ...Buffer.from(k, "latin1")]));

/**
 * The fixed-schema reader: the map `encodePayload` writes, in its exact layout (7 keys in
 * canonical order, shortest-form heads, tag-0 dates, valid UTF-8), as the map cborg would
 * return for it. Returns undefined for anything else, which cborg then reads or rejects, so
 * both paths accept the same payloads with the same result. cborg's generic decode (a token
 * object per item) took 1.2–1.4× as long end to end on a full `readSnapshots` sweep (same
 * run, A/B); this reader allocates only the values.
 */
function readCanonical(bytes: Uint8Array): Record<string, unknown> | undefined {
  const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = b.length;
  if (end < 80 || b[0] !== 0xa7) return undefined;
  let at = 1;
  // The argument of a head of major type `major` in its shortest form, or -1.
  const arg = (major: number): number => {
    if (at >= end) return -1;
    const head = b[at++]!;
    if (head >> 5 !== major) return -1;
    const info = head & 31;
    if (info < 24) return info;
    if (info === 24 && at + 1 <= end) {
      const v = b[at++]!;
      return v >= 24 ? v : -1;
    }
    if (info === 25 && at + 2 <= end) {
      const v = (b[at]! << 8) | b[at + 1]!;
      at += 2;
      return v > 0xff ? v : -1;
    }
    if (info === 26 && at + 4 <= end) {
      const v = b[at]! * 0x1000000 + ((b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!);
      at += 4;
      return v > 0xffff ? v : -1;
    }
    return -1; // 8-byte arguments (and anything else) are left to cborg
  };
  const key = (k: number): boolean => {
    const kb = KEY_BYTES[k]!;
    if (at + kb.length > end) return false;
    for (let i = 0; i < kb.length; i++) if (b[at + i] !== kb[i]) return false;
    at += kb.length;
    return true;
  };
  const text = (): string | undefined => {
    const n = arg(3);
    if (n < 0 || at + n > end) return undefined;
    const from = at;
    at += n;
    // A leading byte order mark (which cborg's TextDecoder drops) and any U+FFFD (ill-formed
    // UTF-8 decodes to it; so may a real one) are left to cborg: on every other text both
    // decoders give the same string.
    if (n >= 3 && b[from] === 0xef && b[from + 1] === 0xbb && b[from + 2] === 0xbf) return undefined;
    const t = b.toString("utf8", from, at);
    return t.includes("\ufffd") ? undefined : t;
  };
  const date = (): Date | undefined => {
    if (b[at] !== 0xc0) return undefined;
    at++;
    const t = text();
    return t === undefined ? undefined : parseRfc3339(t);
  };
  // KEYS is in canonical order: content, auto_mined, section_id, last_seen_at, section_type,
  // first_seen_at, training_runs_seen.
  if (!key(0)) return undefined;
  const content = text();
  if (content === undefined || !key(1)) return undefined;
  const flag = b[at++];
  if ((flag !== 0xf4 && flag !== 0xf5) || !key(2)) return undefined;
  const sectionId = text();
  if (sectionId === undefined || !key(3)) return undefined;
  const last = date();
  if (last === undefined || !key(4)) return undefined;
  const sectionType = text();
  if (sectionType === undefined || !key(5)) return undefined;
  const first = date();
  if (first === undefined || !key(6)) return undefined;
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

/** Checks the decoded map's fields. */
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
  new PayloadError("shape", `field ${name} must be ${expected}, got ${describeValue(got)}`);

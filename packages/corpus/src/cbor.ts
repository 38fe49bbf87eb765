// The canonical CBOR payload of one snapshot (DESIGN §3): a 7-key map with snake_case keys in
// length-first order, dates as tag 0 RFC 3339 text, shortest-form integers. cborg does the
// encoding (its default map sorter is length-first); validation of what comes back is ours.
import { decode, encode, Token, Type, type TagDecodeControl } from "cborg";
import { SECTION_ID, SECTION_TYPE, type SectionSnapshot } from "./snapshot.js";

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

/** RFC 3339 in UTC as the reference writes it: `Z`, and 6 fraction digits only when non-zero. */
export function formatCborDate(date: Date): string {
  const t = date.getTime();
  // first_seen_at and last_seen_at are often equal, and batches share dates: remember one.
  if (t === lastDate.t) return lastDate.text;
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ for years 0..9999
  const ms = iso.slice(20, 23);
  const text = ms === "000" ? `${iso.slice(0, 19)}Z` : `${iso.slice(0, 19)}.${ms}000Z`;
  lastDate.t = t;
  lastDate.text = text;
  return text;
}
const lastDate = { t: NaN, text: "" };

const encodeOptions = {
  typeEncoders: {
    Date: (d: unknown) => [new Token(Type.tag, 0), new Token(Type.string, formatCborDate(d as Date))],
  },
};

/**
 * The same payload through cborg's generic encoder: the oracle the fixed-schema writer below
 * is tested against (cborg spends ~20 µs a snapshot building and sorting tokens; the writer
 * needs ~1 µs, and encoding is most of an append's CPU time).
 */
export function encodePayloadWithCborg(s: SectionSnapshot): Uint8Array {
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

// Keys in canonical (length-first, then bytewise) order, each as its CBOR text bytes.
const KEY_BYTES = Object.fromEntries(
  ["content", "auto_mined", "section_id", "last_seen_at", "section_type", "first_seen_at", "training_runs_seen"].map((k) => [
    k,
    Buffer.from([0x60 | k.length, ...Buffer.from(k, "latin1")]),
  ]),
) as Record<string, Buffer>;

/** Bytes of a CBOR head (major type + argument) in its shortest form. */
const headLength = (n: number): number => (n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : n <= 0xffffffff ? 5 : 9);

function writeHead(b: Buffer, at: number, major: number, n: number): number {
  const m = major << 5;
  if (n < 24) {
    b[at] = m | n;
    return at + 1;
  }
  if (n < 0x100) {
    b[at] = m | 24;
    b[at + 1] = n;
    return at + 2;
  }
  if (n < 0x10000) {
    b[at] = m | 25;
    b.writeUInt16BE(n, at + 1);
    return at + 3;
  }
  if (n <= 0xffffffff) {
    b[at] = m | 26;
    b.writeUInt32BE(n, at + 1);
    return at + 5;
  }
  b[at] = m | 27;
  b.writeBigUInt64BE(BigInt(n), at + 1);
  return at + 9;
}

/**
 * Encodes an already validated snapshot as its canonical CBOR map (RFC 8949 §4.2.3
 * length-first key order, shortest heads, definite lengths, tag-0 dates): a fixed-schema
 * writer, byte-identical to cborg's canonical encoding (property-tested) and to the
 * reference's cbor2 output.
 */
export function encodePayload(s: SectionSnapshot): Buffer {
  const contentBytes = Buffer.byteLength(s.content, "utf8");
  const first = formatCborDate(s.firstSeenAt);
  const last = formatCborDate(s.lastSeenAt);
  const runs = s.trainingRunsSeen;
  let size = 1 + 8 + 11 + 11 + 13 + 13 + 14 + 19; // map head + keys
  size += headLength(contentBytes) + contentBytes + 1;
  size += headLength(s.sectionId.length) + s.sectionId.length;
  size += headLength(s.sectionType.length) + s.sectionType.length;
  size += 1 + headLength(last.length) + last.length + 1 + headLength(first.length) + first.length;
  size += headLength(runs.length);
  for (const r of runs) size += headLength(r);
  const b = Buffer.allocUnsafe(size);
  let at = 0;
  b[at++] = 0xa7; // map of 7
  const key = (k: string) => {
    at += KEY_BYTES[k]!.copy(b, at);
  };
  const text = (t: string, bytes: number) => {
    at = writeHead(b, at, 3, bytes);
    at += b.write(t, at, bytes, "utf8");
  };
  key("content");
  text(s.content, contentBytes);
  key("auto_mined");
  b[at++] = s.autoMined ? 0xf5 : 0xf4;
  key("section_id");
  text(s.sectionId, s.sectionId.length);
  key("last_seen_at");
  b[at++] = 0xc0;
  text(last, last.length);
  key("section_type");
  text(s.sectionType, s.sectionType.length);
  key("first_seen_at");
  b[at++] = 0xc0;
  text(first, first.length);
  key("training_runs_seen");
  at = writeHead(b, at, 4, runs.length);
  for (const r of runs) at = writeHead(b, at, 0, r);
  if (at !== size) throw new Error(`internal: CBOR size ${at} != ${size}`);
  return b;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z|z)|([+-])(\d{2}):(\d{2}))$/;
const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const digits = (t: string, from: number, n: number): number => {
  let v = 0;
  for (let i = from; i < from + n; i++) {
    const c = t.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return v;
};

/** Parses RFC 3339 text to a UTC Date (fractions kept to the millisecond), or undefined. */
export function parseRfc3339(text: string): Date | undefined {
  let year: number, month: number, day: number, hour: number, minute: number, second: number;
  let ms = 0;
  let offset = 0;
  if (text.length === 20 && text[19] === "Z" && text[4] === "-" && text[7] === "-" && text[10] === "T" && text[13] === ":" && text[16] === ":") {
    // The common case, as the reference writes whole seconds: YYYY-MM-DDTHH:MM:SSZ.
    year = digits(text, 0, 4);
    month = digits(text, 5, 2);
    day = digits(text, 8, 2);
    hour = digits(text, 11, 2);
    minute = digits(text, 14, 2);
    second = digits(text, 17, 2);
    if (Number.isNaN(year + month + day + hour + minute + second)) return undefined;
  } else {
    const m = RFC3339.exec(text);
    if (m === null) return undefined;
    [year, month, day, hour, minute, second] = [+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +m[6]!];
    if (m[7] !== undefined) ms = Math.floor(Number(`0.${m[7]}`) * 1000 + 1e-6);
    if (m[9] !== undefined) {
      const oh = +m[10]!;
      const om = +m[11]!;
      if (oh > 23 || om > 59) return undefined;
      offset = (m[9] === "-" ? -1 : 1) * (oh * 60 + om) * 60_000;
    }
  }
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > DAYS[month - 1]!) return undefined;
  if (month === 2 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let t: number;
  if (year >= 100) {
    t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  } else {
    const d = new Date(0); // Date.UTC maps years 0..99 to 1900..1999
    d.setUTCFullYear(year, month - 1, day);
    d.setUTCHours(hour, minute, second, ms);
    t = d.getTime();
  }
  return new Date(t - offset);
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
 * The fast path: reads a payload laid out exactly as the canonical writer lays it out
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
export function decodePayload(bytes: Uint8Array): SectionSnapshot {
  const fast = readCanonical(bytes);
  if (fast !== undefined) {
    // Structure and types are already checked by the reader; only the value rules remain.
    const { section_id, section_type } = fast as { section_id: string; section_type: string };
    if (SECTION_ID.test(section_id) && SECTION_TYPE.test(section_type)) {
      return Object.freeze({
        sectionId: section_id,
        sectionType: section_type,
        content: fast.content as string,
        autoMined: fast.auto_mined as boolean,
        firstSeenAt: fast.first_seen_at as Date,
        lastSeenAt: fast.last_seen_at as Date,
        trainingRunsSeen: Object.freeze(fast.training_runs_seen as number[]),
      });
    }
  }
  let value: unknown = fast;
  if (value === undefined) {
    try {
      value = decode(bytes, decodeOptions as never);
    } catch (cause) {
      if (cause instanceof PayloadError) throw cause;
      throw new PayloadError("cbor", `payload is not well-formed CBOR: ${(cause as Error).message}`, { cause });
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value) || value instanceof Date) {
    throw new PayloadError("shape", `payload is not a CBOR map (got ${Array.isArray(value) ? "an array" : typeof value})`);
  }
  const map = value as Record<string, unknown>;
  const keys = Object.keys(map);
  if (keys.length !== KEYS.length || !KEYS.every((k) => Object.hasOwn(map, k))) {
    throw new PayloadError(
      "shape",
      `payload map must have exactly the keys ${KEYS.join(", ")}; got ${keys.map((k) => JSON.stringify(k)).join(", ")}`,
    );
  }
  const { section_id, section_type, content, auto_mined, first_seen_at, last_seen_at, training_runs_seen } = map;
  if (typeof section_id !== "string" || !SECTION_ID.test(section_id)) throw field("section_id", "16 lowercase hex characters", section_id);
  if (typeof section_type !== "string" || !SECTION_TYPE.test(section_type)) throw field("section_type", "a section type", section_type);
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

function field(name: string, expected: string, got: unknown): PayloadError {
  const shown = typeof got === "string" ? JSON.stringify(got.slice(0, 40)) : Array.isArray(got) ? "an array" : String(got);
  return new PayloadError("shape", `field ${name} must be ${expected}, got ${shown}`);
}

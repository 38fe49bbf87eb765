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
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ for years 0..9999
  const ms = iso.slice(20, 23);
  return ms === "000" ? `${iso.slice(0, 19)}Z` : `${iso.slice(0, 19)}.${ms}000Z`;
}

const encodeOptions = {
  typeEncoders: {
    Date: (d: unknown) => [new Token(Type.tag, 0), new Token(Type.string, formatCborDate(d as Date))],
  },
};

/** Encodes an already validated snapshot as its canonical CBOR map. */
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

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z|z)|([+-])(\d{2}):(\d{2}))$/;
const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Parses RFC 3339 text to a UTC Date (fractions kept to the millisecond), or undefined. */
export function parseRfc3339(text: string): Date | undefined {
  const m = RFC3339.exec(text);
  if (m === null) return undefined;
  const year = +m[1]!;
  const month = +m[2]!;
  const day = +m[3]!;
  const hour = +m[4]!;
  const minute = +m[5]!;
  const second = +m[6]!;
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > DAYS[month - 1]!) return undefined;
  if (month === 2 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000 + 1e-6);
  let offset = 0;
  if (m[9] !== undefined) {
    const oh = +m[10]!;
    const om = +m[11]!;
    if (oh > 23 || om > 59) return undefined;
    offset = (m[9] === "-" ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, ms);
  return new Date(d.getTime() - offset);
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

/** Decodes and validates one payload. @throws {PayloadError} */
export function decodePayload(bytes: Uint8Array): SectionSnapshot {
  let value: unknown;
  try {
    value = decode(bytes, decodeOptions as never);
  } catch (cause) {
    if (cause instanceof PayloadError) throw cause;
    throw new PayloadError("cbor", `payload is not well-formed CBOR: ${(cause as Error).message}`, { cause });
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

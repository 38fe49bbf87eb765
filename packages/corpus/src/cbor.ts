// The canonical CBOR payload of one snapshot (DESIGN §3): a 7-key map with snake_case keys in
// length-first order, dates as tag 0 RFC 3339 text, shortest-form integers. cborg does the
// encoding (its default map sorter is length-first, as RFC 8949 §4.2.3 and cbor2 order keys)
// and the decoding. (A hand-written fixed-schema writer and reader were measured against it,
// same run, end to end: 0.97–1.13× on appendSnapshots and 1.19–1.34× on readSnapshots, under
// the project's 1.5× bar for a second copy, so both were removed; see the README.)
import { decode, encode, Token, Type, type TagDecodeControl } from "cborg";
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

/**
 * Decodes and validates one payload (cborg, strict: shortest-form heads, definite lengths, no
 * duplicate keys). The shape check is written out rather than a valibot schema: this is the
 * hot path of every read, over our own files (DESIGN §2), and the field rules are the shared
 * ones (`isSectionId`, `isSectionType`).
 *
 * @throws {PayloadError}
 */
export function decodePayload(bytes: Uint8Array): SectionSnapshot {
  let value: unknown;
  try {
    value = decode(bytes, decodeOptions as never);
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
  return toSnapshot(map);
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

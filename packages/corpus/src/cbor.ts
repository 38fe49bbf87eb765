// The canonical CBOR payload of one snapshot (DESIGN §3): a 7-key map with snake_case keys in
// length-first order, dates as tag 0 RFC 3339 text, shortest-form integers. cborg does the
// encoding (its default map sorter is length-first, as RFC 8949 §4.2.3 and cbor2 order keys)
// and the decoding; the shape of what comes back is checked by one valibot schema. (A
// hand-written fixed-schema writer and reader were measured against cborg and removed: the
// gain on appendSnapshots and readSnapshots was 1.1–1.3×, under the 1.5× bar; see README.)
import { decode, encode, Token, Type, type TagDecodeControl } from "cborg";
import * as v from "valibot";
import { formatRfc3339, parseRfc3339 } from "./date.js";
import { describe } from "./errors.js";
import { fields, type SectionSnapshot } from "./snapshot.js";

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

// What a frame's payload must be. Content read from a frame is whatever UTF-8 decoding gave.
const PayloadSchema = v.strictObject({
  section_id: fields.sectionId,
  section_type: fields.sectionType,
  content: v.string(),
  auto_mined: fields.autoMined,
  first_seen_at: v.date(),
  last_seen_at: v.date(),
  training_runs_seen: fields.runs,
});

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
    throw new PayloadError("shape", `payload is not a CBOR map (got ${describe(value)})`);
  }
  const result = v.safeParse(PayloadSchema, value, { abortEarly: true });
  if (!result.success) {
    const issue = result.issues[0]!;
    const key = v.getDotPath(issue) ?? "(payload)";
    const got = issue.path?.at(-1)?.value;
    const message =
      issue.type === "strict_object"
        ? `payload map must have exactly the keys ${Object.keys(PayloadSchema.entries).join(", ")}; ${issue.expected === "never" ? `${JSON.stringify(key)} is not one` : `${key} is missing`}`
        : `field ${key} ${issue.kind === "validation" ? issue.message : `must be ${issue.expected}`}, got ${describe(got)}`;
    throw new PayloadError("shape", message);
  }
  const p = result.output;
  return Object.freeze({
    sectionId: p.section_id,
    sectionType: p.section_type,
    content: p.content,
    autoMined: p.auto_mined,
    firstSeenAt: p.first_seen_at,
    lastSeenAt: p.last_seen_at,
    trainingRunsSeen: Object.freeze(p.training_runs_seen),
  });
}

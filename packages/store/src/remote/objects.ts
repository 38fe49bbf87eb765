// The objects of a store in object storage (docs/FORMAT.md, "A store in object storage"):
// their keys, and the two object formats replaykit writes besides raw corpus segments —
// commits and checkpoints, each one JSON line followed by bytes.
//
//   <prefix>/commits/<n, 20 digits>.rkc          commit n: head line, inline corpus bytes, journal bytes
//   <prefix>/checkpoints/<n, 20 digits>.rkx      the whole journal as of commit n, with the generation's segments
//   <prefix>/segments/<g, 10 digits>/<offset, 20 digits>-<writer>.zst   corpus bytes of generation g from offset
import { crc32 } from "@replaykit/corpus";
import { StoreObjectCorruptError } from "../errors.js";

export const COMMIT_FORMAT = "replaykit-commit/1";
export const CHECKPOINT_FORMAT = "replaykit-checkpoint/1";

/** Where corpus bytes `[offset, offset + length)` of a generation are: bytes `[at, at + length)` of object `key`. */
export interface SegmentRef {
  readonly key: string;
  readonly at: number;
  readonly offset: number;
  readonly length: number;
}

/**
 * A commit's head line. `kind` "delta": the journal bytes follow the previous commit's
 * journal; "replace": they are the whole journal (a compaction, a purge, a push, a
 * rewritten index). A commit whose `generation` differs from the previous one starts a new
 * corpus: its `segments` are all of it.
 */
export interface CommitHead {
  readonly format: typeof COMMIT_FORMAT;
  readonly commit: number;
  readonly kind: "delta" | "replace";
  readonly generation: number;
  /** A random token naming the writer's attempt (how an ambiguous PUT is settled). */
  readonly writer: string;
  /** The `writer` of commit n − 1 ("" for commit 1): a reader checks the chain with it (a stale cached object does not fit). */
  readonly previous: string;
  /** When the writer made it (ISO 8601; informative, and the start of a retired generation's grace period). */
  readonly time: string;
  /** The corpus's length after this commit, and the journal's. */
  readonly corpusBytes: number;
  readonly journalBytes: number;
  /** Corpus bytes this commit adds (or, starting a generation, all of them): `inline` ones follow the head line in order. */
  readonly segments: ReadonlyArray<{ readonly offset: number; readonly length: number; readonly key?: string }>;
  /** CRC-32 of everything after the head line. */
  readonly crc32: number;
}

/** A store as of commit `commit`, as a checkpoint records it (and a reader's pinned state holds it). */
export interface StoreAt {
  readonly commit: number;
  readonly generation: number;
  /** The commit that started this generation, and its time (a retired generation's grace period runs from the next one's). */
  readonly generationCommit: number;
  readonly generationTime: string;
  readonly corpusBytes: number;
  readonly journalBytes: number;
  /** Sorted by offset, contiguous from 0 to `corpusBytes`. */
  readonly segments: readonly SegmentRef[];
  readonly writers: readonly string[];
}

export interface CheckpointHead extends StoreAt {
  readonly format: typeof CHECKPOINT_FORMAT;
  /** The checkpoint before this one (0: none); `writers` names every commit after it up to `commit`. */
  readonly previous: number;
  readonly crc32: number;
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");

/** Object keys of one store (under its prefix). */
export class StoreKeys {
  readonly prefix: string;
  constructor(prefix: string) {
    this.prefix = prefix === "" ? "" : `${prefix}/`;
  }
  get commits(): string {
    return `${this.prefix}commits/`;
  }
  get checkpoints(): string {
    return `${this.prefix}checkpoints/`;
  }
  get segments(): string {
    return `${this.prefix}segments/`;
  }
  commit(n: number): string {
    return `${this.commits}${pad(n, 20)}.rkc`;
  }
  checkpoint(n: number): string {
    return `${this.checkpoints}${pad(n, 20)}.rkx`;
  }
  segment(generation: number, offset: number, writer: string): string {
    return `${this.segments}${pad(generation, 10)}/${pad(offset, 20)}-${writer}.zst`;
  }
  generationSegments(generation: number): string {
    return `${this.segments}${pad(generation, 10)}/`;
  }
  probe(token: string): string {
    return `${this.prefix}probes/${token}`;
  }
  /** The commit number of a commit key (undefined for another key). */
  commitOf(key: string): number | undefined {
    return numberOf(key, this.commits, ".rkc");
  }
  checkpointOf(key: string): number | undefined {
    return numberOf(key, this.checkpoints, ".rkx");
  }
  /** The generation of a segment key. */
  generationOf(key: string): number | undefined {
    if (!key.startsWith(this.segments)) return undefined;
    const m = /^(\d{10})\//.exec(key.slice(this.segments.length));
    return m === null ? undefined : Number(m[1]);
  }
}

function numberOf(key: string, dir: string, ext: string): number | undefined {
  if (!key.startsWith(dir) || !key.endsWith(ext)) return undefined;
  const digits = key.slice(dir.length, -ext.length);
  return /^\d{20}$/.test(digits) ? Number(digits) : undefined;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });
/**
 * A head line over this is not ours (refused before it is parsed). A checkpoint's head lists
 * every segment of its generation, ~100 bytes each, and every append adds one until a
 * compaction rewrites the corpus into 64 MiB segments: 256 MiB is ~2.5M appends.
 */
const MAX_HEAD_BYTES = 256 << 20;

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** One head line (with the body's CRC-32) and the body. */
function withHead(head: object, parts: readonly Uint8Array[]): Uint8Array {
  const body = concat(parts);
  const line = encoder.encode(`${JSON.stringify({ ...head, crc32: crc32(body) })}\n`);
  return concat([line, body]);
}

export function encodeCommit(head: Omit<CommitHead, "format" | "crc32">, inline: readonly Uint8Array[], journal: Uint8Array): Uint8Array {
  return withHead({ format: COMMIT_FORMAT, ...head }, [...inline, journal]);
}

export function encodeCheckpoint(head: Omit<CheckpointHead, "format" | "crc32">, journal: Uint8Array): Uint8Array {
  return withHead({ format: CHECKPOINT_FORMAT, ...head }, [journal]);
}

/** Splits an object into its head line (parsed) and body; checks the body's CRC-32. */
function split(bytes: Uint8Array, bucket: string, key: string, format: string): { head: Record<string, unknown>; body: Uint8Array; headBytes: number } {
  const bad = (why: string, cause?: unknown) => new StoreObjectCorruptError(bucket, key, why, cause);
  const nl = bytes.subarray(0, MAX_HEAD_BYTES).indexOf(0x0a);
  if (nl < 0) throw bad(`not a ${format} object (no head line)`);
  let head: unknown;
  try {
    head = JSON.parse(decoder.decode(bytes.subarray(0, nl)));
  } catch (cause) {
    throw bad(`its head line is not JSON (not a ${format} object)`, cause);
  }
  if (typeof head !== "object" || head === null || Array.isArray(head)) throw bad("its head line is not a JSON object");
  const h = head as Record<string, unknown>;
  if (h.format !== format) throw bad(`its head names format ${JSON.stringify(h.format)}, expected ${JSON.stringify(format)}`);
  const body = bytes.subarray(nl + 1);
  if (!isUint(h.crc32, 0xffffffff)) throw bad("its head has no crc32");
  const crc = crc32(body);
  if (crc !== h.crc32) throw bad(`its body fails its CRC-32 (stored ${h.crc32}, computed ${crc})`);
  return { head: h, body, headBytes: nl + 1 };
}

const isUint = (v: unknown, max = Number.MAX_SAFE_INTEGER): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0 && v <= max;

export interface DecodedCommit {
  readonly head: CommitHead;
  /** Where each of `head.segments` is: inline ones in this object (its key, `at`), others in their segment object. */
  readonly segments: SegmentRef[];
  readonly journal: Uint8Array;
}

/**
 * Decodes and checks a commit object (the head's fields, the CRC-32, the lengths).
 * @throws {StoreObjectCorruptError} naming the bucket and key.
 */
export function decodeCommit(bytes: Uint8Array, bucket: string, key: string, expected: number): DecodedCommit {
  const { head: h, headBytes } = split(bytes, bucket, key, COMMIT_FORMAT);
  const bad = (why: string) => new StoreObjectCorruptError(bucket, key, why);
  if (h.commit !== expected) throw bad(`its head names commit ${JSON.stringify(h.commit)}, expected ${expected}`);
  if (h.kind !== "delta" && h.kind !== "replace") throw bad(`its head has kind ${JSON.stringify(h.kind)}`);
  if (
    !isUint(h.generation) ||
    typeof h.writer !== "string" ||
    typeof h.previous !== "string" ||
    typeof h.time !== "string" ||
    !isUint(h.corpusBytes) ||
    !isUint(h.journalBytes)
  )
    throw bad("its head lacks generation, writer, previous, time, corpusBytes or journalBytes");
  if (!Array.isArray(h.segments)) throw bad("its head has no segments list");
  const segments: SegmentRef[] = [];
  let at = headBytes;
  for (const [i, s] of (h.segments as unknown[]).entries()) {
    const seg = s as { offset?: unknown; length?: unknown; key?: unknown };
    if (typeof s !== "object" || s === null || !isUint(seg.offset) || !isUint(seg.length) || (seg.key !== undefined && typeof seg.key !== "string"))
      throw bad(`segments[${i}] is malformed`);
    if (seg.offset + seg.length > h.corpusBytes) throw bad(`segments[${i}] reaches past corpusBytes ${h.corpusBytes}`);
    if (seg.key === undefined) {
      segments.push({ key, at, offset: seg.offset, length: seg.length });
      at += seg.length;
    } else segments.push({ key: seg.key, at: 0, offset: seg.offset, length: seg.length });
  }
  if (at > bytes.length) throw bad(`its inline corpus bytes reach past its end (${at} > ${bytes.length})`);
  const journal = bytes.subarray(at);
  if (h.kind === "replace" && journal.length !== h.journalBytes)
    throw bad(`it replaces the journal with ${journal.length} bytes but its head says ${h.journalBytes}`);
  return { head: h as unknown as CommitHead, segments, journal };
}

export interface DecodedCheckpoint {
  readonly head: CheckpointHead;
  readonly journal: Uint8Array;
}

/** @throws {StoreObjectCorruptError} naming the bucket and key. */
export function decodeCheckpoint(bytes: Uint8Array, bucket: string, key: string, expected: number): DecodedCheckpoint {
  const { head: h, body } = split(bytes, bucket, key, CHECKPOINT_FORMAT);
  const bad = (why: string) => new StoreObjectCorruptError(bucket, key, why);
  if (h.commit !== expected) throw bad(`its head names commit ${JSON.stringify(h.commit)}, expected ${expected}`);
  if (
    !isUint(h.previous) ||
    !Array.isArray(h.writers) ||
    !(h.writers as unknown[]).every((w) => typeof w === "string") ||
    !isUint(h.generation) ||
    !isUint(h.generationCommit) ||
    typeof h.generationTime !== "string" ||
    !isUint(h.corpusBytes) ||
    !isUint(h.journalBytes) ||
    !Array.isArray(h.segments)
  )
    throw bad("its head lacks previous, writers, generation, generationCommit, generationTime, corpusBytes, journalBytes or segments");
  for (const [i, s] of (h.segments as unknown[]).entries()) {
    const seg = s as Partial<SegmentRef>;
    if (typeof s !== "object" || s === null || typeof seg.key !== "string" || !isUint(seg.at) || !isUint(seg.offset) || !isUint(seg.length))
      throw bad(`segments[${i}] is malformed`);
  }
  if (body.length !== h.journalBytes) throw bad(`it holds ${body.length} journal bytes but its head says ${h.journalBytes}`);
  return { head: h as unknown as CheckpointHead, journal: body };
}

/** A random token naming one writer's attempt (16 hex digits). */
export function newToken(): string {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

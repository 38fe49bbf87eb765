/**
 * Draws for trainers: a budget of sections, rows or tokens, optionally split by section
 * type, with a receipt that repeats the draw. Functions over the live entries and a frame
 * reader; `ReplayStore.draw` / `redraw` only bind them to a store's consistent view.
 *
 * @module
 */

import { describeValue } from "@replaykit/errors";
import { Buffer } from "node:buffer";
import { randomInt } from "node:crypto";
import type { SectionSnapshot } from "@replaykit/corpus";
import { autoMinedOf, NO_TYPE_CODE, type IndexEntry, type IndexView } from "@replaykit/index";
import type { Row } from "@replaykit/parsers";
import { type ColumnSource, sampleIndices, type Scheme, type SchemeFn } from "@replaykit/sampler";
import { StoreArgumentError } from "./errors.js";
import { checked, DrawOptionsSchema } from "./options.js";
import { contentDigest, DrawReceiptError, pickKey, receiptPicks, storeDigest, storeDigestOfColumns, type DrawPick, type DrawReceipt } from "./receipt.js";

/** Options of `ReplayStore.draw`. Give exactly one of `k`, `rows` and `maxTokens`. */
export interface DrawOptions {
  /** The time ages are measured against. */
  now: Date;
  /** A safe integer; with neither `seed` nor `random` a seed is generated. The receipt records it. */
  seed?: number;
  /** Called once to pick the seed (recorded in the receipt); not both with `seed`. */
  random?: () => number;
  /** Default "recency". A function is called with the store's `IndexEntry` objects (so it can read `sectionType`, `autoMined`, …). */
  scheme?: Scheme<IndexEntry>;
  /** Sections: the k with the largest keys (as `sampleRows`). */
  k?: number;
  /** At least this many rows: sections in key order until the rows reach it (the last section's rows all come). */
  rows?: number;
  /** Sections in key order while their rows' tokens fit. */
  maxTokens?: number;
  /** Tokens of one row; default {@link estimateRowTokens} (UTF-8 bytes / 4). */
  countTokens?: (row: Row) => number;
  /** Shares of the budget by section type (normalised); each type is drawn among its own sections. */
  mix?: Record<string, number>;
  /** Default true; false leaves out sections mined automatically. */
  includeAutoMined?: boolean;
  /**
   * Data-parallel draws: every rank computes the same draw (same seed, same store) and keeps
   * its own contiguous part — the parts in rank order are the unsharded draw, row for row,
   * and their sizes differ by at most one section. With a `k` budget a rank reads only its
   * part's frames; a `rows` or `maxTokens` budget is met by reading frames, so each rank
   * reads them all. The receipt records the shard and the part's picks.
   */
  shard?: { rank: number; worldSize: number };
  /**
   * Default false. True: count each pick as replayed — its entry's `replayCount` + 1 and
   * `lastReplayAt` = `now` — in one commit of the index after the picks are made (the draw
   * then takes the writer lock). Scheme functions of later draws read both fields. Needs a
   * replaykit store (v2 index): a dlm store's index.json has no room for them.
   */
  recordExposure?: boolean;
}

/**
 * What a draw needs from the store: the live entries of one consistent view and ways to
 * read them. With `columns` (a replaykit store's v2 index) draws read the columns and make
 * `IndexEntry` objects only for the sections they pick; `entries` is then only read by
 * `redraw`, so a store may pass it as a getter that makes the objects on first use.
 */
export interface DrawSource {
  readonly entries: readonly IndexEntry[];
  /** The same live entries as columns, in the same order (replaykit stores); undefined for a dlm store. */
  readonly columns?: IndexView | undefined;
  /** Reads and checks the frames of `entries`, in that order. */
  read(entries: readonly IndexEntry[]): Promise<SectionSnapshot[]>;
  /** The rows of one section (its type's expander). */
  rowsOf(entry: IndexEntry, snapshot: SectionSnapshot): Row[];
  /** Each entry's section type and auto-mined flag (decoding frames where the index lacks them). */
  classify(entries: readonly IndexEntry[]): Promise<ReadonlyArray<{ sectionType: string; autoMined: boolean }>>;
  /**
   * Records the picks as replayed at `now` (one commit, under the writer lock); absent when
   * the store cannot (a dlm store), which makes `recordExposure: true` a `StoreArgumentError`.
   */
  recordExposure?(picks: readonly IndexEntry[], now: Date): Promise<void>;
}

type BudgetKind = "k" | "rows" | "maxTokens";

interface Plan {
  now: Date;
  seed: number;
  scheme: Scheme<IndexEntry>;
  kind: BudgetKind;
  amount: number;
  mix: Array<[string, number]> | undefined;
  includeAutoMined: boolean;
  countTokens: (row: Row) => number;
  recorded: Record<string, unknown>;
  recordExposure: boolean;
  shard: { rank: number; worldSize: number } | undefined;
}

interface Picked {
  entry: IndexEntry;
  snapshot: SectionSnapshot;
  rows: Row[];
}

/** Frames read per call: bounds memory and lets a row or token budget stop early. */
const READ_BATCH = 256;

/**
 * Draws rows for a trainer from `source` and a receipt of the draw.
 *
 * Sections come in the sampler's key order (Efraimidis–Spirakis keys, seeded), so a draw
 * stays stable as the store grows: new entries change it only where they win a place.
 * With `rows` / `maxTokens` the key order is produced by `sample` with a growing k
 * (doubling from a first guess), each call O(n log k) over the pool, and frames are read
 * 256 at a time until the budget is met. With `mix`, each type's quota (largest-remainder
 * rounding of the budget) is drawn among that type's sections; a type that runs out gives
 * all it has and its shortfall is reported in the receipt, never refilled from other types.
 *
 * @throws {StoreArgumentError} for bad options (naming the option).
 * @throws {SamplerError} for bad entry weights or a scheme function that fails.
 * @throws {UnknownSectionTypeError} when a picked section's type has no expander.
 * @throws {CorpusCorruptError} when a picked frame is damaged.
 */
export async function drawRows(source: DrawSource, options: DrawOptions): Promise<{ rows: Row[]; receipt: DrawReceipt }> {
  const plan = planOf(options);
  if (plan.recordExposure && source.recordExposure === undefined) {
    throw new StoreArgumentError(
      "options.recordExposure",
      "needs a replaykit store (v2 index): this store's index.json (dlm format) has no room for replay counts",
    );
  }
  const rowsOfView = source.columns?.size ?? source.entries.length;
  // One pass sorts the view's rows into the pool and, for a mix, into one pool per type (index order kept).
  let pool = poolOf(source, undefined);
  const byType = new Map<string, number[]>(plan.mix?.map(([type]) => [type, []]));
  if (plan.mix !== undefined || !plan.includeAutoMined) {
    const kinds = await kindsOf(source);
    const kept: number[] = [];
    for (let r = 0; r < rowsOfView; r++) {
      if (!plan.includeAutoMined && kinds.autoMined[r] === 1) continue;
      kept.push(r);
      byType.get(kinds.types[r]!)?.push(r);
    }
    pool = poolOf(source, kept);
  }
  let picked: Picked[] = [];
  const shortfall: Record<string, number> = {};
  const parts: Array<[Pool, number, string | undefined]> =
    plan.mix === undefined
      ? [[pool, plan.amount, undefined]]
      : (() => {
          const quotas = largestRemainder(
            plan.amount,
            plan.mix.map(([, share]) => share),
          );
          return plan.mix.map(([type], i): [Pool, number, string] => [poolOf(source, byType.get(type)!), quotas[i]!, type]);
        })();
  if (plan.kind === "k" && plan.shard !== undefined) {
    // Sections are chosen without reading a frame: every rank chooses the same ones and reads only its own part's.
    const chosen: IndexEntry[] = [];
    for (const [p, quota, type] of parts) {
      const got = chooseK(p, plan, quota);
      chosen.push(...got);
      if (type !== undefined && quota - got.length > 0) shortfall[type] = quota - got.length;
    }
    const [from, to] = shardRange(chosen.length, plan.shard);
    for (let i = from; i < to; i += READ_BATCH) picked.push(...(await expand(source, chosen.slice(i, Math.min(to, i + READ_BATCH)))));
  } else {
    for (const [p, quota, type] of parts) {
      const got = await take(source, p, plan, quota);
      picked.push(...got.picked);
      if (type !== undefined && got.short > 0) shortfall[type] = got.short;
    }
    // A row or token budget is met by reading frames: every rank reads them all, then keeps its part.
    if (plan.shard !== undefined) {
      const [from, to] = shardRange(picked.length, plan.shard);
      picked = picked.slice(from, to);
    }
  }
  const receipt: DrawReceipt = {
    version: 1,
    seed: plan.seed,
    now: plan.now.toISOString(),
    scheme: typeof plan.scheme === "function" ? "custom" : plan.scheme,
    options: plan.recorded,
    store:
      source.columns === undefined
        ? { digest: storeDigest(source.entries), entries: source.entries.length }
        : { digest: storeDigestOfColumns(source.columns), entries: source.columns.size },
    picks: picked.map(
      ({ entry, snapshot }): DrawPick => ({
        sectionId: entry.sectionId,
        addedAt: entry.addedAt.toISOString(),
        weight: entry.weight,
        sectionType: snapshot.sectionType,
        content: contentDigest(snapshot.sectionType, snapshot.content),
      }),
    ),
  };
  if (Object.keys(shortfall).length > 0) receipt.shortfall = shortfall;
  // After every frame was read and expanded: a draw that fails records nothing.
  if (plan.recordExposure && picked.length > 0)
    await source.recordExposure!(
      picked.map((p) => p.entry),
      plan.now,
    );
  return { rows: picked.flatMap((p) => p.rows), receipt };
}

/**
 * The rows of a receipt's picks, found by (sectionId, addedAt) — not by offset, so
 * appends and compactions since the draw do not matter — and expanded again. The schemes
 * are not re-run. Same frames and expanders → the same rows byte for byte.
 *
 * @throws {DrawReceiptError} reason "invalid" for a malformed receipt, "missing" (listing
 *   them) when picks are no longer live.
 */
export async function redrawRows(source: DrawSource, receipt: DrawReceipt): Promise<{ rows: Row[] }> {
  const picks = receiptPicks(receipt);
  const live = new Map<string, IndexEntry>();
  for (const e of source.entries) {
    const key = pickKey(e.sectionId, e.addedAt.getTime());
    if (!live.has(key)) live.set(key, e); // duplicates of one snapshot hold the same frame content
  }
  const found: IndexEntry[] = [];
  const missing: Array<{ sectionId: string; addedAt: string }> = [];
  for (const p of picks) {
    const entry = live.get(pickKey(p.sectionId, p.addedAtMs));
    if (entry === undefined) missing.push({ sectionId: p.sectionId, addedAt: p.addedAt });
    else found.push(entry);
  }
  if (missing.length > 0) {
    const named = missing
      .slice(0, 5)
      .map((m) => `${m.sectionId} (${m.addedAt})`)
      .join(", ");
    throw new DrawReceiptError(
      `${missing.length} of the receipt's ${picks.length} picks are no longer in the store (evicted or removed since the draw): ${named}${missing.length > 5 ? ", …" : ""}`,
      { reason: "missing", missing },
    );
  }
  const rows: Row[] = [];
  const changed: Array<{ sectionId: string; addedAt: string }> = [];
  for (let i = 0; i < found.length; i += READ_BATCH) {
    const batch = found.slice(i, i + READ_BATCH);
    const snapshots = await source.read(batch);
    for (const [j, e] of batch.entries()) {
      const pick = picks[i + j]!;
      const s = snapshots[j]!;
      // A receipt pins content: the same id and time holding other text is not the pick.
      if (pick.content !== undefined && pick.content !== contentDigest(s.sectionType, s.content))
        changed.push({ sectionId: pick.sectionId, addedAt: pick.addedAt });
      else if (changed.length === 0) rows.push(...source.rowsOf(e, s));
    }
  }
  if (changed.length > 0) {
    const named = changed
      .slice(0, 5)
      .map((m) => `${m.sectionId} (${m.addedAt})`)
      .join(", ");
    throw new DrawReceiptError(
      `${changed.length} of the receipt's ${picks.length} picks now hold other content than when drawn (removed and added again since): ${named}${changed.length > 5 ? ", …" : ""}`,
      { reason: "changed", missing: changed },
    );
  }
  return { rows };
}

/**
 * The strings of a row a model reads: every string value at any depth, except under keys
 * starting with "_" (`_dlm_section_id`) and message `role`s.
 */
export function rowTexts(row: Row): string[] {
  const out: string[] = [];
  const visit = (value: unknown): void => {
    if (typeof value === "string") out.push(value);
    else if (Array.isArray(value)) value.forEach(visit);
    else if (typeof value === "object" && value !== null) {
      for (const [key, inner] of Object.entries(value)) if (!key.startsWith("_") && key !== "role") visit(inner);
    }
  };
  visit(row);
  return out;
}

/** The default token count of a row: ⌈UTF-8 bytes of its {@link rowTexts} / 4⌉, a rough stand-in for a real tokenizer. */
export function estimateRowTokens(row: Row): number {
  let bytes = 0;
  for (const text of rowTexts(row)) bytes += Buffer.byteLength(text, "utf8"); // counts without encoding a copy
  return Math.ceil(bytes / 4);
}

/**
 * Splits `total` by `shares` into whole numbers that add up to `total`: each gets the
 * floor of its exact share, and what is left goes one each to the largest remainders
 * (ties: earlier share first). Zero shares get nothing.
 */
export function largestRemainder(total: number, shares: readonly number[]): number[] {
  const sum = shares.reduce((a, b) => a + b, 0);
  const exact = shares.map((s) => (total * s) / sum);
  const out = exact.map((x) => Math.floor(x));
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = shares
    .map((_, i) => i)
    .filter((i) => shares[i]! > 0)
    .sort((a, b) => exact[b]! - out[b]! - (exact[a]! - out[a]!) || a - b);
  for (let j = 0; left > 0; j = (j + 1) % order.length, left--) out[order[j]!]!++;
  return out;
}

/** Takes sections from `pool` in key order until `quota` (in the plan's unit) is met. */
async function take(source: DrawSource, pool: Pool, plan: Plan, quota: number): Promise<{ picked: Picked[]; short: number }> {
  const base = { now: plan.now, seed: plan.seed, scheme: plan.scheme };
  const picked: Picked[] = [];
  if (plan.kind === "k") {
    const chosen = chooseK(pool, plan, quota);
    for (let i = 0; i < chosen.length; i += READ_BATCH) picked.push(...(await expand(source, chosen.slice(i, i + READ_BATCH))));
    return { picked, short: quota - chosen.length };
  }
  let used = 0;
  if (quota === 0) return { picked, short: 0 };
  const order = keyOrder(pool, base, plan.kind === "rows" ? quota : Math.max(16, Math.ceil(quota / 64)));
  for (;;) {
    const batch: IndexEntry[] = [];
    while (batch.length < READ_BATCH) {
      const next = order.next();
      if (next.done) break;
      batch.push(pool.entry(next.value));
    }
    if (batch.length === 0) return { picked, short: quota - used };
    for (const p of await expand(source, batch)) {
      if (plan.kind === "rows") {
        picked.push(p);
        used += p.rows.length;
        if (used >= quota) return { picked, short: 0 };
      } else {
        const tokens = sectionTokens(p, plan.countTokens);
        if (used + tokens > quota) return { picked, short: 0 };
        picked.push(p);
        used += tokens;
      }
    }
  }
}

/** The `quota` sections a `k` budget takes from `pool`: exactly `sample`'s picks (and order), as sampleRows makes them. */
function chooseK(pool: Pool, plan: Plan, quota: number): IndexEntry[] {
  if (quota === 0) return [];
  return Array.from(sampleIndices(pool.columns, { now: plan.now, seed: plan.seed, scheme: plan.scheme, k: quota }), (j) => pool.entry(j));
}

/**
 * The part of `n` picks that rank `rank` of `worldSize` keeps: a contiguous block, so the
 * parts in rank order are the unsharded draw, and their sizes differ by at most one.
 */
export function shardRange(n: number, { rank, worldSize }: { rank: number; worldSize: number }): [number, number] {
  return [Math.floor((rank * n) / worldSize), Math.floor(((rank + 1) * n) / worldSize)];
}

/**
 * Candidates of a draw: some rows of the view (all, or those a filter kept) as the sampler
 * reads them — the v2 index's columns (ids as hex words, no object per entry) or columns
 * made from a dlm store's entries — and the way back to an `IndexEntry` for a picked one.
 */
interface Pool {
  readonly columns: ColumnSource<IndexEntry>;
  /** The entry at pool position `j` (for a v2 view a new object, with its exposure). */
  entry(j: number): IndexEntry;
}

/**
 * The pool of `rows` (view row numbers; undefined = every row). The sampler picks from it
 * exactly what `sample` picks from the same rows as `IndexEntry` objects: addedAt (the
 * index's seconds, which the sampler rounds back to the millisecond written, as `entry()`
 * does), the index weight, the section id.
 */
export function poolOf(source: DrawSource, rows: readonly number[] | undefined): Pool {
  const cols = source.columns;
  const all = rows === undefined;
  const n = rows?.length ?? cols?.size ?? source.entries.length;
  const rowOf = (j: number): number => (all ? j : rows[j]!);
  if (cols === undefined) {
    const entries = source.entries;
    // Plain arrays: a malformed value reaches the sampler as it is and is reported there.
    const addedAtMs = new Array<number>(n);
    const weight = new Array<number>(n);
    for (let j = 0; j < n; j++) {
      const e = entries[rowOf(j)]!;
      addedAtMs[j] = e.addedAt instanceof Date ? e.addedAt.getTime() : Number.NaN;
      weight[j] = e.weight ?? 1;
    }
    const entry = (j: number): IndexEntry => entries[rowOf(j)]!;
    return { columns: { length: n, addedAtMs, weight, sectionId: (j) => entry(j).sectionId, entry }, entry };
  }
  // The index's seconds as they are: the sampler rounds them to the millisecond written, as `entry()` does.
  let addedAtSeconds: Float64Array;
  let weight: Float64Array;
  let hi: Uint32Array;
  let lo: Uint32Array;
  if (all) {
    addedAtSeconds = cols.addedAt.subarray(0, n);
    weight = cols.weight.subarray(0, n);
    hi = cols.idHi.subarray(0, n);
    lo = cols.idLo.subarray(0, n);
  } else {
    const at = cols.addedAt;
    const w = cols.weight;
    addedAtSeconds = new Float64Array(n);
    weight = new Float64Array(n);
    hi = new Uint32Array(n);
    lo = new Uint32Array(n);
    for (let j = 0; j < n; j++) {
      const r = rows[j]!;
      addedAtSeconds[j] = at[r]!;
      weight[j] = w[r]!;
      hi[j] = cols.idHi[r]!;
      lo[j] = cols.idLo[r]!;
    }
  }
  const entry = (j: number): IndexEntry => entryWithExposure(cols, rowOf(j));
  return { columns: { length: n, addedAtSeconds, weight, hexIds: { hi, lo }, sectionId: (j) => cols.sectionId(rowOf(j)), entry }, entry };
}

/** Row `r` of the columns as an `IndexEntry` carrying its exposure (for scheme functions). */
function entryWithExposure(cols: IndexView, r: number): IndexEntry {
  return { ...cols.entry(r), ...cols.exposure(r) };
}

/**
 * Each row's section type and auto-mined flag (1 = auto-mined): from the columns where the
 * index has them, else (dlm stores, rows without them) by `classify`, which decodes frames.
 */
export async function kindsOf(source: DrawSource): Promise<{ types: string[]; autoMined: Uint8Array }> {
  const cols = source.columns;
  if (cols === undefined) {
    const kinds = await source.classify(source.entries);
    return { types: kinds.map((k) => k.sectionType), autoMined: Uint8Array.from(kinds, (k) => (k.autoMined ? 1 : 0)) };
  }
  const n = cols.size;
  const types = new Array<string>(n);
  const autoMined = new Uint8Array(n);
  const unknown: number[] = [];
  for (let r = 0; r < n; r++) {
    const code = cols.typeCode[r]!;
    const mined = autoMinedOf(cols.flags[r]!);
    if (code === NO_TYPE_CODE || mined === undefined) unknown.push(r);
    else {
      types[r] = cols.types[code]!;
      autoMined[r] = mined ? 1 : 0;
    }
  }
  if (unknown.length > 0) {
    const kinds = await source.classify(unknown.map((r) => cols.entry(r)));
    unknown.forEach((r, i) => {
      types[r] = kinds[i]!.sectionType;
      autoMined[r] = kinds[i]!.autoMined ? 1 : 0;
    });
  }
  return { types, autoMined };
}

/**
 * {@link pickEntries} among the sections of one type (and, with `includeAutoMined` false,
 * not mined automatically), read from the columns where the index has types and flags.
 * @throws {SamplerError} for bad options, weights or a failing scheme.
 */
export async function pickOfType(
  source: DrawSource,
  sectionType: string,
  includeAutoMined: boolean,
  options: { k: number; now: Date; seed?: number | undefined; random?: (() => number) | undefined; scheme?: Scheme<IndexEntry> | undefined },
): Promise<IndexEntry[]> {
  const kinds = await kindsOf(source);
  const rows: number[] = [];
  for (let r = 0; r < kinds.types.length; r++) if (kinds.types[r] === sectionType && (includeAutoMined || kinds.autoMined[r] === 0)) rows.push(r);
  return pickEntries(source, rows, options);
}

/**
 * Picks `k` sections among all the view's rows (or `rows` of them), as `sample` picks among
 * the same entries: `sampleRows` and `samplePreferenceRows` draw through this, so they
 * read a v2 index's columns too.
 * @throws {SamplerError} for bad options, weights or a failing scheme.
 */
export function pickEntries(
  source: DrawSource,
  rows: readonly number[] | undefined,
  options: { k: number; now: Date; seed?: number | undefined; random?: (() => number) | undefined; scheme?: Scheme<IndexEntry> | undefined },
): IndexEntry[] {
  const pool = poolOf(source, rows);
  return Array.from(sampleIndices(pool.columns, options), (j) => pool.entry(j));
}

async function expand(source: DrawSource, entries: readonly IndexEntry[]): Promise<Picked[]> {
  const snapshots = entries.length === 0 ? [] : await source.read(entries);
  return entries.map((entry, i) => ({ entry, snapshot: snapshots[i]!, rows: source.rowsOf(entry, snapshots[i]!) }));
}

function sectionTokens(p: Picked, countTokens: (row: Row) => number): number {
  let sum = 0;
  for (const row of p.rows) {
    const n = countTokens(row);
    if (typeof n !== "number" || !Number.isFinite(n) || n < 0) {
      throw new StoreArgumentError("options.countTokens", `must return a finite number >= 0, returned ${String(n)} for a row of section ${p.entry.sectionId}`);
    }
    sum += n;
  }
  return sum;
}

/**
 * The pool's positions with weight > 0 in key order, largest first, produced lazily.
 * The sampler returns the k largest keys in key order, except that a k reaching the number
 * of positive-weight entries returns them all in stable (id) order; so k grows by
 * doubling up to that number minus one, and the one entry left over comes last (it has
 * the smallest key).
 */
function* keyOrder(pool: Pool, base: { now: Date; seed: number; scheme: Scheme<IndexEntry> }, firstK: number): Generator<number, void, undefined> {
  let k = Math.max(1, firstK);
  let given = 0;
  let first: Uint32Array | undefined = sampleIndices(pool.columns, { ...base, k }); // validates the entries and the scheme first
  const positives = positivePositions(pool, base);
  for (;;) {
    if (k >= positives.length - 1) {
      const top = positives.length > 1 ? sampleIndices(pool.columns, { ...base, k: positives.length - 1 }) : new Uint32Array(0);
      const inTop = new Set(top);
      yield* top.subarray(given);
      yield* positives.filter((j) => !inTop.has(j));
      return;
    }
    const picked: Uint32Array = first ?? sampleIndices(pool.columns, { ...base, k });
    first = undefined;
    yield* picked.subarray(given);
    given = picked.length;
    k *= 2;
  }
}

/** The pool positions with weight > 0 under the scheme, as the sampler decides it (the recency factor is never 0). */
function positivePositions(pool: Pool, { now, scheme }: { now: Date; scheme: Scheme<IndexEntry> }): number[] {
  const { length, weight } = pool.columns;
  const out: number[] = [];
  const fn = typeof scheme === "function" ? (scheme as SchemeFn<IndexEntry>) : undefined;
  for (let j = 0; j < length; j++) {
    const w = weight === undefined ? 1 : weight[j]!;
    if (fn === undefined ? w > 0 : fn(pool.entry(j), now) * w > 0) out.push(j);
  }
  return out;
}

function planOf(input: DrawOptions): Plan {
  if (typeof input !== "object" || input === null) throw new StoreArgumentError("options", "must be an object with now and one of k, rows, maxTokens");
  const options = checked(DrawOptionsSchema, input, "options");
  const { now, seed, random, recordExposure } = options;
  const scheme = (options.scheme ?? "recency") as Scheme<IndexEntry>;
  const budgets = (["k", "rows", "maxTokens"] as const).filter((key) => options[key] !== undefined);
  if (budgets.length !== 1) {
    throw new StoreArgumentError("options", `must give exactly one of k, rows and maxTokens, got ${budgets.length === 0 ? "none" : budgets.join(" and ")}`);
  }
  const kind = budgets[0]!;
  const amount = options[kind]!;
  const includeAutoMined = options.includeAutoMined ?? true;
  const mix = mixOf(options.mix);
  const recorded: Record<string, unknown> = { [kind]: amount };
  if (mix !== undefined) recorded.mix = Object.fromEntries(mix);
  recorded.includeAutoMined = includeAutoMined;
  if (kind === "maxTokens") recorded.countTokens = options.countTokens === undefined ? "bytes/4" : "custom";
  if (random !== undefined) recorded.seedFrom = "random";
  if (recordExposure === true) recorded.recordExposure = true;
  if (options.shard !== undefined) recorded.shard = { rank: options.shard.rank, worldSize: options.shard.worldSize };
  return {
    now,
    seed: seedOf(seed, random),
    scheme,
    kind,
    amount,
    mix,
    includeAutoMined,
    countTokens: (options.countTokens as ((row: Row) => number) | undefined) ?? estimateRowTokens,
    recorded,
    recordExposure: recordExposure === true,
    shard: options.shard,
  };
}

function seedOf(seed: unknown, random: unknown): number {
  if (seed !== undefined && random !== undefined) throw new StoreArgumentError("options", "must give seed or random, not both");
  if (seed !== undefined) {
    if (typeof seed !== "number" || !Number.isSafeInteger(seed))
      throw new StoreArgumentError("options.seed", `must be a safe integer, got ${describeValue(seed)}`);
    return seed;
  }
  if (random === undefined) return randomInt(0, 2 ** 32);
  if (typeof random !== "function") throw new StoreArgumentError("options.random", "must be a function returning numbers in [0, 1)");
  // One call picks the seed, so the draw is keyed (stable as the store grows) and the receipt can name it.
  const u: unknown = random();
  if (typeof u !== "number" || !(u >= 0 && u < 1)) throw new StoreArgumentError("options.random", `must return a number in [0, 1), returned ${String(u)}`);
  return Math.floor(u * 2 ** 32);
}

function mixOf(mix: Record<string, number> | undefined): Array<[string, number]> | undefined {
  if (mix === undefined) return undefined;
  // Own keys only, as given: a type named "constructor" is a type like any other.
  const shares = Object.entries(mix);
  if (shares.length === 0) throw new StoreArgumentError("options.mix", "must name at least one section type");
  for (const [type, share] of shares) {
    if (typeof share !== "number" || !Number.isFinite(share) || share < 0) {
      throw new StoreArgumentError(`options.mix.${type}`, `must be a finite number >= 0, got ${describeValue(share)}`);
    }
  }
  if (!shares.some(([, share]) => share > 0)) throw new StoreArgumentError("options.mix", "must give some type a share > 0");
  return shares;
}

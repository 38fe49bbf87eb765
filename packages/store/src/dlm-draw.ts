/**
 * Draws exactly as dlm draws: `sampleRows` / `samplePreferenceRows` with `dlmSeed` pick the
 * sections, in the order, that dlm's `ReplayStore.sample_rows` / `sample_preference_rows`
 * pick for `rng = random.Random(dlmSeed)` on the same store (`sampleAsDlm` of
 * `@replaykit/sampler` over the store's live entries, in index order). Without `dlmSeed`
 * these route to the keyed draw of draw.ts unchanged. Functions over a `DrawSource`; the
 * store only binds them to its view.
 *
 * @module
 */

import type { IndexEntry } from "@replaykit/index";
import { sampleAsDlm } from "@replaykit/sampler";
import { type DrawSource, kindsOf, pickEntries, pickOfType } from "./draw.js";
import { StoreArgumentError } from "./errors.js";
// One definition of a pick's options, with the functions that take them; a type-only cycle.
import type { PickOptions } from "./sample.js";

/**
 * `options.dlmSeed`, checked against the rest of `options`: a safe integer or a bigint, not
 * with `seed` or `random` (dlm's draw has one stream, seeded by it), and only with dlm's
 * schemes.
 *
 * @throws {StoreArgumentError} naming the option at fault.
 */
export function dlmSeedOf(options: { dlmSeed?: unknown; seed?: unknown; random?: unknown; scheme?: unknown }): number | bigint {
  const { dlmSeed, seed, random, scheme } = options;
  if (seed !== undefined || random !== undefined) {
    throw new StoreArgumentError(
      "options.dlmSeed",
      `draws as dlm does, from random.Random(dlmSeed) alone: give it without ${seed !== undefined ? "seed" : "random"}`,
    );
  }
  if (typeof dlmSeed !== "bigint" && !(typeof dlmSeed === "number" && Number.isSafeInteger(dlmSeed))) {
    throw new StoreArgumentError("options.dlmSeed", `must be a safe integer, or a bigint for larger ones, got ${show(dlmSeed)}`);
  }
  if (scheme !== undefined && scheme !== "recency" && scheme !== "uniform") {
    throw new StoreArgumentError("options.scheme", `with dlmSeed must be "recency" or "uniform" (dlm's two schemes), got ${show(scheme)}`);
  }
  return dlmSeed;
}

/**
 * The sections `sampleRows` picks among all the view's rows (or `rows` of them), in order:
 * dlm's draw when `options.dlmSeed` is given, else the keyed draw (`pickEntries`).
 *
 * @throws {SamplerError} for a bad `k`, `now` or entry.
 */
export function pickFor(source: DrawSource, rows: readonly number[] | undefined, options: PickOptions): IndexEntry[] {
  const { dlmSeed } = options;
  if (dlmSeed === undefined) return pickEntries(source, rows, options);
  const all = source.entries;
  // dlm draws over its index in file order; the live entries keep that order.
  const entries = rows === undefined ? all : rows.map((r) => all[r] as IndexEntry);
  return sampleAsDlm(entries, { k: options.k, now: options.now, seed: dlmSeed, scheme: options.scheme as "recency" | "uniform" | undefined });
}

/**
 * The sections `samplePreferenceRows` picks among those of `sectionType` (without the
 * auto-mined ones unless `includeAutoMined`): dlm's draw over exactly those entries, in
 * index order, when `options.dlmSeed` is given, else `pickOfType`.
 *
 * @throws {SamplerError} for a bad `k`, `now` or entry.
 */
export async function pickOfTypeFor(source: DrawSource, sectionType: string, includeAutoMined: boolean, options: PickOptions): Promise<IndexEntry[]> {
  if (options.dlmSeed === undefined) return pickOfType(source, sectionType, includeAutoMined, options);
  const kinds = await kindsOf(source);
  const rows: number[] = [];
  for (let r = 0; r < kinds.types.length; r++) if (kinds.types[r] === sectionType && (includeAutoMined || kinds.autoMined[r] === 0)) rows.push(r);
  return pickFor(source, rows, options);
}

function show(value: unknown): string {
  return typeof value === "function" ? "a function" : typeof value === "string" ? JSON.stringify(value) : String(value);
}

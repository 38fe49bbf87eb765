import { describe, expectTypeOf, test } from "vitest";
import type { ReplaykitError } from "@replaykit/errors";
import {
  type ColumnSource,
  isReplaykitError,
  pythonRandom,
  recencyWeight,
  sample,
  sampleAsDlm,
  sampleIndices,
  SamplerError,
  type Sampleable,
  type SampleOptions,
  type Scheme,
  type SchemeFn,
} from "../src/index.js";

describe("public types (API.md contract)", () => {
  test("sample returns the caller's own type", () => {
    interface Mine extends Sampleable {
      readonly byteOffset: number;
    }
    const mine: Mine[] = [];
    expectTypeOf(sample(mine, { k: 1, now: new Date(), seed: 1 })).toEqualTypeOf<Mine[]>();
    expectTypeOf(sample([{ sectionId: "a", addedAt: 0 }], { k: 1, now: new Date(), random: Math.random })).toEqualTypeOf<
      { sectionId: string; addedAt: number }[]
    >();
  });

  test("sampleAsDlm returns the caller's own type; pythonRandom a stream", () => {
    interface Mine extends Sampleable {
      readonly byteOffset: number;
    }
    const mine: Mine[] = [];
    expectTypeOf(sampleAsDlm(mine, { k: 1, now: new Date(), seed: 1n, scheme: "uniform" })).toEqualTypeOf<Mine[]>();
    expectTypeOf(pythonRandom).toEqualTypeOf<(seed: number | bigint) => () => number>();
    // @ts-expect-error dlm has no scheme functions
    sampleAsDlm(mine, { k: 1, now: new Date(), seed: 1, scheme: () => 1 });
  });

  test("schemes and weights", () => {
    expectTypeOf<Scheme>().toEqualTypeOf<"recency" | "uniform" | SchemeFn>();
    expectTypeOf<SchemeFn>().toEqualTypeOf<(entry: Sampleable, now: Date) => number>();
    expectTypeOf(recencyWeight).toEqualTypeOf<(entry: Sampleable, now: Date) => number>();
    expectTypeOf<Sampleable>().toEqualTypeOf<{ readonly sectionId: string; readonly addedAt: Date | number; readonly weight?: number }>();
  });

  test("a scheme reads the caller's own fields", () => {
    interface Doc extends Sampleable {
      readonly tokens: number;
      readonly replayed?: number;
    }
    const docs: Doc[] = [];
    // The scheme's entry is the caller's type, inferred from the entries.
    const picked = sample(docs, {
      k: 1,
      now: new Date(),
      seed: 1,
      scheme: (doc, now) => {
        expectTypeOf(doc).toEqualTypeOf<Doc>();
        expectTypeOf(now).toEqualTypeOf<Date>();
        return 1 / (1 + (doc.replayed ?? 0)) / doc.tokens;
      },
    });
    expectTypeOf(picked).toEqualTypeOf<Doc[]>();
    // A named generic scheme, and one written for any Sampleable, both fit.
    const byTokens: SchemeFn<Doc> = (doc) => doc.tokens;
    const byIdLength: SchemeFn = (entry) => entry.sectionId.length;
    expectTypeOf(sample(docs, { k: 1, now: new Date(), seed: 1, scheme: byTokens })).toEqualTypeOf<Doc[]>();
    expectTypeOf(sample(docs, { k: 1, now: new Date(), seed: 1, scheme: byIdLength })).toEqualTypeOf<Doc[]>();
    const options: SampleOptions<Doc> = { k: 1, now: new Date(), seed: 1, scheme: byTokens };
    expectTypeOf(sample(docs, options)).toEqualTypeOf<Doc[]>();
    expectTypeOf<Scheme<Doc>>().toEqualTypeOf<"recency" | "uniform" | SchemeFn<Doc>>();
    // A scheme for Doc cannot weigh entries that lack its fields.
    const plain: Sampleable[] = [];
    // @ts-expect-error plain entries have no `tokens`
    sample(plain, { k: 1, now: new Date(), seed: 1, scheme: byTokens });
    // @ts-expect-error the field does not exist on Doc
    sample(docs, { k: 1, now: new Date(), seed: 1, scheme: (doc) => doc.nope });
  });

  test("SamplerError and the shared scheme", () => {
    expectTypeOf<SamplerError["code"]>().toEqualTypeOf<"SAMPLER">();
    expectTypeOf(SamplerError.isInstance).guards.toEqualTypeOf<SamplerError>();
    expectTypeOf(isReplaykitError).guards.toEqualTypeOf<ReplaykitError>();
    // @ts-expect-error k is required
    sample([], { now: new Date(), seed: 1 });
  });
  test("sampleIndices: columns in, indices out; a scheme reads the source's entry type", () => {
    interface Doc extends Sampleable {
      readonly timesReplayed: number;
    }
    const docs: Doc[] = [];
    const source: ColumnSource<Doc> = { length: 0, addedAtMs: new Float64Array(0), sectionId: (i) => docs[i]!.sectionId, entry: (i) => docs[i]! };
    expectTypeOf(sampleIndices(source, { k: 1, now: new Date(), seed: 1, scheme: (d) => 1 / (1 + d.timesReplayed) })).toEqualTypeOf<Uint32Array>();
    // @ts-expect-error a scheme cannot read fields the entries lack
    sampleIndices(source, { k: 1, now: new Date(), seed: 1, scheme: (d) => d.missing });
    // @ts-expect-error sectionId is required
    sampleIndices({ length: 0, addedAtMs: [] }, { k: 1, now: new Date(), seed: 1 });
  });
});

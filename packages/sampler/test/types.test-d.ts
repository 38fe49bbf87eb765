import { describe, expectTypeOf, test } from "vitest";
import { recencyWeight, sample, SamplerError, type Sampleable, type Scheme, type SchemeFn } from "../src/index.js";

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

  test("schemes and weights", () => {
    expectTypeOf<Scheme>().toEqualTypeOf<"recency" | "uniform" | SchemeFn>();
    expectTypeOf<SchemeFn>().toEqualTypeOf<(entry: Sampleable, now: Date) => number>();
    expectTypeOf(recencyWeight).toEqualTypeOf<(entry: Sampleable, now: Date) => number>();
    expectTypeOf<Sampleable>().toEqualTypeOf<{ readonly sectionId: string; readonly addedAt: Date | number; readonly weight?: number }>();
  });

  test("SamplerError", () => {
    expectTypeOf<SamplerError["code"]>().toEqualTypeOf<"SAMPLER">();
    expectTypeOf(SamplerError.isInstance).guards.toEqualTypeOf<SamplerError>();
    // @ts-expect-error k is required
    sample([], { now: new Date(), seed: 1 });
  });
});

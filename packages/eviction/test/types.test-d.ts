import { describe, expectTypeOf, test } from "vitest";
import { EvictionError, evictUntil, type Evictable, type EvictOptions } from "../src/index.js";

describe("public types (API.md contract)", () => {
  test("evictUntil returns the caller's own type", () => {
    interface Mine extends Evictable {
      readonly byteOffset: number;
    }
    const mine: Mine[] = [];
    const result = evictUntil(mine, { maxBytes: 0 });
    expectTypeOf(result.kept).toEqualTypeOf<Mine[]>();
    expectTypeOf(result.evicted).toEqualTypeOf<Mine[]>();
    const shaped: { kept: Mine[]; evicted: Mine[] } = result;
    void shaped;
  });

  test("options and errors", () => {
    expectTypeOf<EvictOptions["maxBytes"]>().toEqualTypeOf<number>();
    expectTypeOf<Evictable>().toEqualTypeOf<{ readonly sectionId: string; readonly addedAt: Date | number; readonly length: number }>();
    expectTypeOf<EvictionError["code"]>().toEqualTypeOf<"EVICTION">();
    expectTypeOf(EvictionError.isInstance).guards.toEqualTypeOf<EvictionError>();
    expectTypeOf<EvictionError["argument"]>().toEqualTypeOf<string | undefined>();
  });
});

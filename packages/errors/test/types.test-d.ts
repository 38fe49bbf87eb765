import { describe, expectTypeOf, test } from "vitest";
import { type ErrorKind, instanceCheck, isReplaykitError, REPLAYKIT_ERROR, type ReplaykitError, ReplaykitErrorBase } from "../src/index.js";

describe("public types (API.md v3 contract)", () => {
  test("ErrorKind is the seven names", () => {
    expectTypeOf<ErrorKind>().toEqualTypeOf<"argument" | "not-found" | "corrupt" | "io" | "locked" | "conflict" | "unsupported">();
  });

  test("ReplaykitError is an Error with a code and a kind; isReplaykitError guards it", () => {
    expectTypeOf<ReplaykitError>().toMatchTypeOf<Error>();
    expectTypeOf<ReplaykitError["code"]>().toEqualTypeOf<string>();
    expectTypeOf<ReplaykitError["kind"]>().toEqualTypeOf<ErrorKind>();
    expectTypeOf(isReplaykitError).guards.toEqualTypeOf<ReplaykitError>();
  });

  test("a class's isInstance guards its own type and keeps its literal code", () => {
    class ThingError extends ReplaykitErrorBase {
      static readonly code = "THINGS_THING";
      static override readonly kind = "io";
      static readonly isInstance = instanceCheck<ThingError>(this);
      declare readonly code: typeof ThingError.code;
      readonly [REPLAYKIT_ERROR] = "things";
      readonly path = "/x";
    }
    expectTypeOf(ThingError.isInstance).guards.toEqualTypeOf<ThingError>();
    expectTypeOf<ThingError["code"]>().toEqualTypeOf<"THINGS_THING">();
    expectTypeOf<ThingError>().toMatchTypeOf<ReplaykitError>();
  });
});

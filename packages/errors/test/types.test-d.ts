import { describe, expectTypeOf, test } from "vitest";
import {
  type ErrorClassOf,
  type ErrorKind,
  errorClass,
  instanceCheck,
  isReplaykitError,
  REPLAYKIT_ERROR,
  type ReplaykitError,
  ReplaykitErrorBase,
  type ReplaykitErrorOptions,
} from "../src/index.js";

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

describe("errorClass", () => {
  abstract class GadgetsError extends ReplaykitErrorBase {
    readonly [REPLAYKIT_ERROR] = "gadgets";
  }
  class GadgetLostError extends errorClass(GadgetsError, "GadgetLostError", "GADGETS_LOST", "not-found") {
    static readonly isInstance = instanceCheck<GadgetLostError>(this);
    readonly gadget: string;

    constructor(gadget: string) {
      super(`no gadget ${gadget}`);
      this.gadget = gadget;
    }
  }

  test("keeps the code, name and kind literal, the constructor and isInstance the class's", () => {
    expectTypeOf<GadgetLostError["code"]>().toEqualTypeOf<"GADGETS_LOST">();
    expectTypeOf<GadgetLostError["name"]>().toEqualTypeOf<"GadgetLostError">();
    expectTypeOf<GadgetLostError["kind"]>().toEqualTypeOf<ErrorKind>();
    expectTypeOf(GadgetLostError.code).toEqualTypeOf<"GADGETS_LOST">();
    expectTypeOf(GadgetLostError.kind).toEqualTypeOf<"not-found">();
    expectTypeOf(GadgetLostError).constructorParameters.toEqualTypeOf<[gadget: string]>();
    expectTypeOf(GadgetLostError.isInstance).guards.toEqualTypeOf<GadgetLostError>();
    expectTypeOf<GadgetLostError>().toMatchTypeOf<GadgetsError>();
  });

  test("without a constructor, the base's parameters", () => {
    class GadgetBusyError extends errorClass(GadgetsError, "GadgetBusyError", "GADGETS_BUSY", "locked") {
      static readonly isInstance = instanceCheck<GadgetBusyError>(this);
    }
    expectTypeOf(GadgetBusyError).constructorParameters.toEqualTypeOf<[message: string, options?: ReplaykitErrorOptions]>();
  });

  test("the aliases keep their literal type", () => {
    class GadgetGoneError extends errorClass(GadgetsError, "GadgetGoneError", "GADGETS_GONE", "not-found", ["GADGETS_MISSING"]) {
      static readonly isInstance = instanceCheck<GadgetGoneError>(this);
    }
    expectTypeOf(GadgetGoneError.aliases).toEqualTypeOf<readonly ["GADGETS_MISSING"]>();
  });

  test("a narrower kind on the errors when asked for", () => {
    type Narrow = ErrorClassOf<typeof GadgetsError, "GadgetGoneError", "GADGETS_GONE", "io", "io">;
    expectTypeOf<InstanceType<Narrow>["kind"]>().toEqualTypeOf<"io">();
  });
});

// The brand, isReplaykitError, hasCode / instanceCheck (aliases, "another copy"), the base
// class and systemCodeOf; hostile values never make a check throw.
import { describe, expect, test } from "vitest";
import {
  brandOf,
  ERROR_KINDS,
  errorClass,
  type ErrorKind,
  hasCode,
  instanceCheck,
  isErrorKind,
  isReplaykitError,
  REPLAYKIT_ERROR,
  ReplaykitErrorBase,
  systemCodeOf,
} from "../src/index.js";
import { errorSchemeProblems } from "../src/testing.js";

abstract class WidgetsError extends ReplaykitErrorBase {
  readonly [REPLAYKIT_ERROR] = "widgets";
}

class WidgetMissingError extends WidgetsError {
  static readonly code = "WIDGETS_MISSING";
  static readonly aliases = ["WIDGET_MISSING"] as const;
  static override readonly kind = "not-found";
  static readonly isInstance = instanceCheck<WidgetMissingError>(this);
  declare readonly code: typeof WidgetMissingError.code;
  override readonly name = "WidgetMissingError";
}

class WidgetBusyError extends WidgetsError {
  static readonly code = "WIDGETS_BUSY";
  static override readonly kind = "locked";
  static readonly isInstance = instanceCheck<WidgetBusyError>(this);
  declare readonly code: typeof WidgetBusyError.code;
  override readonly name = "WidgetBusyError";

  constructor(message: string, kind?: ErrorKind) {
    super(message, { kind });
  }
}

/** A subclass written the way plugin authors wrote them before the shared base: an instance `code`. */
class LegacyStyleError extends WidgetsError {
  readonly code = "WIDGETS_LEGACY" as const;
  override readonly name = "LegacyStyleError";
}

/** Objects that throw on every reflective operation a check could make. */
function hostileValues(): unknown[] {
  const trap = () => {
    throw new Error("trap");
  };
  const throwing = new Proxy({}, { get: trap, has: trap, getPrototypeOf: trap, ownKeys: trap, getOwnPropertyDescriptor: trap });
  const { proxy: revoked, revoke } = Proxy.revocable({}, {});
  revoke();
  const getters = Object.defineProperties({}, { code: { get: trap }, [REPLAYKIT_ERROR]: { get: trap }, cause: { get: trap } });
  return [throwing, revoked, getters, Object.create(null), () => 1, Symbol("x"), 1n];
}

/** A replaykit error from another installed copy: a plain object with the brand (no class, no prototype in common). */
const fromAnotherCopy = (code: string, kind: ErrorKind = "not-found", brand = "widgets") => ({
  [Symbol.for("replaykit.error")]: brand,
  code,
  kind,
  name: "WidgetMissingError",
  message: "elsewhere",
});

describe("the brand", () => {
  test("is the registered symbol, the same in every copy and realm", () => {
    expect(REPLAYKIT_ERROR).toBe(Symbol.for("replaykit.error"));
  });

  test("errors carry it (the package's short name), a code, a kind and the cause", () => {
    const cause = new Error("underneath");
    const error = new WidgetMissingError("no widget w1", { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code: "WIDGETS_MISSING", kind: "not-found", name: "WidgetMissingError", message: "no widget w1", cause });
    expect(brandOf(error)).toBe("widgets");
    expect(Object.hasOwn(error, "code") && Object.hasOwn(error, "kind")).toBe(true);
    expect(isReplaykitError(error)).toBe(true);
    expect("cause" in new WidgetMissingError("no cause")).toBe(false);
  });

  test("a kind given to one error overrides its class's", () => {
    expect(new WidgetBusyError("busy").kind).toBe("locked");
    expect(new WidgetBusyError("gone", "conflict").kind).toBe("conflict");
  });

  test("a subclass with an instance code (the older plugin style) keeps it", () => {
    const error = new LegacyStyleError("x");
    expect(error.code).toBe("WIDGETS_LEGACY");
    expect(hasCode(error, "WIDGETS_LEGACY")).toBe(true);
  });
});

describe("isReplaykitError", () => {
  test("is true for a branded object with a string code from another copy", () => {
    expect(isReplaykitError(fromAnotherCopy("WIDGETS_MISSING"))).toBe(true);
    expect(isReplaykitError({ [REPLAYKIT_ERROR]: "corpus", code: "CORPUS_CORRUPT" })).toBe(true); // a release before kinds
  });

  test.each([
    ["no brand", { code: "WIDGETS_MISSING", kind: "argument" }],
    ["a brand that is not a string", { [REPLAYKIT_ERROR]: true, code: "X" }],
    ["another symbol of the same description", { [Symbol("replaykit.error")]: "widgets", code: "X" }],
    ["no code", { [REPLAYKIT_ERROR]: "widgets" }],
    ["a numeric code", { [REPLAYKIT_ERROR]: "widgets", code: 5 }],
    ["a plain Error", new Error("x")],
    ["a system error", Object.assign(new Error("x"), { code: "ENOENT" })],
    ["null", null],
    ["undefined", undefined],
    ["a string", "WIDGETS_MISSING"],
  ])("is false for %s", (_, value) => {
    expect(isReplaykitError(value)).toBe(false);
  });

  test("never throws on hostile values", () => {
    for (const value of hostileValues()) {
      expect(isReplaykitError(value)).toBe(false);
      expect(brandOf(value)).toBeUndefined();
      expect(hasCode(value, "X")).toBe(false);
      expect(WidgetMissingError.isInstance(value)).toBe(false);
      expect(systemCodeOf(value)).toBeUndefined();
    }
  });
});

describe("isInstance (instanceCheck) and hasCode", () => {
  test("match by brand and code, never by prototype: two copies interoperate", () => {
    expect(WidgetMissingError.isInstance(new WidgetMissingError("x"))).toBe(true);
    expect(WidgetMissingError.isInstance(fromAnotherCopy("WIDGETS_MISSING"))).toBe(true);
    // Any brand value will do: the code is unique across replaykit.
    expect(WidgetMissingError.isInstance(fromAnotherCopy("WIDGETS_MISSING", "not-found", "store"))).toBe(true);
    expect(WidgetMissingError.isInstance(new WidgetBusyError("x"))).toBe(false);
    expect(WidgetBusyError.isInstance(fromAnotherCopy("WIDGETS_MISSING"))).toBe(false);
    expect(WidgetMissingError.isInstance({ code: "WIDGETS_MISSING", kind: "not-found" })).toBe(false);
  });

  test("match the old names of a code (aliases), and only those", () => {
    expect(WidgetMissingError.isInstance(fromAnotherCopy("WIDGET_MISSING"))).toBe(true);
    expect(hasCode(fromAnotherCopy("WIDGET_MISSING"), ["WIDGETS_MISSING", ...WidgetMissingError.aliases])).toBe(true);
    expect(hasCode(fromAnotherCopy("WIDGET_MISSING"), "WIDGETS_MISSING")).toBe(false);
    expect(WidgetBusyError.isInstance(fromAnotherCopy("WIDGET_BUSY"))).toBe(false);
  });

  test("work unbound (passed to filter, or to an assertion)", () => {
    const errors: unknown[] = [new WidgetMissingError("a"), new WidgetBusyError("b"), fromAnotherCopy("WIDGET_MISSING"), null];
    expect(errors.filter(WidgetMissingError.isInstance)).toHaveLength(2);
  });
});

describe("kinds", () => {
  test("are exactly the seven names of the contract", () => {
    expect([...ERROR_KINDS]).toEqual(["argument", "not-found", "corrupt", "io", "locked", "conflict", "unsupported"]);
    expect(Object.isFrozen(ERROR_KINDS)).toBe(true);
    for (const kind of ERROR_KINDS) expect(isErrorKind(kind)).toBe(true);
    for (const other of ["Argument", "notfound", "", undefined, null, 1]) expect(isErrorKind(other)).toBe(false);
  });
});

describe("systemCodeOf", () => {
  const sys = (code: string) => Object.assign(new Error(`${code}: failed`), { code, syscall: "open", errno: -13 });

  test("reads a system error's code", () => {
    expect(systemCodeOf(sys("EACCES"))).toBe("EACCES");
    expect(systemCodeOf(sys("EAI_AGAIN"))).toBe("EAI_AGAIN");
  });

  test("follows causes, and reads a replaykit error's systemCode instead of its code", () => {
    expect(systemCodeOf(new Error("wrapped", { cause: sys("ENOSPC") }))).toBe("ENOSPC");
    const io = Object.assign(new WidgetBusyError("io"), { systemCode: "EROFS" });
    expect(systemCodeOf(new Error("outer", { cause: io }))).toBe("EROFS");
    expect(systemCodeOf(new WidgetBusyError("no system code"))).toBeUndefined(); // WIDGETS_BUSY is not one
  });

  test("is undefined for Node's own ERR_ codes, codes that are not system codes, and nothing", () => {
    for (const cause of [Object.assign(new Error("x"), { code: "ERR_INVALID_ARG_TYPE" }), { code: "eacces" }, { code: 13 }, "EACCES", null, undefined]) {
      expect(systemCodeOf(cause)).toBeUndefined();
    }
  });

  test("stops on a cycle of causes", () => {
    const a: { cause?: unknown } = {};
    const b = { cause: a };
    a.cause = b;
    expect(systemCodeOf(a)).toBeUndefined();
  });
});

describe("errorClass", () => {
  class GadgetLostError extends errorClass(WidgetsError, "GadgetLostError", "WIDGETS_GADGET_LOST", "not-found", ["WIDGETS_GADGET_GONE"]) {
    static readonly isInstance = instanceCheck<GadgetLostError>(this);
    readonly gadget: string;

    constructor(gadget: string, cause?: unknown) {
      super(`no gadget ${gadget}`, { cause });
      this.gadget = gadget;
    }
  }
  class GadgetBusyError extends errorClass(WidgetsError, "GadgetBusyError", "WIDGETS_GADGET_BUSY", "locked") {
    static readonly isInstance = instanceCheck<GadgetBusyError>(this);
  }

  test("declares the statics and the error's code, kind, name and brand, as by hand", () => {
    const { code, kind, aliases } = GadgetLostError; // inherited statics, as a subclass reads them
    expect({ code, kind, aliases }).toEqual({ code: "WIDGETS_GADGET_LOST", kind: "not-found", aliases: ["WIDGETS_GADGET_GONE"] });
    const cause = new Error("underneath");
    const error = new GadgetLostError("g1", cause);
    expect(error).toBeInstanceOf(GadgetLostError);
    expect(error).toBeInstanceOf(WidgetsError);
    expect(Object.getOwnPropertyDescriptor(error, "name")).toMatchObject({ value: "GadgetLostError", enumerable: true });
    expect(error).toMatchObject({ code: "WIDGETS_GADGET_LOST", kind: "not-found", gadget: "g1", message: "no gadget g1", cause });
    expect(brandOf(error)).toBe("widgets");
    expect(new GadgetBusyError("busy", { kind: "conflict" })).toMatchObject({ code: "WIDGETS_GADGET_BUSY", kind: "conflict", name: "GadgetBusyError" });
  });

  test("its classes pass the shared scheme, aliases and another copy included", () => {
    expect(GadgetLostError.isInstance(fromAnotherCopy("WIDGETS_GADGET_GONE"))).toBe(true);
    expect(GadgetLostError.isInstance(new GadgetBusyError("busy"))).toBe(false);
    const api = { GadgetLostError, GadgetBusyError };
    expect(errorSchemeProblems(api, [new GadgetLostError("g"), new GadgetBusyError("b")], ["widgets"])).toEqual([]);
  });
});

describe("errorSchemeProblems (the suite every package runs)", () => {
  const api = { WidgetsError, WidgetMissingError, WidgetBusyError, unrelated: () => 1 };

  test("passes classes that follow the scheme", () => {
    expect(errorSchemeProblems(api, [new WidgetMissingError("x"), new WidgetBusyError("y")], ["widgets"])).toEqual([]);
  });

  test("names a class without a sample, a wrong brand, a kind outside the set and a missing isInstance", () => {
    expect(errorSchemeProblems(api, [new WidgetMissingError("x")], ["widgets"])).toEqual(["WidgetBusyError (WIDGETS_BUSY): no sample error of this class"]);
    expect(errorSchemeProblems(api, [new WidgetMissingError("x"), new WidgetBusyError("y")], ["store"])).toEqual([
      "sample WidgetMissingError: x: brand widgets is not one of store",
      "sample WidgetBusyError: y: brand widgets is not one of store",
    ]);
    class BadKindError extends WidgetsError {
      static readonly code = "WIDGETS_BAD";
      static override readonly kind = "oops" as ErrorKind;
      declare readonly code: typeof BadKindError.code;
      override readonly name = "BadKindError";
    }
    const problems = errorSchemeProblems({ BadKindError }, [new BadKindError("z")], ["widgets"]);
    expect(problems).toEqual([
      "BadKindError (WIDGETS_BAD): static kind oops is not one of argument, not-found, corrupt, io, locked, conflict, unsupported",
      "BadKindError (WIDGETS_BAD): no static isInstance",
      "sample BadKindError: z: kind oops is not one of argument, not-found, corrupt, io, locked, conflict, unsupported",
    ]);
  });

  test("names an isInstance that checks the prototype instead of the brand", () => {
    class ByPrototypeError extends WidgetsError {
      static readonly code = "WIDGETS_PROTO";
      static override readonly kind = "argument";
      static isInstance(error: unknown): boolean {
        return error instanceof ByPrototypeError;
      }
      declare readonly code: typeof ByPrototypeError.code;
      override readonly name = "ByPrototypeError";
    }
    expect(errorSchemeProblems({ ByPrototypeError }, [new ByPrototypeError("p")], ["widgets"])).toEqual([
      "ByPrototypeError (WIDGETS_PROTO): isInstance is false for a branded object with code WIDGETS_PROTO (another copy)",
      "ByPrototypeError (WIDGETS_PROTO): isInstance throws on a hostile Proxy", // instanceof asks the Proxy for its prototype
    ]);
  });
});

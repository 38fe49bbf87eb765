// Every bad input is a SamplerError with code "SAMPLER"; entry errors name the entry.
import { describe, expect, test } from "vitest";
import { isReplaykitError, recencyWeight, sample, SamplerError } from "../src/index.js";
import { entry, NOW } from "./helpers.js";

const good = [entry("a", 1), entry("b", 2), entry("c", 3)];

function thrown(fn: () => unknown): SamplerError {
  try {
    fn();
  } catch (error) {
    expect(SamplerError.isInstance(error)).toBe(true);
    expect(error).toBeInstanceOf(SamplerError);
    expect((error as SamplerError).code).toBe("SAMPLER");
    expect((error as SamplerError).name).toBe("SamplerError");
    expect(isReplaykitError(error)).toBe(true);
    expect((error as unknown as Record<symbol, unknown>)[Symbol.for("replaykit.error")]).toBe("sampler");
    return error as SamplerError;
  }
  throw new Error("expected a SamplerError");
}

describe("options", () => {
  test.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "2", undefined, null])("k = %s", (k) => {
    expect(thrown(() => sample(good, { k: k as number, now: NOW, seed: 1 })).message).toMatch(/k must be a non-negative integer/);
  });

  test.each([new Date("nope"), NOW.getTime(), "2026-04-18", undefined])("now = %s", (now) => {
    expect(thrown(() => sample(good, { k: 1, now: now as Date, seed: 1 })).message).toMatch(/now must be a valid Date/);
  });

  test("both seed and random, or neither", () => {
    expect(thrown(() => sample(good, { k: 1, now: NOW, seed: 1, random: Math.random })).message).toMatch(/not both/);
    expect(thrown(() => sample(good, { k: 1, now: NOW })).message).toMatch(/got neither/);
  });

  test.each([1.5, Number.NaN, 2 ** 53, "1", Number.POSITIVE_INFINITY])("seed = %s", (seed) => {
    expect(thrown(() => sample(good, { k: 1, now: NOW, seed: seed as number })).message).toMatch(/seed must be a safe integer/);
  });

  test("random that is not a function", () => {
    expect(thrown(() => sample(good, { k: 1, now: NOW, random: 0.5 as never })).message).toMatch(/random must be a function/);
  });

  test.each(["Recency", "", 3, {}])("scheme = %s", (scheme) => {
    expect(thrown(() => sample(good, { k: 1, now: NOW, seed: 1, scheme: scheme as never })).message).toMatch(/scheme must be/);
  });

  test("entries or options that are not what they should be", () => {
    expect(thrown(() => sample("abc" as never, { k: 1, now: NOW, seed: 1 })).message).toMatch(/entries must be an array/);
    expect(thrown(() => sample(good, null as never)).message).toMatch(/options must be an object/);
    expect(thrown(() => sample(good, undefined as never)).message).toMatch(/options must be an object/);
    for (const entries of [null, undefined, 3, { length: 1, 0: good[0] }]) {
      expect(thrown(() => sample(entries as never, { k: 1, now: NOW, seed: 1 })).message).toMatch(/entries must be an array/);
    }
  });
});

describe("entries (every mode: seeded, seeded on unsorted input, caller's source, full sweep)", () => {
  const paths = {
    "seeded, sorted": { k: 1, seed: 1 },
    "seeded, unsorted": { k: 1, seed: 1, unsorted: true },
    random: { k: 1, random: () => 0.5 },
    "full sweep": { k: 100, seed: 1 },
  };
  const cases: Array<[string, unknown, RegExp]> = [
    ["an invalid Date", { sectionId: "q", addedAt: new Date("x") }, /entry 1 \(q\): addedAt must be a valid Date/],
    ["a NaN time", { sectionId: "q", addedAt: Number.NaN }, /entry 1 \(q\): addedAt/],
    ["no addedAt", { sectionId: "q" }, /entry 1 \(q\): addedAt/],
    ["a negative weight", { sectionId: "q", addedAt: 0, weight: -2 }, /entry 1 \(q\): weight must be a finite number >= 0/],
    ["a NaN weight", { sectionId: "q", addedAt: 0, weight: Number.NaN }, /entry 1 \(q\): weight/],
    ["an infinite weight", { sectionId: "q", addedAt: 0, weight: Number.POSITIVE_INFINITY }, /entry 1 \(q\): weight/],
    ["a string weight", { sectionId: "q", addedAt: 0, weight: "2" }, /entry 1 \(q\): weight/],
    ["no sectionId", { addedAt: 0 }, /entry 1: sectionId must be a string/],
    ["a number", 7, /entry 1: expected an object/],
    ["null", null, /entry 1: expected an object/],
  ];
  for (const [path, options] of Object.entries(paths)) {
    test.each(cases)(`${path}: %s`, (_, bad, message) => {
      const { unsorted, ...rest } = options as typeof options & { unsorted?: boolean };
      const entries = unsorted ? [entry("z", 1), bad, entry("a", 1)] : [entry("a", 1), bad, entry("z", 1)];
      const error = thrown(() => sample(entries as never, { now: NOW, ...rest }));
      expect(error.message).toMatch(message);
      expect(error.index).toBe(1);
    });
  }

  test("an overflowing weight product names the entry", () => {
    const error = thrown(() => sample([entry("a", 0), { sectionId: "q", addedAt: 0, weight: 1e300 }], { k: 1, now: NOW, seed: 1, scheme: () => 1e10 }));
    expect(error.message).toMatch(/entry 1 \(q\): .*overflows/);
  });
});

describe("schemes", () => {
  test.each([-1, Number.NaN, Number.POSITIVE_INFINITY, "1", undefined])("a scheme returning %s names the entry", (w) => {
    const error = thrown(() => sample(good, { k: 1, now: NOW, seed: 1, scheme: (e) => (e.sectionId === "b" ? (w as number) : 1) }));
    expect(error.message).toMatch(/entry 1 \(b\): the scheme returned/);
    expect(error.sectionId).toBe("b");
    expect(error.index).toBe(1);
  });

  test("a scheme that throws: the cause is kept", () => {
    const boom = new Error("boom");
    const error = thrown(() =>
      sample(good, {
        k: 1,
        now: NOW,
        seed: 1,
        scheme: () => {
          throw boom;
        },
      }),
    );
    expect(error.message).toMatch(/entry 0 \(a\): the scheme function threw/);
    expect(error.cause).toBe(boom);
  });
});

describe("a caller's random source", () => {
  test.each([1, -0.1, Number.NaN, "0.5", undefined])("returning %s names the entry it was drawn for", (u) => {
    const error = thrown(() => sample(good, { k: 1, now: NOW, random: () => u as number }));
    expect(error.message).toMatch(/entry 0 \(a\): the random source returned .*expected a number in \[0, 1\)/);
  });

  test("that throws: the cause is kept", () => {
    const boom = new Error("boom");
    const error = thrown(() =>
      sample(good, {
        k: 1,
        now: NOW,
        random: () => {
          throw boom;
        },
      }),
    );
    expect(error.cause).toBe(boom);
  });
});

describe("the shared error scheme", () => {
  test("isInstance checks the replaykit marker and the code, not the prototype", () => {
    const marker = Symbol.for("replaykit.error");
    // What a SamplerError from another copy of the package looks like.
    const foreign = Object.assign(new Error("sampler: x"), { code: "SAMPLER", [marker]: "sampler" });
    expect(SamplerError.isInstance(foreign)).toBe(true);
    expect(isReplaykitError(foreign)).toBe(true);
    // Another package's error is a replaykit error, but not a SamplerError.
    const other = Object.assign(new Error("corpus: x"), { code: "CORPUS_CORRUPT", [marker]: "corpus" });
    expect(SamplerError.isInstance(other)).toBe(false);
    expect(isReplaykitError(other)).toBe(true);
  });

  test.each([new Error("x"), null, undefined, "SAMPLER", 3, { code: "SAMPLER" }, { code: "SAMPLER", [Symbol.for("replaykit.error")]: true }])(
    "isInstance and isReplaykitError are false for %s",
    (value) => {
      expect(SamplerError.isInstance(value)).toBe(false);
      expect(isReplaykitError(value)).toBe(false);
    },
  );

  test("recencyWeight's errors are SamplerErrors too", () => {
    const error = thrown(() => recencyWeight(null as never, NOW));
    expect(error.message).toMatch(/^sampler: expected an object/);
  });
});

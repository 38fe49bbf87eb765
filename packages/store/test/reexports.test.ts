// The facade re-exports every error class of the packages below it, so a consumer needs one
// import to catch (or recognise with isInstance) anything a store call can throw.
import * as corpus from "@replaykit/corpus";
import * as eviction from "@replaykit/eviction";
import * as index from "@replaykit/index";
import * as parsers from "@replaykit/parsers";
import * as sampler from "@replaykit/sampler";
import { describe, expect, test } from "vitest";
import * as store from "../src/index.js";

const below = { corpus, index, sampler, eviction, parsers } as Record<string, Record<string, unknown>>;

describe("@replaykit/store re-exports every error class below it", () => {
  for (const [name, mod] of Object.entries(below)) {
    const errors = Object.keys(mod).filter((key) => /^[A-Z]\w*Error$/.test(key) && typeof mod[key] === "function");
    test(`@replaykit/${name}: ${errors.join(", ")}`, () => {
      expect(errors.length).toBeGreaterThan(0);
      for (const key of errors) expect((store as Record<string, unknown>)[key], key).toBe(mod[key]);
    });
  }

  test("isReplaykitError recognises an error of every package", () => {
    const samples: unknown[] = [
      new corpus.CorpusArgumentError("readSnapshot", "at", "a frame pointer", null),
      new sampler.SamplerError("k must be a non-negative integer"),
      new store.StoreArgumentError("options", "must be an object"),
    ];
    for (const e of samples) expect(store.isReplaykitError(e)).toBe(true);
    expect(store.isReplaykitError(new Error("plain"))).toBe(false);
    expect(store.isReplaykitError(null)).toBe(false);
  });
});

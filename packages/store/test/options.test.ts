// StoreOptions are checked (valibot) before anything touches the disk: a wrong type or a
// misspelt key is a StoreArgumentError naming the key.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { ReplayStore, StoreArgumentError } from "../src/index.js";

const root = mkdtempSync(join(tmpdir(), "replaykit-options-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const argumentOf = async (options: unknown): Promise<string> => {
  try {
    await ReplayStore.open(join(root, "s"), options as never);
  } catch (error) {
    expect(StoreArgumentError.isInstance(error), String(error)).toBe(true);
    return (error as StoreArgumentError).argument;
  }
  throw new Error("no error");
};

describe("StoreOptions", () => {
  test.each([
    [null, "options"],
    ["fast", "options"],
    [{ lockTimeout: 5 }, "options.lockTimeout"],
    [{ lockTimeoutMs: -1 }, "options.lockTimeoutMs"],
    [{ lockTimeoutMs: "10" }, "options.lockTimeoutMs"],
    [{ lockTimeoutMs: Number.POSITIVE_INFINITY }, "options.lockTimeoutMs"],
    [{ lock: "yes" }, "options.lock"],
    [{ create: 1 }, "options.create"],
    [{ maxFrameBytes: 0 }, "options.maxFrameBytes"],
    [{ maxFrameBytes: 1.5 }, "options.maxFrameBytes"],
    [{ expanders: { glossary: "not a function" } }, "options.expanders.glossary"],
    [{ expanders: 7 }, "options.expanders"],
  ])("%j → StoreArgumentError naming %s", async (options, argument) => {
    expect(await argumentOf(options)).toBe(argument);
  });

  test("valid options open the store; an expander set to undefined removes a type", async () => {
    const store = await ReplayStore.open(join(root, "ok"), {
      lock: true,
      lockTimeoutMs: 0,
      create: true,
      maxFrameBytes: 1 << 20,
      expanders: { prose: undefined },
    });
    expect(store.corpusPath).toBe(join(root, "ok", "corpus.zst"));
  });
});

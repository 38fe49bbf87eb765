import { CorpusCorruptError, StoreLockedError } from "@replaykit/store";
import { describe, expect, test } from "vitest";
import { CliFailure, describeError, outputErrorLine, UsageError } from "../src/errors.js";

describe("describeError", () => {
  test("any error carrying the replaykit marker is known, whatever its package or code (no hand list)", () => {
    const fromAnotherCopy = Object.assign(new Error("leaves: something\nwent wrong"), { code: "LEAVES_SOMETHING", [Symbol.for("replaykit.error")]: "leaves" });
    expect(describeError(fromAnotherCopy)).toEqual({ message: "leaves: something went wrong", exitCode: 1, known: true });
    const corrupt = new CorpusCorruptError("bad frame", { byteOffset: 3, length: 9, reason: "frame" });
    expect(describeError(corrupt)).toMatchObject({ exitCode: 1, known: true });
    expect(describeError(new StoreLockedError("/x/lock", undefined, 10))).toMatchObject({ exitCode: 1, known: true });
  });

  test("the CLI's own errors carry the marker, a code and their exit code", () => {
    const usage = new UsageError("bad flag");
    expect(usage).toMatchObject({ code: "CLI_USAGE", exitCode: 2 });
    expect((usage as unknown as Record<symbol, unknown>)[Symbol.for("replaykit.error")]).toBe("cli");
    expect(UsageError.isInstance(usage)).toBe(true);
    expect(CliFailure.isInstance(usage)).toBe(false);
    expect(describeError(new CliFailure("no store"))).toEqual({ message: "no store", exitCode: 1, known: true });
    expect(describeError(usage)).toEqual({ message: "bad flag", exitCode: 2, known: true });
  });

  test("anything else is an internal error pointing at REPLAYKIT_DEBUG", () => {
    expect(describeError(new TypeError("x is undefined"))).toEqual({
      message: "internal error: x is undefined (set REPLAYKIT_DEBUG=1 for the stack)",
      exitCode: 1,
      known: false,
    });
    expect(describeError({ code: "CORPUS_CORRUPT" }).known).toBe(false);
  });

  test("output errors name the stream and the reason", () => {
    expect(outputErrorLine("stdout", Object.assign(new Error("write EPIPE"), { code: "EPIPE" }))).toBe(
      "cannot write to stdout: the reader closed the pipe (EPIPE)",
    );
    expect(outputErrorLine("stdout", Object.assign(new Error("weird"), { code: "EWEIRD" }))).toBe("cannot write to stdout: weird (EWEIRD)");
  });
});

describe("run() checks its own arguments (valibot)", () => {
  test("bad argv or io: exit 2 and one line naming the argument, nothing run", async () => {
    const { run } = await import("../src/index.js");
    const { vi } = await import("vitest");
    const spy = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(await run("stats" as never)).toBe(2);
      expect(await run(["stats", 5 as never])).toBe(2);
      expect(await run(["stats"], { stdout: {} as never })).toBe(2);
      expect(await run(["stats"], { colour: true } as never)).toBe(2);
      const lines = spy.mock.calls.map((c) => String(c[0]));
      expect(lines[0]).toBe("replaykit: run(): argv: must be an array of strings\n");
      expect(lines[1]).toBe("replaykit: run(): argv.1: must be a string\n");
      expect(lines[2]).toBe("replaykit: run(): io.stdout.write: must be a writable stream (an object with write)\n");
      expect(lines[3]).toBe("replaykit: run(): io.colour: is not an option of run()\n");
    } finally {
      spy.mockRestore();
    }
  });
});

import { ERROR_KINDS } from "@replaykit/errors";
import {
  CorpusCorruptError,
  DrawReceiptError,
  EvictionError,
  IndexCorruptError,
  IndexWriteError,
  InstructionParseError,
  SamplerError,
  StoreArgumentError,
  StoreChangedError,
  StoreIOError,
  StoreLockedError,
  StoreNotFoundError,
  UnknownSectionTypeError,
} from "@replaykit/store";
import { describe, expect, test } from "vitest";
import { CliFailure, describeError, EXIT_CODES, EXIT_FAILURE, exitCodeOf, outputErrorLine, UsageError } from "../src/errors.js";

describe("describeError", () => {
  test("any error carrying the replaykit marker is known, whatever its package or code (no hand list)", () => {
    const fromAnotherCopy = Object.assign(new Error("leaves: something\nwent wrong"), { code: "LEAVES_SOMETHING", [Symbol.for("replaykit.error")]: "leaves" });
    expect(describeError(fromAnotherCopy)).toEqual({ message: "leaves: something went wrong", exitCode: 1, known: true });
    const corrupt = new CorpusCorruptError("bad frame", { byteOffset: 3, length: 9, reason: "frame" });
    expect(describeError(corrupt)).toMatchObject({ exitCode: 4, known: true });
    expect(describeError(new StoreLockedError("/x/lock", undefined, 10))).toMatchObject({ exitCode: 6, known: true });
  });

  test("each kind has its own exit code, from any package or copy; an error without a kind is the generic 1", () => {
    expect(EXIT_CODES).toEqual({ argument: 2, "not-found": 3, corrupt: 4, io: 5, locked: 6, conflict: 7, unsupported: 8 });
    expect(new Set([0, EXIT_FAILURE, ...Object.values(EXIT_CODES)]).size).toBe(ERROR_KINDS.length + 2);
    for (const kind of ERROR_KINDS) {
      const branded = Object.assign(new Error(`a ${kind} error`), { [Symbol.for("replaykit.error")]: "leaves", code: "LEAVES_X", kind });
      expect(describeError(branded), kind).toEqual({ message: `a ${kind} error`, exitCode: EXIT_CODES[kind], known: true });
      expect(exitCodeOf(kind)).toBe(EXIT_CODES[kind]);
    }
    for (const unknown of [undefined, "fatal", 7]) expect(exitCodeOf(unknown)).toBe(1);
  });

  test("the packages' own errors exit with their kind's code", () => {
    const cases: Array<[Error, number]> = [
      [new StoreArgumentError("options", "must be an object"), 2],
      [new EvictionError("maxBytes must be a non-negative integer"), 2],
      [new SamplerError("k must be a non-negative integer"), 2],
      [new StoreNotFoundError("/nowhere"), 3],
      [new DrawReceiptError("1 pick is gone", { reason: "missing" }), 3],
      [new IndexCorruptError("not JSON", { path: "/s/index.json" }), 4],
      [new InstructionParseError("expected `### A`", { sectionId: "0123456789abcdef", sectionLine: 2 }), 4],
      [new DrawReceiptError("receipt version must be 1", { reason: "invalid" }), 4],
      [new StoreIOError("/s", "open", Object.assign(new Error("denied"), { code: "EACCES" })), 5],
      [new IndexWriteError("/s/index.json", "rename", new Error("EROFS")), 5],
      [new StoreLockedError("/s/index.json.lock", undefined, 10), 6],
      [new StoreChangedError("/s/corpus.zst", 1, 2), 7],
      [new UnknownSectionTypeError("chat", "0123456789abcdef"), 8],
    ];
    for (const [error, exitCode] of cases) expect(describeError(error).exitCode, error.name).toBe(exitCode);
  });

  test("Node's system errors: ENOENT is not-found (3), the rest io (5)", () => {
    const sys = (code: string) => Object.assign(new Error(`${code}: no`), { code, syscall: "open" });
    expect(describeError(sys("ENOENT")).exitCode).toBe(3);
    expect(describeError(sys("ENOSPC")).exitCode).toBe(5);
  });

  test("CliFailure: the generic failure (1) unless it names a kind", () => {
    expect(new CliFailure("3 bad lines")).toMatchObject({ code: "CLI_FAILURE", kind: "corrupt", exitCode: 1 });
    expect(new CliFailure("no store at x", { kind: "not-found" })).toMatchObject({ kind: "not-found", exitCode: 3 });
  });

  test("a thrown value that is not an Error, even a hostile one, is still one line", () => {
    const hostile = {
      toString() {
        throw new Error("no");
      },
    };
    expect(describeError(hostile)).toEqual({ message: "internal error: an object (set REPLAYKIT_DEBUG=1 for the stack)", exitCode: 1, known: false });
    expect(describeError("boom").message).toBe("internal error: boom (set REPLAYKIT_DEBUG=1 for the stack)");
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

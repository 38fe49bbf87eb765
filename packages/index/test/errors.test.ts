import { describe, expect, it } from "vitest";
import { IndexArgumentError, IndexCorruptError, IndexEntryInvalidError, IndexError, IndexReadError, IndexWriteError, isReplaykitError } from "../src/index.js";

describe("error classes", () => {
  const cause = Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" });
  const cases = [
    [IndexCorruptError, new IndexCorruptError("corrupt index x: bad", { path: "x", entry: 2, field: "weight", cause }), "INDEX_CORRUPT"],
    [IndexReadError, new IndexReadError("x", cause), "INDEX_READ"],
    [IndexWriteError, new IndexWriteError("x", "write", cause), "INDEX_WRITE"],
    [IndexEntryInvalidError, new IndexEntryInvalidError("invalid index entry 2 (0-based), weight: bad", { entry: 2, field: "weight" }), "INDEX_ENTRY_INVALID"],
    [IndexArgumentError, new IndexArgumentError("saveIndex", "entries", "an array of index entries", null), "INDEX_ARGUMENT"],
  ] as const;

  it.each(cases)("%o has a stable code, its name, and is an Error", (Class, error, code) => {
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(Class);
    expect(error).toBeInstanceOf(IndexError);
    expect(error.code).toBe(code);
    expect((error as unknown as Record<symbol, unknown>)[Symbol.for("replaykit.error")]).toBe("index");
    expect(isReplaykitError(error)).toBe(true);
    expect(error.name).toBe(Class.name);
    expect(Class.isInstance(error)).toBe(true);
  });

  it("isInstance recognises the marker and code of another copy of the package, and nothing else", () => {
    for (const [Class, , code] of cases) {
      const fromOtherCopy = Object.assign(new Error("x"), { code, [Symbol.for("replaykit.error")]: "index" });
      expect(Class.isInstance(fromOtherCopy)).toBe(true);
      expect(isReplaykitError(fromOtherCopy)).toBe(true);
      expect(Class.isInstance(new Error("x"))).toBe(false);
      expect(Class.isInstance({ code })).toBe(false); // no marker
      expect(Class.isInstance({ code, [Symbol.for("replaykit.error")]: true })).toBe(false); // marker not a string
      expect(isReplaykitError({ code })).toBe(false);
      expect(Class.isInstance(null)).toBe(false);
      expect(Class.isInstance("INDEX_CORRUPT")).toBe(false);
    }
    expect(IndexCorruptError.isInstance(cases[1][1])).toBe(false);
    expect(IndexReadError.isInstance(cases[0][1])).toBe(false);
    expect(isReplaykitError(null)).toBe(false);
    expect(isReplaykitError("INDEX_CORRUPT")).toBe(false);
  });

  it("argument errors name the function and the argument", () => {
    const error = new IndexArgumentError("saveIndex", "entries", "an array of index entries", null);
    expect(error.message).toBe("index: saveIndex: entries must be an array of index entries, got null");
    expect(error).toMatchObject({ code: "INDEX_ARGUMENT", argument: "entries", name: "IndexArgumentError" });
  });

  it("I/O errors name the path and keep the system code and the cause", () => {
    const read = new IndexReadError("/s/index.json", cause);
    expect(read.message).toBe("cannot read index /s/index.json: ENOSPC: no space left on device");
    expect(read).toMatchObject({ path: "/s/index.json", systemCode: "ENOSPC", cause });
    const write = new IndexWriteError("/s/index.json", "rename", cause);
    expect(write.message).toBe("cannot write index /s/index.json (rename): ENOSPC: no space left on device");
    expect(write).toMatchObject({ path: "/s/index.json", step: "rename", systemCode: "ENOSPC", cause });
    expect(new IndexWriteError("p", "open", "odd").systemCode).toBeUndefined();
  });

  it("content errors carry path, 0-based entry, field and cause", () => {
    const error = cases[0][1];
    expect(error).toMatchObject({ path: "x", entry: 2, field: "weight", cause });
    const bare = new IndexCorruptError("m");
    expect([bare.path, bare.entry, bare.field, bare.cause]).toEqual([undefined, undefined, undefined, undefined]);
  });
});

// Every exported error class follows the shared scheme of @replaykit/errors (kind, code,
// brand "corpus", isInstance by brand and code); the codes are the contract's.
import { errorSchemeProblems } from "@replaykit/errors/testing";
import { expect, test } from "vitest";
import * as api from "../src/index.js";

const samples = [
  new api.CorpusCorruptError("bad frame", { byteOffset: 0, length: 4, reason: "frame" }),
  new api.SnapshotInvalidError("content", "must be a string"),
  new api.CorpusIOError("/x/corpus.zst", "open", Object.assign(new Error("denied"), { code: "EACCES" })),
  new api.CorpusArgumentError("readSnapshot", "at", "a frame pointer", null),
];

test("every exported error class follows the shared scheme", () => {
  expect(errorSchemeProblems(api, samples, ["corpus"])).toEqual([]);
});

test("codes and kinds", () => {
  expect(samples.map((e) => [e.name, e.code, e.kind])).toEqual([
    ["CorpusCorruptError", "CORPUS_CORRUPT", "corrupt"],
    ["SnapshotInvalidError", "SNAPSHOT_INVALID", "argument"],
    ["CorpusIOError", "CORPUS_IO", "io"],
    ["CorpusArgumentError", "CORPUS_ARGUMENT", "argument"],
  ]);
});

test("CorpusIOError: systemCode, and errno as its deprecated alias", () => {
  const error = samples[2] as api.CorpusIOError;
  expect(error.systemCode).toBe("EACCES");
  expect(error.errno).toBe("EACCES");
});

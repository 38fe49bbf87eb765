// Every exported error class follows the shared scheme of @replaykit/errors (kind, code,
// brand "index", isInstance by brand and code); the codes are the contract's.
import { errorSchemeProblems } from "@replaykit/errors/testing";
import { expect, it } from "vitest";
import * as api from "../src/index.js";

const denied = Object.assign(new Error("EACCES: permission denied"), { code: "EACCES", syscall: "open" });
const samples = [
  new api.IndexArgumentError("saveIndex", "entries", "an array of index entries", 7),
  new api.IndexCorruptError("not JSON", { path: "/s/index.json" }),
  new api.IndexReadError("/s/index.json", denied),
  new api.IndexWriteError("/s/index.json", "rename", denied),
  new api.IndexEntryInvalidError("bad entry", { entry: 3, field: "weight" }),
];

it("every exported error class follows the shared scheme", () => {
  expect(errorSchemeProblems(api, samples, ["index"])).toEqual([]);
});

it("codes, kinds and the system code of I/O failures", () => {
  expect(samples.map((e) => `${e.name} ${e.code} ${e.kind}`)).toEqual([
    "IndexArgumentError INDEX_ARGUMENT argument",
    "IndexCorruptError INDEX_CORRUPT corrupt",
    "IndexReadError INDEX_READ io",
    "IndexWriteError INDEX_WRITE io",
    "IndexEntryInvalidError INDEX_ENTRY_INVALID argument",
  ]);
  expect([(samples[2] as api.IndexReadError).systemCode, (samples[3] as api.IndexWriteError).systemCode]).toEqual(["EACCES", "EACCES"]);
});

// Bad arguments are typed errors naming them; createSnapshot validates with valibot; the
// shared error scheme; the one section-id check and RFC 3339 module; checking frames.
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  appendFrames,
  appendSnapshots,
  assertSectionId,
  checkFrame,
  checkFrames,
  CorpusArgumentError,
  CorpusCorruptError,
  CorpusError,
  CorpusIOError,
  crc32,
  createSnapshot,
  decodeFrame,
  encodeFrame,
  encodeFrames,
  formatRfc3339,
  isReplaykitError,
  isSectionId,
  isSectionType,
  parseRfc3339,
  readChecked,
  readFrames,
  readSnapshot,
  readSnapshots,
  sectionIdOf,
  SnapshotInvalidError,
  toWholeSeconds,
  type SectionSnapshot,
} from "../src/index.js";
import { tempDir } from "./helpers.js";

const good = createSnapshot({ sectionType: "prose", content: "hello", lastSeenAt: new Date("2026-01-01T00:00:00Z") });

/** The `field` of the SnapshotInvalidError createSnapshot throws for `init` (undefined if none). */
function badField(init: unknown): string | undefined {
  try {
    createSnapshot(init as never);
  } catch (e) {
    return (e as SnapshotInvalidError).field;
  }
  return undefined;
}

async function rejection(fn: () => unknown): Promise<unknown> {
  try {
    const r = fn();
    if (r !== null && typeof r === "object" && Symbol.asyncIterator in r) {
      for await (const _ of r as AsyncIterable<unknown>);
    } else await r;
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection");
}

describe("bad arguments are CorpusArgumentError naming the argument, never a TypeError", () => {
  const path = () => join(tempDir(), "corpus.zst");
  test.each([
    ["encodeFrame(null)", () => encodeFrame(null as never), "encodeFrame", "snapshot"],
    ["encodeFrames(null)", () => encodeFrames(null as never), "encodeFrames", "snapshots"],
    ["encodeFrames([null])", () => encodeFrames([null as never]), "encodeFrames", "snapshots[0]"],
    ["appendSnapshots(p, null)", () => appendSnapshots(path(), null as never), "appendSnapshots", "snapshots"],
    ["appendSnapshots(null, [s])", () => appendSnapshots(null as never, [good]), "appendSnapshots", "corpusPath"],
    ["appendFrames(p, [null])", () => appendFrames(path(), [null as never]), "appendFrames", "frames[0]"],
    ["readSnapshots(p, null)", () => readSnapshots(path(), null as never), "readSnapshots", "at"],
    ["readSnapshots(p, [null])", () => readSnapshots(path(), [null as never]), "readSnapshots", "at[0]"],
    ["readSnapshot(p, null)", () => readSnapshot(path(), null as never), "readSnapshot", "at"],
    ["readSnapshot(p, negative offset)", () => readSnapshot(path(), { byteOffset: -1, length: 4 }), "readSnapshot", "at.byteOffset"],
    ["readFrames(p, undefined)", () => readFrames(path(), undefined as never), "readFrames", "at"],
    ["decodeFrame('x')", () => decodeFrame("x" as never), "decodeFrame", "frame"],
    ["decodeFrame(bytes, null-ish pointer)", () => decodeFrame(new Uint8Array(4), 5 as never), "decodeFrame", "at"],
    ["crc32(null)", () => crc32(null as never), "crc32", "data"],
    ["sectionIdOf(null, 'x')", () => sectionIdOf(null as never, "x"), "sectionIdOf", "sectionType"],
    ["checkFrame(null, bytes)", () => checkFrame(null as never, new Uint8Array(1)), "checkFrame", "entry"],
    ["checkFrames([e], [])", () => checkFrames([{ sectionId: "0123456789abcdef", byteOffset: 0, length: 1 }], []), "checkFrames", "frames"],
    ["readChecked(p, null)", () => readChecked(path(), null as never), "readChecked", "entries"],
  ])("%s", async (_name, call, functionName, argument) => {
    const error = await rejection(call);
    expect(error).not.toBeInstanceOf(TypeError);
    expect(CorpusArgumentError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: "CORPUS_ARGUMENT", functionName, argument, name: "CorpusArgumentError" });
    expect((error as Error).message).toMatch(/^corpus: /);
  });
});

describe("createSnapshot validates its init with valibot", () => {
  test("an unknown key is SnapshotInvalidError naming it (no silent drop)", () => {
    const attempt = () => createSnapshot({ sectionType: "prose", content: "x", auto_mined: true } as never);
    expect(attempt).toThrow(SnapshotInvalidError);
    try {
      attempt();
    } catch (e) {
      expect(e).toMatchObject({ code: "SNAPSHOT_INVALID", field: "auto_mined" });
      expect((e as Error).message).toContain("auto_mined");
    }
  });

  test("the issue path names the field", () => {
    const fieldOf = (init: unknown) => {
      try {
        createSnapshot(init as never);
      } catch (e) {
        return (e as SnapshotInvalidError).field;
      }
      return undefined;
    };
    expect(fieldOf({ sectionType: "prose", content: 5 })).toBe("content");
    expect(fieldOf({ sectionType: "Prose", content: "x" })).toBe("sectionType");
    expect(fieldOf({ content: "x" })).toBe("sectionType");
    expect(fieldOf({ sectionType: "prose", content: "x", trainingRunsSeen: [0, 1, 1.5] })).toBe("trainingRunsSeen.2");
    expect(fieldOf({ sectionType: "prose", content: "x", sectionId: "ABCDEF0123456789" })).toBe("sectionId");
    expect(fieldOf([])).toBe("(init)");
  });

  test("explicit undefined for an optional key is the default", () => {
    const s = createSnapshot({ sectionType: "prose", content: "x", sectionId: undefined, lastSeenAt: new Date("2026-01-01T00:00:00Z") });
    expect(s.sectionId).toBe(sectionIdOf("prose", "x"));
  });

  test("a given Date with milliseconds is refused, naming the field (the CLI refuses them too)", () => {
    for (const field of ["firstSeenAt", "lastSeenAt"] as const) {
      for (const date of [new Date("2026-01-01T00:00:00.999Z"), new Date("2026-01-01T00:00:01.001Z"), new Date(-1500)]) {
        const init = { sectionType: "prose", content: "x", [field]: date };
        expect(() => createSnapshot(init)).toThrow(SnapshotInvalidError);
        expect(badField(init)).toBe(field);
        expect(() => createSnapshot(init)).toThrow(/whole seconds/);
      }
    }
    // firstSeenAt is checked even when lastSeenAt is whole.
    expect(
      badField({ sectionType: "prose", content: "x", firstSeenAt: new Date("2026-01-01T00:00:00.500Z"), lastSeenAt: new Date("2026-01-02T00:00:00Z") }),
    ).toBe("firstSeenAt");
  });

  test("only the default (now) is truncated to whole seconds; whole-second dates are kept as given, copied", () => {
    const before = Math.floor(Date.now() / 1000) * 1000;
    const s = createSnapshot({ sectionType: "prose", content: "x" });
    expect(s.lastSeenAt.getTime() % 1000).toBe(0);
    expect(s.lastSeenAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(s.firstSeenAt.getTime()).toBe(s.lastSeenAt.getTime());
    const given = new Date("2026-01-01T00:00:01Z");
    const t = createSnapshot({ sectionType: "prose", content: "x", lastSeenAt: given });
    given.setTime(0);
    expect(t.lastSeenAt.toISOString()).toBe("2026-01-01T00:00:01.000Z");
    expect(toWholeSeconds(new Date(-1500)).getTime()).toBe(-2000);
    expect(createSnapshot({ sectionType: "prose", content: "x", lastSeenAt: toWholeSeconds(new Date()) }).lastSeenAt.getTime() % 1000).toBe(0);
  });

  test("equal dates are not 'first after last'; one second later is", () => {
    const s = createSnapshot({
      sectionType: "prose",
      content: "x",
      firstSeenAt: new Date("2026-01-01T00:00:00Z"),
      lastSeenAt: new Date("2026-01-01T00:00:00Z"),
    });
    expect(s.firstSeenAt.getTime()).toBe(s.lastSeenAt.getTime());
    expect(badField({ sectionType: "prose", content: "x", firstSeenAt: new Date("2026-01-01T00:00:01Z"), lastSeenAt: new Date("2026-01-01T00:00:00Z") })).toBe(
      "firstSeenAt",
    );
  });

  test("encodeFrame of a hand-made snapshot names the bad field", async () => {
    const bad = { ...good, trainingRunsSeen: [1, -1] } as SectionSnapshot;
    await expect(encodeFrame(bad)).rejects.toMatchObject({ code: "SNAPSHOT_INVALID", field: "trainingRunsSeen.1" });
  });
});

describe("the shared error scheme", () => {
  test("every class carries the marker 'corpus' and a code; isInstance checks marker + code", () => {
    const errors = [
      new CorpusCorruptError("x", { byteOffset: 0, length: 1, reason: "frame" }),
      new SnapshotInvalidError("content", "x"),
      new CorpusIOError("/p", "open", new Error("boom")),
      new CorpusArgumentError("f", "a", "a string", null),
    ];
    for (const e of errors) {
      expect(e).toBeInstanceOf(CorpusError);
      expect(isReplaykitError(e)).toBe(true);
      expect((e as unknown as Record<symbol, unknown>)[Symbol.for("replaykit.error")]).toBe("corpus");
    }
    expect(errors.map((e) => e.code)).toEqual(["CORPUS_CORRUPT", "SNAPSHOT_INVALID", "CORPUS_IO", "CORPUS_ARGUMENT"]);
    // Another copy of the package: a plain object with the marker and code.
    const foreign = { [Symbol.for("replaykit.error")]: "corpus", code: "CORPUS_CORRUPT" };
    expect(CorpusCorruptError.isInstance(foreign)).toBe(true);
    expect(SnapshotInvalidError.isInstance(foreign)).toBe(false);
    expect(CorpusCorruptError.isInstance({ code: "CORPUS_CORRUPT" })).toBe(false);
    expect(isReplaykitError(new Error("x"))).toBe(false);
    expect(isReplaykitError(null)).toBe(false);
    expect(new CorpusIOError("/p", "open", Object.assign(new Error("x"), { code: "EACCES" }))).toMatchObject({ errno: "EACCES", action: "open" });
  });
});

describe("section ids and dates: one check, one parser", () => {
  test("isSectionId / assertSectionId / isSectionType", () => {
    expect(isSectionId("0123456789abcdef")).toBe(true);
    for (const bad of ["0123456789ABCDEF", "0123456789abcde", "0123456789abcdef0", 5, null, undefined]) expect(isSectionId(bad)).toBe(false);
    expect(() => assertSectionId("nope", "ids[3]", "remove")).toThrow(CorpusArgumentError);
    try {
      assertSectionId("nope", "ids[3]", "remove");
    } catch (e) {
      expect(e).toMatchObject({ argument: "ids[3]", functionName: "remove" });
    }
    expect(isSectionType("my_type-2")).toBe(true);
    expect(isSectionType("2type")).toBe(false);
  });

  test("parseRfc3339 accepts RFC 3339 and rejects impossible dates", () => {
    expect(parseRfc3339("2026-04-01T12:00:00Z")?.toISOString()).toBe("2026-04-01T12:00:00.000Z");
    expect(parseRfc3339("2026-04-01T12:00:00.123456Z")?.toISOString()).toBe("2026-04-01T12:00:00.123Z");
    expect(parseRfc3339("2026-04-01T14:00:00+02:00")?.toISOString()).toBe("2026-04-01T12:00:00.000Z");
    expect(parseRfc3339("0001-01-01T00:00:00Z")?.getUTCFullYear()).toBe(1);
    for (const bad of [
      "2026-02-29T00:00:00Z",
      "2026-04-31T00:00:00Z",
      "2026-04-01T24:00:00Z",
      "2026-04-01 12:00:00Z",
      "2026-04-01T12:00:00",
      "0000-01-01T00:00:00Z",
      "",
    ]) {
      expect(parseRfc3339(bad)).toBeUndefined();
    }
    expect(parseRfc3339(5 as never)).toBeUndefined();
  });

  test("formatRfc3339 writes the reference's form and round-trips", () => {
    expect(formatRfc3339(new Date("2026-04-01T12:00:00Z"))).toBe("2026-04-01T12:00:00Z");
    expect(formatRfc3339(new Date("2026-04-01T12:00:00.250Z"))).toBe("2026-04-01T12:00:00.250000Z");
    fc.assert(
      fc.property(fc.integer({ min: -62135596800000, max: 253402300799999 }), (ms) => {
        expect(parseRfc3339(formatRfc3339(new Date(ms)))?.getTime()).toBe(ms);
      }),
    );
  });
});

describe("checking frames against entries (moved from the store)", () => {
  const entryOf = (s: SectionSnapshot, at: { byteOffset: number; length: number }, frame: Uint8Array) => ({
    sectionId: s.sectionId,
    byteOffset: at.byteOffset,
    length: at.length,
    crc32: crc32(frame),
    sectionType: s.sectionType,
    autoMined: s.autoMined,
  });

  test("a matching frame passes; CRC, id, type and flag mismatches are named", async () => {
    const frame = await encodeFrame(good);
    const e = entryOf(good, { byteOffset: 0, length: frame.length }, frame);
    expect((await checkFrame(e, frame)).content).toBe("hello");
    expect(await checkFrame({ sectionId: good.sectionId, byteOffset: 0, length: frame.length }, frame)).toMatchObject({ content: "hello" });
    const cases: Array<[object, string, RegExp]> = [
      [{ crc32: (e.crc32 + 1) >>> 0 }, "checksum", /CRC-32 mismatch/],
      [{ sectionId: "ffffffffffffffff" }, "mismatch", /holds section/],
      [{ sectionType: "instruction" }, "mismatch", /type is prose/],
      [{ autoMined: true }, "mismatch", /auto_mined is false/],
    ];
    for (const [over, reason, message] of cases) {
      const error = await checkFrame({ ...e, ...over }, frame, { path: "/c.zst" }).catch((x: unknown) => x);
      expect(error).toMatchObject({ code: "CORPUS_CORRUPT", reason, path: "/c.zst" });
      expect((error as Error).message).toMatch(message);
    }
    const damaged = Uint8Array.from(frame);
    damaged[damaged.length - 2]! ^= 0xff;
    const results = await checkFrames([{ ...e, crc32: undefined }, e], [damaged, frame]);
    expect(results[0]).toBeInstanceOf(CorpusCorruptError);
    expect(results[1]).toMatchObject({ sectionId: good.sectionId });
  });

  test("readChecked sweeps a file, reporting each damaged entry and going on", async () => {
    const path = join(tempDir(), "corpus.zst");
    const snaps = Array.from({ length: 5 }, (_, i) => createSnapshot({ sectionType: "prose", content: `s${i}`, lastSeenAt: new Date("2026-01-01T00:00:00Z") }));
    const frames = await encodeFrames(snaps);
    const pointers = await appendFrames(path, frames);
    const entries = snaps.map((s, i) => entryOf(s, pointers[i]!, frames[i]!));
    entries[1] = { ...entries[1]!, sectionId: "0000000000000000" };
    entries[3] = { ...entries[3]!, byteOffset: 1 << 20 };
    const outcome: string[] = [];
    for await (const batch of readChecked(path, entries)) {
      for (const r of batch.results) outcome.push(r instanceof CorpusCorruptError ? r.reason : "ok");
    }
    expect(outcome).toEqual(["ok", "mismatch", "ok", "short-read", "ok"]);
  });
});

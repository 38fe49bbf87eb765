import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { indexFormatOf, loadIndex, parseIndex, saveIndex, serializeIndex } from "../src/index.js";
import { fastParseIndex } from "../src/fast-parse.js";

// Golden files written by the Python reference (dlm) and by CPython's json module. Paths go
// through fileURLToPath, not URL#pathname, which keeps %20 and breaks in a clone whose path
// has spaces (and loadIndex of a missing file is an empty index, so it would not say so).
const REFERENCE = new URL("../../../vectors/dlm-reference/", import.meta.url);
const referenceIndexPath = fileURLToPath(new URL("store/index.json", REFERENCE));
const expected = JSON.parse(await readFile(new URL("expected.json", REFERENCE), "utf8")) as {
  index_json_sha256: string;
  entries: Array<{ entry: { section_id: string; byte_offset: number; length: number; added_at: string; weight: number } }>;
};
const replaykitPythonPath = fileURLToPath(new URL("vectors/replaykit-python.json", import.meta.url));

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "replaykit-index-ref-"));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe("the dlm reference store's index.json", () => {
  it("loads as the reference reads it", async () => {
    const entries = await loadIndex(referenceIndexPath);
    expect(entries).toHaveLength(13);
    expect(entries).toHaveLength(expected.entries.length);
    entries.forEach((entry, i) => {
      const ref = expected.entries[i]!.entry;
      expect(entry).toEqual({
        sectionId: ref.section_id,
        byteOffset: ref.byte_offset,
        length: ref.length,
        addedAt: new Date(`${ref.added_at}Z`), // naive = UTC
        weight: 1,
      });
      // dlm-shaped: none of replaykit's keys, not even as undefined properties
      expect(Object.keys(entry).sort()).toEqual(["addedAt", "byteOffset", "length", "sectionId", "weight"]);
    });
    expect(indexFormatOf(entries)).toBe("dlm");
  });

  it("keeps the reference's append order for a repeated section id", async () => {
    const entries = await loadIndex(referenceIndexPath);
    const repeated = entries.filter((e) => e.sectionId === "d5c79a46bf6fa7d6");
    expect(repeated.map((e) => e.byteOffset)).toEqual([0, 2351]);
  });

  it("serializes back to the same bytes", async () => {
    const text = await readFile(referenceIndexPath, "utf8");
    expect(serializeIndex(parseIndex(text))).toBe(text);
    expect(
      createHash("sha256")
        .update(serializeIndex(parseIndex(text)))
        .digest("hex"),
    ).toBe(expected.index_json_sha256);
  });

  it("saves back to the same bytes, in any input order", async () => {
    const original = await readFile(referenceIndexPath);
    const entries = await loadIndex(referenceIndexPath);
    const path = join(await tempDir(), "index.json");
    // Reversed, except that the two entries sharing an id keep their relative order.
    const reversed = entries.slice().reverse();
    const a = reversed.findIndex((e) => e.sectionId === "d5c79a46bf6fa7d6");
    [reversed[a], reversed[a + 1]] = [reversed[a + 1]!, reversed[a]!];
    await saveIndex(path, reversed);
    expect(Buffer.compare(await readFile(path), original)).toBe(0);
  });

  it("takes the fast path and the general path to the same result", async () => {
    const bytes = await readFile(referenceIndexPath);
    expect(fastParseIndex(bytes)).toEqual(parseIndex(bytes.toString("utf8")));
  });
});

describe("a replaykit-shaped index written by CPython's json.dumps", () => {
  it("round-trips byte for byte (optional keys, float weights, milliseconds)", async () => {
    const text = await readFile(replaykitPythonPath, "utf8");
    const entries = parseIndex(text);
    expect(entries).toHaveLength(60);
    expect(indexFormatOf(entries)).toBe("replaykit");
    expect(serializeIndex(entries)).toBe(text);
    expect(fastParseIndex(Buffer.from(text, "latin1"))).toEqual(entries);
  });

  it("gives each entry only the keys its JSON object has", async () => {
    const text = await readFile(replaykitPythonPath, "utf8");
    const raw = JSON.parse(text) as Array<Record<string, unknown>>;
    const entries = parseIndex(text);
    entries.forEach((entry, i) => {
      const r = raw[i]!;
      expect("sectionType" in entry).toBe("section_type" in r);
      expect("autoMined" in entry).toBe("auto_mined" in r);
      expect("crc32" in entry).toBe("crc32" in r);
      expect(entry.weight).toBe(r["weight"]);
    });
  });
});

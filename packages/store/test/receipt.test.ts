// The store digest of a draw receipt: one definition (six little-endian columns, SHA-256),
// the same from entry objects and from a journal's columns, pinned by a value computed
// outside this code (Python: hashlib.sha256 over struct.pack("<II", ids' first halves…) +
// ("<II", last halves) + ("<dd", offsets) + ("<II", lengths) + ("<dd", ms / 1000) + ("<dd", weights)).
import { join } from "node:path";
import { IndexJournal, type IndexEntry } from "@replaykit/index";
import { describe, expect, test } from "vitest";
import { storeDigest, storeDigestOfColumns } from "../src/receipt.js";
import { tempDir } from "./helpers.js";

const PINNED: IndexEntry[] = [
  { sectionId: "0123456789abcdef", byteOffset: 0, length: 120, addedAt: new Date(1767225600123), weight: 1 },
  { sectionId: "fedcba9876543210", byteOffset: 2 ** 40 + 7, length: 4294967295, addedAt: new Date(-86400000), weight: 0.25 },
];

describe("storeDigest", () => {
  test("is SHA-256 over six little-endian columns: id halves (u32, u32), offset (f64), length (u32), addedAt seconds (f64), weight (f64)", () => {
    expect(storeDigest(PINNED)).toBe("sha256:52f83c3e9b18fd2a6d23285197bd5cd2377982675c3e6efd121611d605668fe6");
    expect(storeDigest([])).toBe("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  test("a journal's columns give the digest their entries give, across batch boundaries; any change to a field changes it", async () => {
    const entries: IndexEntry[] = Array.from({ length: 9000 }, (_, i) => ({
      sectionId: ((i * 2654435761) >>> 0).toString(16).padStart(8, "0") + i.toString(16).padStart(8, "0"),
      byteOffset: i * 211,
      length: 100 + (i % 97),
      addedAt: new Date(Date.UTC(2025, 0, 1) + i * 3_600_123),
      weight: i % 5 === 0 ? 0.5 : 1,
      sectionType: "prose",
    }));
    const journal = await IndexJournal.open(join(tempDir(), "index.rkx"), { create: true });
    try {
      await journal.commit({ append: entries });
      expect(storeDigestOfColumns(journal.view)).toBe(storeDigest(entries));
      expect(storeDigestOfColumns(journal.view)).toBe(storeDigest(journal.view.toEntries()));
    } finally {
      await journal.close();
    }
    const base = storeDigest(PINNED);
    const changed: Array<Partial<IndexEntry>> = [
      { sectionId: "0123456789abcdee" },
      { byteOffset: 1 },
      { length: 121 },
      { addedAt: new Date(1767225600124) },
      { weight: 0.5 },
    ];
    for (const change of changed) expect(storeDigest([{ ...PINNED[0]!, ...change }, PINNED[1]!])).not.toBe(base);
    expect(storeDigest([PINNED[1]!, PINNED[0]!])).not.toBe(base); // index order counts
  });
});

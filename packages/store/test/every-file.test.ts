// Delete or truncate each file of a store, then run every call: each one either works or
// fails with a typed replaykit error (never a raw system error, never a hang), and no read
// reports an empty store while the corpus holds sections the index lost.
import { existsSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { createSnapshot, isReplaykitError, ReplayStore } from "../src/index.js";
import { mixedStore } from "./helpers.js";

const NOW = new Date("2026-06-01T00:00:00Z");

/** A store with every kind of file: corpus, journal, lock, generation (after a compaction), quarantine. */
async function everyFile() {
  const built = await mixedStore(12);
  await built.store.evict({ maxBytes: built.entries.slice(2).reduce((n, e) => n + e.length, 0) });
  await built.store.compact();
  const victim = (await built.store.load())[3]!;
  const bytes = readFileSync(built.store.corpusPath);
  bytes[victim.byteOffset + 5]! ^= 0xff;
  writeFileSync(built.store.corpusPath, bytes);
  await built.store.verify({ repair: true });
  return built;
}

const calls: Array<[string, (s: ReplayStore) => Promise<unknown>]> = [
  ["load", (s) => s.load()],
  ["stats", (s) => s.stats()],
  ["sampleRows", (s) => s.sampleRows({ k: 3, now: NOW, seed: 1 })],
  ["draw", (s) => s.draw({ k: 3, now: NOW, seed: 1 })],
  [
    "exportSnapshots",
    async (s) => {
      for await (const _ of s.exportSnapshots());
    },
  ],
  ["verify", (s) => s.verify()],
  ["quarantined", (s) => s.quarantined()],
  ["append", (s) => s.append(createSnapshot({ sectionType: "prose", content: "after the damage", lastSeenAt: NOW }))],
  ["evict", (s) => s.evict({ maxBytes: 10_000_000 })],
  ["remove", (s) => s.remove(["0123456789abcdef"])],
  ["compact", (s) => s.compact()],
  ["verify --repair", (s) => s.verify({ repair: true })],
  ["recover", (s) => s.recover()],
];

describe("every file of a store deleted or truncated, every call", () => {
  test("typed outcomes only; a lost index is never read as empty", async () => {
    const { dir } = await everyFile();
    const files = readdirSync(dir).sort();
    expect(files).toEqual(
      expect.arrayContaining(["corpus.zst", "index.rkx", "index.rkx.lock", "index.rkx.generation", "index.rkx.quarantine.json", "index.rkx.quarantine.bin"]),
    );
    const pristine = new Map(files.map((f) => [f, readFileSync(join(dir, f))]));
    const restore = () => {
      for (const f of readdirSync(dir)) rmSync(join(dir, f), { force: true });
      for (const [f, bytes] of pristine) writeFileSync(join(dir, f), bytes);
    };
    const outcomes: string[] = [];
    for (const file of files) {
      for (const damage of ["deleted", "emptied", "halved"] as const) {
        for (const [name, call] of calls) {
          restore();
          const path = join(dir, file);
          if (damage === "deleted") rmSync(path);
          else truncateSync(path, damage === "emptied" ? 0 : Math.floor(pristine.get(file)!.length / 2));
          const store = await ReplayStore.open(dir, { lockTimeoutMs: 2_000 });
          const outcome = await Promise.race([
            call(store).then(
              (value) => ({ ok: true as const, value }),
              (error: unknown) => ({ ok: false as const, error }),
            ),
            new Promise<"hung">((r) => setTimeout(() => r("hung"), 20_000)),
          ]);
          const where = `${file} ${damage}, ${name}`;
          expect(outcome, where).not.toBe("hung");
          if (outcome === "hung") continue;
          if (!outcome.ok) {
            expect(isReplaykitError(outcome.error), `${where}: ${String(outcome.error)}`).toBe(true);
            outcomes.push(`${where}: ${(outcome.error as { code: string }).code}`);
            continue;
          }
          // The journal gone (or cut to nothing) beside a corpus of sections: no read may say "empty".
          const indexGone = file === "index.rkx" && damage !== "halved";
          if (indexGone && ["load", "stats", "sampleRows", "draw"].includes(name)) {
            throw new Error(`${where}: read an empty store from a lost index`);
          }
          outcomes.push(`${where}: ok`);
        }
      }
    }
    restore();
    expect(existsSync(join(dir, "corpus.zst"))).toBe(true);
    // Every lost-index read names the error; the list is kept for the failure message.
    expect(outcomes.filter((o) => o.startsWith("index.rkx deleted, load"))).toEqual(["index.rkx deleted, load: STORE_INDEX_LOST"]);
  }, 600_000);
});

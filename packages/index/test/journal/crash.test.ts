import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { IndexJournal, type IndexEntry } from "../../src/index.js";
import { tempDir } from "./helpers.js";

// fileURLToPath, not URL#pathname: a clone path with spaces would make `built` look missing
// and skip the suite.
const writer = fileURLToPath(new URL("fixtures/journal-writer.mjs", import.meta.url));
const built = fileURLToPath(new URL("../../dist/index.js", import.meta.url));

/** The live entries after commits 0..last of the fixture writer, by offset. */
function expected(last: number): Array<[string, number]> {
  const live = new Map<number, number>();
  for (let k = 0; k <= last; k++) {
    live.set(k, k);
    if (k % 7 === 6 && k >= 3) live.delete(k - 3);
  }
  return [...live.keys()].map((k) => [((k * 2654435761) >>> 0).toString(16).padStart(8, "0") + k.toString(16).padStart(8, "0"), k * 250]);
}

const keys = (entries: IndexEntry[]): Array<[string, number]> => entries.map((e): [string, number] => [e.sectionId, e.byteOffset]).sort((a, b) => a[1] - b[1]);

/** Runs the writer from `start` until it has acknowledged `acks` more lines, then SIGKILLs it; the last acknowledged commit. */
function runAndKill(path: string, start: number, acks: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer, path, String(start)], { stdio: ["ignore", "pipe", "inherit"] });
    let last = start - 1;
    let seen = 0;
    let buffered = "";
    child.stdout.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop()!;
      for (const line of lines) {
        if (!line.startsWith("r ")) last = Number(line);
        if (++seen === acks) child.kill("SIGKILL");
      }
    });
    child.on("error", reject);
    child.on("exit", () => resolve(last));
  });
}

describe("the journal under SIGKILL", () => {
  it.skipIf(!existsSync(built))(
    "a writer killed at random points never loses an acknowledged commit, and the next writer carries on",
    async () => {
      const path = join(await tempDir(), "index.rkx");
      let start = 0;
      for (let round = 0; round < 12; round++) {
        const acked = await runAndKill(path, start, 1 + ((round * 7) % 23));
        const journal = await IndexJournal.open(path);
        const live = keys(journal.view.toEntries());
        await journal.close();
        // The commit in flight at the kill may or may not have landed; nothing acknowledged is missing.
        const landed = JSON.stringify(live) === JSON.stringify(expected(acked + 1)) ? acked + 1 : acked;
        expect(live).toEqual(expected(landed));
        start = landed + 1;
      }
      expect(start).toBeGreaterThan(12);
    },
    120_000,
  );
});

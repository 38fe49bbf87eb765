import { cpSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type IndexEntry, saveIndex } from "@replaykit/index";
import type { SchemeFn } from "@replaykit/sampler";
import { ReplayStore, createSnapshot } from "../src/index.js";
import { tempDirs, VECTORS } from "@replaykit/test-support";
export { VECTORS } from "@replaykit/test-support";

/** A fresh temp dir, removed after the test. */
export const tempDir = tempDirs("store");
/** A writable copy of the reference (dlm) store. */
export function referenceStoreCopy(): string {
  const dir = join(tempDir(), "dlm-store");
  cpSync(join(VECTORS, "store"), dir, { recursive: true });
  return dir;
}

/**
 * The side files a replaykit writer keeps beside the index: the lock (never deleted), the
 * generation, and the sidecar of an emptied index.
 */
export const SIDE_FILES = new Set(["index.rkx.lock", "index.rkx.generation", "index.rkx.format", "index.json.format"]);

/**
 * Turns a replaykit store into what the release before the v2 index wrote: one index.json
 * with replaykit's keys, no journal. Open a new store object afterwards (objects keep their journal open).
 */
export async function toLegacy(store: ReplayStore): Promise<void> {
  await saveIndex(store.indexPath, await store.load());
  rmSync(journalOf(store));
}

/** The v2 journal of a replaykit store opened with index path `indexPath` (`index.json` → `index.rkx`). */
export function journalOf(store: { indexPath: string }): string {
  return store.indexPath.replace(/\.json$/, ".rkx");
}
/** The files of a store directory other than the side files, sorted. */
export function storeFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => !SIDE_FILES.has(n))
    .sort();
}

/**
 * A store of `n` sections of the three built-in types in turn (hourly last-seen times;
 * every fifth one auto-mined when `autoMined` is set), with its entries and corpus bytes.
 */
export async function mixedStore(n: number, options: { autoMined?: boolean } = {}) {
  const dir = join(tempDir(), "store");
  const store = await ReplayStore.open(dir);
  const entries = await store.appendMany(
    Array.from({ length: n }, (_, i) =>
      createSnapshot({
        sectionType: (["prose", "instruction", "preference"] as const)[i % 3]!,
        content:
          i % 3 === 0
            ? `Prose ${i}: ${"replayed material keeps the model from forgetting ".repeat(1 + (i % 4))}`
            : i % 3 === 1
              ? `### Q\nQuestion ${i}?\n### A\nAnswer ${i}.`
              : `### Prompt\nPrompt ${i}\n### Chosen\nGood ${i}\n### Rejected\nBad ${i}`,
        autoMined: options.autoMined === true && i % 5 === 0,
        lastSeenAt: new Date(Date.UTC(2026, 0, 1, i)),
      }),
    ),
  );
  return { dir, store, entries, corpus: readFileSync(store.corpusPath) };
}

/** A scheme function that weighs every entry 1 and keeps each entry it is shown in `seen`, under `key(entry)`: what a draw's scheme sees. */
export function recordingScheme<K>(key: (entry: IndexEntry) => K): { seen: Map<K, IndexEntry>; scheme: SchemeFn<IndexEntry> } {
  const seen = new Map<K, IndexEntry>();
  return {
    seen,
    scheme: (entry) => {
      seen.set(key(entry), entry);
      return 1;
    },
  };
}

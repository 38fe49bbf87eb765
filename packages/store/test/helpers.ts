import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach } from "vitest";

/** The reference vectors, kept in the repository: `<repo>/vectors/dlm-reference`. */
export const VECTORS = resolve(fileURLToPath(import.meta.url), "../../../../vectors/dlm-reference");

const dirs: string[] = [];
/** A fresh temp dir, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "replaykit-store-"));
  dirs.push(dir);
  return dir;
}
/** A writable copy of the reference (dlm) store. */
export function referenceStoreCopy(): string {
  const dir = join(tempDir(), "dlm-store");
  cpSync(join(VECTORS, "store"), dir, { recursive: true });
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * The side files a replaykit writer keeps beside the index: the lock (never deleted), the
 * generation, and the sidecar of an emptied index.
 */
export const SIDE_FILES = new Set(["index.json.lock", "index.json.generation", "index.json.format"]);
/** The files of a store directory other than the side files, sorted. */
export function storeFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => !SIDE_FILES.has(n))
    .sort();
}

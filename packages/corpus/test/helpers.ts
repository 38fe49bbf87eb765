import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach } from "vitest";

/** The reference vectors, kept in the repository: `<repo>/vectors/dlm-reference`. */
export const VECTORS = resolve(fileURLToPath(import.meta.url), "../../../../vectors/dlm-reference");

const dirs: string[] = [];
/** A fresh temp dir, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "replaykit-corpus-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

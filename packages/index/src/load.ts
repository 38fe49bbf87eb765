import { type Buffer, isAscii } from "node:buffer";
import { open, type FileHandle } from "node:fs/promises";
import type { IndexEntry } from "./entry.js";
import { IndexArgumentError, IndexReadError } from "./errors.js";
import { fastParseIndex } from "./fast-parse.js";
import { parseIndex } from "./parse.js";

/**
 * Read and parse an `index.json` (written by the reference or by replaykit).
 *
 * A missing file (or a missing parent directory) is an empty index: the result is `[]`
 * (with `{ missing: "error" }` it is an `IndexReadError` with `systemCode` `"ENOENT"`, for a
 * reader that must not mistake a file renamed away meanwhile for an empty index).
 * Takes no lock: `saveIndex` replaces the file atomically, so a reader sees the old or
 * the new index, never a mix.
 *
 * @throws {IndexArgumentError} `indexPath` is not a non-empty string.
 * @throws {IndexCorruptError} the file's content is not a valid index (see `parseIndex`).
 * @throws {IndexReadError} the file exists but cannot be read (`EACCES`, `EISDIR`, `EIO`, …).
 */
export async function loadIndex(indexPath: string, options: { readonly missing?: "empty" | "error" } = {}): Promise<IndexEntry[]> {
  if (typeof indexPath !== "string" || indexPath === "") {
    throw new IndexArgumentError("loadIndex", "indexPath", "a non-empty file path (string)", indexPath);
  }
  if (typeof options !== "object" || options === null || (options.missing !== undefined && options.missing !== "empty" && options.missing !== "error")) {
    throw new IndexArgumentError("loadIndex", "options.missing", '"empty" or "error"', options?.missing);
  }
  let bytes: Buffer;
  let handle: FileHandle | undefined;
  try {
    handle = await open(indexPath, "r");
    bytes = await handle.readFile();
  } catch (cause) {
    const code = (cause as { code?: unknown } | null)?.code;
    // Python's Path.exists(), which the reference asks first, is False for both.
    if (handle === undefined && (code === "ENOENT" || code === "ENOTDIR") && options.missing !== "error") return [];
    throw new IndexReadError(indexPath, cause);
  } finally {
    await handle?.close().catch(() => undefined);
  }
  // Only pure ASCII can be a valid index: the fast path reads it straight from the bytes.
  // Anything else, or any layout but the canonical one, gets parseIndex, which names what
  // is wrong.
  if (isAscii(bytes)) {
    const entries = fastParseIndex(bytes);
    if (entries !== undefined) return entries;
  }
  let text: string;
  try {
    text = bytes.toString("utf8");
  } catch (cause) {
    throw new IndexReadError(indexPath, cause); // longer than the longest string V8 allows
  }
  return parseIndex(text, indexPath);
}

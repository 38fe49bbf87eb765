import { Buffer, isAscii } from "node:buffer";
import { open, type FileHandle } from "node:fs/promises";
import type { IndexEntry } from "./entry.js";
import { IndexReadError } from "./errors.js";
import { fastParseIndex } from "./fast-parse.js";
import { parseIndexGeneral } from "./parse.js";
import { acquireScratch, releaseScratch } from "./scratch.js";

/**
 * The whole file in one buffer. One `read` of the size `fstat` reports (growing if the
 * file grew meanwhile): `fs.promises.readFile` reads in 512 KiB chunks, which for a
 * 15 MB index costs more than parsing it.
 */
async function readWhole(handle: FileHandle): Promise<Buffer> {
  const { size } = await handle.stat();
  // One byte more than fstat says, so that reaching it means the file grew meanwhile.
  let buffer = acquireScratch(size > 0 ? size + 1 : 64 * 1024);
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      const bigger = acquireScratch(buffer.length * 2);
      buffer.copy(bigger, 0, 0, length);
      releaseScratch(buffer);
      buffer = bigger;
    }
    const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
    if (bytesRead === 0) return buffer.subarray(0, length);
    length += bytesRead;
  }
}

/**
 * Read and parse an `index.json` (written by the reference or by replaykit).
 *
 * A missing file (or a missing parent directory) is an empty index: the result is `[]`.
 * Takes no lock: `saveIndex` replaces the file atomically, so a reader sees the old or
 * the new index, never a mix.
 *
 * @throws {IndexCorruptError} the file's content is not a valid index (see `parseIndex`).
 * @throws {IndexReadError} the file exists but cannot be read (`EACCES`, `EISDIR`, `EIO`, …).
 */
export async function loadIndex(indexPath: string): Promise<IndexEntry[]> {
  let bytes: Buffer;
  let handle: FileHandle | undefined;
  try {
    handle = await open(indexPath, "r");
    bytes = await readWhole(handle);
  } catch (cause) {
    const code = (cause as { code?: unknown } | null)?.code;
    // Python's Path.exists(), which the reference asks first, is False for both.
    if (handle === undefined && (code === "ENOENT" || code === "ENOTDIR")) return [];
    throw new IndexReadError(indexPath, cause);
  } finally {
    await handle?.close().catch(() => undefined);
  }
  try {
    // Only pure ASCII can be a valid index: the fast path reads it straight from the
    // bytes. Anything else gets the general path, which names what is wrong.
    const ascii = isAscii(bytes);
    if (ascii) {
      const entries = fastParseIndex(bytes);
      if (entries !== undefined) return entries;
    }
    let text: string;
    try {
      text = bytes.toString(ascii ? "latin1" : "utf8"); // latin1 of ASCII: a plain copy
    } catch (cause) {
      throw new IndexReadError(indexPath, cause); // longer than the longest string V8 allows
    }
    return parseIndexGeneral(text, indexPath);
  } finally {
    releaseScratch(bytes); // nothing returned refers to it: ids and strings are copies
  }
}

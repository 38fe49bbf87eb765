import { isSectionId } from "@replaykit/store";
import { readFile } from "node:fs/promises";
import { UsageError } from "./errors.js";
import type { ChunkSource } from "./jsonl.js";
import { reasonOf } from "./paths.js";

/**
 * The section ids of an ids file (`--protect`, `--ids`): one a line; blank lines and `#`
 * comments (whole-line or after the id) are ignored; a UTF-8 BOM is skipped. `-` reads stdin.
 *
 * @throws {UsageError} naming the flag when the file cannot be read or a line is not a section id.
 */
export async function readIdsFile(path: string, flag: string, stdin: ChunkSource): Promise<Set<string>> {
  let text: string;
  try {
    text = path === "-" ? await readAll(stdin) : await readFile(path, "utf8");
  } catch (error) {
    throw new UsageError(`${flag} ${path}: cannot read: ${reasonOf(error)}`, { cause: error });
  }
  const name = path === "-" ? "stdin" : path;
  const ids = new Set<string>();
  text
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)
    .forEach((line, i) => {
      const id = line.replace(/#.*$/, "").trim();
      if (id === "") return;
      if (!isSectionId(id)) throw new UsageError(`${flag}: ${name} line ${i + 1}: ${JSON.stringify(id)} is not a section id (16 lowercase hex characters)`);
      ids.add(id);
    });
  return ids;
}

async function readAll(source: ChunkSource): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}

/** The ids of `wanted` that no entry has, sorted (for a warning). */
export function unknownIds(wanted: ReadonlySet<string>, entries: ReadonlyArray<{ sectionId: string }>): string[] {
  const live = new Set(entries.map((e) => e.sectionId));
  return [...wanted].filter((id) => !live.has(id)).sort();
}

/** `3 ids (0123…, 4567…, and 1 more)`: a short list for a warning line. */
export function listIds(ids: readonly string[], shown = 5): string {
  const head = ids.slice(0, shown).join(", ");
  return ids.length > shown ? `${head}, and ${ids.length - shown} more` : head;
}

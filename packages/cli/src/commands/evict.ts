import type { Command } from "commander";
import { readFile, stat } from "node:fs/promises";
import { plural, showDate, size, type Context } from "../context.js";
import { UsageError } from "../errors.js";
import { LineWriter } from "../io.js";
import { openStore } from "../open-store.js";
import { formatBytes } from "../size.js";

const SECTION_ID = /^[0-9a-f]{16}$/;

interface EvictFlags {
  maxBytes: number;
  protect?: string;
  compact?: boolean;
  list?: boolean;
}

/** `replaykit evict <store-dir> --max-bytes SIZE [--protect FILE] [--compact] [--list]`. */
export function registerEvict(program: Command, ctx: Context): void {
  program
    .command("evict")
    .description("drop the oldest sections until the live bytes fit a budget (protected sections are never dropped)")
    .argument("<store-dir>", "the store directory")
    .requiredOption("--max-bytes <size>", "the budget for live frame bytes: 123, 64KiB, 10MiB, 1GiB (KB, MB, GB are powers of 1000)", size)
    .option("--protect <file>", "a file of section ids never to evict: one a line, blank lines and # comments ignored")
    .option("--compact", "compact afterwards, so the corpus file shrinks too")
    .option("--list", "print the evicted sections on stdout: section id, added at, bytes (tab-separated)")
    .addHelpText(
      "after",
      `
Eviction only drops index entries; the bytes stay in corpus.zst as dead space until
\`replaykit compact\` (or --compact) rewrites it. What was evicted and kept goes to stderr.

Example:
  $ replaykit evict ./replay --max-bytes 512MiB --protect keep.txt --compact`,
    )
    .action(async (dir: string, flags: EvictFlags) => {
      const { io } = ctx;
      const protectIds = flags.protect === undefined ? undefined : await readProtectFile(flags.protect);
      const store = await openStore(dir, { create: false });
      const bytesBefore = await corpusBytes(store.corpusPath);
      const options = { maxBytes: flags.maxBytes, compact: flags.compact === true, ...(protectIds === undefined ? {} : { protectIds }) };
      const { evicted, kept } = await store.evict(options);
      const liveKept = kept.reduce((n, e) => n + e.length, 0);
      const liveEvicted = evicted.reduce((n, e) => n + e.length, 0);
      const protectedKept = protectIds === undefined ? 0 : kept.filter((e) => protectIds.has(e.sectionId)).length;
      const budget = `budget ${formatBytes(flags.maxBytes)}`;
      if (evicted.length === 0) {
        io.stderr.write(`nothing to evict: ${formatBytes(liveKept)} live in ${plural(kept.length, "section")} (${budget})\n`);
      } else {
        const span = `added ${showDate(evicted[0]!.addedAt)} … ${showDate(evicted[evicted.length - 1]!.addedAt)}`;
        io.stderr.write(`evicted ${plural(evicted.length, "section")} (${formatBytes(liveEvicted)}, oldest first, ${span})\n`);
        io.stderr.write(
          `kept ${plural(kept.length, "section")} (${formatBytes(liveKept)} live, ${budget}${protectIds === undefined ? "" : `, ${protectedKept} protected`})\n`,
        );
      }
      if (liveKept > flags.maxBytes) {
        io.stderr.write(`warning: still over budget: the ${plural(protectedKept, "protected section")} alone hold more than ${formatBytes(flags.maxBytes)}\n`);
      }
      if (flags.compact === true) {
        io.stderr.write(`compacted: ${formatBytes(bytesBefore)} → ${formatBytes(await corpusBytes(store.corpusPath))}\n`);
      } else if (evicted.length > 0) {
        io.stderr.write(`the evicted bytes stay in the corpus as dead space until \`replaykit compact ${dir}\`\n`);
      }
      if (flags.list === true) {
        const out = new LineWriter(io.stdout);
        for (const e of evicted) await out.line(`${e.sectionId}\t${showDate(e.addedAt)}\t${e.length}`);
        await out.flush();
      }
    });
}

/**
 * The ids of a protect file: one a line; blank lines and `#` comments (whole-line or after
 * the id) are ignored.
 * @throws {UsageError} when the file cannot be read or a line is not a section id.
 */
export async function readProtectFile(path: string): Promise<Set<string>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new UsageError(`--protect: cannot read ${path}: ${code === "ENOENT" ? "no such file" : (error as Error).message}`, { cause: error });
  }
  const ids = new Set<string>();
  text
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)
    .forEach((line, i) => {
      const id = line.replace(/#.*$/, "").trim();
      if (id === "") return;
      if (!SECTION_ID.test(id)) {
        throw new UsageError(`--protect: ${path} line ${i + 1}: ${JSON.stringify(id)} is not a section id (16 lowercase hex characters)`);
      }
      ids.add(id);
    });
  return ids;
}

async function corpusBytes(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

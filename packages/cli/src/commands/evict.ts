import { evictUntil, type IndexEntry } from "@replaykit/store";
import type { Command } from "commander";
import { lockTimeout, plural, seconds, showDate, size, WAIT_FLAGS, WAIT_HELP, type Context } from "../context.js";
import { listIds, readIdsFile, unknownIds } from "../ids-file.js";
import { LineWriter } from "../io.js";
import { corpusBytes, openStore } from "../open-store.js";
import { LOCATION_ARGUMENT_HELP, type LocationFlags } from "../location.js";
import { formatBytes } from "../size.js";

interface EvictFlags extends LocationFlags {
  maxBytes: number;
  protect?: string;
  compact?: boolean;
  list?: boolean;
  dryRun?: boolean;
  wait?: number;
}

/** `replaykit evict <store-dir> --max-bytes SIZE [--protect FILE] [--compact] [--list] [--dry-run] [--wait S]`. */
export function registerEvict(program: Command, ctx: Context): void {
  program
    .command("evict")
    .description("drop the oldest sections until the live bytes fit a budget (protected sections are never dropped)")
    .argument("<store-dir>", LOCATION_ARGUMENT_HELP)
    .requiredOption("--max-bytes <size>", "the budget for live frame bytes: 123, 64KiB, 10MiB, 1GiB (KB, MB, GB are powers of 1000)", size)
    .option("--protect <file>", "a file of section ids never to evict: one a line, blank lines and # comments ignored")
    .option("--compact", "compact afterwards, so the corpus file shrinks too")
    .option("--list", "print the evicted sections on stdout: section id, added at, bytes (tab-separated)")
    .option("--dry-run", "change nothing: say what would be evicted (with --list, print it)")
    .option(WAIT_FLAGS, WAIT_HELP, seconds)
    .addHelpText(
      "after",
      `
Eviction only drops index entries; the bytes stay in corpus.zst as dead space until
\`replaykit compact\` (or --compact) rewrites it. What was evicted and kept goes to stderr.
Protect-file ids that name no section in the store are listed in a warning (a typo there
would protect nothing).

Examples:
  $ replaykit evict ./replay --max-bytes 512MiB --protect keep.txt --dry-run --list
  $ replaykit evict ./replay --max-bytes 512MiB --protect keep.txt --compact`,
    )
    .action(async (dir: string, flags: EvictFlags) => {
      const { io } = ctx;
      const protectIds = flags.protect === undefined ? undefined : await readIdsFile(flags.protect, "--protect", io.stdin);
      const store = await openStore(ctx, dir, flags, { create: false, ...lockTimeout(flags.wait) });
      const bytesBefore = await corpusBytes(store);
      const options = { maxBytes: flags.maxBytes, ...(protectIds === undefined ? {} : { protectIds }) };
      // Counts come without an object per kept entry (a million of them cost more than the
      // eviction); the kept entries themselves are made only to check --protect ids.
      let result: { evicted: IndexEntry[]; readonly kept: IndexEntry[]; keptCount: number; keptBytes: number };
      if (flags.dryRun === true) {
        // The same policy the store applies, on the current entries, without saving anything.
        const planned = evictUntil(await store.load(), options);
        result = { ...planned, keptCount: planned.kept.length, keptBytes: planned.kept.reduce((n, e) => n + e.length, 0) };
      } else {
        result = await store.evict({ ...options, compact: flags.compact === true });
      }
      const { evicted } = result;
      if (protectIds !== undefined) {
        const unknown = unknownIds(protectIds, [...result.kept, ...evicted]);
        if (unknown.length > 0) io.stderr.write(`warning: --protect: ${plural(unknown.length, "id")} name no section in ${dir}: ${listIds(unknown)}\n`);
      }
      const would = flags.dryRun === true ? "would evict" : "evicted";
      const liveKept = result.keptBytes;
      const liveEvicted = evicted.reduce((n, e) => n + e.length, 0);
      const protectedKept = protectIds === undefined ? 0 : result.kept.filter((e) => protectIds.has(e.sectionId)).length;
      const budget = `budget ${formatBytes(flags.maxBytes)}`;
      if (evicted.length === 0) {
        io.stderr.write(`nothing to evict: ${formatBytes(liveKept)} live in ${plural(result.keptCount, "section")} (${budget})\n`);
      } else {
        const span = `added ${showDate(evicted[0]!.addedAt)} … ${showDate(evicted[evicted.length - 1]!.addedAt)}`;
        io.stderr.write(`${would} ${plural(evicted.length, "section")} (${formatBytes(liveEvicted)}, oldest first, ${span})\n`);
        io.stderr.write(
          `${flags.dryRun === true ? "would keep" : "kept"} ${plural(result.keptCount, "section")} (${formatBytes(liveKept)} live, ${budget}${protectIds === undefined ? "" : `, ${protectedKept} protected`})\n`,
        );
      }
      if (liveKept > flags.maxBytes) {
        io.stderr.write(`warning: still over budget: the ${plural(protectedKept, "protected section")} alone hold more than ${formatBytes(flags.maxBytes)}\n`);
      }
      if (flags.dryRun === true) {
        io.stderr.write(`dry run: nothing was changed\n`);
      } else if (flags.compact === true) {
        io.stderr.write(`compacted: ${formatBytes(bytesBefore)} → ${formatBytes(await corpusBytes(store))}\n`);
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

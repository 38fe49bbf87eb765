import type { IndexEntry } from "@replaykit/store";
import type { Command } from "commander";
import { lockTimeout, plural, seconds, WAIT_FLAGS, WAIT_HELP, type Context } from "../context.js";
import { listIds, readIdsFile } from "../ids-file.js";
import { corpusBytes, isRemote, openStore } from "../open-store.js";
import { LOCATION_ARGUMENT_HELP, type LocationFlags } from "../location.js";
import { startActivity } from "../progress.js";
import { formatBytes } from "../size.js";

/** `replaykit remove <store-dir> --ids FILE|- [--purge] [--wait S]`. */
export function registerRemove(program: Command, ctx: Context): void {
  program
    .command("remove")
    .description("remove sections by id (a deletion request); with --purge their bytes leave the store's files")
    .argument("<store-dir>", LOCATION_ARGUMENT_HELP)
    .requiredOption("--ids <file>", "a file of section ids (one a line, blank lines and # comments ignored), or - for stdin")
    .option("--purge", "compact afterwards, so the removed sections' content is gone from every file of the store")
    .option(WAIT_FLAGS, WAIT_HELP, seconds)
    .addHelpText(
      "after",
      `
Every entry of each id leaves the index. Without --purge the bytes stay in corpus.zst as
dead space (unreachable, but on disk) until \`replaykit compact\`; with --purge the corpus is
rewritten without them (and without any other dead space). Ids that name no section are
listed in a warning.

Example:
  $ printf '%s\\n' 3f2a9c0d11e4b5a6 | replaykit remove ./replay --ids - --purge`,
    )
    .action(async (dir: string, flags: { ids: string; purge?: boolean; wait?: number } & LocationFlags) => {
      const { io } = ctx;
      const ids = await readIdsFile(flags.ids, "--ids", io.stdin);
      if (ids.size === 0) {
        io.stderr.write(`nothing to remove: ${flags.ids === "-" ? "stdin" : flags.ids} names no section id\n`);
        return;
      }
      const store = await openStore(ctx, dir, flags, { create: false, ...lockTimeout(flags.wait) });
      const before = await corpusBytes(store);
      const working = startActivity(io.stderr, flags.purge === true ? "removing and purging" : "removing");
      let removed: IndexEntry[];
      try {
        ({ removed } = await store.remove(ids, { purge: flags.purge === true }));
      } finally {
        working.stop();
      }
      const found = new Set(removed.map((e) => e.sectionId));
      const missing = [...ids].filter((id) => !found.has(id)).sort();
      if (missing.length > 0) io.stderr.write(`warning: ${plural(missing.length, "id")} name no section in ${dir}: ${listIds(missing)}\n`);
      const entries = removed.length === found.size ? "" : ` (${plural(removed.length, "entry", "entries")})`;
      io.stderr.write(`removed ${plural(found.size, "section")}${entries} from ${dir}\n`);
      if (flags.purge === true) {
        const sizes = `corpus ${formatBytes(before)} → ${formatBytes(await corpusBytes(store))}`;
        io.stderr.write(
          removed.length > 0
            ? `purged: ${sizes}; the removed content is in none of the store's ${isRemote(store) ? "objects" : "files"}\n`
            : `purged: ${sizes} (dead space reclaimed)\n`,
        );
      } else if (removed.length > 0) {
        const where = isRemote(store) ? "the store's segments" : "corpus.zst";
        io.stderr.write(`their bytes stay in ${where} as dead space until \`replaykit compact ${dir}\` (or remove --purge)\n`);
      }
    });
}

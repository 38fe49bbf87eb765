import { StoreArgumentError } from "@replaykit/store";
import type { Command } from "commander";
import { CliFailure } from "../errors.js";
import { lockTimeout, seconds, WAIT_FLAGS, WAIT_HELP, type Context } from "../context.js";
import { liveCount, openStore } from "../open-store.js";
import { LOCATION_ARGUMENT_HELP, type LocationFlags } from "../location.js";
import { startBar } from "../progress.js";
import { formatBytes } from "../size.js";

/** `replaykit compact <store-dir> [--force] [--wait S]`. */
export function registerCompact(program: Command, ctx: Context): void {
  program
    .command("compact")
    .description("rewrite the corpus with only the live frames, reclaiming dead space (safe against crashes)")
    .argument("<store-dir>", LOCATION_ARGUMENT_HELP)
    .option("--force", "compact even when the index looks lost (no entries, intact frames in the corpus): only for a store emptied on purpose")
    .option(WAIT_FLAGS, WAIT_HELP, seconds)
    .addHelpText(
      "after",
      `
Prints the corpus size before and after on stderr. Refuses to compact a store with a damaged
frame (run \`replaykit verify --repair\`), and a store whose index looks lost (no entries,
intact frames in the corpus: compacting would discard every section; run
\`replaykit recover\`) unless --force.

Example:
  $ replaykit compact ./replay
  compacted ./replay: 1342177 → 1048576 bytes (1.28 MiB → 1.00 MiB, 0.28 MiB reclaimed)`,
    )
    .action(async (dir: string, flags: { force?: boolean; wait?: number } & LocationFlags) => {
      const { io } = ctx;
      const store = await openStore(ctx, dir, flags, { create: false, ...lockTimeout(flags.wait) });
      const size = await liveCount(store);
      const progress = startBar(io.stderr, "compacting", size, "frames");
      let result: { bytesBefore: number; bytesAfter: number };
      try {
        result = await store.compact({ force: flags.force === true, onProgress: (done) => progress.update(done) });
      } catch (error) {
        // The store's refusal speaks of library calls; say it in commands.
        if (StoreArgumentError.isInstance(error) && error.argument === "options.force") {
          throw new CliFailure(
            `refusing to compact ${dir}: its index is missing or holds no entries while the corpus holds sections (the index looks lost), so compacting would discard every section; run \`replaykit recover ${dir}\` to rebuild the index, or compact --force to discard them`,
            { cause: error },
          );
        }
        throw error;
      } finally {
        progress.stop();
      }
      const { bytesBefore, bytesAfter } = result;
      io.stderr.write(
        `compacted ${dir}: ${bytesBefore} → ${bytesAfter} bytes (${formatBytes(bytesBefore)} → ${formatBytes(bytesAfter)}, ${formatBytes(Math.max(0, bytesBefore - bytesAfter))} reclaimed)\n`,
      );
    });
}

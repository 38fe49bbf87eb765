import type { RecoverReport } from "@replaykit/store";
import type { Command } from "commander";
import { lockTimeout, plural, seconds, WAIT_FLAGS, WAIT_HELP, type Context } from "../context.js";
import { openStore } from "../open-store.js";
import { LOCATION_ARGUMENT_HELP, type LocationFlags } from "../location.js";
import { startActivity } from "../progress.js";

/** `replaykit recover <store-dir> [--wait S]`. */
export function registerRecover(program: Command, ctx: Context): void {
  program
    .command("recover")
    .description("rebuild the index from the corpus alone: the answer to a lost or unreadable index")
    .argument("<store-dir>", LOCATION_ARGUMENT_HELP)
    .option(WAIT_FLAGS, WAIT_HELP, seconds)
    .addHelpText(
      "after",
      `
Reads every intact frame of corpus.zst in file order (each frame carries its section id,
type, auto-mined flag and dates) and writes a new index of them, replacing the old one;
damaged or torn byte ranges are skipped and listed. Whatever the old index's whole commits
still tell is kept — after damage in its middle too: weights, replay counts, and which
sections were evicted or removed (they stay out). With no index left at all, every intact
frame comes back with weight 1, evicted and removed ones too (evict or remove them again).

Example:
  $ replaykit verify ./replay   # "the index of ./replay looks lost … run replaykit recover"
  $ replaykit recover ./replay`,
    )
    .action(async (dir: string, flags: { wait?: number } & LocationFlags) => {
      const { io } = ctx;
      const store = await openStore(ctx, dir, flags, { create: false, ...lockTimeout(flags.wait) });
      const working = startActivity(io.stderr, "recovering");
      let report: RecoverReport;
      try {
        report = await store.recover();
      } finally {
        working.stop();
      }
      io.stderr.write(`recovered ${plural(report.recovered, "section")} into a new index of ${dir}\n`);
      if (report.skipped.length > 0) {
        const bytes = report.skipped.reduce((n, s) => n + s.length, 0);
        io.stderr.write(`skipped ${plural(report.skipped.length, "damaged byte range")} (${bytes.toLocaleString("en-US")} bytes):\n`);
        for (const s of report.skipped.slice(0, 20)) io.stderr.write(`  at byte ${s.byteOffset} (+${s.length}): ${s.reason}\n`);
        if (report.skipped.length > 20) io.stderr.write(`  … and ${report.skipped.length - 20} more\n`);
      }
    });
}

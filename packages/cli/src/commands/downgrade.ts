import type { Command } from "commander";
import { copyFile, stat, unlink } from "node:fs/promises";
import { lockTimeout, plural, seconds, WAIT_FLAGS, WAIT_HELP, type Context } from "../context.js";
import { CliFailure } from "../errors.js";
import { nowOf } from "../io.js";
import { openStore } from "../open-store.js";
import { LOCATION_ARGUMENT_HELP, type LocationFlags, refuseObjectStorage } from "../location.js";
import { startActivity } from "../progress.js";

/** `replaykit downgrade <store-dir> [--wait S]`. */
export function registerDowngrade(program: Command, ctx: Context): void {
  program
    .command("downgrade")
    .description("convert a replaykit store to a dlm store (index.json as dlm writes it), keeping a backup of the old index")
    .argument("<store-dir>", LOCATION_ARGUMENT_HELP)
    .option(WAIT_FLAGS, WAIT_HELP, seconds)
    .addHelpText(
      "after",
      `
The reverse of \`upgrade\`: afterwards dlm (DocumentLanguageModel) opens the store, and
replaykit keeps it in dlm's format when it appends. The index then records no section
types, auto-mined flags or CRC-32s (verify decodes frames instead of checking checksums)
and no replay exposure. Like \`upgrade\`, it does not ask: the old index (index.rkx, or a
replaykit index.json of an older release) is copied first to <file>.replaykit-backup-<time>, and \`replaykit upgrade\` makes it a replaykit store
again (re-reading types, flags and checksums from the corpus). A store already in dlm's
format is left as it is.

Example:
  $ replaykit downgrade ./replay`,
    )
    .action(async (dir: string, flags: { wait?: number } & LocationFlags) => {
      const { io } = ctx;
      refuseObjectStorage(dir, "downgrade");
      const store = await openStore(ctx, dir, flags, { create: false, ...lockTimeout(flags.wait) });
      const size = (await store.load()).length;
      const stamp = nowOf(io).toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
      // downgrade() deletes the journal (and rewrites index.json): keep whichever holds the
      // replaykit index now, so exposure counts are not lost for good. A dlm store has none.
      const old = (await isFile(store.journalPath)) ? store.journalPath : (await isFile(store.indexPath)) ? store.indexPath : undefined;
      const backup = old === undefined ? undefined : `${old}.replaykit-backup-${stamp}`;
      if (old !== undefined && backup !== undefined) {
        try {
          await copyFile(old, backup);
        } catch (error) {
          throw new CliFailure(`cannot back up ${old} to ${backup} (${(error as Error).message}); nothing was changed`, { cause: error });
        }
      }
      const progress = startActivity(io.stderr, `downgrading ${plural(size, "entry", "entries")}`);
      let result: { converted: number };
      try {
        result = await store.downgrade();
      } finally {
        progress.stop();
      }
      if (result.converted === 0) {
        if (backup !== undefined) await unlink(backup).catch(() => undefined);
        io.stderr.write(size === 0 ? `${dir} is empty: nothing to downgrade\n` : `${dir} is already in dlm format: nothing to do\n`);
        return;
      }
      io.stderr.write(`downgraded ${dir}: ${plural(result.converted, "entry", "entries")} now in dlm's index.json format; dlm can open this store\n`);
      io.stderr.write(
        `note: the index no longer records section types, auto-mined flags, CRC-32s or exposure${backup === undefined ? "" : `; the old index is kept as ${backup}`}\n`,
      );
      io.stderr.write(`to go back: replaykit upgrade ${dir}\n`);
    });
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

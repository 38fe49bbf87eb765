import type { Command } from "commander";
import type { ReplayStore } from "@replaykit/store";
import { copyFile, stat, unlink } from "node:fs/promises";
import { lockTimeout, plural, seconds, WAIT_FLAGS, WAIT_HELP, type Context } from "../context.js";
import { CliFailure } from "../errors.js";
import { nowOf } from "../io.js";
import { openStore } from "../open-store.js";
import { startActivity } from "../progress.js";

/** `store.downgrade()` (API.md v2), looked up at run time so the command says clearly when the installed store lacks it. */
type Downgradable = ReplayStore & { downgrade?: () => Promise<{ converted: number }> };

/** `replaykit downgrade <store-dir> [--wait S]`. */
export function registerDowngrade(program: Command, ctx: Context): void {
  program
    .command("downgrade")
    .description("convert a replaykit store to a dlm store (index.json as dlm writes it), keeping a backup of the old index")
    .argument("<store-dir>", "the store directory")
    .option(WAIT_FLAGS, WAIT_HELP, seconds)
    .addHelpText(
      "after",
      `
The reverse of \`upgrade\`: afterwards dlm (DocumentLanguageModel) opens the store, and
replaykit keeps it in dlm's format when it appends. The index then records no section
types, auto-mined flags or CRC-32s (verify decodes frames instead of checking checksums)
and no replay exposure. Like \`upgrade\`, it does not ask: the old index is copied first to
index.json.replaykit-backup-<time>, and \`replaykit upgrade\` makes it a replaykit store
again (re-reading types, flags and checksums from the corpus). A store already in dlm's
format is left as it is.

Example:
  $ replaykit downgrade ./replay`,
    )
    .action(async (dir: string, flags: { wait?: number }) => {
      const { io } = ctx;
      const store: Downgradable = await openStore(dir, { create: false, ...lockTimeout(flags.wait) });
      if (typeof store.downgrade !== "function") {
        throw new CliFailure("this @replaykit/store has no downgrade() (it arrives with the v2 index); nothing was changed");
      }
      const size = (await store.load()).length;
      const stamp = nowOf(io).toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
      const backup = `${store.indexPath}.replaykit-backup-${stamp}`;
      // A store whose index lives elsewhere than index.json has nothing there to back up;
      // `replaykit upgrade` is the way back either way.
      const hasIndexFile = await stat(store.indexPath).then(
        (s) => s.isFile(),
        () => false,
      );
      if (hasIndexFile) {
        try {
          await copyFile(store.indexPath, backup);
        } catch (error) {
          throw new CliFailure(`cannot back up ${store.indexPath} to ${backup} (${(error as Error).message}); nothing was changed`, { cause: error });
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
        if (hasIndexFile) await unlink(backup).catch(() => undefined);
        io.stderr.write(size === 0 ? `${dir} is empty: nothing to downgrade\n` : `${dir} is already in dlm format: nothing to do\n`);
        return;
      }
      io.stderr.write(`downgraded ${dir}: ${plural(result.converted, "entry", "entries")} now in dlm's index.json format; dlm can open this store\n`);
      io.stderr.write(
        `note: the index no longer records section types, auto-mined flags or CRC-32s${hasIndexFile ? `; the old index is kept as ${backup}` : ""}\n`,
      );
      io.stderr.write(`to go back: replaykit upgrade ${dir}\n`);
    });
}

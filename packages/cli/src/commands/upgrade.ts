import type { Command } from "commander";
import { copyFile, unlink } from "node:fs/promises";
import { lockTimeout, plural, seconds, WAIT_FLAGS, WAIT_HELP, type Context } from "../context.js";
import { CliFailure } from "../errors.js";
import { nowOf } from "../io.js";
import { openStore } from "../open-store.js";
import { LOCATION_ARGUMENT_HELP, type LocationFlags, refuseObjectStorage } from "../location.js";
import { startActivity } from "../progress.js";

/** `replaykit upgrade <store-dir> [--wait S]`. */
export function registerUpgrade(program: Command, ctx: Context): void {
  program
    .command("upgrade")
    .description("convert a dlm store's index to replaykit's (adds section types, auto-mined flags and CRC-32s), keeping a backup of the old index")
    .argument("<store-dir>", LOCATION_ARGUMENT_HELP)
    .option(WAIT_FLAGS, WAIT_HELP, seconds)
    .addHelpText(
      "after",
      `
A store dlm (DocumentLanguageModel) wrote keeps dlm's index format when replaykit appends to
it, so dlm can go on using it. \`upgrade\` makes it a replaykit store: verify then checks
every frame's CRC-32, and preference sampling no longer decodes frames to learn their type.
dlm cannot open the upgraded index, so the old one is copied first to
index.json.dlm-backup-<time>; the last lines say how to go back. A store already in
replaykit's format is left as it is.

Example:
  $ replaykit upgrade ./dlm-replay`,
    )
    .action(async (dir: string, flags: { wait?: number } & LocationFlags) => {
      const { io } = ctx;
      refuseObjectStorage(dir, "upgrade");
      const store = await openStore(ctx, dir, flags, { create: false, ...lockTimeout(flags.wait) });
      const size = (await store.load()).length;
      const stamp = nowOf(io).toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
      const backup = `${store.indexPath}.dlm-backup-${stamp}`;
      try {
        // A replaykit store keeps its index in the journal: there is no dlm index to back up.
        await copyFile(store.indexPath, backup);
      } catch (error) {
        if ((error as { code?: string }).code !== "ENOENT")
          throw new CliFailure(`cannot back up ${store.indexPath} to ${backup} (${(error as Error).message}); nothing was changed`, { cause: error });
      }
      const progress = startActivity(io.stderr, `upgrading ${plural(size, "entry", "entries")}`);
      let result: { converted: number };
      try {
        result = await store.upgrade();
      } finally {
        progress.stop();
      }
      if (result.converted === 0) {
        await unlink(backup).catch(() => undefined);
        io.stderr.write(size === 0 ? `${dir} is empty: nothing to upgrade\n` : `${dir} is already in replaykit format: nothing to do\n`);
        return;
      }
      io.stderr.write(`upgraded ${dir}: ${plural(result.converted, "entry", "entries")} now record section_type, auto_mined and crc32\n`);
      io.stderr.write(`note: dlm can no longer open this store; the old index is kept as ${backup}\n`);
      io.stderr.write(`to go back: replaykit downgrade ${dir}\n`);
    });
}

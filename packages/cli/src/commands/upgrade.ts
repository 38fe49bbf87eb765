import type { Command } from "commander";
import { plural, type Context } from "../context.js";
import { openStore } from "../open-store.js";
import { startActivity } from "../progress.js";

/** `replaykit upgrade <store-dir>`. */
export function registerUpgrade(program: Command, ctx: Context): void {
  program
    .command("upgrade")
    .description("convert a dlm store's index to replaykit's (adds section types, auto-mined flags and CRC-32s); dlm can no longer open it afterwards")
    .argument("<store-dir>", "the store directory")
    .addHelpText(
      "after",
      `
A store dlm (DocumentLanguageModel) wrote keeps dlm's index format when replaykit appends to
it, so dlm can go on using it. \`upgrade\` makes it a replaykit store: verify then checks
every frame's CRC-32, and preference sampling no longer decodes frames to learn their type.
This is one way: dlm rejects the extra index keys. A store already in replaykit's format is
left as it is.

Example:
  $ replaykit upgrade ./dlm-replay`,
    )
    .action(async (dir: string) => {
      const { io } = ctx;
      const store = await openStore(dir, { create: false });
      const size = (await store.load()).length;
      const progress = startActivity(io.stderr, `upgrading ${plural(size, "entry", "entries")}`, size);
      let result;
      try {
        result = await store.upgrade();
      } finally {
        progress.stop();
      }
      if (result.converted === 0) {
        io.stderr.write(size === 0 ? `${dir} is empty: nothing to upgrade\n` : `${dir} is already in replaykit format: nothing to do\n`);
        return;
      }
      io.stderr.write(`upgraded ${dir}: ${plural(result.converted, "entry", "entries")} now record section_type, auto_mined and crc32\n`);
      io.stderr.write(`note: dlm can no longer open this store (its index now has keys dlm rejects)\n`);
    });
}

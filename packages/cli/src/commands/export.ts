import type { Command } from "commander";
import type { Context } from "../context.js";
import { LineWriter } from "../io.js";
import { openStore } from "../open-store.js";
import { LOCATION_ARGUMENT_HELP, type LocationFlags } from "../location.js";
import { startBar, wantsProgress } from "../progress.js";
import { sectionToJson } from "../section-json.js";

/** `replaykit export <store-dir>`. */
export function registerExport(program: Command, ctx: Context): void {
  program
    .command("export")
    .description("print every section as JSONL in the `add` format on stdout (in append order)")
    .argument("<store-dir>", LOCATION_ARGUMENT_HELP)
    .addHelpText(
      "after",
      `
Each line has all seven keys: section_id, section_type, content, auto_mined, first_seen_at,
last_seen_at (as YYYY-MM-DDTHH:MM:SSZ) and training_runs_seen. \`replaykit add\` of an export
into an empty store gives back the same sections (index weights are not part of it).
An empty store prints nothing and says so on stderr.

Example:
  $ replaykit export ./replay > backup.jsonl
  $ replaykit add ./restored backup.jsonl`,
    )
    .action(async (dir: string, flags: LocationFlags) => {
      const { io } = ctx;
      const store = await openStore(ctx, dir, flags, { create: false });
      // For the bar only (on a terminal); the export itself reads one consistent view of the store.
      const total = wantsProgress(io.stderr) ? (await store.load()).length : 0;
      const out = new LineWriter(io.stdout);
      const progress = startBar(io.stderr, "exporting", total, "sections");
      let done = 0;
      try {
        // File (append) order, so re-adding an export keeps the store's order too.
        for await (const { snapshot } of store.exportSnapshots()) {
          await out.line(sectionToJson(snapshot));
          if (++done % 4096 === 0) progress.update(done);
        }
        await out.flush();
      } finally {
        progress.stop();
      }
      if (done === 0) io.stderr.write(`nothing to export: ${dir} is empty\n`);
    });
}

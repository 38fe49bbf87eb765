import type { Command } from "commander";
import type { Context } from "../context.js";
import { LineWriter } from "../io.js";
import { openStore } from "../open-store.js";
import { startBar } from "../progress.js";
import { sectionToJson } from "../section-json.js";

/** How many frames are read (and held) at a time: one batched read each. */
const BATCH = 4096;

/** `replaykit export <store-dir>`. */
export function registerExport(program: Command, ctx: Context): void {
  program
    .command("export")
    .description("print every section as JSONL in the `add` format on stdout (in append order)")
    .argument("<store-dir>", "the store directory")
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
    .action(async (dir: string) => {
      const { io } = ctx;
      const store = await openStore(dir, { create: false });
      // Append order (file order), so re-adding an export keeps the store's order too.
      const entries = (await store.load()).map((e, i) => ({ e, i })).sort((a, b) => a.e.byteOffset - b.e.byteOffset || a.i - b.i);
      if (entries.length === 0) {
        io.stderr.write(`nothing to export: ${dir} is empty\n`);
        return;
      }
      const out = new LineWriter(io.stdout);
      const progress = startBar(io.stderr, "exporting", entries.length, "sections");
      try {
        for (let i = 0; i < entries.length; i += BATCH) {
          const snapshots = await store.readMany(entries.slice(i, i + BATCH).map(({ e }) => e));
          for (const s of snapshots) await out.line(sectionToJson(s));
          progress.update(Math.min(i + BATCH, entries.length));
        }
        await out.flush();
      } finally {
        progress.stop();
      }
    });
}

import type { Command } from "commander";
import type { Context } from "../context.js";
import { openStore } from "../open-store.js";
import { startBar } from "../progress.js";
import { formatBytes } from "../size.js";

/** `replaykit compact <store-dir>`. */
export function registerCompact(program: Command, ctx: Context): void {
  program
    .command("compact")
    .description("rewrite the corpus with only the live frames, reclaiming dead space (safe against crashes)")
    .argument("<store-dir>", "the store directory")
    .addHelpText(
      "after",
      `
Prints the corpus size before and after on stderr. Refuses to compact a store with a damaged
frame (run \`replaykit verify\`).

Example:
  $ replaykit compact ./replay
  compacted ./replay: 1342177 → 1048576 bytes (1.28 MiB → 1.00 MiB, 0.28 MiB reclaimed)`,
    )
    .action(async (dir: string) => {
      const { io } = ctx;
      const store = await openStore(dir, { create: false });
      const size = (await store.load()).length;
      const progress = startBar(io.stderr, "compacting", size, size, " frames");
      let result;
      try {
        result = await store.compact({ onProgress: (done) => progress.update(done) });
      } finally {
        progress.stop();
      }
      const { bytesBefore, bytesAfter } = result;
      io.stderr.write(
        `compacted ${dir}: ${bytesBefore} → ${bytesAfter} bytes (${formatBytes(bytesBefore)} → ${formatBytes(bytesAfter)}, ${formatBytes(Math.max(0, bytesBefore - bytesAfter))} reclaimed)\n`,
      );
    });
}

import type { Command } from "commander";
import type { Context } from "../context.js";
import { CliFailure } from "../errors.js";
import { LineWriter } from "../io.js";
import { openStore } from "../open-store.js";
import { startBar } from "../progress.js";
import { formatBytes } from "../size.js";

const INTEGRITY: Readonly<Record<string, string>> = {
  crc32: "crc32 (every frame checked against its CRC-32, decoded, and its section id compared)",
  "decode-only": "decode-only (the index records no checksums, as dlm writes it: frames are decoded and their section ids compared; `replaykit upgrade` adds CRC-32s)",
  mixed: "mixed (CRC-32 where the index records one, decoding alone elsewhere)",
};

/** `replaykit verify <store-dir>`. */
export function registerVerify(program: Command, ctx: Context): void {
  program
    .command("verify")
    .description("check every frame of a store; exit 0 when intact, 1 with a report of each problem")
    .argument("<store-dir>", "the store directory")
    .addHelpText(
      "after",
      `
Prints the index format, the integrity mode (crc32, or decode-only for dlm stores), the
bytes compact would reclaim, and one line per problem: section id, byte offset, message.

Example:
  $ replaykit verify ./replay && echo intact`,
    )
    .action(async (dir: string) => {
      const { io } = ctx;
      const store = await openStore(dir, { create: false });
      const size = (await store.load()).length;
      const progress = startBar(io.stderr, "verifying", size, size, " frames");
      let report;
      try {
        report = await store.verify({ onProgress: (done) => progress.update(done) });
      } finally {
        progress.stop();
      }
      const out = new LineWriter(io.stdout);
      await out.line(`store       ${dir} (${report.format} format)`);
      await out.line(`entries     ${report.entries.toLocaleString("en-US")}`);
      await out.line(`integrity   ${INTEGRITY[report.integrity] ?? report.integrity}`);
      await out.line(`reclaimable ${formatBytes(report.reclaimableBytes)}${report.reclaimableBytes > 0 ? " (run `replaykit compact`)" : ""}`);
      if (report.ok) {
        await out.line(`ok: ${report.entries === 1 ? "the entry is" : `all ${report.entries.toLocaleString("en-US")} entries are`} intact`);
        await out.flush();
        return;
      }
      await out.line(`${report.problems.length} problem${report.problems.length === 1 ? "" : "s"}:`);
      for (const p of report.problems) {
        await out.line(`  section ${p.sectionId ?? "-"} at byte ${p.byteOffset ?? "-"}: ${p.message.replace(/\s*\n\s*/g, " ")}`);
      }
      await out.flush();
      throw new CliFailure(`verify found ${report.problems.length} problem${report.problems.length === 1 ? "" : "s"} in ${dir}`);
    });
}

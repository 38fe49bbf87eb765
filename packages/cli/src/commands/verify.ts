import type { VerifyReport } from "@replaykit/store";
import type { Command } from "commander";
import { lockTimeout, plural, seconds, WAIT_FLAGS, WAIT_HELP, type Context } from "../context.js";
import { CliFailure, oneLine } from "../errors.js";
import { LineWriter, write } from "../io.js";
import { isRemote, liveCount, openStore } from "../open-store.js";
import { LOCATION_ARGUMENT_HELP, type LocationFlags, refuseObjectStorage } from "../location.js";
import { startBar } from "../progress.js";
import { formatBytes } from "../size.js";

const INTEGRITY: Readonly<Record<string, string>> = {
  crc32: "crc32 (every frame checked against its CRC-32, decoded, and its section id compared)",
  "decode-only":
    "decode-only (the index records no checksums, as dlm writes it: frames are decoded and their section ids compared; `replaykit upgrade` adds CRC-32s)",
  mixed: "mixed (CRC-32 where the index records one, decoding alone elsewhere)",
};

interface VerifyFlags extends LocationFlags {
  json?: boolean;
  repair?: boolean;
  wait?: number;
}

/** `replaykit verify <store-dir> [--json] [--repair] [--wait S]`. */
export function registerVerify(program: Command, ctx: Context): void {
  program
    .command("verify")
    .description("check every frame of a store; exit 0 when intact, 1 with a report of each problem")
    .argument("<store-dir>", LOCATION_ARGUMENT_HELP)
    .option("--json", "print the report as one JSON object on stdout (same exit codes)")
    .option("--repair", "move damaged entries out of the live index into the store's quarantine (their bytes are kept there), so sample and export work again")
    .option(WAIT_FLAGS, `with --repair: ${WAIT_HELP}`, seconds)
    .addHelpText(
      "after",
      `
Prints the index format, the integrity mode (crc32, or decode-only for dlm stores), the
bytes compact would reclaim, and one line per problem: section id, byte offset, message.
An index that holds no entries while the corpus holds intact frames looks lost: verify
exits 1 and says to run \`replaykit recover\` (never compact, which would discard them).
--json keys: ok, entries, problems [{sectionId, byteOffset, message}], format, integrity,
reclaimableBytes, indexLooksLost, quarantined (what this run set aside), quarantine (the
store's whole quarantine: every record, with where its damaged bytes are kept).

Examples:
  $ replaykit verify ./replay && echo intact
  $ replaykit verify ./replay --repair`,
    )
    .action(async (dir: string, flags: VerifyFlags) => {
      const { io } = ctx;
      if (flags.repair === true) refuseObjectStorage(dir, "verify --repair");
      const store = await openStore(ctx, dir, flags, { create: false, ...lockTimeout(flags.wait) });
      const size = await liveCount(store);
      const progress = startBar(io.stderr, "verifying", size, "frames");
      let report: VerifyReport;
      try {
        report = await store.verify({ repair: flags.repair === true, onProgress: (done) => progress.update(done) });
      } finally {
        progress.stop();
      }
      const problems = report.problems.length;
      const failure = report.indexLooksLost
        ? new CliFailure(
            `the index of ${dir} looks lost (missing, or no entries while the corpus holds sections): run \`replaykit recover ${dir}\` to rebuild it from the corpus; do not compact`,
          )
        : problems > 0 && report.quarantined.length < problems
          ? new CliFailure(
              isRemote(store)
                ? `verify found ${plural(problems, "problem")} in ${dir}; repairing works on a directory: \`replaykit pull ${dir} DIR\`, then \`replaykit verify DIR --repair\``
                : `verify found ${plural(problems, "problem")} in ${dir}; \`replaykit verify ${dir} --repair\` sets the damaged entries aside`,
            )
          : undefined;
      if (flags.json === true) {
        await write(io.stdout, `${JSON.stringify(report, null, 2)}\n`);
        if (failure !== undefined) throw failure;
        return;
      }
      const out = new LineWriter(io.stdout);
      await out.line(`store       ${dir} (${report.format} format)`);
      if (isRemote(store)) await out.line(`commit      ${store.commit}`);
      await out.line(`entries     ${report.entries.toLocaleString("en-US")}`);
      await out.line(`integrity   ${INTEGRITY[report.integrity] ?? report.integrity}`);
      await out.line(
        `reclaimable ${formatBytes(report.reclaimableBytes)}${report.reclaimableBytes > 0 && !report.indexLooksLost ? " (run `replaykit compact`)" : ""}`,
      );
      if (report.ok && !report.indexLooksLost) {
        await out.line(`ok: ${report.entries === 1 ? "the entry is" : `all ${report.entries.toLocaleString("en-US")} entries are`} intact`);
      } else if (problems > 0) {
        await out.line(`${plural(problems, "problem")}:`);
        for (const p of report.problems) {
          const where = p.sectionId === undefined && p.byteOffset === undefined ? "store" : `section ${p.sectionId ?? "-"} at byte ${p.byteOffset ?? "-"}`;
          await out.line(`  ${where}: ${oneLine(p.message)}`);
        }
      }
      if (report.quarantine.length > 0) {
        const kept = report.quarantine.reduce((n, r) => n + (r.kept?.length ?? 0), 0);
        await out.line(
          `quarantine  ${plural(report.quarantine.length, "record")} (${formatBytes(kept)} of damaged bytes kept): \`replaykit quarantine ${dir}\` lists them`,
        );
      }
      if (report.quarantined.length > 0) {
        await out.line(
          `repaired: ${plural(report.quarantined.length, "damaged entry", "damaged entries")} moved to the quarantine record; the live index is intact`,
        );
      }
      await out.flush();
      if (failure !== undefined) throw failure;
    });
}

import type { Command } from "commander";
import { isoDate, plural, relativeTime, showDate, type Context } from "../context.js";
import { ageBuckets, drawHistogram, glyphsFor } from "../histogram.js";
import { toWholeSeconds } from "../dates.js";
import { nowOf, write } from "../io.js";
import { isRemote, openStore } from "../open-store.js";
import { LOCATION_ARGUMENT_HELP, type LocationFlags } from "../location.js";
import { formatBytes } from "../size.js";

/** `replaykit stats <store-dir> [--json] [--now ISO]`. */
export function registerStats(program: Command, ctx: Context): void {
  program
    .command("stats")
    .description("summarise a store: sections by type, bytes live and dead, oldest and newest, an age histogram")
    .argument("<store-dir>", LOCATION_ARGUMENT_HELP)
    .option("--json", "print the store's stats() object as JSON instead (dates as ISO 8601)")
    .option("--now <iso>", "the time ages are measured from, ISO 8601, no offset = UTC (default: now)", isoDate)
    .addHelpText(
      "after",
      `
--json keys: entries, liveBytes, fileBytes, deadBytes, byType, autoMined, format ("dlm" or
"replaykit"), replayed ({ sections, total }: what sample --record-exposure counted), and
oldest/newest when the store is not empty; for an s3:// store also location and commit (the
commit these numbers are of).

Example:
  $ replaykit stats ./replay
  $ replaykit stats ./replay --json | jq .byType`,
    )
    .action(async (dir: string, flags: { json?: boolean; now?: Date } & LocationFlags) => {
      const store = await openStore(ctx, dir, flags, { create: false });
      const stats = await store.stats();
      const remote = isRemote(store);
      if (stats.entries === 0) ctx.io.stderr.write(`${dir} is empty: no sections\n`);
      if (flags.json === true) {
        // A store in object storage: also where it is and the commit these stats are of.
        const json = remote ? { ...stats, location: store.location, commit: store.commit } : stats;
        await write(ctx.io.stdout, `${JSON.stringify(json, null, 2)}\n`);
        return;
      }
      const now = flags.now ?? toWholeSeconds(nowOf(ctx.io));
      const entries = await store.load();
      const types = Object.entries(stats.byType)
        .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
        .map(([type, n]) => `${n.toLocaleString("en-US")} ${type}`);
      const dead = stats.fileBytes === 0 ? 0 : (stats.deadBytes / stats.fileBytes) * 100;
      const lines = [
        row("store", `${remote ? store.location : dir} (${stats.format} format)`),
        ...(remote ? [row("commit", `${store.commit} (the latest when read)`)] : []),
        row("sections", stats.entries === 0 ? "0 (empty store)" : `${stats.entries.toLocaleString("en-US")}: ${types.join(", ")}`),
        row("auto-mined", plural(stats.autoMined, "section")),
        row(
          "corpus",
          `${formatBytes(stats.fileBytes)} ${remote ? "in object storage" : "on disk"}: ${formatBytes(stats.liveBytes)} live, ${formatBytes(stats.deadBytes)} dead (${dead.toFixed(1)}%)`,
        ),
      ];
      // Only once a draw recorded exposure (sample --record-exposure), so other stores print as before.
      if (stats.replayed.sections > 0)
        lines.push(row("replayed", `${plural(stats.replayed.sections, "section")}, ${plural(stats.replayed.total, "replay")} in all`));
      if (stats.oldest !== undefined && stats.newest !== undefined) {
        lines.push(row("oldest", `${showDate(stats.oldest)} (${relativeTime(stats.oldest, now)})`));
        lines.push(row("newest", `${showDate(stats.newest)} (${relativeTime(stats.newest, now)})`));
      }
      if (stats.deadBytes > 0) lines.push(row("", "`replaykit compact` reclaims the dead bytes"));
      const buckets = ageBuckets(
        entries.map((e) => e.addedAt),
        now,
      );
      if (buckets.length > 0) {
        const width = Math.max(10, Math.min(40, (ctx.io.stdout.columns ?? 80) - 36));
        const glyphs = glyphsFor(ctx.io.env);
        lines.push("", `age of sections (relative to ${showDate(now)})`);
        lines.push(...drawHistogram(buckets, width, glyphs).map((l) => `  ${l}`));
      }
      await write(ctx.io.stdout, `${lines.join("\n")}\n`);
    });
}

function row(label: string, value: string): string {
  return `${label.padEnd(12)}${value}`;
}

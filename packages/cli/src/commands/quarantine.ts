import { writeFile } from "node:fs/promises";
import type { QuarantineRecord } from "@replaykit/store";
import { InvalidArgumentError, type Command } from "commander";
import { lockTimeout, plural, seconds, WAIT_FLAGS, WAIT_HELP, type Context } from "../context.js";
import { CliFailure, UsageError, oneLine } from "../errors.js";
import { LineWriter, write } from "../io.js";
import { openStore } from "../open-store.js";
import { LOCATION_ARGUMENT_HELP, type LocationFlags, refuseObjectStorage } from "../location.js";
import { formatBytes } from "../size.js";

interface QuarantineFlags extends LocationFlags {
  json?: boolean;
  export?: number;
  out?: string;
  drop?: number[];
  dropAll?: boolean;
  wait?: number;
}

const recordNumber = (value: string, previous: number[] | undefined): number[] => {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError("must be a record number (1, 2, …).");
  return [...(previous ?? []), n];
};

/** `replaykit quarantine <store-dir> [--json] [--export N --out FILE] [--drop N…] [--drop-all]`. */
export function registerQuarantine(program: Command, ctx: Context): void {
  program
    .command("quarantine")
    .description("list what `verify --repair` set aside, export one record's damaged bytes, or drop records")
    .argument("<store-dir>", LOCATION_ARGUMENT_HELP)
    .option("--json", "print the records as one JSON array on stdout")
    .option("--export <n>", "write record N's damaged bytes to --out (checked against their CRC-32)", (v) => recordNumber(v, undefined)[0]!)
    .option("--out <file>", "with --export: the file to write the bytes to (must not exist)")
    .option("--drop <n>", "drop record N and the bytes it keeps (repeatable)", recordNumber)
    .option("--drop-all", "drop every record and the bytes they keep")
    .option(WAIT_FLAGS, `with --drop: ${WAIT_HELP}`, seconds)
    .addHelpText(
      "after",
      `
\`replaykit verify --repair\` moves each damaged entry out of the live index and its bytes
into the store's quarantine (index.rkx.quarantine.json and .bin), where no compaction drops
them. This command shows the records (number, section, where the frame was, why), writes
one record's bytes to a file for inspection, and drops records you are done with.

Examples:
  $ replaykit quarantine ./replay
  $ replaykit quarantine ./replay --export 1 --out ./frame-1.bin
  $ replaykit quarantine ./replay --drop 1`,
    )
    .action(async (dir: string, flags: QuarantineFlags) => {
      const { io } = ctx;
      const modes = [flags.export !== undefined, flags.drop !== undefined, flags.dropAll === true].filter(Boolean).length;
      if (modes > 1) throw new UsageError("give one of --export, --drop and --drop-all");
      if ((flags.export === undefined) !== (flags.out === undefined)) throw new UsageError("--export N and --out FILE go together");
      // verify --repair, which fills the quarantine, runs on directories only.
      refuseObjectStorage(dir, "quarantine");
      const store = await openStore(ctx, dir, flags, { create: false, ...lockTimeout(flags.wait) });
      if (flags.export !== undefined) {
        const bytes = await store.quarantinedBytes(flags.export);
        try {
          await writeFile(flags.out!, bytes, { flag: "wx" });
        } catch (error) {
          throw new CliFailure(`--out ${flags.out}: cannot write the bytes (${oneLine((error as Error).message)})`, { cause: error });
        }
        io.stderr.write(`wrote ${formatBytes(bytes.length)} of record ${flags.export} to ${flags.out}\n`);
        return;
      }
      if (flags.drop !== undefined || flags.dropAll === true) {
        const dropped = await store.dropQuarantined(flags.dropAll === true ? "all" : flags.drop!);
        io.stderr.write(`dropped ${plural(dropped.length, "quarantine record")} from ${dir}\n`);
        return;
      }
      const records = await store.quarantined();
      if (flags.json === true) {
        await write(io.stdout, `${JSON.stringify(records, null, 2)}\n`);
        return;
      }
      const out = new LineWriter(io.stdout);
      if (records.length === 0) await out.line(`no quarantine records in ${dir}`);
      for (const r of records) await out.line(describe(r));
      await out.flush();
    });
}

function describe(r: QuarantineRecord): string {
  const kept = r.kept === undefined ? "bytes not kept" : `${formatBytes(r.kept.length)} kept`;
  return `#${r.id}  section ${r.sectionId}  was at byte ${r.byteOffset} (+${r.length})  ${r.quarantinedAt}  ${kept}  ${oneLine(r.reason)}`;
}

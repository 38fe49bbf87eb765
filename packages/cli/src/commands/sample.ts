import { Option, type Command } from "commander";
import { randomInt } from "node:crypto";
import { integer, isoDate, nonNegativeInteger, type Context } from "../context.js";
import { UsageError } from "../errors.js";
import { LineWriter, nowOf } from "../io.js";
import { openStore } from "../open-store.js";

interface SampleFlags {
  k: number;
  seed?: number;
  scheme: "recency" | "uniform";
  now?: Date;
  preference?: boolean;
  autoMined: boolean;
}

/** `replaykit sample <store-dir> --k N [--seed S] [--scheme …] [--now ISO] [--preference] [--no-auto-mined]`. */
export function registerSample(program: Command, ctx: Context): void {
  program
    .command("sample")
    .description("draw k sections (recency-weighted by default) and print their training rows as JSONL on stdout")
    .argument("<store-dir>", "the store directory")
    .requiredOption("--k <n>", "how many sections to draw (a non-negative integer; k ≥ the store's size takes every section)", nonNegativeInteger)
    .option("--seed <s>", "an integer seed: the same seed and store give the same rows (default: random, reported on stderr)", integer)
    .addOption(new Option("--scheme <scheme>", "sampling weights").choices(["recency", "uniform"]).default("recency"))
    .option("--now <iso>", "the time ages are measured from, ISO 8601, no offset = UTC (default: now)", isoDate)
    .option("--preference", "draw among preference sections only (rows of prompt, chosen, rejected)")
    .option("--no-auto-mined", "with --preference: leave out sections that were mined automatically")
    .addHelpText(
      "after",
      `
Rows are JSON objects, one a line, ready for Hugging Face datasets or TRL:
  prose        {"text": …, "_dlm_section_id": …}
  instruction  {"messages": [{"role": "user", …}, {"role": "assistant", …}], "_dlm_section_id": …}  (one per Q/A pair)
  preference   {"prompt": …, "chosen": …, "rejected": …, "_dlm_section_id": …}  (one per triple)
Without --seed a random seed is used and printed on stderr as "seed: N", so the draw can be repeated.

Example:
  $ replaykit sample ./replay --k 32 --seed 7 > replay-rows.jsonl`,
    )
    .action(async (dir: string, flags: SampleFlags) => {
      await sample(ctx, dir, flags);
    });
}

async function sample(ctx: Context, dir: string, flags: SampleFlags): Promise<void> {
  const { io } = ctx;
  if (!flags.autoMined && flags.preference !== true) {
    throw new UsageError("--no-auto-mined works with --preference only (the store filters auto-mined sections when sampling preference rows)");
  }
  const store = await openStore(dir, { create: false });
  const seed = flags.seed ?? randomInt(0, 2 ** 32);
  if (flags.seed === undefined) io.stderr.write(`seed: ${seed}\n`);
  const options = { k: flags.k, now: flags.now ?? nowOf(io), seed, scheme: flags.scheme };
  const rows = flags.preference === true
    ? await store.samplePreferenceRows({ ...options, includeAutoMined: flags.autoMined })
    : await store.sampleRows(options);
  const out = new LineWriter(io.stdout);
  for (const row of rows) await out.line(JSON.stringify(row));
  await out.flush();
}

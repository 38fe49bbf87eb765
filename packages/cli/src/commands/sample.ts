import { Tokenizer } from "@huggingface/tokenizers";
import { type DrawOptions, type DrawReceipt, type ReplayStore, type Row, rowShape, rowTexts, toPromptCompletion } from "@replaykit/store";
import { type Command, InvalidArgumentError, Option } from "commander";
import { randomInt } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Context, integer, isoDate, lockTimeout, nonNegativeInteger, seconds, WAIT_FLAGS, WAIT_HELP } from "../context.js";
import { CliFailure, UsageError } from "../errors.js";
import { LineWriter, nowOf } from "../io.js";
import { openStore } from "../open-store.js";

/** The four row shapes a TRL trainer takes as is, in the order `--out` writes their files. */
const SHAPES = ["text", "messages", "prompt-completion", "preference"] as const;
type Shape = (typeof SHAPES)[number];

interface SampleFlags {
  k?: number;
  rows?: number;
  tokens?: number;
  tokenizer?: string;
  mix?: Record<string, number>;
  shape?: Shape;
  out?: string;
  receipt?: string;
  fromReceipt?: string;
  seed?: number;
  scheme: "recency" | "uniform";
  now?: Date;
  preference?: boolean;
  autoMined: boolean;
  recordExposure?: boolean;
  wait?: number;
}

/** `replaykit sample <store-dir> (--k N | --rows N | --tokens N) [--mix …] [--shape …] [--out DIR] [--receipt FILE] [--from-receipt FILE] …`. */
export function registerSample(program: Command, ctx: Context): void {
  program
    .command("sample")
    .description("draw sections (recency-weighted by default) and write their training rows: JSONL on stdout, or one file per row shape")
    .argument("<store-dir>", "the store directory")
    .option("-k, --k <n>", "budget in sections (k ≥ the store's size takes every section)", nonNegativeInteger)
    .option("--rows <n>", "budget in rows: sections in key order until their rows reach n (the last section's rows all come)", nonNegativeInteger)
    .option("--tokens <n>", "budget in tokens: sections in key order while their rows' tokens fit", nonNegativeInteger)
    .option("--tokenizer <file>", "with --tokens: count tokens with this Hugging Face tokenizer.json (default: UTF-8 bytes / 4)")
    .option("--mix <shares>", "shares of the budget by section type, e.g. prose=0.5,instruction=0.3,preference=0.2", mixShares)
    .addOption(new Option("--shape <shape>", "keep only rows of this shape (prompt-completion: made from instruction rows)").choices(SHAPES))
    .option("--out <dir>", "write DIR/text.jsonl, DIR/messages.jsonl, DIR/prompt-completion.jsonl, DIR/preference.jsonl (the non-empty ones) instead of stdout")
    .option("--receipt <file>", "write the draw's receipt (seed, options, store digest, picks) as JSON to this file")
    .option("--from-receipt <file>", "repeat the draw of a receipt: the same rows, byte for byte, while its picks are in the store")
    .option("--seed <s>", "an integer seed: the same seed and store give the same rows (default: random, reported on stderr)", integer)
    .addOption(new Option("--scheme <scheme>", "sampling weights").choices(["recency", "uniform"]).default("recency"))
    .option("--now <iso>", "the time ages are measured from, ISO 8601, no offset = UTC (default: now)", isoDate)
    .option("--preference", "draw among preference sections only (the same as --mix preference=1)")
    .option("--no-auto-mined", "leave out sections that were mined automatically")
    .option("--record-exposure", "count each picked section as replayed in the index (replay count + 1, last replay = --now); takes the store's lock")
    .option(WAIT_FLAGS, `with --record-exposure: ${WAIT_HELP}`, seconds)
    .addHelpText(
      "after",
      `
Rows are JSON objects, one a line, ready for Hugging Face datasets or TRL:
  prose        {"text": …, "_dlm_section_id": …}
  instruction  {"messages": [{"role": "user", …}, {"role": "assistant", …}], "_dlm_section_id": …}  (one per Q/A pair)
               with --shape prompt-completion: {"prompt": …, "completion": …, "_dlm_section_id": …}
  preference   {"prompt": …, "chosen": …, "rejected": …, "_dlm_section_id": …}  (one per triple)
Rows of different shapes must not share a file for datasets/TRL: use --out DIR (one file per
shape) or --shape. A type of --mix with too few sections gives all it has; the shortfall is
reported on stderr (and in the receipt), never refilled from other types.
Without --seed a random seed is used and printed on stderr as "seed: N", so the draw can be repeated.

Examples:
  $ replaykit sample ./replay --k 32 --seed 7 > replay-rows.jsonl
  $ replaykit sample ./replay --tokens 200000 --tokenizer tokenizer.json \\
      --mix prose=0.5,instruction=0.3,preference=0.2 --out replay/ --receipt replay/receipt.json
  $ replaykit sample ./replay --from-receipt replay/receipt.json --out replay-again/`,
    )
    .action(async (dir: string, flags: SampleFlags) => {
      await sample(ctx, dir, flags);
    });
}

async function sample(ctx: Context, dir: string, flags: SampleFlags): Promise<void> {
  const { io } = ctx;
  const budgets = (["k", "rows", "tokens"] as const).filter((b) => flags[b] !== undefined);
  if (flags.fromReceipt !== undefined) {
    const drawFlags = ["k", "rows", "tokens", "tokenizer", "mix", "seed", "now", "preference", "receipt", "recordExposure"] as const;
    const clash: string[] = drawFlags.filter((f) => flags[f] !== undefined).map((f) => (f === "recordExposure" ? "--record-exposure" : `--${f}`));
    if (flags.scheme !== "recency") clash.push("--scheme");
    if (!flags.autoMined) clash.push("--no-auto-mined");
    if (clash.length > 0) throw new UsageError(`--from-receipt repeats a recorded draw; it takes no ${clash.join(", ")}`);
  } else if (budgets.length !== 1) {
    throw new UsageError(`give exactly one of --k, --rows and --tokens (got ${budgets.length === 0 ? "none" : budgets.map((b) => `--${b}`).join(" and ")})`);
  }
  if (flags.tokenizer !== undefined && flags.tokens === undefined) throw new UsageError("--tokenizer counts tokens for --tokens; give --tokens N too");
  if (flags.preference === true && flags.mix !== undefined) throw new UsageError("--preference is --mix preference=1; give one of them");
  const store = await openStore(dir, { create: false, ...lockTimeout(flags.wait) });

  let rows: Row[];
  let budget = "sections";
  if (flags.fromReceipt !== undefined) {
    rows = (await store.redraw(await readReceipt(flags.fromReceipt))).rows;
  } else {
    const seed = flags.seed ?? randomInt(0, 2 ** 32);
    if (flags.seed === undefined) io.stderr.write(`seed: ${seed}\n`);
    const options: DrawOptions = { now: flags.now ?? nowOf(io), seed, scheme: flags.scheme, includeAutoMined: flags.autoMined };
    if (flags.k !== undefined) options.k = flags.k;
    if (flags.rows !== undefined) {
      options.rows = flags.rows;
      budget = "rows";
    }
    if (flags.tokens !== undefined) {
      options.maxTokens = flags.tokens;
      budget = "tokens";
      if (flags.tokenizer === undefined)
        io.stderr.write("tokens: estimated as UTF-8 bytes / 4 (give --tokenizer tokenizer.json to count with the model's tokenizer)\n");
      else options.countTokens = await tokenCounter(flags.tokenizer);
    }
    if (flags.mix !== undefined) options.mix = flags.mix;
    if (flags.preference === true) options.mix = { preference: 1 };
    if (flags.recordExposure === true) options.recordExposure = true;
    const drawn = await store.draw(options);
    rows = drawn.rows;
    for (const [type, short] of Object.entries(drawn.receipt.shortfall ?? {})) {
      io.stderr.write(`shortfall: ${type} is ${short} ${budget} short of its share (the store has too few ${type} sections); not refilled\n`);
    }
    if (flags.receipt !== undefined) await writeReceipt(flags.receipt, drawn.receipt, flags.tokenizer);
  }

  if (flags.shape !== undefined) rows = keepShape(rows, flags.shape, io.stderr);
  if (flags.out !== undefined) await writeByShape(flags.out, rows, io.stderr);
  else {
    const out = new LineWriter(io.stdout);
    for (const row of rows) await out.line(JSON.stringify(row));
    await out.flush();
  }
  if (rows.length === 0 && flags.fromReceipt === undefined) io.stderr.write(`no rows: ${await whyEmpty(store, flags)}\n`);
}

/** `prose=0.5,instruction=0.3` → `{ prose: 0.5, instruction: 0.3 }` (a commander value parser). */
function mixShares(value: string): Record<string, number> {
  const mix: Record<string, number> = {};
  for (const part of value.split(",")) {
    const match = /^\s*([a-z][a-z0-9_-]*)\s*=\s*([0-9]*\.?[0-9]+)\s*$/.exec(part);
    if (match === null)
      throw new InvalidArgumentError(`expected type=share pairs separated by commas (like prose=0.5,instruction=0.5), got ${JSON.stringify(part)}.`);
    if (match[1]! in mix) throw new InvalidArgumentError(`${match[1]} is given twice.`);
    mix[match[1]!] = Number(match[2]);
  }
  if (!Object.values(mix).some((share) => share > 0)) throw new InvalidArgumentError("some type needs a share > 0.");
  return mix;
}

/**
 * Counts a row's tokens with a Hugging Face tokenizer.json (read with `@huggingface/tokenizers`,
 * a pure-JS port): the tokens of each of the row's texts, without special tokens or a chat
 * template, so a trainer's count may be a few tokens a row higher.
 */
async function tokenCounter(file: string): Promise<(row: Row) => number> {
  let tokenizer: Tokenizer;
  try {
    const json: unknown = JSON.parse(await readFile(file, "utf8"));
    tokenizer = new Tokenizer(json as object, {});
    tokenizer.encode("replaykit", { add_special_tokens: false });
  } catch (error) {
    throw new UsageError(`--tokenizer ${file}: not a usable tokenizer.json (${(error as Error).message})`, { cause: error });
  }
  return (row) => {
    let n = 0;
    for (const text of rowTexts(row)) n += tokenizer.encode(text, { add_special_tokens: false }).ids.length;
    return n;
  };
}

async function readReceipt(file: string): Promise<DrawReceipt> {
  const text = await readFile(file, "utf8");
  try {
    return JSON.parse(text) as DrawReceipt;
  } catch (error) {
    throw new CliFailure(`receipt ${file} is not JSON: ${(error as Error).message}`, { cause: error, kind: "corrupt" });
  }
}

async function writeReceipt(file: string, receipt: DrawReceipt, tokenizer: string | undefined): Promise<void> {
  const recorded = tokenizer === undefined ? receipt : { ...receipt, options: { ...receipt.options, tokenizer } };
  await writeFile(file, `${JSON.stringify(recorded, null, 2)}\n`);
}

/** The rows of one shape (instruction rows turned into prompt-completion rows for that shape); the rest counted on stderr. */
function keepShape(rows: readonly Row[], shape: Shape, stderr: { write(text: string): unknown }): Row[] {
  const kept: Row[] = [];
  for (const row of rows) {
    const own = shapeOf(row);
    if (own === shape) kept.push(row);
    else if (shape === "prompt-completion" && own === "messages" && "messages" in row) kept.push(toPromptCompletion(row));
  }
  const left = rows.length - kept.length;
  if (left > 0) stderr.write(`--shape ${shape}: left out ${left} row${left === 1 ? "" : "s"} of other shapes (--mix picks the section types)\n`);
  return kept;
}

/**
 * Writes DIR/<shape>.jsonl for every shape that has rows, and removes the files of the
 * shapes that have none, so a trainer reading DIR never mixes in a file from an earlier run.
 */
async function writeByShape(dir: string, rows: readonly Row[], stderr: { write(text: string): unknown }): Promise<void> {
  const byShape = new Map<Shape, string[]>(SHAPES.map((s) => [s, []]));
  for (const row of rows) byShape.get(shapeOf(row))!.push(JSON.stringify(row));
  await mkdir(dir, { recursive: true });
  for (const [shape, lines] of byShape) {
    const path = join(dir, `${shape}.jsonl`);
    if (lines.length === 0) await rm(path, { force: true });
    else {
      await writeFile(path, `${lines.join("\n")}\n`);
      stderr.write(`wrote ${path} (${lines.length} row${lines.length === 1 ? "" : "s"})\n`);
    }
  }
}

function shapeOf(row: Row): Shape {
  try {
    return rowShape(row);
  } catch (error) {
    throw new CliFailure(`a row of ${row._dlm_section_id} is none of the four trainer shapes: ${(error as Error).message}`, { cause: error });
  }
}

/** Why a draw gave no rows, for the one line on stderr (exit 0: an empty draw is not an error). */
async function whyEmpty(store: ReplayStore, flags: SampleFlags): Promise<string> {
  if (flags.k === 0 || flags.rows === 0 || flags.tokens === 0) return "the budget is 0";
  const stats = await store.stats();
  if (stats.entries === 0) return "the store is empty";
  if (flags.preference === true) {
    const preference = stats.byType.preference ?? 0;
    if (preference === 0) return "the store holds no preference sections";
    if (!flags.autoMined) return "every preference section is auto-mined (--no-auto-mined leaves them out)";
  }
  if (flags.shape !== undefined) return `no drawn row has the shape ${flags.shape}`;
  if (flags.tokens !== undefined) return "the first section drawn does not fit in --tokens";
  return "the drawn sections expand to no rows (empty prose gives none)";
}

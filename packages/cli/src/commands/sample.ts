import { type DrawOptions, type DrawReceipt, type ReplayStore, type Row, rowShape, toPromptCompletion } from "@replaykit/store";
import { type Command, InvalidArgumentError, Option } from "commander";
import { randomInt } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { type Context, integer, isoDate, lockTimeout, nonNegativeInteger, positiveInteger, seconds, WAIT_FLAGS, WAIT_HELP } from "../context.js";
import { CliFailure, UsageError } from "../errors.js";
import { LineWriter, nowOf } from "../io.js";
import { isRemote, openStore } from "../open-store.js";
import { isObjectStorage, LOCATION_ARGUMENT_HELP, type LocationFlags } from "../location.js";
import { atPath, kindOf } from "../paths.js";
import { DEFAULT_ROW_BUDGET_MS, loadTokenCounter, type TokenCounter } from "../tokenizer.js";

/** The four row shapes a TRL trainer takes as is, in the order `--out` writes their files. */
const SHAPES = ["text", "messages", "prompt-completion", "preference"] as const;
type Shape = (typeof SHAPES)[number];

interface SampleFlags extends LocationFlags {
  k?: number;
  rows?: number;
  tokens?: number;
  tokenizer?: string;
  mix?: Record<string, number>;
  allowMissingTypes?: boolean;
  shape?: Shape;
  out?: string;
  receipt?: string;
  fromReceipt?: string;
  seed?: number;
  dlmSeed?: number | bigint;
  scheme: "recency" | "uniform";
  now?: Date;
  preference?: boolean;
  autoMined: boolean;
  recordExposure?: boolean;
  rank?: number;
  worldSize?: number;
  commit?: number;
  wait?: number;
}

/** `replaykit sample <store-dir> (--k N | --rows N | --tokens N) [--mix …] [--shape …] [--out DIR] [--receipt FILE] [--from-receipt FILE] …`. */
export function registerSample(program: Command, ctx: Context): void {
  program
    .command("sample")
    .description("draw sections (recency-weighted by default) and write their training rows: JSONL on stdout, or one file per row shape")
    .argument("<store-dir>", LOCATION_ARGUMENT_HELP)
    .option("-k, --k <n>", "budget in sections (k ≥ the store's size takes every section)", nonNegativeInteger)
    .option("--rows <n>", "budget in rows: sections in key order until their rows reach n (the last section's rows all come)", nonNegativeInteger)
    .option("--tokens <n>", "budget in tokens: sections in key order while their rows' tokens fit", nonNegativeInteger)
    .option("--tokenizer <file>", "with --tokens: count tokens with this Hugging Face tokenizer.json (default: UTF-8 bytes / 4)")
    .option("--mix <shares>", "shares of the budget by section type, e.g. prose=0.5,instruction=0.3,preference=0.2", mixShares)
    .option("--allow-missing-types", "with --mix: a type the store holds no section of is a shortfall (reported), not a usage error")
    .addOption(new Option("--shape <shape>", "keep only rows of this shape (prompt-completion: made from instruction rows)").choices(SHAPES))
    .option("--out <dir>", "write DIR/text.jsonl, DIR/messages.jsonl, DIR/prompt-completion.jsonl, DIR/preference.jsonl (the non-empty ones) instead of stdout")
    .option("--receipt <file>", "write the draw's receipt (seed, options, store digest, picks) as JSON to this file")
    .option("--from-receipt <file>", "repeat the draw of a receipt: the same rows, byte for byte, while its picks are in the store")
    .option("--seed <s>", "an integer seed: the same seed and store give the same rows (default: random, reported on stderr)", integer)
    .option(
      "--dlm-seed <n>",
      "draw exactly as dlm does: the rows dlm's sample_rows gives for random.Random(n) (n any integer; with --k, and --preference for sample_preference_rows)",
      dlmSeed,
    )
    .addOption(new Option("--scheme <scheme>", "sampling weights").choices(["recency", "uniform"]).default("recency"))
    .option("--now <iso>", "the time ages are measured from, ISO 8601, no offset = UTC (default: now)", isoDate)
    .option("--preference", "draw among preference sections only (the same as --mix preference=1)")
    .option("--no-auto-mined", "leave out sections that were mined automatically")
    .option("--record-exposure", "count each picked section as replayed in the index (replay count + 1, last replay = --now); takes the store's lock")
    .option(
      "--rank <r>",
      "data-parallel draws: this rank's part (0 … world size − 1) of the draw every rank computes; needs --world-size, --seed and --now",
      nonNegativeInteger,
    )
    .option("--world-size <w>", "data-parallel draws: the number of ranks; the parts of ranks 0 … w−1, in order, are the unsharded draw", nonNegativeInteger)
    .option(
      "--commit <n>",
      "s3:// only: draw from this commit of the store (default: the latest; `replaykit stats --json` gives it), the same on every rank",
      positiveInteger,
    )
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
reported on stderr (and in the receipt), never refilled from other types. A type of --mix the
store holds no section of (a misspelling?) is a usage error naming the types the store holds,
unless --allow-missing-types.
With --rank R --world-size W (and the same --seed and --now on every rank), each rank writes
its own contiguous part of the one draw: the parts of ranks 0 … W−1 in order are the rows
the unsharded command prints, and their sizes differ by at most one section. With --k a
rank reads only its part's frames. The receipt records the shard.
A store in object storage (s3://bucket/prefix) is read at one commit, printed on stderr as
"commit: N" and recorded in the receipt; --from-receipt reads that commit again, so the rows
repeat after later writes. Every rank must draw from the same commit: give them all
--commit N (\`replaykit stats s3://… --json\` prints the latest), or compare the lines.
Without --seed a random seed is used and printed on stderr as "seed: N", so the draw can be
repeated; --seed N gives the rows of @replaykit/store's draw({ seed: N }) (and, with --k,
of sampleRows({ k, seed: N })) on the same store.
--out DIR is created if missing; --receipt is written after the rows (with --out) or before
them (stdout), in one piece (a temporary file renamed), so it never describes a draw half written.
A tokenizer is bounded in time: a pattern that nests quantifiers is refused, and a row whose
tokens take longer than 10 s (plus 10 ms per KiB of text; REPLAYKIT_TOKENIZER_TIMEOUT_MS sets
the 10 s) to count stops the command.
--dlm-seed N draws what a dlm pipeline draws with random.Random(N) (dlm seeds it with
run_seed + adapter_version): the same sections in the same order, on the same store.

Examples:
  $ replaykit sample ./replay --k 32 --seed 7 > replay-rows.jsonl
  $ replaykit sample ./replay --tokens 200000 --tokenizer tokenizer.json \\
      --mix prose=0.5,instruction=0.3,preference=0.2 --out replay/ --receipt replay/receipt.json
  $ replaykit sample ./replay --from-receipt replay/receipt.json --out replay-again/
  $ replaykit sample ./replay --k 32 --dlm-seed 45 --now 2026-04-18T00:00:00 > as-dlm.jsonl
  $ replaykit sample s3://corpus/replay --endpoint http://127.0.0.1:7480 --k 32 --seed 7 \\
      --now 2026-06-01T00:00:00 --commit 12 --rank 0 --world-size 8 --receipt rank-0.json > rank-0.jsonl`,
    )
    .action(async (dir: string, flags: SampleFlags) => {
      await sample(ctx, dir, flags);
    });
}

async function sample(ctx: Context, dir: string, flags: SampleFlags): Promise<void> {
  const { io } = ctx;
  const budgets = (["k", "rows", "tokens"] as const).filter((b) => flags[b] !== undefined);
  if (flags.dlmSeed !== undefined) checkDlmFlags(flags);
  if (flags.fromReceipt !== undefined) {
    const drawFlags = ["k", "rows", "tokens", "tokenizer", "mix", "seed", "now", "preference", "receipt", "recordExposure", "commit"] as const;
    const clash: string[] = drawFlags.filter((f) => flags[f] !== undefined).map((f) => (f === "recordExposure" ? "--record-exposure" : `--${f}`));
    if (flags.scheme !== "recency") clash.push("--scheme");
    if (!flags.autoMined) clash.push("--no-auto-mined");
    if (clash.length > 0) throw new UsageError(`--from-receipt repeats a recorded draw; it takes no ${clash.join(", ")}`);
  } else if (budgets.length !== 1) {
    throw new UsageError(`give exactly one of --k, --rows and --tokens (got ${budgets.length === 0 ? "none" : budgets.map((b) => `--${b}`).join(" and ")})`);
  }
  if (flags.tokenizer !== undefined && flags.tokens === undefined) throw new UsageError("--tokenizer counts tokens for --tokens; give --tokens N too");
  if (flags.preference === true && flags.mix !== undefined) throw new UsageError("--preference is --mix preference=1; give one of them");
  if (flags.allowMissingTypes === true && flags.mix === undefined) throw new UsageError("--allow-missing-types works with --mix; give --mix too");
  if ((flags.rank === undefined) !== (flags.worldSize === undefined)) throw new UsageError("--rank R and --world-size W go together");
  if (flags.rank !== undefined && flags.worldSize !== undefined) {
    if (flags.worldSize < 1 || flags.rank >= flags.worldSize)
      throw new UsageError(`--rank must be below --world-size (got --rank ${flags.rank} --world-size ${flags.worldSize})`);
    // Every rank must compute the same draw: the same seed and the same time.
    const missing = [flags.seed === undefined ? "--seed" : "", flags.now === undefined ? "--now" : ""].filter((f) => f !== "");
    if (missing.length > 0 && flags.fromReceipt === undefined)
      throw new UsageError(`--rank needs ${missing.join(" and ")}: every rank must compute the same draw`);
    if (flags.fromReceipt !== undefined) throw new UsageError("--from-receipt repeats a recorded part; it takes no --rank or --world-size");
  }
  if (flags.commit !== undefined) {
    if (!isObjectStorage(dir)) throw new UsageError("--commit is for a store in object storage (s3://bucket/prefix); a directory is read as it is now");
    if (flags.recordExposure === true) throw new UsageError("--commit reads an earlier commit, and --record-exposure writes a new one: give one of them");
  }
  const rowBudgetMs = tokenizerBudget(io.env);
  const store = await openStore(ctx, dir, flags, {
    create: false,
    ...lockTimeout(flags.wait),
    ...(flags.commit === undefined ? {} : { commit: flags.commit }),
  });
  if (flags.mix !== undefined && flags.allowMissingTypes !== true) await refuseMissingTypes(store, flags.mix);
  // Every output path is checked (and --out created) before the draw: a draw that records
  // exposure must not fail after its commit because of a typo in a path.
  if (flags.out !== undefined) await prepareOut(flags.out);
  if (flags.receipt !== undefined) await checkReceiptPath(flags.receipt);

  let rows: Row[];
  let receipt: DrawReceipt | DlmReceipt | undefined;
  let budget = "sections";
  if (flags.fromReceipt !== undefined) {
    const recorded = await readReceipt(flags.fromReceipt);
    rows = isDlmReceipt(recorded) ? await redrawAsDlm(store, recorded, flags.fromReceipt) : (await store.redraw(recorded)).rows;
    // In object storage a redraw reads the commit the receipt names (the store pins it).
    if (isRemote(store) && !isDlmReceipt(recorded)) {
      const commit = receiptCommit(recorded);
      io.stderr.write(commit === undefined ? `commit: ${store.commit} (the receipt names none: the latest)\n` : `commit: ${commit} (the receipt's)\n`);
    }
  } else if (flags.dlmSeed !== undefined) {
    ({ rows, receipt } = await drawAsDlm(store, flags, flags.dlmSeed, flags.now ?? nowOf(io)));
  } else {
    const seed = flags.seed ?? randomInt(0, 2 ** 32);
    if (flags.seed === undefined) io.stderr.write(`seed: ${seed}\n`);
    const options: DrawOptions = { now: flags.now ?? nowOf(io), seed, scheme: flags.scheme, includeAutoMined: flags.autoMined };
    if (flags.k !== undefined) options.k = flags.k;
    if (flags.rows !== undefined) {
      options.rows = flags.rows;
      budget = "rows";
    }
    let counter: TokenCounter | undefined;
    if (flags.tokens !== undefined) {
      options.maxTokens = flags.tokens;
      budget = "tokens";
      if (flags.tokenizer === undefined)
        io.stderr.write("tokens: estimated as UTF-8 bytes / 4 (give --tokenizer tokenizer.json to count with the model's tokenizer)\n");
      else {
        counter = await loadTokenCounter(flags.tokenizer, rowBudgetMs);
        options.countTokens = counter.count;
      }
    }
    if (flags.mix !== undefined) options.mix = flags.mix;
    if (flags.preference === true) options.mix = { preference: 1 };
    if (flags.recordExposure === true) options.recordExposure = true;
    if (flags.rank !== undefined && flags.worldSize !== undefined) options.shard = { rank: flags.rank, worldSize: flags.worldSize };
    let drawn: Awaited<ReturnType<ReplayStore["draw"]>>;
    try {
      drawn = await store.draw(options);
    } finally {
      await counter?.close();
    }
    rows = drawn.rows;
    receipt = drawn.receipt;
    // Every rank of a data-parallel job must draw from the same commit: say which (the receipt records it too).
    if (isRemote(store)) io.stderr.write(`commit: ${receiptCommit(drawn.receipt) ?? store.commit}\n`);
    for (const [type, short] of Object.entries(drawn.receipt.shortfall ?? {})) {
      io.stderr.write(`shortfall: ${type} is ${short} ${budget} short of its share (the store has too few ${type} sections); not refilled\n`);
    }
  }

  if (flags.shape !== undefined) rows = keepShape(rows, flags.shape, io.stderr);
  if (flags.out !== undefined) {
    await writeByShape(flags.out, rows, io.stderr);
    // After the files it describes, so a receipt is never left beside rows that were not written.
    if (flags.receipt !== undefined && receipt !== undefined) await writeReceipt(flags.receipt, receipt, flags.tokenizer);
  } else {
    // Before the rows: a reader that stops early (`| head`) ends the command at once, and
    // the draw (and any exposure it recorded) must still have its receipt.
    if (flags.receipt !== undefined && receipt !== undefined) await writeReceipt(flags.receipt, receipt, flags.tokenizer);
    const out = new LineWriter(io.stdout);
    for (const row of rows) await out.line(JSON.stringify(row));
    await out.flush();
  }
  if (rows.length === 0 && flags.fromReceipt === undefined) io.stderr.write(`no rows: ${await whyEmpty(store, flags)}\n`);
}

/** The commit a receipt names (`store.commit`), when it names one. */
function receiptCommit(receipt: unknown): number | undefined {
  const commit = (receipt as { store?: { commit?: unknown } } | null)?.store?.commit;
  return typeof commit === "number" && Number.isSafeInteger(commit) && commit > 0 ? commit : undefined;
}

/** `prose=0.5,instruction=0.3` → `{ prose: 0.5, instruction: 0.3 }` (a commander value parser). */
function mixShares(value: string): Record<string, number> {
  const mix: Record<string, number> = {};
  for (const part of value.split(",")) {
    const match = /^\s*([a-z][a-z0-9_-]*)\s*=\s*([0-9]*\.?[0-9]+)\s*$/.exec(part);
    if (match === null)
      throw new InvalidArgumentError(`expected type=share pairs separated by commas (like prose=0.5,instruction=0.5), got ${JSON.stringify(part)}.`);
    // Own keys only: a type may be called `constructor`.
    if (Object.hasOwn(mix, match[1]!)) throw new InvalidArgumentError(`${match[1]} is given twice.`);
    mix[match[1]!] = Number(match[2]);
  }
  if (!Object.values(mix).some((share) => share > 0)) throw new InvalidArgumentError("some type needs a share > 0.");
  return mix;
}

/**
 * The types of `mix` (with a share > 0) the store holds no section of: a usage error naming
 * them and the types it holds (a misspelt type would otherwise quietly halve the draw).
 */
async function refuseMissingTypes(store: ReplayStore, mix: Readonly<Record<string, number>>): Promise<void> {
  const { byType } = await store.stats();
  const held = (type: string) => Object.hasOwn(byType, type) && byType[type]! > 0;
  const missing = Object.entries(mix)
    .filter(([type, share]) => share > 0 && !held(type))
    .map(([type]) => type);
  if (missing.length === 0) return;
  const holds = Object.entries(byType)
    .filter(([, n]) => n > 0)
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
    .map(([type, n]) => `${type} (${n.toLocaleString("en-US")})`);
  throw new UsageError(
    `--mix: the store holds no ${missing.join(" or ")} section${missing.length === 1 ? "" : "s"}; it holds ${holds.length === 0 ? "no sections at all" : holds.join(", ")} (give --allow-missing-types to draw the other types' shares anyway)`,
  );
}

/** The per-row base budget of a tokenizer: REPLAYKIT_TOKENIZER_TIMEOUT_MS, or the default. */
function tokenizerBudget(env: Readonly<Record<string, string | undefined>>): number {
  const text = env.REPLAYKIT_TOKENIZER_TIMEOUT_MS;
  if (text === undefined || text === "") return DEFAULT_ROW_BUDGET_MS;
  const ms = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(ms) || ms <= 0) {
    throw new UsageError(`REPLAYKIT_TOKENIZER_TIMEOUT_MS must be a positive whole number of milliseconds, got ${JSON.stringify(text)}`);
  }
  return ms;
}

/** Creates the --out directory (a file there is a usage error: --out takes a directory). */
async function prepareOut(dir: string): Promise<void> {
  if ((await kindOf(dir)) === "file") throw new UsageError(`--out ${dir} is a file; --out takes a directory (it gets text.jsonl, messages.jsonl, …)`);
  await atPath("--out", dir, "create the directory", () => mkdir(dir, { recursive: true }));
}

/** Checks that the receipt can be written where it is asked for (after --out is created). */
async function checkReceiptPath(file: string): Promise<void> {
  if ((await kindOf(file)) === "directory") throw new UsageError(`--receipt ${file} is a directory; --receipt takes a file name`);
  const parent = dirname(file);
  const kind = await kindOf(parent);
  if (kind === "file") throw new UsageError(`--receipt ${file}: ${parent} is a file, not a directory`);
  if (kind === "missing") throw new CliFailure(`--receipt ${file}: cannot write: the directory ${parent} does not exist`);
}

/** `--dlm-seed`: an integer of any size (a bigint beyond 2^53 − 1; a number otherwise). */
function dlmSeed(value: string): number | bigint {
  const text = value.trim();
  if (!/^[+-]?\d+$/.test(text)) throw new InvalidArgumentError("must be an integer.");
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

/** The options a dlm draw cannot take, each with why. */
function checkDlmFlags(flags: SampleFlags): void {
  const clash: string[] = [];
  if (flags.seed !== undefined) clash.push("--seed (dlm's draw is seeded by --dlm-seed alone)");
  if (flags.fromReceipt !== undefined) clash.push("--from-receipt (the receipt says how to draw)");
  if (flags.rows !== undefined) clash.push("--rows");
  if (flags.tokens !== undefined) clash.push("--tokens");
  if (flags.tokenizer !== undefined) clash.push("--tokenizer");
  if (flags.mix !== undefined) clash.push("--mix");
  if (flags.recordExposure === true) clash.push("--record-exposure");
  if (flags.preference !== true && !flags.autoMined) clash.push("--no-auto-mined without --preference");
  if (clash.length > 0) {
    throw new UsageError(
      `--dlm-seed draws as dlm's sample_rows (--k N) or sample_preference_rows (--k N --preference [--no-auto-mined]) do; dlm's draw has no equivalent of ${clash.join(", ")}`,
    );
  }
  if (flags.k === undefined) throw new UsageError("--dlm-seed draws k sections as dlm's sample_rows does: give --k N");
}

/** What a receipt of a `--dlm-seed` draw records: dlm's arguments and the store's state when drawn. */
interface DlmReceipt {
  version: 1;
  /** The integer given to random.Random, in decimal (it may pass 2^53). */
  dlmSeed: string;
  now: string;
  scheme: "recency" | "uniform";
  options: { k: number; preference: boolean; includeAutoMined: boolean };
  /** The live entries' count and digest, as every receipt records them: dlm's draw depends on each entry. */
  store: { digest: string; entries: number };
}

function isDlmReceipt(receipt: unknown): receipt is DlmReceipt {
  return typeof receipt === "object" && receipt !== null && "dlmSeed" in receipt;
}

/** The digest and entry count a receipt records for this store now (a draw of no sections reads no frames). */
async function storeState(store: ReplayStore): Promise<{ digest: string; entries: number }> {
  const { digest, entries } = (await store.draw({ k: 0, now: new Date(0), seed: 0 })).receipt.store;
  return { digest, entries };
}

/**
 * dlm's draw: sample_rows (or sample_preference_rows) for random.Random(seed). With
 * --receipt, also its receipt: dlm's arguments and the store's state, read before and after
 * the draw so a receipt never describes a store that changed under the draw.
 */
async function drawAsDlm(store: ReplayStore, flags: SampleFlags, seed: number | bigint, now: Date): Promise<{ rows: Row[]; receipt?: DlmReceipt }> {
  const k = flags.k as number;
  const includeAutoMined = flags.autoMined;
  const draw = () =>
    flags.preference === true
      ? store.samplePreferenceRows({ k, now, dlmSeed: seed, scheme: flags.scheme, includeAutoMined })
      : store.sampleRows({ k, now, dlmSeed: seed, scheme: flags.scheme });
  if (flags.receipt === undefined) return { rows: await draw() };
  const before = await storeState(store);
  const rows = await draw();
  const after = await storeState(store);
  if (after.digest !== before.digest) throw new CliFailure("the store changed during the draw (another writer committed); run it again");
  const receipt: DlmReceipt = {
    version: 1,
    dlmSeed: String(seed),
    now: now.toISOString(),
    scheme: flags.scheme,
    options: { k, preference: flags.preference === true, includeAutoMined },
    store: before,
  };
  return { rows, receipt };
}

/**
 * Repeats a `--dlm-seed` draw from its receipt. dlm draws one random number per entry in id
 * order, so any change to the store changes the draw: a store whose digest differs from the
 * receipt's is refused rather than drawn differently.
 */
async function redrawAsDlm(store: ReplayStore, receipt: DlmReceipt, file: string): Promise<Row[]> {
  const bad = (field: string, why: string) => new CliFailure(`receipt ${file}: ${field} ${why}`);
  if (receipt.version !== 1) throw bad("version", `must be 1, got ${JSON.stringify(receipt.version)}`);
  if (typeof receipt.dlmSeed !== "string" || !/^-?\d+$/.test(receipt.dlmSeed)) throw bad("dlmSeed", "must be an integer in decimal text");
  const now = new Date(receipt.now);
  if (typeof receipt.now !== "string" || Number.isNaN(now.getTime())) throw bad("now", "must be an ISO 8601 date");
  if (receipt.scheme !== "recency" && receipt.scheme !== "uniform") throw bad("scheme", 'must be "recency" or "uniform"');
  const o = receipt.options;
  if (
    typeof o !== "object" ||
    o === null ||
    !Number.isSafeInteger(o.k) ||
    o.k < 0 ||
    typeof o.preference !== "boolean" ||
    typeof o.includeAutoMined !== "boolean"
  ) {
    throw bad("options", "must be { k, preference, includeAutoMined }");
  }
  if (typeof receipt.store?.digest !== "string") throw bad("store.digest", "must be a string");
  const state = await storeState(store);
  if (state.digest !== receipt.store.digest) {
    throw new CliFailure(
      `receipt ${file}: the store changed since this --dlm-seed draw (${receipt.store.entries} entries then, ${state.entries} now, or other changes): dlm's draw takes one random number per entry in id order, so it cannot be repeated on a changed store`,
    );
  }
  const flags: SampleFlags = { k: o.k, scheme: receipt.scheme, preference: o.preference, autoMined: o.includeAutoMined };
  return (await drawAsDlm(store, flags, dlmSeed(receipt.dlmSeed), now)).rows;
}

async function readReceipt(file: string): Promise<DrawReceipt> {
  const text = await atPath("--from-receipt", file, "read", () => readFile(file, "utf8"));
  try {
    return JSON.parse(text) as DrawReceipt;
  } catch (error) {
    throw new CliFailure(`--from-receipt ${file} is not JSON: ${(error as Error).message}`, { cause: error, kind: "corrupt" });
  }
}

/** Writes the receipt in one piece: a temporary file beside it, renamed over it. */
async function writeReceipt(file: string, receipt: DrawReceipt | DlmReceipt, tokenizer: string | undefined): Promise<void> {
  const recorded = tokenizer === undefined ? receipt : { ...receipt, options: { ...receipt.options, tokenizer } };
  const temporary = `${file}.${process.pid}.tmp`;
  await atPath("--receipt", file, "write", async () => {
    try {
      await writeFile(temporary, `${JSON.stringify(recorded, null, 2)}\n`);
      await rename(temporary, file);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  });
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
  for (const [shape, lines] of byShape) {
    const path = join(dir, `${shape}.jsonl`);
    if (lines.length === 0) await atPath("--out", dir, `remove ${path}`, () => rm(path, { force: true }));
    else {
      await atPath("--out", dir, `write ${path}`, () => writeFile(path, `${lines.join("\n")}\n`));
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

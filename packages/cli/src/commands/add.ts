import { bodyProblems, defaultExpanders, SectionParseError, UnknownSectionTypeError, type IngestResult, type SectionSnapshot } from "@replaykit/store";
import type { Command } from "commander";
import { stat, writeFile } from "node:fs/promises";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { lockTimeout, plural, seconds, WAIT_FLAGS, WAIT_HELP, type Context } from "../context.js";
import { toWholeSeconds } from "../dates.js";
import { CliFailure, isSystemError, oneLine, UsageError } from "../errors.js";
import { nowOf, write } from "../io.js";
import { openInput, readLines } from "../jsonl.js";
import { corpusBytes, openStore, storeDirError } from "../open-store.js";
import { isObjectStorage, LOCATION_ARGUMENT_HELP, type LocationFlags } from "../location.js";
import { reasonOf, refuseFileAsStoreDir } from "../paths.js";
import { startActivity, startBar, type Progress } from "../progress.js";
import { parseSectionLine, SectionLineError } from "../section-json.js";
import { formatBytes } from "../size.js";

/** Bad lines printed in full; the rest are counted. */
export const SHOWN_BAD_LINES = 20;

/** When this many first lines are all not JSON, the input is not JSONL at all (a binary, a CSV): one line, no per-line report. */
export const NOT_JSONL_AFTER = 5;

interface AddFlags extends LocationFlags {
  skipInvalid?: boolean;
  rejects?: string;
  supersede?: boolean;
  keepDuplicates?: boolean;
  wait?: number;
}

/** `replaykit add <store-dir> <file | -> [--skip-invalid [--rejects FILE]] [--supersede | --keep-duplicates] [--wait S]`. */
export function registerAdd(program: Command, ctx: Context): void {
  program
    .command("add")
    .description("ingest sections from JSONL (a file, or - for stdin); every line is checked before anything is written")
    .argument("<store-dir>", `${LOCATION_ARGUMENT_HELP} (created if missing)`)
    .argument("<file>", "JSONL file of sections, or - to read stdin")
    .option("--skip-invalid", "add the good lines even when some are bad (the bad ones are reported, and written to --rejects)")
    .option("--rejects <file>", "with --skip-invalid: write the bad lines, as they were, to this file")
    .option("--supersede", "a newer snapshot of a section replaces the store's older entries of that section")
    .option("--keep-duplicates", "write every line even when the store already holds the same section and last_seen_at (dlm's behaviour)")
    .option(WAIT_FLAGS, WAIT_HELP, seconds)
    .addHelpText(
      "after",
      `
One JSON object a line. Keys:
  section_type        required: prose, instruction, preference (or any /^[a-z][a-z0-9_-]*$/)
  content             required: the section's text
  section_id          16 lowercase hex characters (default: a hash of type and content)
  auto_mined          true or false (default false)
  last_seen_at        ISO 8601, whole seconds; no offset means UTC (default: now)
  first_seen_at       ISO 8601, whole seconds (default: last_seen_at)
  training_runs_seen  array of non-negative integers (default [])
Blank lines are skipped. Every line is checked first: the JSON, each key, and the body
against its type's grammar (an instruction needs "### Q" / "### A" blocks, a preference
"### Prompt" / "### Chosen" / "### Rejected"), so nothing enters the store that sampling
would later reject. Every bad line is reported (the first ${SHOWN_BAD_LINES} in full, then a count)
and, without --skip-invalid, nothing is added.

Duplicates: a line equal to a section already in the store (same section id and
last_seen_at) is skipped and counted, so adding the same file twice changes nothing (dlm
stores keep dlm's behaviour, as --keep-duplicates). All sections go in with one commit: an
interrupted run adds nothing, and re-running it is safe. The counts go to stderr; stdout
stays empty.

Examples:
  $ echo '{"section_type":"prose","content":"Water boils at 100 °C at sea level."}' | replaykit add ./replay -
  added 1 section to ./replay (0.15 KiB corpus)
  $ replaykit add ./replay day-12.jsonl --skip-invalid --rejects day-12.rejects.jsonl`,
    )
    .action(async (dir: string, file: string, flags: AddFlags) => {
      await add(ctx, dir, file, flags);
    });
}

/** A bad input line: its number, its text (when it had one) and what is wrong. */
interface BadLine {
  lineNumber: number;
  text: string | undefined;
  message: string;
}

async function add(ctx: Context, dir: string, file: string, flags: AddFlags): Promise<void> {
  const { io } = ctx;
  if (flags.rejects !== undefined && flags.skipInvalid !== true)
    throw new UsageError("--rejects works with --skip-invalid only (without it nothing is added when a line is bad)");
  if (flags.supersede === true && flags.keepDuplicates === true) throw new UsageError("--supersede and --keep-duplicates contradict each other: choose one");
  // Before reading the input: `add file.jsonl ./store` must not read the store's directory as JSONL.
  if (!isObjectStorage(dir)) await refuseFileAsStoreDir(dir, { command: "add", second: file });
  const name = file === "-" ? "stdin" : file;
  const now = toWholeSeconds(nowOf(io));
  const totalBytes = file === "-" ? undefined : await inputSize(file);
  if (file === "-" && (io.stdin as { isTTY?: boolean }).isTTY === true) {
    io.stderr.write("reading sections from the terminal: one JSON object a line, Ctrl-D to finish\n");
  }

  // 1. Read and check every line.
  const snapshots: SectionSnapshot[] = [];
  const lineOf: number[] = [];
  const textOf: Array<string | undefined> = [];
  const bad: BadLine[] = [];
  let bytesRead = 0;
  // The leading lines that are not JSON, while no line so far was.
  const notJson: BadLine[] = [];
  let sawJson = false;
  const reading = totalBytes === undefined ? startActivity(io.stderr, `reading ${name}`) : startBar(io.stderr, "reading   ", totalBytes, "bytes");
  try {
    for await (const line of readLines(openInput(file, io.stdin), (b) => (bytesRead = b))) {
      reading.update(bytesRead);
      if (line.problem !== undefined) {
        const b = { lineNumber: line.lineNumber, text: undefined, message: `line ${line.lineNumber}: ${line.problem}` };
        bad.push(b);
        // A line too long to keep may well be JSON; bad UTF-8 cannot be.
        if (!sawJson && line.problem.startsWith("not valid UTF-8")) notJson.push({ ...b, message: line.problem });
      } else if (line.text.trim() !== "") {
        try {
          snapshots.push(parseSectionLine(line.text, line.lineNumber, now));
          lineOf.push(line.lineNumber);
          // Kept only to write bad bodies to --rejects; otherwise not held twice.
          textOf.push(flags.rejects === undefined ? undefined : line.text);
          sawJson = true;
        } catch (error) {
          if (!(error instanceof SectionLineError)) throw error;
          bad.push({ lineNumber: line.lineNumber, text: line.text, message: error.message });
          if (!error.notJson) sawJson = true;
          else if (!sawJson) notJson.push({ lineNumber: line.lineNumber, text: undefined, message: error.problems[0]!.problem });
        }
      }
      if (!sawJson && notJson.length >= NOT_JSONL_AFTER) throw notJsonl(name, notJson);
    }
  } catch (error) {
    throw inputError(error, name);
  } finally {
    reading.stop();
  }

  // 2. Check every body against its type's grammar, as the store would.
  const badBodies = new Set<number>();
  const validating = startBar(io.stderr, "validating", snapshots.length, "sections");
  try {
    const SLICE = 5000;
    for (let i = 0; i < snapshots.length; i += SLICE) {
      for (const p of bodyProblems(snapshots.slice(i, i + SLICE), defaultExpanders)) {
        const at = i + p.index;
        badBodies.add(at);
        bad.push({ lineNumber: lineOf[at]!, text: textOf[at], message: `line ${lineOf[at]}: ${bodyMessage(p.error)}` });
      }
      validating.update(Math.min(i + SLICE, snapshots.length));
      await yieldToLoop(); // lets the bar draw
    }
  } finally {
    validating.stop();
  }
  bad.sort((a, b) => a.lineNumber - b.lineNumber);
  const good = badBodies.size === 0 ? snapshots : snapshots.filter((_, i) => !badBodies.has(i));

  // 3. Report bad lines: all of them count, the first few are shown.
  if (bad.length > 0) {
    const shown = bad.slice(0, SHOWN_BAD_LINES).map((b) => `${name} ${oneLine(b.message)}\n`);
    if (bad.length > SHOWN_BAD_LINES)
      shown.push(`… and ${plural(bad.length - SHOWN_BAD_LINES, "more bad line")} (${bad.length.toLocaleString("en-US")} in all)\n`);
    await write(io.stderr, shown.join(""));
    if (flags.skipInvalid !== true) {
      const hint = good.length > 0 ? ` (--skip-invalid adds the ${plural(good.length, "good one")})` : "";
      throw new CliFailure(`${plural(bad.length, "bad line")} in ${name}; nothing was added${hint}`);
    }
    if (flags.rejects !== undefined) await writeRejects(flags.rejects, bad);
  }
  if (good.length === 0) {
    io.stderr.write(bad.length > 0 ? `nothing to add: every line of ${name} is bad\n` : `nothing to add: ${name} has no sections\n`);
    return;
  }

  // 4. Write: one ingest call, so one commit (all or nothing). Compressing is the long part,
  // and the store reports it; the commit after it gets a clock.
  const store = await openStore(ctx, dir, flags, { create: true, ...lockTimeout(flags.wait) });
  const onDuplicate = flags.supersede === true ? "supersede" : flags.keepDuplicates === true ? "keep" : undefined;
  let compressing: Progress | undefined;
  let committing: Progress | undefined;
  let result: IngestResult;
  try {
    result = await store.ingest(good, {
      // Bodies were checked above with the same expanders the store uses.
      validate: false,
      ...(onDuplicate === undefined ? {} : { onDuplicate }),
      onProgress: (done, total) => {
        compressing ??= startBar(io.stderr, "compressing", total, "sections");
        compressing.update(done);
        if (done >= total && committing === undefined) {
          compressing.stop();
          committing = startActivity(io.stderr, "committing");
        }
      },
    });
  } catch (error) {
    // The directory is made on the first write: a file in its path shows here.
    throw storeDirError(dir, error);
  } finally {
    compressing?.stop();
    committing?.stop();
  }
  const added = result.added.length;
  const skipped = result.skipped.length;
  const superseded = result.superseded.length;
  const parts = [`added ${plural(added, "section")} to ${dir} (${formatBytes(await corpusBytes(store))} corpus)`];
  if (skipped > 0) parts.push(`skipped ${plural(skipped, "line")} already in the store (same section id and last_seen_at)`);
  if (superseded > 0) parts.push(`${plural(superseded, "older entry", "older entries")} superseded`);
  if (bad.length > 0) parts.push(`skipped ${plural(bad.length, "bad line")}${flags.rejects === undefined ? "" : ` (written to ${flags.rejects})`}`);
  io.stderr.write(`${parts.join("; ")}\n`);
}

/** `data.csv: not JSONL: line 1 is not JSON (…), nor are lines 2–5; nothing was added`. */
function notJsonl(name: string, lines: readonly BadLine[]): CliFailure {
  const [first, ...rest] = lines;
  const why = first!.message.replace(/^not valid JSON \((.*)\)$/, "$1");
  const others = rest.length === 0 ? "" : `, nor ${rest.length === 1 ? "is line" : "are lines"} ${rest.map((b) => b.lineNumber).join(", ")}`;
  return new CliFailure(`${name}: not JSONL: line ${first!.lineNumber} is not JSON (${why})${others}; nothing was added`);
}

/** The message for a body its expander rejects: the parser's line within the body and its reason. */
function bodyMessage(error: Error): string {
  if (SectionParseError.isInstance(error)) return `content: body line ${error.sectionLine}: ${error.reason}`;
  if (UnknownSectionTypeError.isInstance(error)) {
    return `section_type: ${JSON.stringify(error.sectionType)} has no row expander, so it could never be sampled (the replaykit command takes prose, instruction and preference)`;
  }
  return `content: ${error.message}`;
}

/** The bad lines as they were (lines that were not text cannot be written back, and are not). */
async function writeRejects(path: string, bad: readonly BadLine[]): Promise<void> {
  const text = bad
    .filter((b) => b.text !== undefined)
    .map((b) => `${b.text}\n`)
    .join("");
  try {
    await writeFile(path, text);
  } catch (error) {
    throw new CliFailure(`--rejects ${path}: cannot write: ${reasonOf(error)}; nothing was added`, { cause: error });
  }
}

async function inputSize(path: string): Promise<number | undefined> {
  try {
    const s = await stat(path);
    return s.isFile() ? s.size : undefined;
  } catch (error) {
    throw inputError(error, path);
  }
}

/** A read failure of the input file as one clear line (exit code 1): `<file> day-12.jsonl: cannot read: no such file or directory (ENOENT)`. */
function inputError(error: unknown, name: string): unknown {
  if (!isSystemError(error)) return error;
  return new CliFailure(`<file> ${name}: cannot read: ${reasonOf(error)}`, { cause: error });
}

import type { SectionSnapshot } from "@replaykit/store";
import type { Command } from "commander";
import { stat } from "node:fs/promises";
import { plural, type Context } from "../context.js";
import { toWholeSeconds } from "../dates.js";
import { CliFailure, isSystemError } from "../errors.js";
import { nowOf } from "../io.js";
import { openInput, readLines } from "../jsonl.js";
import { openStore } from "../open-store.js";
import { PROGRESS_THRESHOLD, startActivity, startBar, type Progress } from "../progress.js";
import { parseSectionLine, SectionLineError } from "../section-json.js";
import { formatBytes } from "../size.js";

/** `replaykit add <store-dir> <file.jsonl | ->`. */
export function registerAdd(program: Command, ctx: Context): void {
  program
    .command("add")
    .description("ingest sections from JSONL (a file, or - for stdin); every line is checked before anything is written")
    .argument("<store-dir>", "the store directory (created if missing)")
    .argument("<file>", "JSONL file of sections, or - to read stdin")
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
Blank lines are skipped. A bad line (invalid JSON, an unknown key, a bad value) is reported
with its line number and nothing is added. The count goes to stderr; stdout stays empty.

Example:
  $ echo '{"section_type":"prose","content":"Water boils at 100 °C at sea level."}' | replaykit add ./replay -
  added 1 section to ./replay (0.15 KiB corpus)`,
    )
    .action(async (dir: string, file: string) => {
      await add(ctx, dir, file);
    });
}

async function add(ctx: Context, dir: string, file: string): Promise<void> {
  const { io } = ctx;
  const name = file === "-" ? "stdin" : file;
  const now = toWholeSeconds(nowOf(io));
  const totalBytes = file === "-" ? undefined : await inputSize(file);
  if (file === "-" && (io.stdin as { isTTY?: boolean }).isTTY === true) {
    io.stderr.write("reading sections from the terminal: one JSON object a line, Ctrl-D to finish\n");
  }

  const snapshots: SectionSnapshot[] = [];
  let firstError: SectionLineError | undefined;
  let badLines = 0;
  let bytesRead = 0;
  let progress: Progress | undefined;
  try {
    for await (const { lineNumber, text } of readLines(openInput(file, io.stdin), name, (b) => (bytesRead = b))) {
      if (lineNumber === PROGRESS_THRESHOLD + 1) {
        // Only now is the input known to be long; the bar starts late rather than never.
        progress = totalBytes !== undefined ? startBar(io.stderr, "reading", totalBytes, lineNumber, " bytes") : startActivity(io.stderr, "reading", lineNumber);
      }
      progress?.update(bytesRead);
      if (text.trim() === "") continue;
      try {
        snapshots.push(parseSectionLine(text, lineNumber, now));
      } catch (error) {
        if (!(error instanceof SectionLineError)) throw error;
        badLines++;
        firstError ??= error;
      }
    }
  } catch (error) {
    throw inputError(error, name);
  } finally {
    progress?.stop();
  }

  if (firstError !== undefined) {
    const more = badLines > 1 ? ` (${plural(badLines, "bad line")} in all)` : "";
    throw new CliFailure(`${name} ${firstError.message}; nothing was added${more}`);
  }
  if (snapshots.length === 0) {
    io.stderr.write(`nothing to add: ${name} has no sections\n`);
    return;
  }

  const store = await openStore(dir, { create: true });
  const writing = startActivity(io.stderr, `writing ${plural(snapshots.length, "section")}`, snapshots.length);
  try {
    await store.appendMany(snapshots);
  } finally {
    writing.stop();
  }
  const corpusBytes = (await inputSize(store.corpusPath).catch(() => undefined)) ?? 0;
  io.stderr.write(`added ${plural(snapshots.length, "section")} to ${dir} (${formatBytes(corpusBytes)} corpus)\n`);
}

async function inputSize(path: string): Promise<number | undefined> {
  try {
    const s = await stat(path);
    return s.isFile() ? s.size : undefined;
  } catch (error) {
    throw inputError(error, path);
  }
}

/** A read failure of the input file as one clear line (exit code 1). */
function inputError(error: unknown, name: string): unknown {
  if (!isSystemError(error)) return error;
  const code = error.code;
  const reason =
    code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : code === "EISDIR" ? "it is a directory" : (error as Error).message;
  return new CliFailure(`cannot read ${name}: ${reason}`, { cause: error });
}

import { Command, CommanderError } from "commander";
import * as v from "valibot";
import { readFileSync } from "node:fs";
import { registerAdd } from "./commands/add.js";
import { registerCompact } from "./commands/compact.js";
import { registerDowngrade } from "./commands/downgrade.js";
import { registerEvict } from "./commands/evict.js";
import { registerExport } from "./commands/export.js";
import { registerPull } from "./commands/pull.js";
import { registerPush } from "./commands/push.js";
import { registerQuarantine } from "./commands/quarantine.js";
import { registerRecover } from "./commands/recover.js";
import { registerRemove } from "./commands/remove.js";
import { registerSample } from "./commands/sample.js";
import { registerStats } from "./commands/stats.js";
import { registerUpgrade } from "./commands/upgrade.js";
import { registerVerify } from "./commands/verify.js";
import type { Context } from "./context.js";
import { describeError, oneLine } from "./errors.js";
import { addLocationOptions } from "./location.js";
import { processIO, type CliIO } from "./io.js";

const COMMANDS = [
  "add",
  "sample",
  "stats",
  "verify",
  "evict",
  "remove",
  "compact",
  "recover",
  "quarantine",
  "export",
  "upgrade",
  "downgrade",
  "push",
  "pull",
] as const;

/**
 * Runs the `replaykit` command with `argv` (the arguments after the program name) and
 * returns its exit code: 0 success, 1 failure (bad input lines, verify problems, errors
 * without a kind), 2 usage error (bad flags, bad sizes, missing arguments), and for a
 * replaykit error the code of its kind (`EXIT_CODES`: 3 not-found, 4 corrupt, 5 io,
 * 6 locked, 7 conflict, 8 unsupported). Output goes to
 * `io.stdout` / `io.stderr`; errors are one line, `replaykit: <message>`. Never throws.
 *
 * @example
 * const code = await run(["stats", "./replay", "--json"]);
 */
export async function run(argv: readonly string[], io: Partial<CliIO> = {}): Promise<number> {
  const checked = v.safeParse(RunArguments, [argv, io]);
  if (!checked.success) {
    // A caller's mistake, not a user's: say which argument, on the process's stderr if io's is the bad one.
    const [issue] = checked.issues;
    const path = (v.getDotPath(issue) ?? "").replace(/^0/, "argv").replace(/^1/, "io");
    process.stderr.write(`replaykit: run(): ${path}: ${issue.message}\n`);
    return 2;
  }
  const full: CliIO = { ...processIO(), ...io };
  const program = buildProgram({ io: full });
  try {
    await program.parseAsync([...argv], { from: "user" });
    return 0;
  } catch (error) {
    return report(error, argv, full);
  }
}

const writable = v.looseObject({ write: v.function("must have a write function") }, "must be a writable stream (an object with write)");
/** `run`'s arguments, checked before anything runs: argv strings, and io's known keys only. */
const RunArguments = v.tuple([
  v.array(v.string("must be a string"), "must be an array of strings"),
  v.optional(
    v.strictObject(
      {
        stdin: v.optional(
          v.custom<CliIO["stdin"]>(
            (x) => typeof (x as { [Symbol.asyncIterator]?: unknown } | null)?.[Symbol.asyncIterator] === "function",
            "must be an async iterable of chunks",
          ),
        ),
        stdout: v.optional(writable),
        stderr: v.optional(writable),
        env: v.optional(v.record(v.string(), v.optional(v.string()), "must be an object of strings")),
        now: v.optional(v.union([v.date(), v.function()], "must be a Date or a function giving one")),
      },
      (issue) => (issue.expected === "never" ? "is not an option of run()" : "must be an object"),
    ),
  ),
]);

/** The commander program: every command, wired to `ctx`. */
export function buildProgram(ctx: Context): Command {
  const { io } = ctx;
  const program = new Command("replaykit")
    .description("replaykit: keep, sample and maintain the replay corpus of continual LLM fine-tuning")
    .version(version(), "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .helpCommand("help [command]", "show help for a command")
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: (text) => void io.stderr.write(text),
      // Errors are printed by `report`, as one line.
      outputError: () => undefined,
      getOutHelpWidth: () => io.stdout.columns ?? 100,
      getErrHelpWidth: () => io.stderr.columns ?? 100,
    })
    .addHelpText(
      "after",
      `
Exit codes: 0 success; 1 failure (bad input lines, problems verify found, other errors);
2 usage error (bad flags, bad sizes, missing arguments); 3 not found (no store at the
directory); 4 corrupt (a damaged index or frame); 5 I/O error (permissions, a full disk);
6 locked (another writer past --wait); 7 conflict (the store changed under the command);
8 unsupported (e.g. a section type without a row expander, or a command that works on a
directory only: verify --repair, quarantine, upgrade, downgrade on an s3:// store).
Sizes: 123, 64KiB, 10MiB, 1GiB (KB, MB, GB are powers of 1000).
Object storage: every <store-dir> may be s3://bucket/prefix (AWS S3, R2, GCS, MinIO, Ceph
RGW), with --endpoint URL, --region R and --path-style. Defaults come from the environment
and the shared AWS config: AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL (the endpoint),
AWS_REGION, AWS_PROFILE or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (credentials; never
flags). Immutable objects are cached per machine in REPLAYKIT_CACHE (default
~/.cache/replaykit; "" turns it off).
  $ replaykit add s3://corpus/team/replay day-12.jsonl --endpoint http://127.0.0.1:7480

Run \`replaykit <command> --help\` for a command's flags and examples.`,
    );
  registerAdd(program, ctx);
  registerSample(program, ctx);
  registerStats(program, ctx);
  registerVerify(program, ctx);
  registerEvict(program, ctx);
  registerRemove(program, ctx);
  registerCompact(program, ctx);
  registerRecover(program, ctx);
  registerQuarantine(program, ctx);
  registerExport(program, ctx);
  registerUpgrade(program, ctx);
  registerDowngrade(program, ctx);
  // Every command that takes a store takes an s3:// location too, with its flags (location.ts).
  for (const command of program.commands) if (command.registeredArguments[0]?.name() === "store-dir") addLocationOptions(command, ctx);
  registerPush(program, ctx);
  registerPull(program, ctx);
  return program;
}

function report(error: unknown, argv: readonly string[], io: CliIO): number {
  if (error instanceof CommanderError) {
    if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return 0;
    // `replaykit help [command]` exits 0; `replaykit` alone printed the help on stderr: a usage error.
    if (error.code === "commander.help") return error.exitCode === 0 ? 0 : 2;
    const command = argv.find((a): a is (typeof COMMANDS)[number] => (COMMANDS as readonly string[]).includes(a));
    const hint = command === undefined ? "replaykit --help" : `replaykit ${command} --help`;
    io.stderr.write(`replaykit: ${oneLine(error.message.replace(/^error: /, ""))} (see \`${hint}\`)\n`);
    return 2;
  }
  const { message, exitCode, known } = describeError(error);
  io.stderr.write(`replaykit: ${message}\n`);
  if (!known && io.env.REPLAYKIT_DEBUG) io.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  return exitCode;
}

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

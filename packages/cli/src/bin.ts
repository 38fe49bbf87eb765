#!/usr/bin/env node
import { outputErrorLine } from "./errors.js";
import { run } from "./index.js";

// A failed write to stdout (a closed pipe, a full disk, /dev/full, a closed descriptor) is
// one `replaykit:` line on stderr and exit code 1, never a stack trace: the output is lost
// anyway, so there is nothing to finish. A failed write to stderr can only be an exit code.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  try {
    // A progress bar may be on the terminal's last line: clear it so the message stands alone.
    const clear = process.stderr.isTTY ? "\r\x1b[K" : "";
    process.stderr.write(`${clear}replaykit: ${outputErrorLine("stdout", error)}\n`);
  } catch {
    // stderr is gone too: the exit code is all that is left.
  }
  process.exit(1);
});
process.stderr.on("error", () => process.exit(1));

process.exitCode = await run(process.argv.slice(2));

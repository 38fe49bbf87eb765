#!/usr/bin/env node
import module from "node:module";

// Node ≥ 22.1 can keep the compiled code of the modules a command loads (on disk, in node's
// compile cache directory: $NODE_COMPILE_CACHE, or node-compile-cache in the temp
// directory), so later calls skip compiling them. Node 20 has no compile cache: nothing
// happens there. NODE_DISABLE_COMPILE_CACHE=1 turns it off; a cache that cannot be written
// is no error. The modules are imported after it, so they can come from the cache.
try {
  (module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
} catch {
  // The cache is only a speed-up.
}
const { outputErrorLine } = await import("./errors.js");
const { run } = await import("./index.js");

// A reader that closed the pipe (`replaykit export … | head -1`) got what it wanted: the
// command ends at once, quietly, with exit code 0, as a shell pipeline expects, and stops
// reading the store. Every command that writes to stdout has made its changes before it
// writes, and the writer lock is a kernel lock that dies with the process.
// Any other failed write to stdout (a full disk, /dev/full, a closed descriptor) is one
// `replaykit:` line on stderr and exit code 1, never a stack trace: the output is lost
// anyway, so there is nothing to finish. A failed write to stderr can only be an exit code.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
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

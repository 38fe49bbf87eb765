/**
 * The crash seam of the crash tests: when the environment variable
 * REPLAYKIT_TEST_CRASH_AT names `point`, the process kills itself there with SIGKILL (no
 * cleanup, like a power cut). No effect otherwise. The one definition every write path uses.
 */
export function crashPoint(point: string): void {
  if (process.env.REPLAYKIT_TEST_CRASH_AT === point) process.kill(process.pid, "SIGKILL");
}

import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach } from "vitest";

export const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

export interface Running {
  child: ChildProcess;
  lines: string[];
  /** Resolves with the exit code (or the signal name) when the process ends. */
  exited: Promise<number | string>;
  /** Resolves when a stdout line matching `pattern` has been seen. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  stderr(): string;
}

// Children still running when a test ends, killed then: a test that fails before its own
// kill would otherwise leave a lock holder (which waits forever) or a writer behind.
const live = new Set<ChildProcess>();
afterEach(async () => {
  const running = [...live].filter((child) => child.pid !== undefined && child.exitCode === null && child.signalCode === null);
  const ending = running.map((child) => new Promise((resolve) => child.once("close", resolve)));
  for (const child of running) child.kill("SIGKILL");
  await Promise.all(ending);
});

/** Spawns `node <fixture> args…` with piped output, collecting stdout lines; killed after the test if still running. */
export function run(name: string, args: string[], env: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, [fixture(name), ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  live.add(child);
  const lines: string[] = [];
  let err = "";
  let partial = "";
  const waiters: Array<{ pattern: RegExp; resolve: () => void }> = [];
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    partial += chunk;
    const parts = partial.split("\n");
    partial = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (const w of waiters.splice(0)) w.pattern.test(line) ? w.resolve() : waiters.push(w);
    }
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
  const exited = new Promise<number | string>((resolve) =>
    child.on("close", (code, signal) => {
      live.delete(child);
      resolve(signal ?? code ?? -1);
    }),
  );
  return {
    child,
    lines,
    exited,
    stderr: () => err,
    waitFor(pattern, timeoutMs = 20_000) {
      if (lines.some((l) => pattern.test(l))) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; stderr: ${err}`)), timeoutMs);
        waiters.push({
          pattern,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
        void exited.then(() => {
          clearTimeout(timer);
          if (!lines.some((l) => pattern.test(l))) reject(new Error(`process ended before ${pattern}; stderr: ${err}`));
        });
      });
    },
  };
}

/** Section ids from "ack" lines. */
export const acked = (lines: readonly string[]): string[] => lines.filter((l) => l.startsWith("ack ")).flatMap((l) => l.slice(4).split(" "));

import { cpSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { run } from "../src/index.js";
import { tempDirs, VECTORS } from "@replaykit/test-support";
export { VECTORS, REPO } from "@replaykit/test-support";

/** A fresh temp dir, removed after the test. */
export const tempDir = tempDirs("cli");
/** A writable copy of the reference (dlm) store (the vectors are read-only). */
export function referenceStoreCopy(): string {
  const dir = join(tempDir(), "dlm-store");
  cpSync(join(VECTORS, "store"), dir, { recursive: true });
  return dir;
}

/** A writable that keeps what is written; `isTTY` as given. */
export class Sink {
  chunks: string[] = [];
  constructor(
    readonly isTTY = false,
    readonly columns = 80,
  ) {}
  write(chunk: string): boolean {
    this.chunks.push(String(chunk));
    return true;
  }
  get text(): string {
    return this.chunks.join("");
  }
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with fake streams. `stdin` is text (or chunks) fed to `-`. */
export async function cli(
  argv: string[],
  options: { stdin?: string | Array<string | Uint8Array>; now?: Date; stderrTTY?: boolean; env?: Record<string, string> } = {},
): Promise<CliResult> {
  const stdout = new Sink();
  const stderr = new Sink(options.stderrTTY ?? false);
  const chunks = options.stdin === undefined ? [] : typeof options.stdin === "string" ? [Buffer.from(options.stdin)] : options.stdin;
  const code = await run(argv, {
    stdin: Readable.from(chunks, { objectMode: true }),
    stdout,
    stderr,
    env: options.env ?? {},
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** JSONL text of section objects. */
export function jsonl(objects: readonly object[]): string {
  return objects.map((o) => JSON.stringify(o)).join("\n") + "\n";
}

/** The non-empty lines of a text, each JSON-parsed. */
export function parseJsonl(text: string): Array<Record<string, unknown>> {
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

export const NOW = new Date("2026-04-01T00:00:00Z");

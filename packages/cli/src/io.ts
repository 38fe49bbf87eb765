import type { ChunkSource } from "./jsonl.js";

/** Where output goes: a Node writable (process.stdout) or anything with `write`. */
export interface OutStream {
  write(chunk: string): unknown;
  /** True on a terminal (progress bars are drawn only then). */
  isTTY?: boolean;
  /** Terminal width, when known. */
  columns?: number;
  once?(event: "drain", listener: () => void): unknown;
}

/** The streams and environment a run uses; tests pass fakes. */
export interface CliIO {
  stdin: ChunkSource;
  stdout: OutStream;
  stderr: OutStream;
  env: Record<string, string | undefined>;
  /** The current time (default: the clock). Used for default dates and ages. */
  now?: Date | (() => Date);
}

/** The process's own streams and environment. */
export function processIO(): CliIO {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** The current time of a run. */
export function nowOf(io: CliIO): Date {
  const now = typeof io.now === "function" ? io.now() : io.now;
  return now ?? new Date();
}

/**
 * Writes text, waiting for the stream to drain when it asks to (large `sample` or `export`
 * outputs into a slow pipe must not pile up in memory).
 */
export async function write(stream: OutStream, text: string): Promise<void> {
  if (stream.write(text) === false && typeof stream.once === "function") {
    await new Promise<void>((resolve) => stream.once!("drain", resolve));
  }
}

/**
 * Buffers small writes into larger ones (one `write` per ~64 KiB), for line-by-line output.
 */
export class LineWriter {
  #buffer: string[] = [];
  #size = 0;
  constructor(private readonly stream: OutStream) {}

  async line(text: string): Promise<void> {
    this.#buffer.push(text, "\n");
    this.#size += text.length + 1;
    if (this.#size >= 65_536) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#buffer.length === 0) return;
    const text = this.#buffer.join("");
    this.#buffer = [];
    this.#size = 0;
    await write(this.stream, text);
  }
}

/**
 * `sample --tokens N --tokenizer tokenizer.json`: counting a row's tokens with a Hugging
 * Face tokenizer, bounded in time.
 *
 * A tokenizer.json carries regular expressions (a `Split` pre-tokenizer, `Replace`
 * normalizers and decoders) that `@huggingface/tokenizers` runs with JavaScript's
 * backtracking engine, so a hostile or careless pattern (`(a+)+$`, `(a|a)*$`) can take
 * exponential time on a short row and hang the command. Two guards:
 * - on load, a pattern that nests unbounded quantifiers (`(…+)+`, `(…*)*`, the classic
 *   catastrophic shape) is refused, naming the file and the pattern;
 * - every row is counted in a worker thread that the command waits for synchronously
 *   (`Atomics.wait`, as the draw's `countTokens` is synchronous) with a time budget; past it
 *   the worker is terminated (V8 interrupts a running regex) and the command fails with one
 *   line naming the file and its patterns. The budget scales with the row's length, so a
 *   long but honest row is not cut short.
 */

import { createRequire } from "node:module";
import { readFile, stat } from "node:fs/promises";
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import { type Row, rowTexts } from "@replaykit/store";
import { UsageError } from "./errors.js";
import { reasonOf } from "./paths.js";

/** Counts a row's tokens; `close` stops the worker (always call it). */
export interface TokenCounter {
  count(row: Row): number;
  close(): Promise<void>;
}

/** Per row: this much time, plus {@link MS_PER_KIB} for each KiB of the row's text. */
export const DEFAULT_ROW_BUDGET_MS = 10_000;
/** 10 ms a KiB is 100 KiB/s, far below any tokenizer's honest speed. */
const MS_PER_KIB = 10;
/** The largest tokenizer.json read (the largest public ones are tens of MiB). */
const MAX_TOKENIZER_BYTES = 1024 * 1024 * 1024;
/** Starting the worker and building the tokenizer (a large vocabulary takes a few seconds in pure JS). */
const LOAD_BUDGET_MS = 120_000;

/**
 * Loads `file` as a tokenizer.json and starts the worker that counts with it. A row's count
 * is the tokens of each of its texts, without special tokens or a chat template, so a
 * trainer's count may be a few tokens a row higher.
 *
 * @param rowBudgetMs the base time budget per row (the CLI's default, or `REPLAYKIT_TOKENIZER_TIMEOUT_MS`)
 * @throws {UsageError} naming `--tokenizer` and the file: unreadable, not JSON, a pattern
 *   that nests quantifiers, not a tokenizer the library can build, or too slow to load.
 */
export async function loadTokenCounter(file: string, rowBudgetMs = DEFAULT_ROW_BUDGET_MS): Promise<TokenCounter> {
  const where = `--tokenizer ${file}`;
  let text: string;
  try {
    // Not a device or a pipe (`--tokenizer /dev/zero` would be read for ever), nor a file larger than any tokenizer.
    const info = await stat(file);
    if (info.isDirectory()) throw Object.assign(new Error("it is a directory"), { code: "EISDIR", syscall: "read" });
    if (!info.isFile()) throw new UsageError(`${where}: not a regular file (a tokenizer.json is a file)`);
    const size = info.size;
    if (size > MAX_TOKENIZER_BYTES) throw new UsageError(`${where}: ${size} bytes is too large for a tokenizer.json (at most ${MAX_TOKENIZER_BYTES})`);
    text = await readFile(file, "utf8");
  } catch (error) {
    if (UsageError.isInstance(error)) throw error;
    throw new UsageError(`${where}: cannot read: ${reasonOf(error)}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${where}: not a usable tokenizer.json (not JSON: ${(error as Error).message})`, { cause: error });
  }
  const patterns = regexPatterns(json);
  for (const { path, pattern } of patterns) {
    const nested = nestedQuantifier(pattern);
    if (nested !== undefined) {
      throw new UsageError(
        `${where}: refused: the pattern ${JSON.stringify(pattern)} (at ${path}) nests unbounded quantifiers (${nested}), which can backtrack for ever on some text`,
      );
    }
  }
  const suspects = patterns.length === 0 ? "" : ` (its patterns: ${patterns.map((p) => JSON.stringify(p.pattern)).join(", ")})`;
  const worker = new TokenizerWorker(text);
  const ready = worker.call({ kind: "load" }, LOAD_BUDGET_MS);
  if (ready.kind === "timeout") {
    await worker.close();
    throw new UsageError(`${where}: not a usable tokenizer.json: loading it took longer than ${LOAD_BUDGET_MS / 1000} s${suspects}`);
  }
  if (ready.kind === "error") {
    await worker.close();
    throw new UsageError(`${where}: not a usable tokenizer.json (${ready.message})`);
  }
  return {
    count(row) {
      const texts = rowTexts(row);
      const chars = texts.reduce((n, t) => n + t.length, 0);
      const budget = rowBudgetMs + Math.ceil(chars / 1024) * MS_PER_KIB;
      const result = worker.call({ kind: "count", texts }, budget);
      if (result.kind === "count") return result.tokens;
      // The worker is stuck (or gone): no later row may wait on it.
      void worker.close();
      if (result.kind === "timeout") {
        throw new UsageError(
          `${where}: counting the tokens of row ${row._dlm_section_id} took longer than ${(budget / 1000).toFixed(1)} s: a pattern of the tokenizer backtracks catastrophically on it${suspects}`,
        );
      }
      const why = result.kind === "error" ? result.message : "the tokenizer's worker answered out of turn";
      throw new UsageError(`${where}: cannot count the tokens of row ${row._dlm_section_id} (${why})`);
    },
    close: () => worker.close(),
  };
}

type Request = { kind: "load" } | { kind: "count"; texts: string[] };
type Reply = { kind: "ready" } | { kind: "count"; tokens: number } | { kind: "error"; message: string } | { kind: "timeout" };

// Runs in the worker (a CommonJS script: `require` loads the library's CommonJS build, whose
// path the main thread resolves, so the worker needs no file of its own in dist or src).
const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { port, shared, module, json } = workerData;
const state = new Int32Array(shared);
let tokenizer;
function reply(message) {
  port.postMessage(message);
  Atomics.store(state, 0, 1);
  Atomics.notify(state, 0);
}
port.on("message", (request) => {
  try {
    if (request.kind === "load") {
      const { Tokenizer } = require(module);
      tokenizer = new Tokenizer(JSON.parse(json), {});
      tokenizer.encode("replaykit", { add_special_tokens: false });
      reply({ kind: "ready" });
    } else {
      let tokens = 0;
      for (const text of request.texts) tokens += tokenizer.encode(text, { add_special_tokens: false }).ids.length;
      reply({ kind: "count", tokens });
    }
  } catch (error) {
    reply({ kind: "error", message: String(error && error.message || error) });
  }
});
`;

/** A worker holding one tokenizer, called synchronously with a timeout. */
class TokenizerWorker {
  readonly #worker: Worker;
  readonly #port: MessagePort;
  readonly #state = new Int32Array(new SharedArrayBuffer(4));
  #closed = false;

  constructor(json: string) {
    const module = createRequire(import.meta.url).resolve("@huggingface/tokenizers");
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    this.#worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { port: port2, shared: this.#state.buffer, module, json },
      transferList: [port2],
      // The tokenizer's own console output (warnings about unknown types) is not the command's.
      stdout: true,
      stderr: true,
    });
    this.#worker.unref();
    // A crash shows as no reply in time; the event only keeps it from being an uncaught error.
    this.#worker.on("error", () => undefined);
  }

  call(request: Request, timeoutMs: number): Reply {
    if (this.#closed) return { kind: "error", message: "the tokenizer's worker was stopped" };
    Atomics.store(this.#state, 0, 0);
    this.#port.postMessage(request);
    if (Atomics.wait(this.#state, 0, 0, timeoutMs) === "timed-out") return { kind: "timeout" };
    let received = receiveMessageOnPort(this.#port);
    // The reply is posted before the flag is set, so it is there; a short wait covers a slow hand-over all the same.
    for (let tries = 0; received === undefined && tries < 100; tries++) {
      Atomics.wait(this.#state, 0, 1, 1);
      received = receiveMessageOnPort(this.#port);
    }
    return (received?.message as Reply | undefined) ?? { kind: "error", message: "the tokenizer's worker gave no answer" };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#port.close();
    await this.#worker.terminate();
  }
}

/** Every `{"Regex": "…"}` pattern in a tokenizer.json, with its JSON path. */
export function regexPatterns(json: unknown): Array<{ path: string; pattern: string }> {
  const found: Array<{ path: string; pattern: string }> = [];
  const visit = (value: unknown, path: string): void => {
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) visit(v, `${path}[${i}]`);
    } else if (typeof value === "object" && value !== null) {
      for (const [key, v] of Object.entries(value)) {
        if (key === "Regex" && typeof v === "string") found.push({ path, pattern: v });
        else visit(v, path === "" ? key : `${path}.${key}`);
      }
    }
  };
  visit(json, "");
  return found;
}

/**
 * The first group that holds an unbounded quantifier (`*`, `+`, `{n,}`) and is itself
 * repeated without bound — `(a+)+`, `(?:\s*x)*`, `((ab)*c)+` — described as `(…+)+`, or
 * undefined when there is none. Such a "star height" of 2 is what makes backtracking
 * exponential in the classic ReDoS cases; the patterns of real tokenizers (GPT-2, Llama,
 * o200k) have star height 1. Overlapping alternatives under one quantifier (`(a|a)*`)
 * are not caught here; the time budget stops them.
 */
export function nestedQuantifier(pattern: string): string | undefined {
  // Per open group: whether an unbounded quantifier occurs inside it, and which.
  const groups: Array<string | undefined> = [undefined];
  // The atom just closed: a group and the unbounded quantifier inside it, if any.
  let lastGroup: { inner: string | undefined } | undefined;
  let i = 0;
  const unboundedAt = (at: number): { quantifier: string; end: number } | undefined => {
    const c = pattern[at];
    if (c === "*" || c === "+") return { quantifier: c, end: at + 1 };
    if (c === "{") {
      const m = /^\{\d+,\}/.exec(pattern.slice(at, at + 24));
      if (m !== null) return { quantifier: m[0], end: at + m[0].length };
    }
    return undefined;
  };
  while (i < pattern.length) {
    const c = pattern[i]!;
    const atom = lastGroup;
    lastGroup = undefined;
    if (c === "\\") {
      // \p{…}, \u{…}, \k<…>: skip the braces too, so they are not read as a quantifier.
      const next = pattern[i + 1];
      const close = pattern[i + 2] === "{" ? "}" : pattern[i + 2] === "<" ? ">" : undefined;
      if ((next === "p" || next === "P" || next === "u" || next === "k") && close !== undefined) {
        const end = pattern.indexOf(close, i + 3);
        i = end === -1 ? pattern.length : end + 1;
      } else i += 2;
    } else if (c === "[") {
      // A character class: up to its unescaped `]` (a `]` first in the class is literal).
      let j = i + 1;
      if (pattern[j] === "^") j++;
      if (pattern[j] === "]") j++;
      while (j < pattern.length && pattern[j] !== "]") j += pattern[j] === "\\" ? 2 : 1;
      i = j + 1;
    } else if (c === "(") {
      groups.push(undefined);
      i++;
      // (?:, (?=, (?!, (?<=, (?<!, (?<name>, (?i: … : their `?` is not a quantifier.
      if (pattern[i] === "?") i++;
    } else if (c === ")") {
      const inner = groups.length > 1 ? groups.pop() : undefined;
      if (inner !== undefined && groups[groups.length - 1] === undefined) groups[groups.length - 1] = inner;
      lastGroup = { inner };
      i++;
    } else {
      const q = unboundedAt(i);
      if (q !== undefined) {
        if (atom?.inner !== undefined) return `(…${atom.inner})${q.quantifier}`;
        if (groups[groups.length - 1] === undefined) groups[groups.length - 1] = q.quantifier;
        i = q.end;
        // A lazy `?` or possessive `+` right after a quantifier modifies it.
        if (pattern[i] === "?" || pattern[i] === "+") i++;
      } else i++;
    }
  }
  return undefined;
}

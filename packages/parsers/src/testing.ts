/**
 * A conformance suite for row expanders, in the spirit of pure-rand's shared generator
 * properties: plugin authors run the same contract the built-in expanders pass, from
 * vitest, node:test or any runner whose `test(name, fn)` registers a test.
 *
 * @example
 * ```ts
 * import { test } from "vitest"; // or: import { test } from "node:test";
 * import { expanderConformance } from "@replaykit/parsers/testing";
 * import { chatTurnsExpander } from "../src/index.js";
 *
 * expanderConformance("chat", chatTurnsExpander, {
 *   test,
 *   samples: ["### User\nHi\n### Assistant\nHello!"],
 *   badInputs: ["", "### Assistant\nno user turn"],
 * });
 * ```
 *
 * @packageDocumentation
 */
import { describeValue, instanceCheck } from "@replaykit/errors";
import { ParsersArgumentError, ParsersError } from "./errors.js";
import { replayRowId, shapeOf, type Row, type RowExpander, type RowSource } from "./rows.js";

/** The five properties the suite checks. */
export type ConformanceProperty = "plain-rows" | "row-shape" | "row-id" | "deterministic" | "typed-errors";

/**
 * A test registrar: vitest's `test` / `it`, node:test's `test`, or anything that takes a
 * name and a function that throws on failure.
 */
export type TestRegistrar = (name: string, fn: () => void) => unknown;

/** A sample: the content alone, or a partial source (missing fields get fixed defaults). */
export type SampleInput = string | (Partial<RowSource> & { content: string });

/** Options of {@link expanderConformance} and {@link expanderChecks}. */
export interface ConformanceOptions {
  /**
   * Well-formed inputs. Each must expand without throwing, and together they must yield at
   * least one row. Defaults to a few generic bodies (prose and the built-in grammars), of
   * which the expander may reject some with typed errors; pass your own for a real check.
   */
  samples?: readonly SampleInput[];
  /** Inputs the expander must reject by throwing a typed error (an `Error` with a string `code`). */
  badInputs?: readonly SampleInput[];
  /** `sectionType` of the sources built from bare strings. Default `"conformance"`. */
  sectionType?: string;
  /** How many random bodies to expand in the typed-errors check. Default 200. */
  fuzzRuns?: number;
  /** Extra fragments (your grammar's headers, say) mixed into the random bodies. */
  fuzzFragments?: readonly string[];
  /** Seed of the random bodies, so a failure can be replayed. Default 1. */
  seed?: number;
}

/** One check of the suite, to run under any harness. `run` throws a {@link ConformanceError} on failure. */
export interface ConformanceCheck {
  readonly property: ConformanceProperty;
  readonly name: string;
  run(): void;
}

/**
 * An expander broke the contract; `property` names the check, the message says how and on
 * which input. Kind `"argument"`: the expander handed to the suite is what must change.
 */
export class ConformanceError extends ParsersError {
  static readonly code = "PARSERS_CONFORMANCE";
  /** The code's earlier name, still matched by `isInstance`. */
  static readonly aliases = ["EXPANDER_CONFORMANCE"] as const;
  static override readonly kind = "argument";
  static readonly isInstance = instanceCheck<ConformanceError>(this);
  declare readonly code: typeof ConformanceError.code;
  readonly property: ConformanceProperty;
  override readonly name = "ConformanceError";

  constructor(property: ConformanceProperty, message: string, cause?: unknown) {
    super(`expander conformance (${property}): ${message}`, cause === undefined ? undefined : { cause });
    this.property = property;
  }
}

const DEFAULT_SAMPLES: readonly string[] = [
  "Plain prose.\n\nA second paragraph.",
  "### Q\nWhat is 2+2?\n### A\n4",
  "### Prompt\nSay hi.\n### Chosen\nHi there!\n### Rejected\nGo away.",
  "### User\nHello\n### Assistant\nHi! How can I help?",
];

// biome-ignore format: a list of fragments reads best packed
const FUZZ_FRAGMENTS: readonly string[] = [
  "### Q", "### A", "### Q !probe", "### Prompt", "### Chosen", "### Rejected", "### User", "### Assistant",
  "###", "#", "```", "```md", "~~~", "\n", "\n", "\n", "\r\n", "\r", "\u2028", "\u2029", "\u0085", "\f", "\v",
  "\x1c", " ", "  ", "\t", "\u00a0", "\u3000", "\ufeff", "\u200b", "\0", "text", "more text", "ünïcödé",
  "日本語", "🙂", "👩‍💻", "\ud800", "\udfff", "'", '"', "\\", "{}", "null", "__proto__", "constructor",
];

const ROW_IDS = ["conformance:row-id", 'row id with "quotes", ünïcode and a\u2028break'];

interface Resolved {
  readonly label: string;
  readonly source: RowSource;
}

function resolve(input: SampleInput, index: number, kind: string, sectionType: string): Resolved {
  const init = typeof input === "string" ? { content: input } : input;
  const source: RowSource = {
    sectionId: init.sectionId ?? "0123456789abcdef",
    sectionType: init.sectionType ?? sectionType,
    content: init.content,
    lastSeenAt: init.lastSeenAt ?? new Date(Date.UTC(2026, 0, 1)),
    autoMined: init.autoMined ?? false,
  };
  return { label: `${kind} #${index} (content ${preview(source.content)})`, source };
}

function preview(text: unknown): string {
  if (typeof text !== "string") return String(text);
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

function freshSource(source: RowSource): RowSource {
  const time = source.lastSeenAt instanceof Date ? source.lastSeenAt.getTime() : Number.NaN;
  return Object.freeze({ ...source, lastSeenAt: new Date(time) });
}

function defaultRowId(source: RowSource): string {
  try {
    return replayRowId(source.sectionId, source.lastSeenAt);
  } catch {
    return "replay:conformance";
  }
}

function describeThrown(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.name}${typeof code === "string" ? ` [${code}]` : ""}: ${error.message}`;
  }
  return `a non-Error value (${describeValue(error)})`;
}

/** True for an `Error` (of any realm) with a non-empty string `code` and a string message. */
export function isTypedError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const isError = error instanceof Error || Object.prototype.toString.call(error) === "[object Error]";
  const { code, message } = error as { code?: unknown; message?: unknown };
  return isError && typeof code === "string" && code.length > 0 && typeof message === "string";
}

/**
 * Why `value` is not plain JSON data (`undefined` when it is): only null, booleans, finite
 * numbers, strings, dense arrays and plain objects with enumerable data properties, no
 * cycles. Such a value survives `JSON.stringify` / `JSON.parse` unchanged.
 */
export function jsonProblem(value: unknown, path = "value"): string | undefined {
  return problemAt(value, path, new Set());
}

function problemAt(value: unknown, path: string, ancestors: Set<object>): string | undefined {
  switch (typeof value) {
    case "string":
    case "boolean":
      return undefined;
    case "number":
      return Number.isFinite(value) ? undefined : `${path} is ${value}, which JSON cannot hold`;
    case "undefined":
      return `${path} is undefined (JSON drops it)`;
    case "bigint":
    case "symbol":
    case "function":
      return `${path} is a ${typeof value}, which JSON cannot hold`;
  }
  if (value === null) return undefined;
  const object = value as object;
  if (ancestors.has(object)) return `${path} is a circular reference`;
  ancestors.add(object);
  try {
    if (Array.isArray(object)) {
      if (Object.getPrototypeOf(object) !== Array.prototype) return `${path} is an Array subclass`;
      for (let i = 0; i < object.length; i++) {
        if (!Object.hasOwn(object, i)) return `${path}[${i}] is a hole in a sparse array`;
        const problem = problemAt(object[i], `${path}[${i}]`, ancestors);
        if (problem !== undefined) return problem;
      }
      return undefined;
    }
    const proto = Object.getPrototypeOf(object) as object | null;
    if (proto !== Object.prototype && proto !== null) {
      const name = (object as { constructor?: { name?: unknown } }).constructor?.name;
      return `${path} is ${typeof name === "string" && name !== "" ? `a ${name}` : "an object with a custom prototype"}, not a plain object`;
    }
    if (Object.getOwnPropertySymbols(object).length > 0) return `${path} has symbol keys (JSON drops them)`;
    for (const key of Object.getOwnPropertyNames(object)) {
      const descriptor = Object.getOwnPropertyDescriptor(object, key) as PropertyDescriptor;
      const at = `${path}.${key}`;
      if (descriptor.get !== undefined || descriptor.set !== undefined) return `${at} is an accessor, not a data property`;
      if (!descriptor.enumerable) return `${at} is not enumerable (JSON drops it)`;
      const problem = problemAt(descriptor.value, at, ancestors);
      if (problem !== undefined) return problem;
    }
    return undefined;
  } finally {
    ancestors.delete(object);
  }
}

/** A small seeded PRNG (mulberry32), so random bodies are the same on every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomBodies(runs: number, seed: number, extra: readonly string[]): string[] {
  const fragments = [...FUZZ_FRAGMENTS, ...extra];
  const random = mulberry32(seed);
  const bodies = ["", " ", "\n\n", "\ufeff", "\r\n\t\u3000"];
  for (let run = 0; run < runs; run++) {
    const count = Math.floor(random() * 40);
    let body = "";
    for (let i = 0; i < count; i++) body += fragments[Math.floor(random() * fragments.length)];
    bodies.push(body);
  }
  return bodies;
}

/**
 * The suite's checks for `expander`, each runnable on its own. {@link expanderConformance}
 * registers them as tests; call `run()` directly to use another harness.
 *
 * @throws {ParsersArgumentError} when `expander` is not a function or `options` not an object.
 */
export function expanderChecks(expander: RowExpander, options: ConformanceOptions = {}): ConformanceCheck[] {
  if (typeof expander !== "function") throw new ParsersArgumentError("expander", `must be a function, got ${describeValue(expander)}`);
  if (typeof options !== "object" || options === null) throw new ParsersArgumentError("options", `must be an object, got ${describeValue(options)}`);
  const sectionType = options.sectionType ?? "conformance";
  const defaulted = options.samples === undefined;
  const samples = (options.samples ?? DEFAULT_SAMPLES).map((s, i) => resolve(s, i, "sample", sectionType));
  const badInputs = (options.badInputs ?? []).map((s, i) => resolve(s, i, "bad input", sectionType));
  const fuzzRuns = options.fuzzRuns ?? 200;
  const seed = options.seed ?? 1;

  /** Expand a sample; `undefined` when a defaulted sample was rejected with a typed error. */
  const expandSample = (property: ConformanceProperty, sample: Resolved, rowId: string, source: RowSource = freshSource(sample.source)): Row[] | undefined => {
    let rows: unknown;
    try {
      rows = expander(source, rowId);
    } catch (error) {
      if (defaulted && isTypedError(error)) return undefined;
      throw new ConformanceError(
        property,
        `${sample.label} threw ${describeThrown(error)}${defaulted ? "" : " (samples must expand without throwing)"}`,
        error,
      );
    }
    checkRows(property, sample.label, rows, property === "plain-rows" || property === "row-shape" ? undefined : rowId);
    return rows as Row[];
  };

  /** Rows must be an array of plain JSON objects, each stamped with `rowId` when one is given. */
  const checkRows = (property: ConformanceProperty, label: string, rows: unknown, rowId: string | undefined): void => {
    if (!Array.isArray(rows)) {
      const hint = rows instanceof Promise ? " (a Promise: expanders are synchronous)" : "";
      throw new ConformanceError(property, `${label} returned ${describeValue(rows)}${hint}, not an array of rows`);
    }
    const problem = jsonProblem(rows, "rows");
    if (problem !== undefined) throw new ConformanceError(property, `${label}: ${problem}`);
    rows.forEach((row: unknown, i) => {
      if (typeof row !== "object" || row === null || Array.isArray(row)) {
        throw new ConformanceError(property, `${label}: rows[${i}] is ${describeValue(row)}, not an object`);
      }
      const id = (row as Record<string, unknown>)["_dlm_section_id"];
      if (rowId !== undefined && id !== rowId) {
        throw new ConformanceError(
          property,
          `${label}: rows[${i}]._dlm_section_id is ${JSON.stringify(id) ?? "undefined"}, expected the given row id ${JSON.stringify(rowId)}`,
        );
      }
    });
  };

  const plainRows: ConformanceCheck = {
    property: "plain-rows",
    name: "returns an array of plain JSON-serializable rows",
    run() {
      let total = 0;
      for (const sample of samples) total += expandSample("plain-rows", sample, defaultRowId(sample.source))?.length ?? 0;
      if (total === 0) {
        throw new ConformanceError(
          "plain-rows",
          defaulted
            ? "none of the default samples produced a row: pass `samples` with well-formed content for this expander"
            : "no sample produced a row: include at least one sample that expands to rows",
        );
      }
    },
  };

  const rowShapes: ConformanceCheck = {
    property: "row-shape",
    name: "returns rows of the four shapes (text, messages, prompt-completion, preference)",
    run() {
      const check = (label: string, rows: readonly Row[]): void => {
        rows.forEach((row, i) => {
          const shape = shapeOf(row, `rows[${i}]`);
          if (shape.startsWith("!")) throw new ConformanceError("row-shape", `${label}: ${shape.slice(1)}`);
        });
      };
      for (const sample of samples) {
        const rows = expandSample("row-shape", sample, defaultRowId(sample.source));
        if (rows !== undefined) check(sample.label, rows);
      }
      randomBodies(fuzzRuns, seed, options.fuzzFragments ?? []).forEach((content, i) => {
        const random = resolve({ content, sectionType }, i, `random body (seed ${seed})`, sectionType);
        let rows: unknown;
        try {
          rows = expander(freshSource(random.source), defaultRowId(random.source));
        } catch {
          return; // what it throws is the typed-errors check's business
        }
        if (Array.isArray(rows)) check(random.label, rows as Row[]);
      });
    },
  };

  const rowIdCheck: ConformanceCheck = {
    property: "row-id",
    name: "stamps every row with the given row id, and only that depends on it",
    run() {
      for (const sample of samples) {
        const ids = [defaultRowId(sample.source), ...ROW_IDS];
        let reference: string | undefined;
        for (const rowId of ids) {
          const rows = expandSample("row-id", sample, rowId);
          if (rows === undefined) break;
          const shape = JSON.stringify(rows.map((row) => ({ ...row, _dlm_section_id: null })));
          if (reference === undefined) reference = shape;
          else if (shape !== reference) {
            throw new ConformanceError("row-id", `${sample.label}: the rows differ for row id ${JSON.stringify(rowId)} beyond _dlm_section_id`);
          }
        }
      }
    },
  };

  const deterministic: ConformanceCheck = {
    property: "deterministic",
    name: "is deterministic, leaves its source alone and returns fresh rows",
    run() {
      for (const sample of samples) {
        const rowId = defaultRowId(sample.source);
        const before = JSON.stringify(sample.source);
        const given = freshSource(sample.source);
        const first = expandSample("deterministic", sample, rowId, given);
        if (first === undefined) continue;
        if (JSON.stringify(given) !== before) {
          throw new ConformanceError("deterministic", `${sample.label}: the expander changed its source`);
        }
        const second = expandSample("deterministic", sample, rowId) as Row[];
        const expected = JSON.stringify(first);
        if (JSON.stringify(second) !== expected) {
          throw new ConformanceError("deterministic", `${sample.label} gave different rows on a second call`);
        }
        // A caller may edit the rows it got (add keys, reorder messages): the next call
        // must not see that, so rows must not be cached and handed out twice.
        scribble(second);
        const third = expandSample("deterministic", sample, rowId) as Row[];
        if (JSON.stringify(third) !== expected) {
          throw new ConformanceError(
            "deterministic",
            `${sample.label}: rows changed after the caller edited an earlier result (return fresh objects on every call)`,
          );
        }
      }
    },
  };

  const typedErrors: ConformanceCheck = {
    property: "typed-errors",
    name: "throws only typed errors with a code on bad input",
    run() {
      for (const bad of badInputs) {
        let rows: unknown;
        try {
          rows = expander(freshSource(bad.source), defaultRowId(bad.source));
        } catch (error) {
          if (isTypedError(error)) continue;
          throw new ConformanceError("typed-errors", `${bad.label} threw ${describeThrown(error)}, not an Error with a string \`code\``, error);
        }
        throw new ConformanceError("typed-errors", `${bad.label} was accepted (returned ${describeValue(rows)}); it must throw a typed error`);
      }
      const bodies = randomBodies(fuzzRuns, seed, options.fuzzFragments ?? []);
      bodies.forEach((content, i) => {
        const random = resolve({ content, sectionType }, i, `random body (seed ${seed})`, sectionType);
        const rowId = defaultRowId(random.source);
        let rows: unknown;
        try {
          rows = expander(freshSource(random.source), rowId);
        } catch (error) {
          if (isTypedError(error)) return;
          throw new ConformanceError("typed-errors", `${random.label} threw ${describeThrown(error)}, not an Error with a string \`code\``, error);
        }
        checkRows("typed-errors", random.label, rows, rowId);
      });
    },
  };

  return [plainRows, rowShapes, rowIdCheck, deterministic, typedErrors];
}

/**
 * Register the conformance suite for `expander` with your test runner: one test per
 * property, named `<name>: <property>`.
 *
 * The contract: the expander returns an array of plain JSON-serializable rows, each of
 * one of the four {@link Row} shapes (exactly its keys plus `_dlm_section_id`), stamps
 * every row's `_dlm_section_id` with the row id it is given (and nothing else in the rows
 * depends on it), is deterministic (same source, same rows; the source is left alone;
 * fresh objects on every call), and throws only typed errors (an `Error` with a string
 * `code`) on bad input: on every `badInputs` entry, and on random bodies it must either
 * return such rows or throw such an error.
 *
 * @param name Shown in each test's name, e.g. the section type.
 * @param options `test` is your runner's registrar (vitest's `test`, node:test's `test`).
 * @throws {ParsersArgumentError} when `expander` is not a function or `options.test` not a registrar.
 */
export function expanderConformance(name: string, expander: RowExpander, options: ConformanceOptions & { test: TestRegistrar }): void {
  if (typeof options?.test !== "function")
    throw new ParsersArgumentError("options.test", `must be a test registrar function, got ${describeValue(options?.test)}`);
  for (const check of expanderChecks(expander, options)) options.test(`${name}: ${check.name}`, () => check.run());
}

/**
 * Run every check at once, outside any test runner.
 *
 * @throws {ConformanceError} at the first broken property.
 * @throws {ParsersArgumentError} when `expander` is not a function.
 */
export function assertExpanderConforms(expander: RowExpander, options: ConformanceOptions = {}): void {
  for (const check of expanderChecks(expander, options)) check.run();
}

const MARK = "edited by the conformance suite";

/** Edit every array and object in `value` in place (frozen ones are left as they are). */
function scribble(value: unknown): void {
  if (typeof value !== "object" || value === null) return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (typeof value[i] === "object" && value[i] !== null) scribble(value[i]);
      else Reflect.set(value, i, MARK);
    }
    Reflect.set(value, value.length, MARK);
    return;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (typeof record[key] === "object" && record[key] !== null) scribble(record[key]);
    else Reflect.set(record, key, MARK);
  }
  Reflect.set(record, "__edited", MARK);
}

/**
 * The brand, the kinds and the base class of every replaykit error.
 *
 * `instanceof` fails when two copies of a package are installed (a bundle and a dependency,
 * two versions side by side): each copy has its own class. So a replaykit error is known by
 * a brand, the registered symbol `Symbol.for("replaykit.error")` (the same in every copy and
 * every realm), and its `code`; the checks here never look at prototypes.
 *
 * @module
 */

/** The brand of every replaykit error; its value is the short name of the package that threw it. */
export const REPLAYKIT_ERROR: unique symbol = Symbol.for("replaykit.error");

/**
 * What a caller can do about an error:
 * - `argument`: the call was wrong (type, range, a missing option): fix the call; retrying cannot help.
 * - `not-found`: what was named does not exist (a store, a section, a receipt's pick).
 * - `corrupt`: stored or given data is damaged or malformed (a frame, an index, a body).
 * - `io`: the system refused (permissions, a full disk, a missing directory): see `systemCode`.
 * - `locked`: another writer holds the store: retry later or wait longer.
 * - `conflict`: the state changed under the caller (another writer, a compaction): reload and retry.
 * - `unsupported`: valid, but not something this version or configuration handles.
 */
export type ErrorKind = "argument" | "not-found" | "corrupt" | "io" | "locked" | "conflict" | "unsupported";

/** Every {@link ErrorKind}, in the order above. */
export const ERROR_KINDS: readonly ErrorKind[] = Object.freeze(["argument", "not-found", "corrupt", "io", "locked", "conflict", "unsupported"]);

const KINDS: ReadonlySet<unknown> = new Set(ERROR_KINDS);

/** True when `value` is one of the {@link ErrorKind} names. */
export function isErrorKind(value: unknown): value is ErrorKind {
  return KINDS.has(value);
}

/** What every replaykit error has: a stable `code` (UPPER_SNAKE, unique across replaykit) and a `kind`. */
export interface ReplaykitError extends Error {
  code: string;
  kind: ErrorKind;
}

/**
 * Reads one property without letting a hostile value (a Proxy, a throwing getter) throw:
 * `undefined` instead.
 */
function peek(value: unknown, key: PropertyKey): unknown {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return undefined;
  try {
    return (value as Record<PropertyKey, unknown>)[key];
  } catch {
    return undefined;
  }
}

/**
 * The short name of the package that threw `error` (`"corpus"`, `"store"`, …), or
 * `undefined` when `error` carries no replaykit brand.
 */
export function brandOf(error: unknown): string | undefined {
  const brand = peek(error, REPLAYKIT_ERROR);
  return typeof brand === "string" ? brand : undefined;
}

/**
 * True for an error thrown by any replaykit package, from any installed copy: it carries the
 * brand and a string `code`. (Its `kind` is one of {@link ERROR_KINDS} for every error of
 * this scheme; only errors of replaykit releases from before it have none.) Never throws,
 * whatever it is given.
 */
export function isReplaykitError(error: unknown): error is ReplaykitError {
  return brandOf(error) !== undefined && typeof peek(error, "code") === "string";
}

/**
 * True when `error` carries the replaykit brand and one of `codes` (a class's code and its
 * old names). By brand and code only, never by prototype, so it matches errors from another
 * installed copy of the package (or an older one without `kind`). Never throws.
 */
export function hasCode(error: unknown, codes: string | readonly string[]): boolean {
  if (brandOf(error) === undefined) return false;
  const code = peek(error, "code");
  return typeof code === "string" && (typeof codes === "string" ? code === codes : codes.includes(code));
}

/** The static side of a concrete replaykit error class: its code, and the code's earlier names. */
export interface ErrorClass {
  /** The code of the class's errors. */
  readonly code: string;
  /** Earlier names of the code, still matched by `isInstance`. */
  readonly aliases?: readonly string[] | undefined;
}

/**
 * The `isInstance` of an error class: a function (safe to pass around unbound, as to
 * `array.filter`) that is true for an error of that class from any installed copy of its
 * package: the replaykit brand and the class's `code` or one of its `aliases`. Never throws.
 *
 * ```ts
 * class WidgetMissingError extends WidgetsError {
 *   static readonly code = "WIDGETS_MISSING";
 *   static readonly isInstance = instanceCheck<WidgetMissingError>(this);
 * }
 * ```
 */
export function instanceCheck<T>(errorClass: ErrorClass): (error: unknown) => error is T {
  const codes = [errorClass.code, ...(errorClass.aliases ?? [])];
  return (error: unknown): error is T => hasCode(error, codes);
}

/** What a replaykit error's constructor passes on to {@link ReplaykitErrorBase}. */
export interface ReplaykitErrorOptions {
  /** The failure underneath (a system error, a codec's error, a caller's callback's error). */
  cause?: unknown;
  /** Overrides the class's `kind` for this one error (a class whose errors differ in what a caller can do). */
  kind?: ErrorKind | undefined;
}

/**
 * The base of every package's base error class (`CorpusError`, `StoreError`, …). A concrete
 * class declares its code and kind once, as statics:
 *
 * ```ts
 * export class WidgetMissingError extends WidgetsError {
 *   static readonly code = "WIDGETS_MISSING";
 *   static readonly aliases = ["WIDGET_MISSING"]; // optional: old codes isInstance still matches
 *   static override readonly kind = "not-found";
 *   static readonly isInstance = instanceCheck<WidgetMissingError>(this);
 *   declare readonly code: typeof WidgetMissingError.code;
 *   override readonly name = "WidgetMissingError";
 * }
 * ```
 *
 * The constructor copies the class's `code` and `kind` onto the error as own properties (so
 * they survive `structuredClone`, logging and serialisation). A subclass may instead set
 * `readonly code = "…"` as an instance field (a plugin's parse error does).
 */
export abstract class ReplaykitErrorBase extends Error implements ReplaykitError {
  /** The short name of the package that threw it. */
  abstract readonly [REPLAYKIT_ERROR]: string;
  /**
   * Stable UPPER_SNAKE code, unique across replaykit. Abstract so that a subclass written
   * before the shared base (`readonly code = "…"`, no `override`) still compiles; the
   * constructor sets it from the class's static `code`.
   */
  abstract readonly code: string;
  /** What a caller can do about it (see {@link ErrorKind}). */
  readonly kind: ErrorKind;
  /** The kind of a class's errors, unless one error says otherwise. */
  declare static readonly kind: ErrorKind | undefined;

  constructor(message: string, options?: ReplaykitErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    const statics = new.target as unknown as { code?: unknown; kind?: ErrorKind };
    if (typeof statics.code === "string") (this as { code: string }).code = statics.code;
    this.kind = options?.kind ?? statics.kind ?? "unsupported";
  }
}

// biome-ignore lint/suspicious/noExplicitAny: only `...args: any[]` makes a mixin constructor, whose intersection with a class keeps that class's parameters
type Mixin<T> = abstract new (...args: any[]) => T;

/** Any replaykit error class, abstract or not: what {@link errorClass} extends. */
export type ReplaykitErrorClass = Mixin<ReplaykitErrorBase>;

/**
 * What {@link errorClass} returns: `base` (its constructor and statics) with the static
 * `code`, `kind` and `aliases` of one concrete class, and errors whose `code` and `name`
 * are those literals. `ErrorKindOf` types the errors' `kind`: `ErrorKind` (one error may
 * override its class's kind), or `Kind` for a package whose errors never do; `Aliases`, the static `aliases`.
 */
export type ErrorClassOf<
  Base extends ReplaykitErrorClass,
  Name extends string,
  Code extends string,
  Kind extends ErrorKind,
  ErrorKindOf extends ErrorKind = ErrorKind,
  Aliases extends readonly string[] | undefined = undefined,
> = Base & {
  readonly code: Code;
  readonly kind: Kind;
  readonly aliases: Aliases;
} & Mixin<{ readonly code: Code; readonly name: Name; readonly kind: ErrorKindOf }>;

/**
 * The base of one concrete error class: `base` (the package's abstract `…Error`) with the
 * class's `name`, `code`, `kind` and old codes (`aliases`) declared once, typed as literals.
 * The class adds its `isInstance` (typed with its own name, which the base cannot know),
 * its fields and its constructor:
 *
 * ```ts
 * export class WidgetMissingError extends errorClass(WidgetsError, "WidgetMissingError", "WIDGETS_MISSING", "not-found") {
 *   static readonly isInstance = instanceCheck<WidgetMissingError>(this);
 *   readonly widget: string;
 *   …
 * }
 * ```
 *
 * The same as writing the statics, `declare readonly code` and `override readonly name` by
 * hand (the errors carry `name` as an own property, set before the class's own fields).
 */
export function errorClass<
  Base extends ReplaykitErrorClass,
  const Name extends string,
  const Code extends string,
  const Kind extends ErrorKind,
  const Aliases extends readonly string[] | undefined = undefined,
>(base: Base, name: Name, code: Code, kind: Kind, aliases?: Aliases): ErrorClassOf<Base, Name, Code, Kind, ErrorKind, Aliases> {
  abstract class Named extends (base as ReplaykitErrorClass) {
    static readonly code = code;
    static readonly kind = kind;
    static readonly aliases = aliases;
    // biome-ignore lint/suspicious/noExplicitAny: a mixin's constructor passes on whatever `base` takes
    constructor(...args: any[]) {
      super(...args);
      this.name = name;
    }
  }
  return Named as unknown as ErrorClassOf<Base, Name, Code, Kind, ErrorKind, Aliases>;
}

/**
 * The system error code of a failure (`"EACCES"`, `"ENOSPC"`, …), looked for in `cause` and
 * the causes it wraps: a Node system error's `code`, or a replaykit error's `systemCode`.
 * Node's own `ERR_…` codes are not system codes. Never throws.
 */
export function systemCodeOf(cause: unknown): string | undefined {
  let current = cause;
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth++) {
    if (brandOf(current) !== undefined) {
      const own = peek(current, "systemCode");
      if (typeof own === "string") return own;
    } else {
      const code = peek(current, "code");
      if (typeof code === "string" && /^E[A-Z0-9_]+$/.test(code) && !code.startsWith("ERR_")) return code;
    }
    current = peek(current, "cause");
  }
  return undefined;
}

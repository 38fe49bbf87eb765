/**
 * `@replaykit/errors/testing`: the checks every replaykit package runs over its error
 * classes, for any test runner. `errorSchemeProblems` returns what is wrong (an empty list
 * when nothing is):
 *
 * ```ts
 * import { errorSchemeProblems } from "@replaykit/errors/testing";
 * import * as api from "../src/index.js";
 *
 * test("every exported error class follows the shared scheme", () => {
 *   expect(errorSchemeProblems(api, [new api.WidgetMissingError("w1")], ["widgets"])).toEqual([]);
 * });
 * ```
 *
 * @module
 */

import { brandOf, ERROR_KINDS, isErrorKind, isReplaykitError, REPLAYKIT_ERROR } from "./error.js";

type ErrorConstructor = (abstract new (...args: never[]) => Error) & { code?: unknown; aliases?: unknown; kind?: unknown; isInstance?: unknown };

const CODE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;

/**
 * What breaks the shared error scheme among a module's exported error classes, given one
 * error made by each concrete class (`samples`) and the brands the module's errors may
 * carry (its own short name; a facade re-exporting other packages' classes lists theirs).
 *
 * A concrete class (one with a static `code`) must: have a sample; have a static `kind`
 * among {@link ERROR_KINDS} and an `isInstance` function; match its own samples and, by
 * brand and code alone, a plain object from "another copy" (for its code and every alias);
 * match nothing without the brand, with another code, or a hostile Proxy (and not throw).
 * Each sample must carry an allowed brand, its class's code (UPPER_SNAKE), a kind and a
 * name equal to its class's name, and pass `isReplaykitError`. Codes and aliases are unique.
 */
export function errorSchemeProblems(moduleExports: Record<string, unknown>, samples: readonly unknown[], brands: readonly string[]): string[] {
  const problems: string[] = [];
  const classes = Object.entries(moduleExports).filter(
    (entry): entry is [string, ErrorConstructor] => typeof entry[1] === "function" && entry[1].prototype instanceof Error,
  );
  const seenCodes = new Map<string, string>();
  const hostile = new Proxy(
    {},
    {
      get() {
        throw new Error("hostile");
      },
      getPrototypeOf() {
        throw new Error("hostile");
      },
    },
  );
  for (const [exportName, cls] of classes) {
    const { code, aliases, kind, isInstance } = cls;
    if (typeof code !== "string") continue; // an abstract base (its package's `…Error`)
    const at = `${exportName} (${code})`;
    if (!CODE.test(code)) problems.push(`${at}: code is not UPPER_SNAKE`);
    const names = [code, ...(Array.isArray(aliases) ? (aliases as unknown[]) : [])];
    for (const name of names) {
      if (typeof name !== "string") problems.push(`${at}: an alias is not a string`);
      else if (seenCodes.has(name)) problems.push(`${at}: code ${name} is also ${seenCodes.get(name)}'s`);
      else seenCodes.set(name, exportName);
    }
    if (!isErrorKind(kind)) problems.push(`${at}: static kind ${String(kind)} is not one of ${ERROR_KINDS.join(", ")}`);
    if (typeof isInstance !== "function") {
      problems.push(`${at}: no static isInstance`);
      continue;
    }
    const check = isInstance as (error: unknown) => boolean; // called unbound on purpose: callers pass it around
    const own = samples.filter((s) => s instanceof cls && (s as { code?: unknown }).code === code);
    if (own.length === 0) problems.push(`${at}: no sample error of this class`);
    for (const sample of own) if (!check(sample)) problems.push(`${at}: isInstance is false for its own error`);
    for (const name of names) {
      const forged = { [REPLAYKIT_ERROR]: brands[0], code: name, kind: isErrorKind(kind) ? kind : "argument", message: "from another copy" };
      if (!check(forged)) problems.push(`${at}: isInstance is false for a branded object with code ${String(name)} (another copy)`);
    }
    if (check({ code, kind, message: "no brand" })) problems.push(`${at}: isInstance is true without the brand`);
    if (check({ [REPLAYKIT_ERROR]: brands[0], code: `${code}_OTHER`, kind })) problems.push(`${at}: isInstance is true for another code`);
    try {
      if (check(hostile) || check(null) || check(code)) problems.push(`${at}: isInstance is true for a non-error`);
    } catch {
      problems.push(`${at}: isInstance throws on a hostile Proxy`);
    }
  }
  for (const sample of samples) {
    const at = `sample ${sample instanceof Error ? `${sample.name}: ${sample.message}` : String(sample)}`;
    const brand = brandOf(sample);
    if (brand === undefined || !brands.includes(brand)) problems.push(`${at}: brand ${String(brand)} is not one of ${brands.join(", ")}`);
    if (!isReplaykitError(sample)) {
      problems.push(`${at}: isReplaykitError is false`);
      continue;
    }
    if (!isErrorKind(sample.kind)) problems.push(`${at}: kind ${String(sample.kind)} is not one of ${ERROR_KINDS.join(", ")}`);
    const cls = classes.find(([, c]) => c.code === sample.code && sample instanceof c);
    if (cls === undefined) problems.push(`${at}: no exported class has its code ${sample.code}`);
    else if (sample.name !== cls[0]) problems.push(`${at}: name ${sample.name} is not its class's name ${cls[0]}`);
  }
  return problems;
}

/**
 * The one rendering of a bad value for the "got …" of an error message.
 *
 * @module
 */

/** Strings (and symbol descriptions) longer than this are cut, with "…". */
const MAX_CHARS = 40;

/**
 * A short, safe rendering of `value` for an error message: `null`, `undefined`, `true`,
 * `-0`, `12n`, `"quoted text"` (cut at 40 characters), `Symbol(name)`, `a function`,
 * `an array`, `a Uint8Array(12)`, `an ArrayBuffer of 12 bytes`, a `Date` as ISO 8601 or
 * `an invalid Date`, `a Promise`, `an object`.
 *
 * Never throws and never runs the caller's code: it calls no `toString`, getter or Proxy
 * trap it can avoid, and catches the rest (a revoked Proxy is `an object`). Bounded work
 * for any input (a huge string is cut before it is quoted; objects are not walked).
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case "undefined":
      return "undefined";
    case "boolean":
      return String(value);
    case "number":
      return Object.is(value, -0) ? "-0" : String(value);
    case "bigint":
      return `${value}n`;
    case "string":
      return JSON.stringify(value.length > MAX_CHARS ? `${value.slice(0, MAX_CHARS)}…` : value);
    case "symbol": {
      const description = value.description;
      if (description === undefined) return "Symbol()";
      return `Symbol(${description.length > MAX_CHARS ? `${description.slice(0, MAX_CHARS)}…` : description})`;
    }
    case "function":
      return "a function";
    default:
      return value === null ? "null" : describeObject(value as object);
  }
}

function describeObject(value: object): string {
  try {
    // Array.isArray, ArrayBuffer.isView and Date.prototype.getTime read internal slots, not
    // properties: no trap runs (a revoked Proxy throws, caught below).
    if (Array.isArray(value)) return "an array";
    if (ArrayBuffer.isView(value)) {
      if (value instanceof DataView) return `a DataView of ${value.byteLength} bytes`;
      // A typed array: its own class name (the built-in toStringTag getter) and length.
      const tag = Object.prototype.toString.call(value).slice(8, -1);
      return `a ${tag}(${(value as unknown as { length: number }).length})`;
    }
    if (value instanceof ArrayBuffer) return `an ArrayBuffer of ${value.byteLength} bytes`;
    const time = dateTime(value);
    if (time !== undefined) return Number.isNaN(time) ? "an invalid Date" : new Date(time).toISOString();
    if (value instanceof Promise) return "a Promise";
  } catch {
    // A Proxy whose getPrototypeOf trap throws, or a revoked one: nothing more to say safely.
  }
  return "an object";
}

/** The time of a Date (from any realm), or undefined for anything else. */
function dateTime(value: object): number | undefined {
  try {
    return Date.prototype.getTime.call(value);
  } catch {
    return undefined;
  }
}

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
      // Through the built-in getters, not the object's own (an own `length` could be a getter).
      const viewBytes = builtIn(DATA_VIEW_BYTES, value);
      if (viewBytes !== undefined) return `a DataView of ${viewBytes} bytes`;
      return `a ${builtIn(TYPED_ARRAY_TAG, value)}(${builtIn(TYPED_ARRAY_LENGTH, value)})`;
    }
    const bufferBytes = builtIn(ARRAY_BUFFER_BYTES, value);
    if (bufferBytes !== undefined) return `an ArrayBuffer of ${bufferBytes} bytes`;
    const time = builtIn(DATE_TIME, value) as number | undefined;
    if (time !== undefined) return Number.isNaN(time) ? "an invalid Date" : new Date(time).toISOString();
    if (value instanceof Promise) return "a Promise";
  } catch {
    // A Proxy whose getPrototypeOf trap throws, or a revoked one: nothing more to say safely.
  }
  return "an object";
}

const getter = (proto: object, key: PropertyKey) => Object.getOwnPropertyDescriptor(proto, key)?.get as (this: unknown) => unknown;
const TYPED_ARRAY = Object.getPrototypeOf(Uint8Array.prototype) as object;
const TYPED_ARRAY_LENGTH = getter(TYPED_ARRAY, "length");
const TYPED_ARRAY_TAG = getter(TYPED_ARRAY, Symbol.toStringTag);
const DATA_VIEW_BYTES = getter(DataView.prototype, "byteLength");
const ARRAY_BUFFER_BYTES = getter(ArrayBuffer.prototype, "byteLength");
const DATE_TIME = Date.prototype.getTime as (this: unknown) => number;

/**
 * `method.call(value)` for a built-in method or getter that reads an internal slot (it
 * accepts its own type from any realm, and throws for anything else): undefined when `value`
 * is not of that type.
 */
function builtIn(method: (this: unknown) => unknown, value: object): unknown {
  try {
    return method.call(value);
  } catch {
    return undefined;
  }
}

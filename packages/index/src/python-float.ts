import { IndexArgumentError } from "./errors.js";

/**
 * Format a finite number as Python's `repr(float)` (and so `json.dumps`) writes it: the
 * shortest round-tripping digits, like JavaScript, but `1.0` for integral values,
 * positional notation for decimal exponents -5 < e < 16, and otherwise `1e-05`,
 * `1.5e+16` (a sign and at least two exponent digits, no `.0` on the mantissa).
 *
 * @throws {IndexArgumentError} `x` is not a finite number (JSON has no NaN or Infinity).
 */
export function formatPythonFloat(x: number): string {
  if (x === 1) return "1.0"; // the only weight dlm writes
  if (typeof x !== "number" || !Number.isFinite(x)) {
    throw new IndexArgumentError("formatPythonFloat", "x", "a finite number", x);
  }
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sign = x < 0 ? "-" : "";
  const abs = x < 0 ? -x : x;
  // Python switches to scientific notation when the decimal point position `decpt`
  // (value = 0.DIGITS × 10^decpt) satisfies decpt <= -4 or decpt > 16.
  if (abs >= 1e-4 && abs < 1e16) {
    if (Number.isInteger(abs)) return `${sign}${abs}.0`; // < 1e16 < 1e21: JS prints plain digits
    // 1e-4 <= abs < 1e16 and not integral: JS also prints positional here (it switches
    // below 1e-6 and at 1e21), with the same shortest digits.
    return `${sign}${abs}`;
  }
  const e = abs.toExponential(); // shortest digits, e.g. "1e-5", "1.2345e+30"
  const at = e.indexOf("e");
  const mantissa = e.slice(0, at);
  const exp = Number(e.slice(at + 1));
  const expSign = exp < 0 ? "-" : "+";
  const expAbs = exp < 0 ? -exp : exp;
  return `${sign}${mantissa}e${expSign}${expAbs < 10 ? "0" : ""}${expAbs}`;
}

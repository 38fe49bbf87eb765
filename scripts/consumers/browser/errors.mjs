import { ERROR_KINDS, REPLAYKIT_ERROR, ReplaykitErrorBase, describeValue, hasCode, instanceCheck, isReplaykitError, systemCodeOf } from "@replaykit/errors";

class AppError extends ReplaykitErrorBase {
  static code = "APP_MISSING";
  static aliases = ["APP_GONE"];
  static kind = "not-found";
  static isInstance = instanceCheck(this);
  [REPLAYKIT_ERROR] = "app";
  name = "AppError";
}

export function run() {
  const error = new AppError("no widget", { cause: { code: "ENOENT" } });
  const fromAnotherCopy = { [Symbol.for("replaykit.error")]: "app", code: "APP_GONE", kind: "not-found" };
  const hostile = new Proxy(
    {},
    {
      get() {
        throw new Error("trap");
      },
      getPrototypeOf() {
        throw new Error("trap");
      },
    },
  );
  const out = {
    kinds: ERROR_KINDS,
    error: { code: error.code, kind: error.kind, name: error.name, isError: error instanceof Error, system: systemCodeOf(error.cause) },
    isReplaykitError: [error, fromAnotherCopy, new Error("x"), hostile, null].map((e) => isReplaykitError(e)),
    isInstance: [error, fromAnotherCopy, { code: "APP_MISSING" }, hostile].map((e) => AppError.isInstance(e)),
    hasCode: [hasCode(fromAnotherCopy, ["APP_MISSING", "APP_GONE"]), hasCode(fromAnotherCopy, "APP_MISSING")],
    described: [null, undefined, -0, 12n, "x".repeat(50), Symbol("s"), [1], new Uint8Array(3), new Date(0), new Date(Number.NaN), hostile, () => 1].map(
      describeValue,
    ),
  };
  if (!out.isInstance[0] || !out.isInstance[1] || out.isInstance[3]) throw new Error("errors: isInstance does not check brand and code");
  return out;
}

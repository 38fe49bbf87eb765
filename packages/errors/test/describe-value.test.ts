// describeValue: the one "got …" of every replaykit message. Short, never throwing, never
// running the caller's code, bounded for any input.
import { runInNewContext } from "node:vm";
import { describe, expect, test } from "vitest";
import { describeValue } from "../src/index.js";

describe("describeValue", () => {
  test.each([
    [null, "null"],
    [undefined, "undefined"],
    [true, "true"],
    [0, "0"],
    [-0, "-0"],
    [1.5, "1.5"],
    [Number.NaN, "NaN"],
    [Number.NEGATIVE_INFINITY, "-Infinity"],
    [1e306, "1e+306"],
    [12n, "12n"],
    ["", '""'],
    ['say "hi"\n', '"say \\"hi\\"\\n"'],
    [Symbol("tag"), "Symbol(tag)"],
    [Symbol(), "Symbol()"],
    [() => 1, "a function"],
    [class Foo {}, "a function"],
    [[1, 2, 3], "an array"],
    [new Uint8Array(12), "a Uint8Array(12)"],
    [new Float64Array(3), "a Float64Array(3)"],
    [new ArrayBuffer(8), "an ArrayBuffer of 8 bytes"],
    [new DataView(new ArrayBuffer(4)), "a DataView of 4 bytes"],
    [new Date(Date.UTC(2026, 0, 2, 3, 4, 5)), "2026-01-02T03:04:05.000Z"],
    [new Date("nope"), "an invalid Date"],
    [Promise.resolve(1), "a Promise"],
    [{ a: 1 }, "an object"],
    [Object.create(null), "an object"],
    [new Map(), "an object"],
  ])("%s → %s", (value, expected) => {
    expect(describeValue(value)).toBe(expected);
  });

  test("cuts long strings (and symbol descriptions) at 40 characters, before quoting a huge one", () => {
    expect(describeValue("x".repeat(41))).toBe(`"${"x".repeat(40)}…"`);
    expect(describeValue("x".repeat(40))).toBe(`"${"x".repeat(40)}"`);
    const huge = "y".repeat(10_000_000);
    expect(describeValue(huge)).toBe(`"${"y".repeat(40)}…"`);
    expect(describeValue(Symbol("z".repeat(100)))).toBe(`Symbol(${"z".repeat(40)}…)`);
  });

  test("cyclic and deep objects are not walked", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    expect(describeValue(cyclic)).toBe("an object");
    const list: unknown[] = [];
    list.push(list);
    expect(describeValue(list)).toBe("an array");
  });

  test("runs none of the value's own code: toString, valueOf, toJSON, getters, Symbol.toPrimitive", () => {
    const calls: string[] = [];
    const trap = (name: string) => () => {
      calls.push(name);
      throw new Error(name);
    };
    const hostile = {
      toString: trap("toString"),
      valueOf: trap("valueOf"),
      toJSON: trap("toJSON"),
      [Symbol.toPrimitive]: trap("toPrimitive"),
      // biome-ignore lint/suspicious/noThenProperty: a thenable getter is the point: a Promise check must not read it
      get then() {
        return trap("then")();
      },
    };
    expect(describeValue(hostile)).toBe("an object");
    const date = Object.assign(new Date(0), { toISOString: trap("toISOString") });
    expect(describeValue(date)).toBe("1970-01-01T00:00:00.000Z");
    const fn = Object.assign(() => 1, { toString: trap("fn.toString") });
    expect(describeValue(fn)).toBe("a function");
    expect(calls).toEqual([]);
  });

  test("Proxies whose traps throw, and revoked Proxies, are 'an object' or 'an array', never a throw", () => {
    const trap = () => {
      throw new Error("trap");
    };
    const handler = { get: trap, has: trap, getPrototypeOf: trap, ownKeys: trap, getOwnPropertyDescriptor: trap, apply: trap };
    expect(describeValue(new Proxy({}, handler))).toBe("an object");
    expect(describeValue(new Proxy([1, 2], handler))).toBe("an array");
    expect(describeValue(new Proxy(() => 1, handler))).toBe("a function");
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(describeValue(proxy)).toBe("an object");
  });

  test("values from another realm read the same", () => {
    const [date, array, bytes] = runInNewContext("[new Date(0), [1], new Uint8Array(2)]") as unknown[];
    expect(describeValue(date)).toBe("1970-01-01T00:00:00.000Z");
    expect(describeValue(array)).toBe("an array");
    expect(describeValue(bytes)).toBe("a Uint8Array(2)");
  });

  test("a Date subclass that throws from getTime is still read through its internal slot", () => {
    class Sly extends Date {
      override getTime(): number {
        throw new Error("sly");
      }
    }
    expect(describeValue(new Sly(0))).toBe("1970-01-01T00:00:00.000Z");
  });
});

test("typed arrays and buffers are measured through the built-in getters, not the object's own", () => {
  const bytes = new Uint8Array(4);
  Object.defineProperty(bytes, "length", {
    get() {
      throw new Error("own length");
    },
  });
  Object.defineProperty(bytes, Symbol.toStringTag, { value: "Fake" });
  expect(describeValue(bytes)).toBe("a Uint8Array(4)");
  const buffer = new ArrayBuffer(3);
  Object.defineProperty(buffer, "byteLength", { value: 999 });
  expect(describeValue(buffer)).toBe("an ArrayBuffer of 3 bytes");
});

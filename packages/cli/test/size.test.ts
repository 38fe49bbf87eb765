import { describe, expect, test } from "vitest";
import { UsageError } from "../src/errors.js";
import { formatBytes, parseSize } from "../src/size.js";

describe("parseSize", () => {
  test.each([
    ["0", 0],
    ["123", 123],
    ["123B", 123],
    ["64KiB", 65_536],
    ["64kib", 65_536],
    ["10MiB", 10 * 1024 ** 2],
    ["1GiB", 1024 ** 3],
    ["2TiB", 2 * 1024 ** 4],
    ["1.5KiB", 1536],
    ["10 MiB", 10 * 1024 ** 2],
    ["1KB", 1000],
    ["5MB", 5_000_000],
    ["1GB", 1_000_000_000],
    ["0.3KiB", 307],
  ])("%s is %i bytes", (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  test.each(["", "-1", "abc", "10 XB", "1.2.3MiB", "MiB", "1e3", "99999999999TiB"])("%j is a usage error", (text) => {
    expect(() => parseSize(text)).toThrow(UsageError);
  });

  test("a bare K, M or G is ambiguous and the message says what to write", () => {
    expect(() => parseSize("10M", "--max-bytes")).toThrow(/--max-bytes: "10M" is not a size; say MiB .* or MB/);
  });
});

describe("formatBytes", () => {
  test.each([
    [0, "0 B"],
    [102, "102 B"],
    [512, "0.50 KiB"],
    [4300, "4.20 KiB"],
    [430_000, "0.41 MiB"],
    [10 * 1024 ** 2, "10.00 MiB"],
    [3 * 1024 ** 3, "3.00 GiB"],
  ])("%i bytes → %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

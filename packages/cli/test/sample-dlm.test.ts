// replaykit sample --dlm-seed: the rows dlm's sample_rows / sample_preference_rows give for
// random.Random(N) (vectors/dlm-reference/draws.json `store_rows`), its flags and receipts.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { dlmStoreRows } from "@replaykit/test-support";
import { cli, jsonl, parseJsonl, referenceStoreCopy, tempDir } from "./helpers.js";

const storeRows = dlmStoreRows();
// The reference's naive `now`; the CLI reads a date without an offset as UTC, as the store's dates are.
const NOW_FLAGS = ["--now", storeRows.now];

describe("replaykit sample --dlm-seed", () => {
  test("gives dlm's rows for every store_rows case of draws.json, with and without --preference", async () => {
    const dir = referenceStoreCopy();
    expect(storeRows.cases).toHaveLength(15);
    for (const c of storeRows.cases) {
      const where = `seed ${c.seed}, k ${c.k}`;
      const plain = await cli(["sample", dir, "--k", String(c.k), "--dlm-seed", c.seed, ...NOW_FLAGS]);
      expect(plain.code, where).toBe(0);
      expect(parseJsonl(plain.stdout), where).toEqual(c.rows);
      const preference = await cli(["sample", dir, "--k", String(c.k), "--dlm-seed", c.seed, "--preference", ...NOW_FLAGS]);
      expect(parseJsonl(preference.stdout), where).toEqual(c.preference_rows);
    }
  });

  test("takes seeds beyond 2^64 and negative ones as dlm does (abs), and --no-auto-mined with --preference", async () => {
    const dir = referenceStoreCopy();
    const a = await cli(["sample", dir, "--k", "3", "--dlm-seed", "1180591620717411303427", ...NOW_FLAGS]);
    expect(a).toMatchObject({ code: 0, stderr: "" });
    const b = await cli(["sample", dir, "--k", "3", "--dlm-seed", "-1180591620717411303427", ...NOW_FLAGS]);
    expect(b.stdout).toBe(a.stdout);
    const noMined = await cli(["sample", dir, "--k", "5", "--dlm-seed", "2", "--preference", "--no-auto-mined", ...NOW_FLAGS]);
    expect(noMined.code).toBe(0);
    expect(parseJsonl(noMined.stdout).map((r) => r._dlm_section_id)).not.toContain("replay:8931d3b72cc002ef:2026-03-12T17:45:30+00:00");
    expect(parseJsonl(noMined.stdout)).toHaveLength(3);
  });

  test.each([
    [["--seed", "3"], /no equivalent of --seed \(dlm's draw is seeded by --dlm-seed alone\)/],
    [["--mix", "prose=1"], /no equivalent of --mix/],
    [["--rows", "5"], /no equivalent of --rows/],
    [["--tokens", "50"], /no equivalent of --tokens/],
    [["--record-exposure"], /no equivalent of --record-exposure/],
    [["--no-auto-mined"], /no equivalent of --no-auto-mined without --preference/],
    [["--from-receipt", "r.json"], /no equivalent of --from-receipt/],
    [["--seed", "1", "--mix", "prose=1"], /no equivalent of --seed .*, --mix$/m],
  ])("refuses %j with a usage error naming it", async (extra, message) => {
    const dir = referenceStoreCopy();
    const result = await cli(["sample", dir, "--k", "2", "--dlm-seed", "7", ...extra]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(message);
  });

  test("needs --k; refuses a seed that is not an integer", async () => {
    const dir = referenceStoreCopy();
    expect(await cli(["sample", dir, "--dlm-seed", "7"])).toMatchObject({ code: 2, stderr: expect.stringMatching(/give --k N/) });
    for (const bad of ["1.5", "abc", "", "1e3"]) {
      const result = await cli(["sample", dir, "--k", "1", "--dlm-seed", bad]);
      expect(result.code, bad).toBe(2);
      expect(result.stderr).toMatch(/--dlm-seed.*must be an integer/);
    }
  });

  test("--receipt records dlmSeed as text; --from-receipt repeats the draw byte for byte, and refuses once the store changed", async () => {
    const dir = referenceStoreCopy();
    const receipt = join(tempDir(), "receipt.json");
    const seed = "9223372036854775819";
    const first = await cli(["sample", dir, "--k", "4", "--dlm-seed", seed, "--preference", "--scheme", "uniform", "--receipt", receipt, ...NOW_FLAGS]);
    expect(first).toMatchObject({ code: 0, stderr: "" });
    const recorded = JSON.parse(readFileSync(receipt, "utf8")) as Record<string, unknown>;
    expect(recorded).toMatchObject({
      version: 1,
      dlmSeed: seed,
      now: "2026-04-18T00:00:00.000Z",
      scheme: "uniform",
      options: { k: 4, preference: true, includeAutoMined: true },
      store: { entries: 13, digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) },
    });
    const again = await cli(["sample", dir, "--from-receipt", receipt]);
    expect(again).toMatchObject({ code: 0, stderr: "", stdout: first.stdout });

    await cli(["add", dir, "-"], { stdin: jsonl([{ section_type: "prose", content: "A newer fact.", last_seen_at: "2026-04-01T00:00:00Z" }]) });
    const changed = await cli(["sample", dir, "--from-receipt", receipt]);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toBe("");
    expect(changed.stderr).toMatch(/the store changed since this --dlm-seed draw \(13 entries then, 14 now/);
  });

  test("a malformed --dlm-seed receipt is refused naming the field", async () => {
    const dir = referenceStoreCopy();
    const receipt = join(tempDir(), "receipt.json");
    expect((await cli(["sample", dir, "--k", "2", "--dlm-seed", "5", "--receipt", receipt, ...NOW_FLAGS])).code).toBe(0);
    const good = JSON.parse(readFileSync(receipt, "utf8")) as Record<string, unknown>;
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...good, dlmSeed: 5 }, /dlmSeed must be an integer in decimal text/],
      [{ ...good, dlmSeed: "5.5" }, /dlmSeed must be/],
      [{ ...good, version: 2 }, /version must be 1/],
      [{ ...good, now: "yesterday" }, /now must be an ISO 8601 date/],
      [{ ...good, scheme: "custom" }, /scheme must be "recency" or "uniform"/],
      [{ ...good, options: { k: -1, preference: false, includeAutoMined: true } }, /options must be \{ k, preference, includeAutoMined \}/],
      [{ ...good, store: {} }, /store.digest must be a string/],
    ];
    for (const [bad, message] of cases) {
      writeFileSync(receipt, JSON.stringify(bad));
      const result = await cli(["sample", dir, "--from-receipt", receipt]);
      expect(result.code, JSON.stringify(bad)).toBe(1);
      expect(result.stderr).toMatch(message);
    }
  });
});

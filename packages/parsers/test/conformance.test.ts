import { describe, expect, test } from "vitest";
import { defaultExpanders, InstructionParseError, type Row, type RowExpander } from "../src/index.js";
import {
  assertExpanderConforms,
  ConformanceError,
  expanderChecks,
  expanderConformance,
  isTypedError,
  jsonProblem,
  type ConformanceProperty,
} from "../src/testing.js";

// The built-ins pass the same suite plugin authors run.
expanderConformance("prose", defaultExpanders.prose, {
  test,
  sectionType: "prose",
  samples: ["Hello, replay corpus.", "  \u00dcn\u00efc\u00f6d\u00e9 \ud83d\ude80  \n", "   \n\t"],
});
expanderConformance("instruction", defaultExpanders.instruction, {
  test,
  sectionType: "instruction",
  samples: [
    "### Q\nWhat is 2+2?\n### A\n4",
    "### Q !probe\nq1\n### A\na1\n\n### Q\nq2\n### A\n```\n### Q\n```",
    { content: "### Q\r\nq\r\n### A\r\na\r\n", sectionId: "fedcba9876543210", lastSeenAt: new Date("2026-02-03T04:05:06.789Z") },
  ],
  badInputs: ["", "   \n", "### A\nbare", "### Q\nunterminated", "### Q What's this?\n### A\nx", "\ufeff### Q\nq\n### A\na"],
});
expanderConformance("preference", defaultExpanders.preference, {
  test,
  sectionType: "preference",
  samples: [
    "### Prompt\np\n### Chosen\nc\n### Rejected\nr",
    { content: "### Prompt\np\n### Chosen\nc\n### Rejected\nr\n### Prompt\np2\n### Chosen\nc2\n### Rejected\nr2", autoMined: true },
  ],
  badInputs: ["", "### Prompt\np\n### Chosen\nc", "### Chosen\nc\n### Prompt\np\n### Rejected\nr"],
});

// The suite must catch each way an expander can break the contract.
const good: RowExpander = (source, rowId) => [{ text: source.content.trim(), _dlm_section_id: rowId }];

function failure(expander: RowExpander, options = {}): ConformanceProperty[] {
  const broken: ConformanceProperty[] = [];
  for (const check of expanderChecks(expander, { samples: ["a sample"], fuzzRuns: 20, ...options })) {
    try {
      check.run();
    } catch (error) {
      expect(ConformanceError.isInstance(error)).toBe(true);
      expect((error as ConformanceError).code).toBe("PARSERS_CONFORMANCE");
      expect((error as ConformanceError).property).toBe(check.property);
      broken.push(check.property);
    }
  }
  return broken;
}

describe("the conformance suite", () => {
  test("passes a well-behaved expander", () => {
    expect(failure(good)).toEqual([]);
    expect(() => assertExpanderConforms(good, { samples: ["x"] })).not.toThrow();
  });

  test("registers one test per property with the given registrar", () => {
    const names: string[] = [];
    expanderConformance("mine", good, { test: (name) => void names.push(name), samples: ["x"] });
    expect(names).toHaveLength(5);
    expect(names.every((n) => n.startsWith("mine: "))).toBe(true);
  });

  // Rows the type system would refuse, built the way a JavaScript plugin could return them.
  const raw = (row: Record<string, unknown>): Row[] => [row as unknown as Row];

  test("catches rows that are not plain JSON", () => {
    const cases: RowExpander[] = [
      () => ({}) as unknown as Row[],
      (s, id) => Promise.resolve([{ text: "x", _dlm_section_id: id }]) as unknown as Row[],
      (s, id) => raw({ text: new Date(0), _dlm_section_id: id }),
      (s, id) => raw({ text: Number.NaN, _dlm_section_id: id }),
      (s, id) => raw({ text: "x", u: undefined, _dlm_section_id: id }),
      (s, id) => raw({ text: 1n, _dlm_section_id: id }),
      (s, id) => {
        const holey: unknown[] = [{ role: "user", content: "a" }];
        holey[2] = { role: "assistant", content: "b" }; // index 1 stays a hole
        return raw({ messages: holey, _dlm_section_id: id });
      },
      (s, id) => [new Map([["_dlm_section_id", id]]) as unknown as Row],
      (s, id) => [["not", "an", "object"] as unknown as Row],
      (s, id) => {
        const row: Record<string, unknown> = { _dlm_section_id: id };
        row["text"] = row;
        return raw(row);
      },
    ];
    for (const expander of cases) expect(failure(expander)).toContain("plain-rows");
  });

  test("catches rows of none of the four shapes", () => {
    const cases: Array<[RowExpander, RegExp]> = [
      [(s, id) => raw({ _dlm_section_id: id }), /rows\[0\] has the keys \[\] besides _dlm_section_id/],
      [(s, id) => raw({ text: "x", extra: 1, _dlm_section_id: id }), /keys \[extra,text\]/],
      [(s, id) => raw({ text: "x", prompt: "p", _dlm_section_id: id }), /keys \[prompt,text\]/],
      [(s, id) => raw({ prompt: "p", _dlm_section_id: id }), /keys \[prompt\]/],
      [(s, id) => raw({ text: 5, _dlm_section_id: id }), /rows\[0\]\.text is 5, not a string/],
      [(s, id) => raw({ prompt: "p", chosen: "c", rejected: null, _dlm_section_id: id }), /rejected is null/],
      [(s, id) => raw({ messages: "hi", _dlm_section_id: id }), /messages is "hi", not an array/],
      [(s, id) => raw({ messages: [{ role: "tool", content: "x" }], _dlm_section_id: id }), /role is "tool"/],
      [(s, id) => raw({ messages: [{ role: "user", content: "x", name: "n" }], _dlm_section_id: id }), /not \[role, content\]/],
      [(s, id) => raw({ messages: [{ role: "user" }], _dlm_section_id: id }), /not \[role, content\]/],
      [() => raw({ text: "x" }), /_dlm_section_id is undefined/],
    ];
    for (const [expander, message] of cases) {
      expect(failure(expander)).toContain("row-shape");
      const check = expanderChecks(expander, { samples: ["a sample"], fuzzRuns: 0 }).find((c) => c.property === "row-shape");
      expect(() => check?.run()).toThrow(message);
    }
    // Every shape passes, and so does a conversation with a system turn.
    const shapes: RowExpander[] = [
      (s, id) => [{ text: "t", _dlm_section_id: id }],
      (s, id) => [
        {
          messages: [
            { role: "system", content: "be brief" },
            { role: "user", content: "q" },
            { role: "assistant", content: "a" },
          ],
          _dlm_section_id: id,
        },
      ],
      (s, id) => [{ prompt: "p", completion: "c", _dlm_section_id: id }],
      (s, id) => [{ prompt: "p", chosen: "c", rejected: "r", _dlm_section_id: id }],
    ];
    for (const expander of shapes) expect(failure(expander)).toEqual([]);
  });

  test("catches rows without the given row id", () => {
    expect(failure((s) => [{ text: "x", _dlm_section_id: `replay:${s.sectionId}` }])).toEqual(["row-id", "deterministic", "typed-errors"]);
    expect(failure((s, id) => [{ text: id, _dlm_section_id: id }])).toEqual(["row-id"]);
  });

  test("catches non-determinism, shared rows and a mutated source", () => {
    let n = 0;
    expect(failure((s, id) => [{ text: String(n++), _dlm_section_id: id }])).toContain("deterministic");
    const cache = new Map<string, Row[]>();
    const cached: RowExpander = (s, id) => {
      const key = `${s.content}\0${id}`;
      if (!cache.has(key)) cache.set(key, [{ messages: [{ role: "user", content: s.content }], _dlm_section_id: id }]);
      return cache.get(key) as Row[];
    };
    expect(failure(cached)).toEqual(["deterministic"]);
    const mutating: RowExpander = (s, id) => {
      s.lastSeenAt.setUTCFullYear(1999);
      return [{ text: "x", _dlm_section_id: id }];
    };
    expect(failure(mutating)).toContain("deterministic");
  });

  test("catches untyped errors and accepted bad inputs", () => {
    expect(
      failure(() => {
        throw new Error("no code");
      }),
    ).toEqual(["plain-rows", "row-shape", "row-id", "deterministic", "typed-errors"]);
    const picky: RowExpander = (s, id) => {
      if (s.content.includes("#")) throw new TypeError("boom");
      return [{ text: "x", _dlm_section_id: id }];
    };
    expect(failure(picky)).toEqual(["typed-errors"]);
    expect(failure(good, { badInputs: ["anything"] })).toEqual(["typed-errors"]);
    const throwsString: RowExpander = (s, id) => {
      if (s.content === "") throw "empty"; // eslint-disable-line no-throw-literal
      return [{ text: "x", _dlm_section_id: id }];
    };
    expect(failure(throwsString)).toEqual(["typed-errors"]);
  });

  test("bad arguments to the suite are typed errors", () => {
    for (const call of [
      () => expanderChecks(null as unknown as RowExpander),
      () => expanderChecks(good, null as never),
      () => assertExpanderConforms("not a function" as unknown as RowExpander),
      () => expanderConformance("x", good, { test: undefined as never }),
      () => expanderConformance("x", good, undefined as never),
    ]) {
      expect(call).toThrow(expect.objectContaining({ code: "PARSERS_ARGUMENT" }));
    }
  });

  test("a failing sample explains itself", () => {
    const strict: RowExpander = (s, id) => {
      if (!s.content.startsWith("ok")) throw new InstructionParseError("nope", { sectionId: s.sectionId, sectionLine: 1 });
      return [{ text: "x", _dlm_section_id: id }];
    };
    const [plain] = expanderChecks(strict, { samples: ["bad sample"] });
    expect(() => plain?.run()).toThrow(/sample #0 \(content "bad sample"\) threw InstructionParseError \[INSTRUCTION_PARSE\]/);
    // With the default samples, typed rejections are fine as long as some sample yields rows …
    expect(() => expanderChecks(strict)[0]?.run()).toThrow(/none of the default samples produced a row/);
    // … and an expander that accepts the generic bodies passes with the defaults.
    expect(() => assertExpanderConforms(defaultExpanders.instruction)).not.toThrow();
  });

  test("isTypedError and jsonProblem", () => {
    expect(isTypedError(Object.assign(new Error("x"), { code: "X" }))).toBe(true);
    expect(isTypedError(Object.assign(new Error("x"), { code: "" }))).toBe(false);
    expect(isTypedError({ code: "X", message: "not an Error" })).toBe(false);
    expect(jsonProblem({ a: [1, "b", null, { c: true }] })).toBeUndefined();
    expect(jsonProblem(Object.create(null))).toBeUndefined();
    expect(jsonProblem({ a: Infinity })).toBe("value.a is Infinity, which JSON cannot hold");
    expect(
      jsonProblem({
        get a() {
          return 1;
        },
      }),
    ).toMatch(/accessor/);
    expect(jsonProblem({ [Symbol("s")]: 1 })).toMatch(/symbol keys/);
    const shared = { x: 1 };
    expect(jsonProblem({ a: shared, b: shared })).toBeUndefined(); // shared, not circular
  });
});

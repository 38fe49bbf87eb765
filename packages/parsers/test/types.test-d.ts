import { describe, expectTypeOf, test } from "vitest";
import {
  defaultExpanders,
  InstructionParseError,
  parseInstructionBody,
  parsePreferenceBody,
  PreferenceParseError,
  replayRowId,
  type PreferenceTriple,
  type QAPair,
  type Row,
  type RowExpander,
  type RowSource,
} from "../src/index.js";
import { expanderConformance, type TestRegistrar } from "../src/testing.js";

describe("public types (API.md contract)", () => {
  test("parsers", () => {
    expectTypeOf(parseInstructionBody).toEqualTypeOf<(body: string, options: { sectionId: string }) => QAPair[]>();
    expectTypeOf(parsePreferenceBody).returns.toEqualTypeOf<PreferenceTriple[]>();
    expectTypeOf<QAPair>().toEqualTypeOf<{ question: string; answer: string }>();
    expectTypeOf<PreferenceTriple>().toEqualTypeOf<{ prompt: string; chosen: string; rejected: string }>();
    expectTypeOf<InstructionParseError["code"]>().toEqualTypeOf<"INSTRUCTION_PARSE">();
    expectTypeOf<PreferenceParseError["code"]>().toEqualTypeOf<"PREFERENCE_PARSE">();
    expectTypeOf<InstructionParseError["sectionLine"]>().toEqualTypeOf<number>();
  });

  test("rows", () => {
    expectTypeOf<RowExpander>().toEqualTypeOf<(source: RowSource, rowId: string) => Row[]>();
    expectTypeOf(defaultExpanders).toEqualTypeOf<Readonly<Record<"prose" | "instruction" | "preference", RowExpander>>>();
    expectTypeOf(replayRowId).toEqualTypeOf<(sectionId: string, lastSeenAt: Date) => string>();
    expectTypeOf<Row["_dlm_section_id"]>().toEqualTypeOf<string>();
  });

  test("the conformance suite takes vitest's test as its registrar", () => {
    expectTypeOf(test).toMatchTypeOf<TestRegistrar>();
    expectTypeOf(expanderConformance).parameter(2).toHaveProperty("test");
  });
});

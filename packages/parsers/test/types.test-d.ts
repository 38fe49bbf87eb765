import { describe, expectTypeOf, test } from "vitest";
import {
  defaultExpanders,
  type InstructionParseError,
  parseInstructionBody,
  parsePreferenceBody,
  type PreferenceParseError,
  ParsersArgumentError,
  replayRowId,
  rowShape,
  toPromptCompletion,
  type MessagesRow,
  type PreferenceRow,
  type PreferenceTriple,
  type PromptCompletionRow,
  type QAPair,
  type Row,
  type RowExpander,
  type RowMessage,
  type RowShape,
  type RowSource,
  type TextRow,
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

  test("Row is the union of the four shapes, narrowed by its keys", () => {
    expectTypeOf<Row>().toEqualTypeOf<TextRow | MessagesRow | PromptCompletionRow | PreferenceRow>();
    expectTypeOf<TextRow>().toEqualTypeOf<{ text: string; _dlm_section_id: string }>();
    expectTypeOf<MessagesRow>().toEqualTypeOf<{ messages: RowMessage[]; _dlm_section_id: string }>();
    expectTypeOf<RowMessage>().toEqualTypeOf<{ role: "user" | "assistant" | "system"; content: string }>();
    expectTypeOf<PromptCompletionRow>().toEqualTypeOf<{ prompt: string; completion: string; _dlm_section_id: string }>();
    expectTypeOf<PreferenceRow>().toEqualTypeOf<{ prompt: string; chosen: string; rejected: string; _dlm_section_id: string }>();

    const row = {} as Row;
    if ("text" in row) expectTypeOf(row.text).toEqualTypeOf<string>();
    if ("messages" in row) expectTypeOf(row.messages).toEqualTypeOf<RowMessage[]>();
    if ("completion" in row) expectTypeOf(row).toEqualTypeOf<PromptCompletionRow>();
    if ("chosen" in row) expectTypeOf(row).toEqualTypeOf<PreferenceRow>();
    if ("prompt" in row) expectTypeOf(row.prompt).toEqualTypeOf<string>();
    // @ts-expect-error: not every row has text
    void row.text;
    // @ts-expect-error: a row of none of the shapes
    const odd: Row = { answer: "42", _dlm_section_id: "id" };
    void odd;
  });

  test("rowShape and toPromptCompletion", () => {
    expectTypeOf(rowShape).toEqualTypeOf<(row: Row) => RowShape>();
    expectTypeOf<RowShape>().toEqualTypeOf<"text" | "messages" | "prompt-completion" | "preference">();
    expectTypeOf(toPromptCompletion).toEqualTypeOf<(row: MessagesRow) => PromptCompletionRow>();
    // @ts-expect-error: only a messages row
    toPromptCompletion({ text: "t", _dlm_section_id: "id" });
    expectTypeOf<ParsersArgumentError["code"]>().toEqualTypeOf<"PARSERS_ARGUMENT">();
    expectTypeOf(ParsersArgumentError.isInstance).guards.toEqualTypeOf<ParsersArgumentError>();
  });

  test("the conformance suite takes vitest's test as its registrar", () => {
    expectTypeOf(test).toMatchTypeOf<TestRegistrar>();
    expectTypeOf(expanderConformance).parameter(2).toHaveProperty("test");
  });
});

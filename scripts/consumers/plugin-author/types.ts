// A TypeScript plugin author's view: the expander type-checks against the installed tarballs.
import { SectionParseError, type Row, type RowExpander, type RowSource } from "@replaykit/parsers";
import { expanderConformance, type ConformanceOptions } from "@replaykit/parsers/testing";
import { ReplayStore } from "@replaykit/store";
import { test } from "node:test";

class TodoParseError extends SectionParseError {
  readonly code = "TODO_PARSE" as const;
  override readonly name = "TodoParseError";
}

export const todoExpander: RowExpander = (source: RowSource, rowId: string): Row[] => {
  const items = source.content.split("\n").filter((l) => l.startsWith("- "));
  if (items.length === 0) throw new TodoParseError("no items", { sectionId: source.sectionId, sectionLine: 1 });
  return items.map((text) => ({ text: text.slice(2), _dlm_section_id: rowId }));
};

const options: ConformanceOptions = { samples: ["- one\n- two"], badInputs: ["nothing"] };
expanderConformance("todo", todoExpander, { ...options, test });

export const open = (dir: string): Promise<ReplayStore> => ReplayStore.open(dir, { expanders: { todo: todoExpander } });

// @ts-expect-error an expander returns rows, which carry a _dlm_section_id
export const bad: RowExpander = () => [{ text: "no id" }];

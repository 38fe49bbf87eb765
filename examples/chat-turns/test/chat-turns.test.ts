import { defaultExpanders, rowShape, SectionParseError, type RowSource } from "@replaykit/parsers";
import { expanderConformance } from "@replaykit/parsers/testing";
import { describe, expect, test } from "vitest";
import { chatTurnsExpander, ChatTurnsParseError, parseChatTurns } from "../src/index.js";

// The same contract the built-in expanders pass.
expanderConformance("chat", chatTurnsExpander, {
  test,
  sectionType: "chat",
  samples: [
    "### User\nHi\n### Assistant\nHello! How can I help?",
    "\n### User\nq1\n### Assistant\na1\n\n### User\nq2\n\nmore\n### Assistant\n```md\n### User\n```\n",
    { content: "### User\r\nCRLF\r\n### Assistant\r\nok\r\n", sectionId: "00000000000000ff" },
  ],
  badInputs: [
    "",
    " \n\t",
    "### Assistant\nno user turn first",
    "### User\nunanswered",
    "### User\n### Assistant\nempty user",
    "text before\n### User\nq\n### Assistant\na",
  ],
  fuzzFragments: ["### User", "### Assistant", "### System"],
});

const parse = (body: string) => parseChatTurns(body, { sectionId: "c1" });

function errorOf(body: string): ChatTurnsParseError {
  try {
    parse(body);
  } catch (error) {
    expect(ChatTurnsParseError.isInstance(error)).toBe(true);
    return error as ChatTurnsParseError;
  }
  throw new Error("expected a ChatTurnsParseError");
}

describe("parseChatTurns", () => {
  test("any number of alternating turns", () => {
    expect(parse("### User\na\n### Assistant\nb\n### User\nc\n### Assistant\nd")).toEqual([
      { role: "user", content: "a" },
      { role: "assistant", content: "b" },
      { role: "user", content: "c" },
      { role: "assistant", content: "d" },
    ]);
  });

  test("turns keep inner blank lines, are trimmed, and fenced headers are text", () => {
    expect(parse("  ### User  \n\n x \n\n y\n### Assistant\n~~~\n### User\n~~~")).toEqual([
      { role: "user", content: "x \n\n y" },
      { role: "assistant", content: "~~~\n### User\n~~~" },
    ]);
  });

  test("errors carry the code, section id and line", () => {
    const twice = errorOf("### User\na\n### User\nb\n### Assistant\nc");
    expect(twice).toBeInstanceOf(SectionParseError);
    expect(SectionParseError.isInstance(twice)).toBe(true);
    expect((twice as unknown as Record<symbol, unknown>)[Symbol.for("replaykit.error")]).toBe("parsers");
    expect(twice).toMatchObject({ code: "CHAT_TURNS_PARSE", sectionId: "c1", sectionLine: 3 });
    expect(twice.message).toContain("got '### User'");
    expect(errorOf("### User\nq").sectionLine).toBe(3);
    expect(errorOf("### User\nq\n### Assistant\n  \n").sectionLine).toBe(5);
    expect(errorOf("### User it's\n").message).toContain(`got "### User it's"`);
  });
});

describe("bad arguments", () => {
  test("a non-string body or missing section id is the parsers' argument error", () => {
    expect(() => parseChatTurns(42 as unknown as string, { sectionId: "c1" })).toThrow(expect.objectContaining({ code: "PARSERS_ARGUMENT", argument: "body" }));
    expect(() => parseChatTurns("### User\nq", null as never)).toThrow(expect.objectContaining({ code: "PARSERS_ARGUMENT", argument: "options.sectionId" }));
    expect(() => chatTurnsExpander(null as unknown as RowSource, "id")).toThrow(expect.objectContaining({ code: "PARSERS_ROW_SOURCE", field: "content" }));
  });
});

describe("chatTurnsExpander", () => {
  const source: RowSource = {
    sectionId: "0123456789abcdef",
    sectionType: "chat",
    content: "### User\nHi\n### Assistant\nHello!",
    lastSeenAt: new Date("2026-01-01T00:00:00Z"),
    autoMined: false,
  };

  test("one messages row per section", () => {
    expect(chatTurnsExpander(source, "replay:0123456789abcdef:2026-01-01T00:00:00+00:00")).toEqual([
      {
        messages: [
          { role: "user", content: "Hi" },
          { role: "assistant", content: "Hello!" },
        ],
        _dlm_section_id: "replay:0123456789abcdef:2026-01-01T00:00:00+00:00",
      },
    ]);
  });

  test("plugs into the expanders record beside the built-ins", () => {
    const expanders = { ...defaultExpanders, chat: chatTurnsExpander };
    expect(Object.keys(expanders)).toEqual(["prose", "instruction", "preference", "chat"]);
    const [row] = expanders.chat(source, "id");
    expect(row && rowShape(row)).toBe("messages");
    if (row && "messages" in row) expect(row.messages).toHaveLength(2);
  });
});

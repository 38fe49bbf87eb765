import type { RowExpander } from "@replaykit/parsers";
import { expectTypeOf, test } from "vitest";
import { chatTurnsExpander, type ChatMessage, type ChatTurnsParseError, parseChatTurns } from "../src/index.js";

test("the plugin's public types", () => {
  expectTypeOf(chatTurnsExpander).toEqualTypeOf<RowExpander>();
  expectTypeOf(parseChatTurns).returns.toEqualTypeOf<ChatMessage[]>();
  expectTypeOf<ChatMessage["role"]>().toEqualTypeOf<"user" | "assistant">();
  expectTypeOf<ChatTurnsParseError["code"]>().toEqualTypeOf<"CHAT_TURNS_PARSE">();
});

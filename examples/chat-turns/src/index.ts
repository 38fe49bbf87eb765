/**
 * An example replaykit plugin: a multi-turn chat grammar. A `chat` section body is a
 * conversation of `### User` / `### Assistant` turns, any number of them, and expands to
 * one training row `{ messages: [...], _dlm_section_id }` (a `MessagesRow`, one of the
 * four row shapes of `@replaykit/parsers`), the shape TRL-style trainers read.
 *
 * ```text
 * ### User
 * What is the capital of France?
 * ### Assistant
 * Paris.
 * ### User
 * And of Japan?
 * ### Assistant
 * Tokyo.
 * ```
 *
 * It is built from the public pieces of `@replaykit/parsers` (Python-compatible line
 * splitting and trimming, fence awareness, `SectionParseError`, `pythonRepr`), so it
 * behaves like the built-in grammars, and it passes the same conformance suite.
 *
 * @example
 * ```ts
 * import { ReplayStore } from "@replaykit/store";
 * import { chatTurnsExpander } from "@replaykit-examples/chat-turns";
 *
 * const store = await ReplayStore.open("./replay", { expanders: { chat: chatTurnsExpander } });
 * const rows = await store.sampleRows({ k: 32, now: new Date(), seed: 7 });
 * ```
 *
 * @packageDocumentation
 */
import {
  fenceMask,
  isReplaykitError,
  ParsersArgumentError,
  pythonRepr,
  RowSourceInvalidError,
  SectionParseError,
  splitLines,
  stripWhitespace,
  type MessagesRow,
  type RowExpander,
} from "@replaykit/parsers";

/** One turn of a conversation. */
export interface ChatMessage {
  role: "user" | "assistant";
  content: string;
}

const USER = "### User";
const ASSISTANT = "### Assistant";
const HEADER_OF = { user: USER, assistant: ASSISTANT } as const;
/**
 * A chat body does not follow the `### User` / `### Assistant` grammar. It extends
 * `SectionParseError`, so it carries replaykit's error marker and the same fields and
 * message shape as the built-in grammars' errors.
 */
export class ChatTurnsParseError extends SectionParseError {
  readonly code = "CHAT_TURNS_PARSE" as const;
  override readonly name = "ChatTurnsParseError";

  /** True for a `ChatTurnsParseError` from any copy of this package: the replaykit marker and this code. */
  static override isInstance(error: unknown): error is ChatTurnsParseError {
    return isReplaykitError(error) && error.code === "CHAT_TURNS_PARSE";
  }
}

/**
 * Parse a chat body into its turns.
 *
 * Rules, in the style of the built-in grammars: leading blank lines are skipped; headers
 * stand alone on their line (surrounding whitespace allowed); a turn's text runs to the
 * next header, keeps inner blank lines and is trimmed; a header inside a closed ``` or ~~~
 * fence is text. Turns alternate, starting with `### User` and ending with
 * `### Assistant` (a training conversation ends with the reply to learn).
 *
 * @throws {ChatTurnsParseError} with the 1-based line where the body went wrong.
 * @throws {ParsersArgumentError} when `body` is not a string or `options` has no string `sectionId`.
 */
export function parseChatTurns(body: string, options: { sectionId: string }): ChatMessage[] {
  // Bad arguments are the parsers' argument error, as for the built-in grammars.
  if (typeof body !== "string") throw new ParsersArgumentError("body", `must be a string, got ${typeof body}`);
  const sectionId = (options as { sectionId?: unknown } | null | undefined)?.sectionId;
  if (typeof sectionId !== "string") throw new ParsersArgumentError("options.sectionId", `must be a string, got ${typeof sectionId}`);
  const fail = (reason: string, sectionLine: number): never => {
    throw new ChatTurnsParseError(reason, { sectionId, sectionLine });
  };

  const lines = splitLines(body);
  const fenced = fenceMask(lines);
  const headerAt = (i: number): "user" | "assistant" | undefined => {
    if (fenced[i] === 1) return undefined;
    const stripped = stripWhitespace(lines[i] as string);
    return stripped === USER ? "user" : stripped === ASSISTANT ? "assistant" : undefined;
  };

  let i = 0;
  while (i < lines.length && stripWhitespace(lines[i] as string) === "") i++;
  if (i === lines.length) fail(`chat block has no ${USER} / ${ASSISTANT} turns`, 1);

  const messages: ChatMessage[] = [];
  let expected: ChatMessage["role"] = "user";
  while (i < lines.length) {
    const role = headerAt(i);
    if (role !== expected) {
      const what = messages.length === 0 ? "" : ` after a \`${HEADER_OF[messages[messages.length - 1]!.role]}\` turn`;
      fail(`expected \`${HEADER_OF[expected]}\` header alone on its line${what}, got ${pythonRepr(lines[i] as string)}`, i + 1);
    }
    const start = ++i;
    while (i < lines.length && headerAt(i) === undefined) i++;
    const content = stripWhitespace(lines.slice(start, i).join("\n"));
    if (content === "") fail(`\`${HEADER_OF[expected]}\` turn is empty`, i + 1);
    messages.push({ role: expected, content });
    expected = expected === "user" ? "assistant" : "user";
  }
  if (expected === "assistant") fail(`conversation ends with a \`${USER}\` turn; the last turn must be \`${ASSISTANT}\``, lines.length + 1);
  return messages;
}

/**
 * The `chat` row expander: one `{ messages, _dlm_section_id }` row per section. Register it
 * with the store as `expanders: { chat: chatTurnsExpander }`.
 *
 * @throws {ChatTurnsParseError} when the body does not parse.
 * @throws {RowSourceInvalidError} when the content is not a string.
 */
export const chatTurnsExpander: RowExpander = (source, rowId) => {
  if (typeof source?.content !== "string") {
    throw new RowSourceInvalidError("content", `must be a string, got ${typeof source?.content}`);
  }
  const messages = parseChatTurns(source.content, { sectionId: String(source.sectionId) });
  const row: MessagesRow = { messages, _dlm_section_id: rowId };
  return [row];
};

/**
 * Section body parsers and row expanders of replaykit: how a replayed prose, instruction
 * (`### Q` / `### A`) or preference (`### Prompt` / `### Chosen` / `### Rejected`) section
 * becomes training rows. Parsing follows the reference implementation line for line
 * (Python `str.splitlines` / `str.strip` semantics), in linear time, except that a header
 * inside a fenced code block stays body text. No dependencies; runs anywhere.
 *
 * @example
 * ```ts
 * import { defaultExpanders, parseInstructionBody, replayRowId } from "@replaykit/parsers";
 *
 * parseInstructionBody("### Q\nWhat is 2+2?\n### A\n4", { sectionId: "50c93ea5234a5755" });
 * // [{ question: "What is 2+2?", answer: "4" }]
 *
 * const source = {
 *   sectionId: "50c93ea5234a5755", sectionType: "instruction", autoMined: false,
 *   content: "### Q\nWhat is 2+2?\n### A\n4", lastSeenAt: new Date("2026-01-01T00:00:00Z"),
 * };
 * const rows = defaultExpanders.instruction(source, replayRowId(source.sectionId, source.lastSeenAt));
 * // [{ messages: [{ role: "user", content: "What is 2+2?" }, { role: "assistant", content: "4" }],
 * //    _dlm_section_id: "replay:50c93ea5234a5755:2026-01-01T00:00:00+00:00" }]
 *
 * // Rows are a union of four shapes, told apart by their keys:
 * for (const row of rows) if ("messages" in row) console.log(row.messages[0]?.content);
 * ```
 *
 * @packageDocumentation
 */
export {
  InstructionParseError,
  isReplaykitError,
  ParsersArgumentError,
  ParsersError,
  PreferenceParseError,
  RowSourceInvalidError,
  SectionParseError,
  type SectionLocation,
} from "./errors.js";
export { fenceMask } from "./fence.js";
export { parseInstructionBody, type InstructionParseOptions, type QAPair } from "./instruction.js";
export { parsePreferenceBody, type PreferenceParseOptions, type PreferenceTriple } from "./preference.js";
export { normalizeProbeMarkers } from "./probe.js";
export { pythonRepr } from "./repr.js";
export {
  defaultExpanders,
  instructionExpander,
  preferenceExpander,
  proseExpander,
  replayRowId,
  rowShape,
  toPromptCompletion,
  type MessagesRow,
  type PreferenceRow,
  type PromptCompletionRow,
  type Row,
  type RowExpander,
  type RowMessage,
  type RowShape,
  type RowSource,
  type TextRow,
} from "./rows.js";
export { isLineBreakCode, splitLines } from "./split-lines.js";
export { isBlank, isWhitespaceCode, stripWhitespace } from "./whitespace.js";

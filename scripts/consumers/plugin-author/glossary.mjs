// A plugin author's expander: a "glossary" section is lines of `term: definition`; each line
// becomes a Q/A chat row. Built only from the public surface of @replaykit/parsers.
import { SectionParseError, RowSourceInvalidError, splitLines, stripWhitespace } from "@replaykit/parsers";

const GLOSSARY = Symbol.for("example.error.GLOSSARY_PARSE");

/** A glossary line without a `term: definition` shape. */
export class GlossaryParseError extends SectionParseError {
  code = "GLOSSARY_PARSE";
  name = "GlossaryParseError";
  [GLOSSARY] = true;
  static isInstance(e) {
    return typeof e === "object" && e !== null && e[GLOSSARY] === true;
  }
}

/** @type {import("@replaykit/parsers").RowExpander} */
export function glossaryExpander(source, rowId) {
  if (typeof source?.content !== "string") throw new RowSourceInvalidError("content", "must be a string");
  const rows = [];
  const lines = splitLines(source.content);
  for (let i = 0; i < lines.length; i++) {
    const line = stripWhitespace(lines[i]);
    if (line === "") continue;
    const colon = line.indexOf(":");
    const term = colon < 0 ? "" : stripWhitespace(line.slice(0, colon));
    const definition = colon < 0 ? "" : stripWhitespace(line.slice(colon + 1));
    if (term === "" || definition === "") {
      throw new GlossaryParseError(`expected "term: definition", got ${JSON.stringify(line)}`, { sectionId: source.sectionId, sectionLine: i + 1 });
    }
    rows.push({
      messages: [
        { role: "user", content: `What does "${term}" mean?` },
        { role: "assistant", content: definition },
      ],
      _dlm_section_id: rowId,
    });
  }
  if (rows.length === 0) throw new GlossaryParseError("a glossary section needs at least one entry", { sectionId: source.sectionId, sectionLine: 1 });
  return rows;
}

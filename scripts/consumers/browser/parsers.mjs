import {
  InstructionParseError,
  PreferenceParseError,
  defaultExpanders,
  normalizeProbeMarkers,
  parseInstructionBody,
  parsePreferenceBody,
  replayRowId,
  splitLines,
} from "@replaykit/parsers";
import { assertExpanderConforms } from "@replaykit/parsers/testing";

const caught = (fn) => {
  try {
    fn();
    return "no error";
  } catch (e) {
    return { code: e.code, name: e.name, sectionId: e.sectionId, sectionLine: e.sectionLine, message: e.message };
  }
};

export function run() {
  const instruction = "### Q\r\nWhat is 2+2?\r\n### A\r\n4\r\n\r\n### Q\nShow a fence.\n### A\n```md\n### Q\nnot a header\n```\nDone.";
  const preference = "### Prompt\nSay hi.\n### Chosen\nHi there!\n### Rejected\nGo away.\n### Prompt\nU+2028\u2028splits\n### Chosen\nyes\n### Rejected\nno";
  const lastSeenAt = new Date("2026-01-01T00:00:00Z");
  const source = (sectionType, content) => ({ sectionId: "50c93ea5234a5755", sectionType, content, lastSeenAt, autoMined: false });
  const rowId = replayRowId("50c93ea5234a5755", lastSeenAt);
  const out = {
    pairs: parseInstructionBody(instruction, { sectionId: "i1" }),
    triples: parsePreferenceBody(preference, { sectionId: "p1" }),
    probe: normalizeProbeMarkers("### Q !probe\nWhy?\n### A\nBecause."),
    lines: splitLines("a\u2028b\r\nc\x85d\ufeff"),
    rowId,
    rows: {
      prose: defaultExpanders.prose(source("prose", "  Plain prose.  \n"), rowId),
      instruction: defaultExpanders.instruction(source("instruction", "### Q !probe\nWhy?\n### A\nBecause."), rowId),
      preference: defaultExpanders.preference(source("preference", preference), rowId),
    },
    errors: {
      instruction: caught(() => parseInstructionBody("### Q What's this?\n### A\nfoo", { sectionId: "s1" })),
      preference: caught(() => parsePreferenceBody("### Prompt\nhi\n### Rejected\nno", { sectionId: "s2" })),
    },
  };
  out.errors.brands = [
    InstructionParseError.isInstance(Object.assign(new InstructionParseError("x", { sectionId: "a", sectionLine: 1 }))),
    PreferenceParseError.isInstance(new Error("plain")),
  ];
  for (const [type, expander] of Object.entries(defaultExpanders)) assertExpanderConforms(expander, { sectionType: type, fuzzRuns: 100 });
  out.conformance = Object.keys(defaultExpanders);
  if (out.pairs.length !== 2 || !out.pairs[1].answer.includes("### Q")) throw new Error("parsers: a header inside a fence must stay body text");
  return out;
}

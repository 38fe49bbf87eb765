import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import {
  defaultExpanders,
  normalizeProbeMarkers,
  parseInstructionBody,
  parsePreferenceBody,
  replayRowId,
  SectionParseError,
  type RowSource,
} from "../src/index.js";

// The reference implementation's own outputs (vectors/dlm-reference at the repository root).
const vectors = new URL("../../../vectors/dlm-reference/", import.meta.url);
const load = (name: string): any => JSON.parse(readFileSync(new URL(name, vectors), "utf8"));

interface ParserCase {
  name: string;
  kind: "instruction" | "preference";
  section_id: string;
  body: string;
  result: Record<string, unknown>;
  normalized_body?: string;
  normalized_changed?: boolean;
  result_after_normalize?: Record<string, unknown>;
}

const cases: ParserCase[] = load("parsers.json").cases;

/** Our result in the vectors' shape: pairs / triples, or the error's fields. */
function run(kind: ParserCase["kind"], body: string, sectionId: string): Record<string, unknown> {
  try {
    return kind === "instruction"
      ? { ok: true, pairs: parseInstructionBody(body, { sectionId }) }
      : { ok: true, triples: parsePreferenceBody(body, { sectionId }) };
  } catch (error) {
    if (!SectionParseError.isInstance(error)) throw error;
    return {
      ok: false,
      error_type: error.name,
      message: error.reason,
      section_id: error.sectionId,
      section_line: error.sectionLine,
    };
  }
}

// DESIGN §4: the one deliberate difference. A header inside a closed ``` / ~~~ fence is
// body text, so these bodies parse instead of failing where the reference does.
const FENCED: Record<string, Record<string, unknown>> = {
  "q-header-inside-fenced-code": {
    ok: true,
    pairs: [{ question: "Show a markdown doc", answer: "```markdown\n### Q\ninside fence\n```\ndone" }],
  },
  "a-header-inside-fenced-code": {
    ok: true,
    pairs: [{ question: "Show a markdown doc", answer: "```markdown\n### A\ninside fence\n```" }],
  },
  "header-inside-fenced-code-terminates-body": {
    ok: true,
    triples: [{ prompt: "show md", chosen: "```md\n### Rejected\nnot really\n```", rejected: "r" }],
  },
};

describe("parsers.json (reference parser cases)", () => {
  test("holds every case the README lists, all with unique names", () => {
    expect(cases.filter((c) => c.kind === "instruction")).toHaveLength(44);
    expect(cases.filter((c) => c.kind === "preference").length).toBeGreaterThanOrEqual(28);
    expect(new Set(cases.map((c) => `${c.kind}/${c.name}`)).size).toBe(cases.length);
    for (const name of Object.keys(FENCED)) expect(cases.some((c) => c.name === name)).toBe(true);
  });

  test.each(cases.map((c) => [`${c.kind}/${c.name}`, c] as const))("%s", (_, c) => {
    const got = run(c.kind, c.body, c.section_id);
    if (c.name in FENCED) {
      expect(c.result.ok).toBe(false); // the reference fails on these …
      expect(got).toEqual(FENCED[c.name]); // … we keep the fenced text in the body
    } else {
      // Same pairs / triples, or the same error class, section id, line and message
      // (the message quotes the line with Python's repr).
      expect(got).toEqual(c.result);
    }
    if (c.kind === "instruction") {
      expect(normalizeProbeMarkers(c.body)).toBe(c.normalized_body);
      expect(normalizeProbeMarkers(c.body) !== c.body).toBe(c.normalized_changed);
      const after = run(c.kind, normalizeProbeMarkers(c.body), c.section_id);
      expect(after).toEqual(c.name in FENCED ? FENCED[c.name] : c.result_after_normalize);
    }
  });

  test("error messages carry the location and quote the offending line", () => {
    for (const c of cases) {
      if (c.result.ok || c.name in FENCED) continue;
      const parse = c.kind === "instruction" ? parseInstructionBody : parsePreferenceBody;
      let thrown: unknown;
      try {
        parse(c.body, { sectionId: c.section_id });
      } catch (error) {
        thrown = error;
      }
      expect(SectionParseError.isInstance(thrown)).toBe(true);
      const error = thrown as SectionParseError;
      expect(error.code).toBe(c.kind === "instruction" ? "INSTRUCTION_PARSE" : "PREFERENCE_PARSE");
      expect(error.message).toContain(c.result.message as string);
      expect(error.message).toContain(`section ${c.section_id}, line ${c.result.section_line}`);
    }
  });
});

interface ExpectedEntry {
  decoded_snapshot: {
    section_id: string;
    section_type: "prose" | "instruction" | "preference";
    content: string;
    auto_mined: boolean;
    last_seen_at: string;
  };
  rows: unknown[];
}

const entries: ExpectedEntry[] = load("expected.json").entries;

describe("expected.json (reference rows per stored snapshot)", () => {
  test.each(entries.map((e, i) => [`${i} ${e.decoded_snapshot.section_type} ${e.decoded_snapshot.section_id}`, e] as const))("rows of entry %s", (_, entry) => {
    const snap = entry.decoded_snapshot;
    const source: RowSource = {
      sectionId: snap.section_id,
      sectionType: snap.section_type,
      content: snap.content,
      lastSeenAt: new Date(snap.last_seen_at),
      autoMined: snap.auto_mined,
    };
    const rowId = replayRowId(source.sectionId, source.lastSeenAt);
    expect(rowId).toBe(`replay:${snap.section_id}:${snap.last_seen_at}`);
    const rows = defaultExpanders[snap.section_type](source, rowId);
    // Same rows, and the same key order (JSONL output is compared as text).
    expect(JSON.stringify(rows)).toBe(JSON.stringify(entry.rows));
  });

  test("covers every built-in section type, a probe header and blank prose", () => {
    const types = new Set(entries.map((e) => e.decoded_snapshot.section_type));
    expect([...types].sort()).toEqual(["instruction", "preference", "prose"]);
    expect(entries.some((e) => e.decoded_snapshot.content.includes("### Q !probe"))).toBe(true);
    expect(entries.some((e) => e.rows.length === 0)).toBe(true);
  });
});

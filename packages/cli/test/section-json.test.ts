import { sectionIdOf } from "@replaykit/store";
import { describe, expect, test } from "vitest";
import { parseIsoDate } from "../src/dates.js";
import { parseSectionLine, SectionLineError, sectionToJson } from "../src/section-json.js";

const NOW = new Date("2026-04-01T12:00:00Z");
const parse = (o: unknown, line = 7) => parseSectionLine(JSON.stringify(o), line, NOW);
const problem = (o: unknown) => {
  try {
    parse(o);
  } catch (error) {
    if (error instanceof SectionLineError) return error.message;
    throw error;
  }
  throw new Error("expected a SectionLineError");
};

describe("parseIsoDate", () => {
  test.each([
    ["2026-03-01T12:00:00Z", "2026-03-01T12:00:00.000Z", true],
    ["2026-03-01T12:00:00", "2026-03-01T12:00:00.000Z", true],
    ["2026-03-01 12:00:00", "2026-03-01T12:00:00.000Z", true],
    ["2026-03-01T12:00:00+02:00", "2026-03-01T10:00:00.000Z", true],
    ["2026-03-01T12:00:00-0130", "2026-03-01T13:30:00.000Z", true],
    ["2026-03-01T12:00", "2026-03-01T12:00:00.000Z", true],
    ["2026-03-01", "2026-03-01T00:00:00.000Z", true],
    ["2026-03-01T12:00:00.000Z", "2026-03-01T12:00:00.000Z", true],
    ["2026-03-01T12:00:00.25Z", "2026-03-01T12:00:00.250Z", false],
    ["0001-01-01T00:00:00", "0001-01-01T00:00:00.000Z", true],
  ])("%s", (text, iso, whole) => {
    const parsed = parseIsoDate(text);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      expect(parsed.date.toISOString()).toBe(iso);
      expect(parsed.wholeSeconds).toBe(whole);
    }
  });
  test.each(["", "yesterday", "2026-02-30T00:00:00Z", "2026-13-01", "2026-03-01T24:00:00", "1700000000", "2026-03-01T12:00:00+25:00"])(
    "%j is not a date",
    (text) => {
      expect(parseIsoDate(text).ok).toBe(false);
    },
  );
});

describe("parseSectionLine", () => {
  test("defaults: id = content hash, last_seen_at = now, first_seen_at = last_seen_at, not auto-mined, no runs", () => {
    const s = parse({ section_type: "prose", content: "Hello." });
    expect(s).toMatchObject({ sectionId: sectionIdOf("prose", "Hello."), autoMined: false, trainingRunsSeen: [] });
    expect(s.lastSeenAt.toISOString()).toBe(NOW.toISOString());
    expect(s.firstSeenAt.toISOString()).toBe(NOW.toISOString());
  });
  test("first_seen_at defaults to the given last_seen_at; naive dates are UTC", () => {
    const s = parse({ section_type: "prose", content: "x", last_seen_at: "2026-01-02T03:04:05" });
    expect(s.firstSeenAt.toISOString()).toBe("2026-01-02T03:04:05.000Z");
  });
  test("every key", () => {
    const s = parse({
      section_id: "0123456789abcdef",
      section_type: "instruction",
      content: "### Q\nq\n### A\na",
      auto_mined: true,
      first_seen_at: "2026-01-01T00:00:00Z",
      last_seen_at: "2026-02-01T00:00:00Z",
      training_runs_seen: [1, 2],
    });
    expect(s).toMatchObject({ sectionId: "0123456789abcdef", sectionType: "instruction", autoMined: true, trainingRunsSeen: [1, 2] });
  });
  test.each([
    ["not JSON", "{", /^line 7: not valid JSON/],
    ["an array", [1], /^line 7: expected a JSON object, got an array$/],
    ["a string", "x", /^line 7: expected a JSON object, got "x"$/],
    ["an unknown key", { section_type: "prose", content: "x", sectionType: "prose" }, /^line 7: sectionType: unknown key \(allowed: section_id,/],
    ["a missing content", { section_type: "prose" }, /^line 7: content: missing \(it is required\)$/],
    ["a missing type", { content: "x" }, /^line 7: section_type: missing \(it is required\)$/],
    [
      "a null",
      { section_type: "prose", content: "x", section_id: null },
      /^line 7: section_id: must be a string, got null \(leave the key out to use its default\)$/,
    ],
    ["a bad id", { section_type: "prose", content: "x", section_id: "ABC" }, /^line 7: section_id: must be 16 lowercase hex/],
    [
      "a bad type",
      { section_type: "Prose", content: "x" },
      /^line 7: section_type: must be a section type \(a lowercase letter, then lowercase letters, digits, _ or -\), got "Prose"$/,
    ],
    ["a non-string content", { section_type: "prose", content: 5 }, /^line 7: content: must be a string/],
    ["a non-boolean auto_mined", { section_type: "prose", content: "x", auto_mined: "yes" }, /^line 7: auto_mined: must be true or false, got "yes"$/],
    ["a date number", { section_type: "prose", content: "x", last_seen_at: 1700000000 }, /^line 7: last_seen_at: must be an ISO 8601 string, got 1700000000$/],
    ["a bad date", { section_type: "prose", content: "x", first_seen_at: "soon" }, /^line 7: first_seen_at: "soon" is not an ISO 8601/],
    [
      "fractional seconds",
      { section_type: "prose", content: "x", last_seen_at: "2026-01-01T00:00:00.5Z" },
      /^line 7: last_seen_at: must be whole seconds, got "2026-01-01T00:00:00.5Z"$/,
    ],
    [
      "first after last",
      { section_type: "prose", content: "x", first_seen_at: "2026-03-01", last_seen_at: "2026-02-01" },
      /^line 7: first_seen_at: is after last_seen_at/,
    ],
    ["runs not an array", { section_type: "prose", content: "x", training_runs_seen: 3 }, /^line 7: training_runs_seen: must be an array/],
    ["a negative run", { section_type: "prose", content: "x", training_runs_seen: [1, -2] }, /^line 7: training_runs_seen\.1: must be non-negative, got -2$/],
  ])("%s is an error naming the line and key", (_, input, message) => {
    const text = typeof input === "string" && input === "{" ? input : JSON.stringify(input);
    let caught: unknown;
    try {
      parseSectionLine(text, 7, NOW);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SectionLineError);
    expect((caught as Error).message).toMatch(message);
  });
  test("every problem of a line is named, each by its key path", () => {
    const error = (() => {
      try {
        parse({ section_type: 3, training_runs_seen: [0, 1.5, "2"], colour: "red" });
      } catch (e) {
        return e as SectionLineError;
      }
      throw new Error("expected a SectionLineError");
    })();
    expect(error.lineNumber).toBe(7);
    expect(error.problems.map((p) => p.key)).toEqual(["section_type", "content", "training_runs_seen.1", "training_runs_seen.2", "colour"]);
    expect(error.problems[2]!.problem).toBe("must be an integer, got 1.5");
  });
  test("problem() helper agrees", () => {
    expect(problem({ section_type: "prose", content: "x", extra: 1 })).toMatch(/^line 7: extra: unknown key/);
  });
});

describe("sectionToJson", () => {
  test("all seven keys, dates as YYYY-MM-DDTHH:MM:SSZ, and it parses back to the same snapshot", () => {
    const s = parse({
      section_type: "preference",
      content: "### Prompt\np\n### Chosen\nc\n### Rejected\nr",
      auto_mined: true,
      first_seen_at: "2026-01-01T00:00:00",
      last_seen_at: "2026-01-02T00:00:00",
      training_runs_seen: [3],
    });
    const line = sectionToJson(s);
    expect(JSON.parse(line)).toEqual({
      section_id: s.sectionId,
      section_type: "preference",
      content: s.content,
      auto_mined: true,
      first_seen_at: "2026-01-01T00:00:00Z",
      last_seen_at: "2026-01-02T00:00:00Z",
      training_runs_seen: [3],
    });
    expect(parseSectionLine(line, 1, NOW)).toEqual(s);
  });
});

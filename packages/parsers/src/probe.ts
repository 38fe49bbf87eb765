import { checkString } from "./errors.js";
import { fenceMaskOf } from "./fence.js";
import { indexLines } from "./split-lines.js";
import { strippedEquals } from "./whitespace.js";

const PROBE_HEADER = "### Q !probe";

/**
 * Rewrite `### Q !probe` headers to `### Q`, so {@link parseInstructionBody} accepts
 * bodies that mark evaluation probes. This is what the reference does before parsing a
 * replayed instruction snapshot, and what the built-in instruction expander does.
 *
 * Exactly as the reference: a body that does not contain the text `### Q !probe` is
 * returned unchanged; otherwise it is split into lines (Python `str.splitlines`), every
 * line that strips to exactly `### Q !probe` becomes `### Q`, and the lines are joined
 * with `\n` (so `\r\n` becomes `\n` and a final line break is dropped). `### Q  !probe`,
 * `### Q !PROBE` and `### Q !probe extra` are left alone.
 *
 * Deliberate difference, matching the parsers' fence rule: a marker line inside a closed
 * ``` or ~~~ fence is code, not a header, and is left as it is.
 *
 * @throws {ParsersArgumentError} when `body` is not a string.
 *
 * @example
 * ```ts
 * normalizeProbeMarkers("### Q !probe\nq\n### A\na\n"); // "### Q\nq\n### A\na"
 * ```
 */
export function normalizeProbeMarkers(body: string): string {
  checkString(body, "body");
  if (!body.includes(PROBE_HEADER)) return body;
  const index = indexLines(body);
  const fenced = fenceMaskOf(index);
  const { count, starts, ends } = index;
  const lines = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    const start = starts[i] as number;
    const end = ends[i] as number;
    lines[i] = fenced[i] === 0 && strippedEquals(body, PROBE_HEADER, start, end) ? "### Q" : body.slice(start, end);
  }
  return lines.join("\n");
}

// Parse time of 5 MB bodies through the workspace's one harness (scripts/lib/bench.mjs),
// each beside a same-run limit: `body.split("\n")`, the least any line-based parser must
// do. `\n` bodies parse within 3× of it; `\r\n` bodies within 20× (Python's eleven line
// breaks are found by a scan of every code unit, and every field is rewritten to `\n` line
// breaks, as dlm's output has them).
//
//   node bench/run.mjs [--quick] [--strict] [--filter TEXT]      (after tsc -b)
import { runCases } from "../../../scripts/lib/bench.mjs";
import { parseInstructionBody, parsePreferenceBody } from "../dist/index.js";

const MB = 1024 * 1024;

function body(unit, bytes) {
  const parts = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const part = unit(i);
    parts.push(part);
    size += part.length;
  }
  return parts.join("");
}

const fenced = body((i) => `### Q\nquestion ${i}\n### A\n\`\`\`md\n### Q\n### A\ninside ${i}\n\`\`\`\nafter\n\n`, 5 * MB);
const crlf = body((i) => `### Q\r\nquestion ${i}?\r\n### A\r\n${"A line of answer text.\r\n".repeat(40)}\r\n`, 5 * MB);
const preference = body((i) => `### Prompt\nprompt ${i}\n### Chosen\nchosen\nmore\n### Rejected\nrejected\n\n`, 5 * MB);
const split = (text) => () => text.split("\n");

await runCases("parsers", [
  {
    name: "instruction, 5 MB, fenced headers",
    subject: () => parseInstructionBody(fenced, { sectionId: "bench" }),
    limit: split(fenced),
    limitName: 'split("\\n")',
    factor: 3,
  },
  {
    name: "instruction, 5 MB, CRLF, long answers",
    subject: () => parseInstructionBody(crlf, { sectionId: "bench" }),
    limit: split(crlf),
    limitName: 'split("\\n")',
    factor: 20,
  },
  {
    name: "preference, 5 MB",
    subject: () => parsePreferenceBody(preference, { sectionId: "bench" }),
    limit: split(preference),
    limitName: 'split("\\n")',
    factor: 3,
  },
]);

// Parse time of multi-megabyte bodies beside a same-run floor: `body.split("\n")`, the
// least any line-based parser must do. Prints medians and the ratio, so a noisy machine
// does not hide a regression (DESIGN §5). Run after `tsc -b`: `node bench/run.mjs`.
import { parseInstructionBody, parsePreferenceBody } from "../dist/index.js";

const MB = 1024 * 1024;
const RUNS = Number(process.env.BENCH_RUNS ?? 15);

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

const cases = [
  {
    name: "instruction, 5 MB, fenced headers",
    parse: (b) => parseInstructionBody(b, { sectionId: "bench" }),
    body: body((i) => `### Q\nquestion ${i}\n### A\n\`\`\`md\n### Q\n### A\ninside ${i}\n\`\`\`\nafter\n\n`, 5 * MB),
  },
  {
    name: "instruction, 5 MB, CRLF, long answers",
    parse: (b) => parseInstructionBody(b, { sectionId: "bench" }),
    body: body((i) => `### Q\r\nquestion ${i}?\r\n### A\r\n${"A line of answer text.\r\n".repeat(40)}\r\n`, 5 * MB),
  },
  {
    name: "preference, 5 MB",
    parse: (b) => parsePreferenceBody(b, { sectionId: "bench" }),
    body: body((i) => `### Prompt\nprompt ${i}\n### Chosen\nchosen\nmore\n### Rejected\nrejected\n\n`, 5 * MB),
  },
];

function median(fn) {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

console.log(`median of ${RUNS} runs (ms)`);
for (const c of cases) {
  c.parse(c.body); // warm up
  const floor = median(() => c.body.split("\n"));
  const ours = median(() => c.parse(c.body));
  const mb = (c.body.length / MB).toFixed(1);
  console.log(
    `${c.name.padEnd(40)} ${mb} MB  parse ${ours.toFixed(1).padStart(7)}  split("\\n") ${floor.toFixed(1).padStart(7)}  ratio ${(ours / floor).toFixed(2)}`,
  );
}

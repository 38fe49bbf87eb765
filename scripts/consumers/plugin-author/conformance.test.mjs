// The plugin author runs the same conformance suite the built-in expanders pass, under node:test.
import assert from "node:assert/strict";
import { test } from "node:test";
import { defaultExpanders } from "@replaykit/parsers";
import { ConformanceError, assertExpanderConforms, expanderConformance } from "@replaykit/parsers/testing";
import { glossaryExpander } from "./glossary.mjs";

expanderConformance("glossary", glossaryExpander, {
  test,
  sectionType: "glossary",
  samples: ["LoRA: low-rank adaptation", "DPO: direct preference optimisation\nSFT: supervised fine-tuning\r\n\nKL: Kullback-Leibler divergence"],
  badInputs: ["", "no colon here", ": no term", "term:"],
  fuzzFragments: [":", "term", "definition"],
});

expanderConformance("built-in instruction", defaultExpanders.instruction, {
  test,
  samples: ["### Q\nWhat is 2+2?\n### A\n4"],
  badInputs: ["### A\nanswer first"],
});

test("the suite catches a broken expander", () => {
  const leaksDates = (source, rowId) => [{ text: source.content, when: new Date(0), _dlm_section_id: rowId }];
  assert.throws(
    () => assertExpanderConforms(leaksDates, { samples: ["x"] }),
    (e) => ConformanceError.isInstance(e) && e.property === "plain-rows",
  );
  const throwsUntyped = (source, rowId) => {
    if (source.content.includes("#")) throw new Error("no code on this error");
    return [{ text: source.content, _dlm_section_id: rowId }];
  };
  assert.throws(
    () => assertExpanderConforms(throwsUntyped, { samples: ["x"], badInputs: ["#"] }),
    (e) => ConformanceError.isInstance(e) && e.property === "typed-errors",
  );
});

// Consumer 3 — a plugin author: @replaykit/parsers (for the types, the building blocks and the
// conformance suite) + @replaykit/store. Registers the glossary expander and samples rows of a
// store that holds glossary sections next to the built-in types.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ReplayStore, UnknownSectionTypeError, createSnapshot } from "@replaykit/store";
import { SectionParseError } from "@replaykit/parsers";
import { GlossaryParseError, glossaryExpander } from "./glossary.mjs";

// One copy of @replaykit/parsers: the one the author installed is the one the store uses.
assert.equal(existsSync(join("node_modules", "@replaykit", "store", "node_modules")), false, "no nested copies under the store");
assert.deepEqual(readdirSync(join("node_modules", "@replaykit")).sort(), ["corpus", "errors", "eviction", "index", "parsers", "sampler", "store"]);

const dir = mkdtempSync(join(tmpdir(), "replaykit-plugin-store-"));
try {
  const glossary = createSnapshot({
    sectionType: "glossary",
    content: "LoRA: low-rank adaptation\nDPO: direct preference optimisation",
    lastSeenAt: new Date("2026-03-01T12:00:00Z"),
  });
  const prose = createSnapshot({ sectionType: "prose", content: "Replay keeps old material in the mix.", lastSeenAt: new Date("2026-03-02T00:00:00Z") });
  const broken = createSnapshot({ sectionType: "glossary", content: "LoRA low-rank adaptation", lastSeenAt: new Date("2026-03-03T00:00:00Z") });

  // Without the plugin a glossary section cannot be checked, so appending it is refused …
  const plain = await ReplayStore.open(join(dir, "replay"));
  await assert.rejects(plain.appendMany([glossary, prose]), (e) => UnknownSectionTypeError.isInstance(e));
  // … unless the caller opts out of validation; sampling it then needs the plugin.
  await plain.appendMany([glossary, prose], { validate: false });
  await assert.rejects(
    plain.sampleRows({ k: 2, now: new Date("2026-03-10T00:00:00Z"), seed: 1 }),
    (e) => UnknownSectionTypeError.isInstance?.(e) ?? e instanceof UnknownSectionTypeError,
  );

  const store = await ReplayStore.open(join(dir, "replay"), { expanders: { glossary: glossaryExpander } });
  const rows = await store.sampleRows({ k: 2, now: new Date("2026-03-10T00:00:00Z"), seed: 1 });
  const glossaryRows = rows.filter((r) => Array.isArray(r.messages));
  assert.deepEqual(glossaryRows, [
    {
      messages: [
        { role: "user", content: 'What does "LoRA" mean?' },
        { role: "assistant", content: "low-rank adaptation" },
      ],
      _dlm_section_id: `replay:${glossary.sectionId}:2026-03-01T12:00:00+00:00`,
    },
    {
      messages: [
        { role: "user", content: 'What does "DPO" mean?' },
        { role: "assistant", content: "direct preference optimisation" },
      ],
      _dlm_section_id: `replay:${glossary.sectionId}:2026-03-01T12:00:00+00:00`,
    },
  ]);
  assert.equal(rows.filter((r) => typeof r.text === "string").length, 1, "the built-in prose expander still applies");

  // A body the plugin rejects never enters the store: the append fails with the plugin's error.
  const isBrokenGlossary = (e) => {
    assert.ok(GlossaryParseError.isInstance(e) && SectionParseError.isInstance(e), String(e));
    assert.equal(e.code, "GLOSSARY_PARSE");
    assert.equal(e.sectionId, broken.sectionId);
    assert.equal(e.sectionLine, 1);
    return true;
  };
  await assert.rejects(store.append(broken), isBrokenGlossary);
  assert.equal((await store.load()).length, 2, "nothing written by the refused append");
  // Forced in (validate: false), it fails the draw that picks it, with the same error.
  await store.appendMany([broken], { validate: false });
  await assert.rejects(store.sampleRows({ k: 3, now: new Date("2026-03-10T00:00:00Z"), seed: 1 }), isBrokenGlossary);
  console.log(`plugin-author: ok (${rows.length} rows through the glossary plugin and the built-ins; parse errors carry section and line)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

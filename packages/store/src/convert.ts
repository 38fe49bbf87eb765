// Between the two index formats: `upgrade` (a dlm store's index.json → replaykit's journal,
// every frame decoded once to learn its type, flag and CRC-32) and `downgrade` (back to an
// index.json as dlm writes it). Each change is ordered so a reader never sees no index
// (index-io.ts, header).
import { CorpusCorruptError, crc32 } from "@replaykit/corpus";
import type { IndexEntry, IndexFormat } from "@replaykit/index";
import type { StoreContext } from "./context.js";
import { indexOf } from "./index-io.js";
import { writerView } from "./view.js";

/** Converts a dlm store to replaykit's format. Writers, with the lock held. */
export async function upgradeLocked(ctx: StoreContext): Promise<{ converted: number; format: IndexFormat }> {
  const index = indexOf(ctx.paths);
  const entries = await index.load();
  if ((await index.format(entries)) !== "dlm") return { converted: 0, format: "replaykit" };
  const upgraded: IndexEntry[] = [];
  const view = await writerView(ctx.paths, ctx.maxFrameBytes);
  for await (const batch of view.batches(entries)) {
    (await view.check(batch)).forEach((r, j) => {
      if (r instanceof CorpusCorruptError) throw r;
      upgraded.push({ ...batch.entries[j]!, sectionType: r.sectionType, autoMined: r.autoMined, crc32: crc32(batch.frames[j] as Uint8Array) });
    });
  }
  await index.replace(upgraded, "replaykit");
  return { converted: upgraded.length, format: "replaykit" };
}

/** Converts a replaykit store to a dlm store. Writers, with the lock held. */
export async function downgradeLocked(ctx: StoreContext): Promise<{ converted: number }> {
  return { converted: await indexOf(ctx.paths).downgrade() };
}

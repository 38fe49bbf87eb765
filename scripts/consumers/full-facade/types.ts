// Type-checked against the installed tarballs' .d.ts (with @types/node, as a Node pipeline has).
import { ReplayStore, createSnapshot, type IndexEntry, type Row, type VerifyReport } from "@replaykit/store";

export async function pipeline(dir: string): Promise<Row[]> {
  const store: ReplayStore = await ReplayStore.open(dir);
  const added: IndexEntry[] = await store.appendMany([createSnapshot({ sectionType: "prose", content: "x" })]);
  const report: VerifyReport = await store.verify();
  if (!report.ok || added.length !== 1) throw new Error("bad store");
  // @ts-expect-error k is required
  await store.sampleRows({ now: new Date(), seed: 1 });
  const rows = await store.sampleRows({ k: 1, now: new Date(), seed: 1 });
  const id: string = rows[0]!._dlm_section_id;
  return id ? rows : [];
}

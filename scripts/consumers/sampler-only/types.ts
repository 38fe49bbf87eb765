// Type-checked against the installed tarball's .d.ts with no @types/node at all (the
// sampler's types must stand alone, as they do in a browser project).
import { SamplerError, pythonRandom, sample, sampleAsDlm, type Sampleable, type SampleOptions, type SchemeFn } from "@replaykit/sampler";

interface Doc {
  sectionId: string;
  addedAt: Date;
  title: string;
}
const docs: Doc[] = [{ sectionId: "a", addedAt: new Date(0), title: "A" }];
const picked: Doc[] = sample(docs, { k: 1, now: new Date(), seed: 1 });
export const titles: string[] = picked.map((d) => d.title);
const byLength: SchemeFn = (entry: Sampleable) => entry.sectionId.length;
export const options: SampleOptions = { k: 2, now: new Date(), seed: 3, scheme: byLength };
export const isSamplerError = (e: unknown): boolean => SamplerError.isInstance(e) && e.code === "SAMPLER";

// @ts-expect-error k is a number
sample(docs, { k: "1", now: new Date(), seed: 1 });
// @ts-expect-error an entry needs a sectionId
sample([{ addedAt: new Date() }], { k: 1, now: new Date(), seed: 1 });
// @ts-expect-error the result keeps the caller's type
export const wrong: number[] = sample(docs, { k: 1, now: new Date(), seed: 1 });
export const asDlm: Doc[] = sampleAsDlm(docs, { k: 1, now: new Date(), seed: 2n ** 70n, scheme: "uniform" });
export const first: number = pythonRandom(1)();
// @ts-expect-error dlm's draw has no scheme functions
sampleAsDlm(docs, { k: 1, now: new Date(), seed: 1, scheme: byLength });

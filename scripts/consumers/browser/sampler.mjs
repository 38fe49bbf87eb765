import { SamplerError, pythonRandom, recencyWeight, sample, sampleAsDlm } from "@replaykit/sampler";

export function run() {
  const now = new Date("2026-06-01T00:00:00Z");
  const HOUR = 3_600_000;
  const entries = Array.from({ length: 500 }, (_, i) => ({
    sectionId: ((i * 2654435761) >>> 0).toString(16).padStart(8, "0"),
    addedAt: i % 2 === 0 ? now.getTime() - i * 7 * HOUR : new Date(now.getTime() - i * 7 * HOUR),
    weight: i % 13 === 0 ? 0 : 1 + (i % 3),
    payload: { i },
  }));
  const ids = (list) => list.map((e) => e.sectionId);
  const out = {
    recency: ids(sample(entries, { k: 25, now, seed: 12345 })),
    shuffled: ids(sample(entries.slice().reverse(), { k: 25, now, seed: 12345 })),
    uniform: ids(sample(entries, { k: 25, now, seed: 999, scheme: "uniform" })),
    custom: ids(sample(entries, { k: 10, now, seed: 7, scheme: (e) => e.sectionId.charCodeAt(0) % 5 })),
    largeSeed: ids(sample(entries, { k: 5, now, seed: Number.MAX_SAFE_INTEGER })),
    weights: entries.slice(0, 12).map((e) => recencyWeight(e, now)),
    everything: sample(entries, { k: 10_000, now, seed: 1 }).length,
    // dlm's own draw (pure-rand's MT19937, bigint seeds): the browser must give Node's answer.
    asDlm: ids(sampleAsDlm(entries, { k: 10, now, seed: 2n ** 64n + 7n })),
    pythonRandom: [pythonRandom(42)(), pythonRandom(-123456789012345678901234567890n)()],
  };
  try {
    sample(entries, { k: -1, now, seed: 1 });
    out.error = "no error";
  } catch (e) {
    out.error = { code: e.code, name: e.name, isInstance: SamplerError.isInstance(e) };
  }
  if (out.pythonRandom[0] !== 0.6394267984578837) throw new Error("sampler: pythonRandom(42) is not CPython's stream");
  if (out.recency.length !== 25 || out.recency.join() !== out.shuffled.join()) throw new Error("sampler: not deterministic over input order");
  if (out.everything !== entries.filter((e) => e.weight !== 0).length) throw new Error("sampler: k ≥ n did not return every drawable entry");
  return out;
}

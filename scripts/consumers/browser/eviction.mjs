import { EvictionError, evictUntil } from "@replaykit/eviction";

export function run() {
  const start = Date.UTC(2026, 0, 1);
  const entries = Array.from({ length: 120 }, (_, i) => ({
    sectionId: `s${String(i % 100).padStart(3, "0")}`, // 20 ids appear twice: counted per entry
    addedAt: i % 3 === 0 ? new Date(start + ((i * 37) % 120) * 3_600_000) : start + ((i * 37) % 120) * 3_600_000,
    length: 100 + ((i * 53) % 900),
  }));
  const total = entries.reduce((n, e) => n + e.length, 0);
  const half = evictUntil(entries, { maxBytes: Math.floor(total / 2), protectIds: ["s000", "s001", "s050"] });
  const none = evictUntil(entries, { maxBytes: total });
  const zero = evictUntil(entries, { maxBytes: 0, protectIds: new Set(["s007"]) });
  const out = {
    total,
    kept: half.kept.map((e) => e.sectionId),
    evicted: half.evicted.map((e) => e.sectionId),
    keptBytes: half.kept.reduce((n, e) => n + e.length, 0),
    none: none.evicted.length,
    zeroKept: zero.kept.map((e) => e.sectionId),
  };
  try {
    evictUntil(entries, { maxBytes: -1 });
    out.error = "no error";
  } catch (e) {
    out.error = { code: e.code, name: e.name, isInstance: EvictionError.isInstance(e) };
  }
  if (out.keptBytes > total / 2) throw new Error("eviction: over budget");
  if (out.zeroKept.length !== 2 || out.zeroKept.some((id) => id !== "s007")) throw new Error("eviction: maxBytes 0 kept more than the protected id");
  return out;
}

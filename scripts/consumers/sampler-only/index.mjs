// Consumer 1 — a team that only wants the sampler. Installed from its packed tarball into a
// fresh project: `npm install @replaykit/sampler`. It must bring no native code and no other
// package than its one leaf dependency, @replaykit/errors (itself dependency-free), and
// sample the team's own objects.
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { SamplerError, pythonRandom, recencyWeight, sample, sampleAsDlm } from "@replaykit/sampler";

// --- What the install brought -------------------------------------------------------------
const nm = join(process.cwd(), "node_modules");
function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    const st = statSync(full);
    return st.isDirectory() ? [full, ...walk(full)] : [full];
  });
}
const everything = walk(nm);
const natives = everything.filter((f) => /\.node$|binding\.gyp$|\.(so|dylib|dll)$/.test(f));
assert.deepEqual(natives, [], "no native addon or native build files under node_modules");
assert.equal(existsSync(join(nm, "@mongodb-js")), false, "no @mongodb-js (zstd) under node_modules");
assert.equal(
  everything.some((f) => /zstd/i.test(f)),
  false,
  "nothing named zstd under node_modules",
);
const replaykit = readdirSync(join(nm, "@replaykit"));
assert.deepEqual(replaykit, ["errors", "sampler"], "only @replaykit/sampler and its error scheme are installed");
const lock = JSON.parse(readFileSync("package-lock.json", "utf8"));
const installed = Object.keys(lock.packages)
  .filter((k) => k !== "")
  .map((k) => k.replace(/^node_modules\//, ""));
assert.deepEqual(
  installed.sort(),
  ["@replaykit/errors", "@replaykit/sampler", "pure-rand"],
  "the whole install is the sampler, @replaykit/errors and pure-rand",
);
const scripts = Object.entries(lock.packages)
  .filter(([, v]) => v.hasInstallScript)
  .map(([k]) => k);
assert.deepEqual(scripts, [], "no package runs an install script");

// --- Sampling the team's own objects --------------------------------------------------------
class Article {
  constructor(slug, publishedAt, weight) {
    this.sectionId = slug;
    this.addedAt = publishedAt;
    if (weight !== undefined) this.weight = weight;
    this.title = `Article ${slug}`;
  }
}
const now = new Date("2026-06-01T00:00:00Z");
const DAY = 86_400_000;
const articles = Array.from(
  { length: 200 },
  (_, i) => new Article(`post-${String(i).padStart(3, "0")}`, new Date(now.getTime() - i * DAY), i % 17 === 0 ? 0 : undefined),
);
const retired = new Set(articles.filter((a) => a.weight === 0).map((a) => a.sectionId));

const picked = sample(articles, { k: 10, now, seed: 42 });
assert.equal(picked.length, 10);
assert.ok(
  picked.every((a) => a instanceof Article && articles.includes(a)),
  "returns the caller's own objects",
);
assert.equal(new Set(picked).size, 10, "without replacement");
assert.ok(
  picked.every((a) => !retired.has(a.sectionId)),
  "weight 0 is never drawn",
);

// Deterministic: same seed, same entries in any order → same picks; another seed → others.
const again = sample(articles.slice().reverse(), { k: 10, now, seed: 42 });
assert.deepEqual(
  again.map((a) => a.sectionId),
  picked.map((a) => a.sectionId),
  "input order does not matter",
);
const other = sample(articles, { k: 10, now, seed: 43 });
assert.notDeepEqual(
  other.map((a) => a.sectionId),
  picked.map((a) => a.sectionId),
  "another seed, another sample",
);

// Recency: over many seeds the newest posts are drawn far more often than the oldest.
let newest = 0;
let oldest = 0;
for (let seed = 1; seed <= 2000; seed++) {
  const [a] = sample(articles, { k: 1, now, seed });
  const age = Number(a.sectionId.slice(5));
  if (age < 20) newest++;
  if (age >= 180) oldest++;
}
assert.ok(newest > 3 * oldest, `recency weighting: ${newest} of the 20 newest vs ${oldest} of the 20 oldest`);
assert.equal(recencyWeight({ sectionId: "x", addedAt: now }, now), 1);
assert.equal(recencyWeight({ sectionId: "x", addedAt: new Date(now.getTime() - 1000 * DAY) }, now), 0.01);

// Other schemes, edge cases and the typed error.
const uniform = sample(articles, { k: 5, now, seed: 1, scheme: "uniform" });
assert.equal(uniform.length, 5);
const onlyEven = sample(articles, { k: 5, now, seed: 1, scheme: (a) => (Number(a.sectionId.slice(5)) % 2 === 0 ? 1 : 0) });
assert.ok(
  onlyEven.every((a) => Number(a.sectionId.slice(5)) % 2 === 0),
  "a caller's scheme",
);
assert.deepEqual(sample(articles, { k: 0, now, seed: 1 }), []);
const all = sample(articles, { k: 1000, now, seed: 1 });
assert.equal(all.length, articles.length - retired.size, "k ≥ n returns every drawable entry");
assert.throws(
  () => sample(articles, { k: -1, now, seed: 1 }),
  (e) => SamplerError.isInstance(e) && e.code === "SAMPLER",
);
assert.throws(
  () => sample([{ sectionId: "bad", addedAt: "yesterday" }], { k: 1, now, seed: 1 }),
  (e) => e instanceof SamplerError && e.index === 0 && e.sectionId === "bad",
);

// dlm's own draw: CPython's random.Random(42).random() and a dlm draw (values from CPython 3.11).
assert.equal(pythonRandom(42)(), 0.6394267984578837);
assert.equal(pythonRandom(2n ** 64n + 5n)(), pythonRandom(-(2n ** 64n) - 5n)(), "abs(seed), as CPython");
const asDlm = sampleAsDlm(articles, { k: 10, now, seed: 45 });
assert.equal(asDlm.length, 10);
assert.deepEqual(sampleAsDlm(articles.slice().reverse(), { k: 10, now, seed: 45 }), asDlm, "dlm sorts by id first");
assert.equal(sampleAsDlm(articles, { k: 1000, now, seed: 45 }).length, articles.length, "dlm's full sweep keeps weight 0");
assert.throws(
  () => pythonRandom(0.5),
  (e) => SamplerError.isInstance(e),
);

console.log(`sampler-only: ok (picked ${picked.map((a) => a.sectionId).join(", ")}; installed: ${installed.join(", ")})`);

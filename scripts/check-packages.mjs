// Checks every publishable package as a stranger would get it: its packed tarball.
//
//   node scripts/check-packages.mjs          (after `npx turbo run build`)
//
// Per tarball (packed by scripts/pack.mjs):
//   publint    publint's API on the tarball, every level (suggestion, warning, error) in strict
//              mode; any message fails. Same as `publint run <tgz> --strict`.
//   attw       `attw --profile esm-only <tgz>` (@arethetypeswrong/cli); a non-zero exit or any
//              problem in a resolution the profile checks (node16 from ESM, bundler) fails.
//   contents   only dist/, src/, README.md, LICENSE, CHANGELOG.md and package.json ship (no tests,
//              benches, tsconfig, tsbuildinfo); every dist/*.js has its .d.ts and .d.ts.map, every
//              declaration map points at a shipped source, and no dist file is stale (left from a
//              deleted source).
//   metadata   type module, exports with types first and "./package.json", sideEffects false,
//              engines.node, license MIT, repository.directory = its folder, keywords, files,
//              no `workspace:` ranges left, and replaykit deps that the packed versions satisfy.
//   readme     Install, Use, API, Errors (or Exit codes) and Compatibility sections; the
//              Compatibility of errors, sampler, eviction and parsers names browsers.
import { mkdirSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, posix } from "node:path";
import { packAll } from "./pack.mjs";
import { BIN, freshTempDir, isMain, main, mapLimit, run, table } from "./lib/workspace.mjs";

/** Packages whose users run them in browsers. */
export const BROWSER_PACKAGES = ["@replaykit/errors", "@replaykit/sampler", "@replaykit/eviction", "@replaykit/parsers"];

const SHIPPABLE = [/^dist\//, /^src\//, /^README\.md$/, /^LICENSE$/, /^CHANGELOG\.md$/, /^package\.json$/];

async function checkPublint(p) {
  const { publint } = await import("publint");
  const { formatMessage } = await import("publint/utils");
  const buf = readFileSync(p.tarball);
  const tarball = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  const { messages, pkg } = await publint({ pack: { tarball }, level: "suggestion", strict: true });
  return messages.map((m) => `publint ${m.type} ${m.code}: ${formatMessage(m, pkg, { color: false }) ?? JSON.stringify(m)}`);
}

async function checkAttw(p) {
  const { stdout, stderr, code } = await run(BIN.attw, ["--profile", "esm-only", "--format", "json", p.tarball], { allowFail: true });
  let problems;
  try {
    problems = JSON.parse(stdout).analysis.problems;
  } catch {
    return [`attw did not run (exit ${code}): ${stderr.trim() || stdout.trim()}`];
  }
  // The esm-only profile ignores node10 and node16-cjs: an ESM-only package is not require()able.
  const ignored = new Set(["node10", "node16-cjs"]);
  const found = problems
    .filter((x) => !ignored.has(x.resolutionKind))
    .map((x) => `attw ${x.kind} at "${x.entrypoint ?? "?"}" (${x.resolutionKind ?? "all resolutions"})`);
  if (code !== 0 && found.length === 0) found.push(`attw exited ${code}: ${stderr.trim()}`);
  return found;
}

async function unpack(p, into) {
  const dir = join(into, p.name.replace("/", "__"));
  mkdirSync(dir, { recursive: true });
  await run("tar", ["-xzf", p.tarball, "-C", dir]);
  return join(dir, "package");
}

function walk(dir, base = dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? walk(full, base) : [posix.normalize(full.slice(base.length + 1))];
  });
}

export function checkContents(p, pkgDir) {
  const problems = [];
  const files = walk(pkgDir);
  const has = new Set(files);
  for (const f of files) if (!SHIPPABLE.some((re) => re.test(f)) || /\.tsbuildinfo$/.test(f)) problems.push(`ships ${f}`);
  for (const needed of ["LICENSE", "package.json"]) if (!has.has(needed)) problems.push(`tarball has no ${needed}`);
  for (const f of files.filter((f) => /^dist\/.*\.js$/.test(f))) {
    const stem = f.slice(0, -3);
    if (!has.has(`${stem}.d.ts`)) problems.push(`${f} has no ${stem}.d.ts`);
    if (!has.has(`${stem}.d.ts.map`)) problems.push(`${f} has no declaration map ${stem}.d.ts.map`);
    const source = `src/${stem.slice("dist/".length)}.ts`;
    if (!has.has(source)) problems.push(`${f} is stale or unexplained: no ${source} ships (rebuild from a clean dist/)`);
  }
  for (const f of files.filter((f) => f.endsWith(".d.ts.map"))) {
    const map = JSON.parse(readFileSync(join(pkgDir, f), "utf8"));
    for (const s of map.sources ?? []) {
      const target = posix.normalize(posix.join(posix.dirname(f), map.sourceRoot ?? "", s));
      if (!has.has(target)) problems.push(`${f} maps to ${target}, which does not ship`);
    }
  }
  return problems;
}

export function checkMetadata(p, packedPkg, packedVersions) {
  const problems = [];
  const pkg = packedPkg;
  const need = (ok, what) => ok || problems.push(what);
  need(pkg.type === "module", `"type" is not "module"`);
  need(pkg.sideEffects === false, `"sideEffects" is not false`);
  need(typeof pkg.engines?.node === "string", `no "engines.node"`);
  need(pkg.license === "MIT", `"license" is ${JSON.stringify(pkg.license)}, not "MIT"`);
  need(pkg.repository?.directory === p.rel, `"repository.directory" is ${JSON.stringify(pkg.repository?.directory)}, not "${p.rel}"`);
  need(typeof pkg.repository?.url === "string", `no "repository.url"`);
  need(Array.isArray(pkg.keywords) && pkg.keywords.length > 0, `no "keywords"`);
  need(Array.isArray(pkg.files) && pkg.files.length > 0, `no "files"`);
  need(typeof pkg.description === "string" && pkg.description.length > 0, `no "description"`);
  need(pkg.exports && typeof pkg.exports === "object", `no "exports" map`);
  need(pkg.exports?.["./package.json"] === "./package.json", `"exports" has no "./package.json"`);
  for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
    if (subpath === "./package.json") continue;
    if (typeof target !== "object" || Object.keys(target)[0] !== "types") problems.push(`exports["${subpath}"] does not start with "types"`);
    else if (!String(target.types).endsWith(".d.ts")) problems.push(`exports["${subpath}"].types is not a .d.ts`);
  }
  for (const field of ["dependencies", "peerDependencies", "optionalDependencies"]) {
    for (const [name, range] of Object.entries(pkg[field] ?? {})) {
      if (String(range).startsWith("workspace:")) problems.push(`${field}.${name} is still ${range}`);
      if (packedVersions.has(name) && !satisfiesCaret(packedVersions.get(name), range)) {
        problems.push(`${field}.${name} is ${range}, which the packed ${name}@${packedVersions.get(name)} does not satisfy`);
      }
    }
  }
  return problems;
}

/** Enough of semver for the ranges pnpm writes for workspace:^ (`^x.y.z`) and exact versions. */
function satisfiesCaret(version, range) {
  const parse = (v) => v.split("-")[0].split(".").map(Number);
  if (/^\d+\.\d+\.\d+$/.test(range)) return range === version;
  const m = /^\^(\d+\.\d+\.\d+)$/.exec(range);
  if (!m) return true; // not ours to judge
  const [a, b, c] = parse(version);
  const [x, y, z] = parse(m[1]);
  if (x > 0) return a === x && (b > y || (b === y && c >= z));
  if (y > 0) return a === 0 && b === y && c >= z;
  return a === 0 && b === 0 && c === z;
}

export function checkReadme(p, pkgDir) {
  let text;
  try {
    text = readFileSync(join(pkgDir, "README.md"), "utf8");
  } catch {
    return [`README.md missing (needs Install, Use, API, Errors, Compatibility)`];
  }
  const problems = [];
  const heading = (re) => text.split("\n").some((line) => /^#{2,3}\s/.test(line) && re.test(line.replace(/^#+\s+/, "")));
  const required = [
    ["Install", /^Install/i],
    ["Use (a runnable example)", /^(Use|Usage|Example)/i],
    ["API", /^API/],
    ["Errors", /^(Errors|Exit codes)/i],
    ["Compatibility", /^Compatibility/i],
  ];
  for (const [name, re] of required) if (!heading(re)) problems.push(`README has no ${name} section`);
  if (!text.includes("```")) problems.push("README has no code example");
  if (BROWSER_PACKAGES.includes(p.name)) {
    const compat = text.split(/^## /m).find((s) => /^Compatibility/i.test(s)) ?? "";
    if (!/browser/i.test(compat)) problems.push("README's Compatibility does not name the browsers it runs in");
  }
  return problems;
}

export async function checkPackages() {
  const packed = await packAll({ quiet: true });
  const packedVersions = new Map(packed.map((p) => [p.name, p.version]));
  const tmp = freshTempDir("check");
  const results = [];
  try {
    // Two packages at a time: attw is CPU-bound (TypeScript), and CI has two cores.
    results.push(
      ...(await mapLimit(packed, 2, async (p) => {
        const t0 = performance.now();
        const pkgDir = await unpack(p, tmp.dir);
        const packedPkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
        const [publint, attw] = await Promise.all([checkPublint(p), checkAttw(p)]);
        return {
          p,
          publint,
          attw,
          contents: checkContents(p, pkgDir),
          metadata: checkMetadata(p, packedPkg, packedVersions),
          readme: checkReadme(p, pkgDir),
          ms: performance.now() - t0,
        };
      })),
    );
  } finally {
    tmp.cleanup();
  }
  const cell = (list) => (list.length === 0 ? "ok" : `${list.length} problem${list.length > 1 ? "s" : ""}`);
  table(
    ["package", "files", "publint", "attw esm-only", "contents", "metadata", "readme", "time (2 at a time)"],
    results.map((r) => [
      r.p.name,
      r.p.files.length,
      cell(r.publint),
      cell(r.attw),
      cell(r.contents),
      cell(r.metadata),
      cell(r.readme),
      `${(r.ms / 1000).toFixed(1)} s`,
    ]),
  );
  let failed = false;
  for (const r of results) {
    const all = [...r.publint, ...r.attw, ...r.contents, ...r.metadata, ...r.readme];
    if (all.length === 0) continue;
    failed = true;
    console.log(`\n${r.p.name} (${r.p.rel}):`);
    for (const line of all) console.log(`  - ${line}`);
  }
  return !failed;
}

if (isMain(import.meta.url)) main(checkPackages);

// Independent releases: a change to one package bumps that package and the packages whose
// dependency range it leaves (and theirs, in turn) — never the others. Runs the real `changeset status` and `changeset version`
// (the workspace's @changesets/cli) in a throwaway git repository under the OS temp dir;
// the repository's own .changeset/ and package versions are never touched.
//
//   node scripts/changeset-check.mjs [--package @replaykit/sampler] [--bump minor]
//
// In the copy (manifests, sources, .changeset/config.json; no pending changesets):
//   1. commit it on `main`; on a branch, edit one source file of the package and add a
//      changeset for it alone, as `pnpm changeset` would write it;
//   2. `changeset status --since=main` must accept the branch (every changed package has a
//      changeset) and plan exactly the package and its dependents;
//   3. `changeset version` must bump the package by the given type, each package whose range
//      of it (or of another bumped one) no longer holds by a patch, leave every other package's version, manifest and CHANGELOG alone,
//      write a CHANGELOG.md with the change for each bumped package, and consume the changeset.
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync, appendFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, ROOT, freshTempDir, isMain, main, publicPackages, run, table } from "./lib/workspace.mjs";

const arg = (flag, fallback) => {
  const at = process.argv.indexOf(flag);
  return at > 0 ? process.argv[at + 1] : fallback;
};

/** True when `version` satisfies the caret range `^base` (0.x: the minor is the breaking part; 0.0.x: the patch). */
function inCaret(version, base) {
  const [a, b, c] = version.split(".").map(Number);
  const [x, y, z] = base.split(".").map(Number);
  if (x > 0) return a === x && (b > y || (b === y && c >= z));
  if (y > 0) return a === 0 && b === y && c >= z;
  return a === 0 && b === 0 && c === z;
}

/**
 * The public packages a `bump` of `name` releases too (changesets with
 * `updateInternalDependencies: "patch"` and `workspace:^` ranges): each package one of whose
 * dependencies is released out of the caret range of its version before gets a patch
 * release, and so on through its own dependents; a dependent whose range still holds the
 * new version keeps its own. Returns name → new version, the target included.
 */
function releasesOf(name, bump, packages) {
  const versionOf = new Map(packages.map((p) => [p.name, p.version]));
  const out = new Map([[name, bumpVersion(versionOf.get(name), bump)]]);
  for (let changed = true; changed; ) {
    changed = false;
    for (const p of packages) {
      if (out.has(p.name)) continue;
      const moved = p.internalDeps.some((d) => out.has(d) && !inCaret(out.get(d), versionOf.get(d)));
      if (moved) {
        out.set(p.name, bumpVersion(versionOf.get(p.name), "patch"));
        changed = true;
      }
    }
  }
  return out;
}

function bumpVersion(version, type) {
  const [a, b, c] = version.split("-")[0].split(".").map(Number);
  return type === "major" ? `${a + 1}.0.0` : type === "minor" ? `${a}.${b + 1}.0` : `${a}.${b}.${c + 1}`;
}

/** Copy what changesets reads (and a source tree to change): never node_modules, dist or .git. */
function copyWorkspace(to) {
  for (const f of ["package.json", "pnpm-workspace.yaml", "pnpm-lock.yaml"]) cpSync(join(ROOT, f), join(to, f));
  mkdirSync(join(to, ".changeset"));
  cpSync(join(ROOT, ".changeset", "config.json"), join(to, ".changeset", "config.json"));
  for (const group of ["packages", "examples"]) {
    for (const name of readdirSync(join(ROOT, group))) {
      const from = join(ROOT, group, name);
      if (!existsSync(join(from, "package.json"))) continue;
      cpSync(from, join(to, group, name), {
        recursive: true,
        filter: (src) => !/[/\\](node_modules|dist|\.turbo|coverage)([/\\]|$)/.test(src.slice(from.length)),
      });
    }
  }
  // The changelog generator named in config.json resolves from .changeset/: lend it the workspace's.
  symlinkSync(join(ROOT, "node_modules"), join(to, "node_modules"), "dir");
}

const manifests = (dir, packages) => new Map(packages.map((p) => [p.name, readFileSync(join(dir, p.rel, "package.json"), "utf8")]));
const changelog = (dir, p) => (existsSync(join(dir, p.rel, "CHANGELOG.md")) ? readFileSync(join(dir, p.rel, "CHANGELOG.md"), "utf8") : undefined);

export async function changesetCheck({ target = "@replaykit/sampler", bump = "minor" } = {}) {
  const packages = publicPackages();
  const pkg = packages.find((p) => p.name === target);
  if (!pkg) throw new Error(`${target} is not a public package (${packages.map((p) => p.name).join(", ")})`);
  const releases = releasesOf(target, bump, packages);
  const dependents = new Set([...releases.keys()].filter((n) => n !== target));
  const tmp = freshTempDir("changesets");
  const problems = [];
  const expect = (ok, what) => ok || problems.push(what);
  try {
    const dir = tmp.dir;
    copyWorkspace(dir);
    const git = (...args) =>
      run("git", ["-c", "user.name=changeset-check", "-c", "user.email=changeset-check@localhost", "-c", "commit.gpgsign=false", ...args], { cwd: dir });
    const changeset = (...args) => run(BIN.changeset, args, { cwd: dir });
    await git("init", "-q", "-b", "main");
    writeFileSync(join(dir, ".gitignore"), "node_modules\n");
    await git("add", "-A");
    await git("commit", "-q", "-m", "base");
    await git("checkout", "-q", "-b", "change");

    const summary = `changeset-check: a ${bump} change to ${target} alone`;
    const entry =
      JSON.parse(readFileSync(join(dir, pkg.rel, "package.json"), "utf8")).exports?.["."]?.default?.replace(/^\.\/dist\/(.*)\.js$/, "src/$1.ts") ??
      "src/index.ts";
    appendFileSync(join(dir, pkg.rel, entry), `\n// ${summary}\n`);
    writeFileSync(join(dir, ".changeset", "check-change.md"), `---\n"${target}": ${bump}\n---\n\n${summary}.\n`);
    await git("add", "-A");
    await git("commit", "-q", "-m", summary);

    const before = manifests(dir, packages);
    const logsBefore = new Map(packages.map((p) => [p.name, changelog(dir, p)]));

    await changeset("status", "--since=main", "--output=status.json");
    const status = JSON.parse(readFileSync(join(dir, "status.json"), "utf8"));
    // Private packages (examples/) may appear in the plan; `privatePackages.version: false` keeps them unversioned (checked below).
    const publicNames = new Set(packages.map((p) => p.name));
    const planned = new Map(status.releases.filter((r) => publicNames.has(r.name)).map((r) => [r.name, r]));
    const expected = new Set([target, ...dependents]);
    expect(
      [...planned.keys()].sort().join() === [...expected].sort().join(),
      `changeset status plans ${[...planned.keys()].join(", ") || "nothing"}; expected ${[...expected].join(", ")}`,
    );

    await changeset("version");
    const after = manifests(dir, packages);
    const rows = [];
    for (const p of packages) {
      const oldVersion = JSON.parse(before.get(p.name)).version;
      const newVersion = JSON.parse(after.get(p.name)).version;
      const log = changelog(dir, p);
      const want = p.name === target ? bumpVersion(oldVersion, bump) : dependents.has(p.name) ? bumpVersion(oldVersion, "patch") : oldVersion;
      const role = p.name === target ? "changed" : dependents.has(p.name) ? "dependent" : "unrelated";
      rows.push([p.name, role, oldVersion, newVersion, planned.get(p.name)?.type ?? "-", log === logsBefore.get(p.name) ? "unchanged" : "written"]);
      expect(newVersion === want, `${p.name} (${role}) went ${oldVersion} → ${newVersion}; expected ${want}`);
      if (role === "unrelated") {
        expect(after.get(p.name) === before.get(p.name), `${p.name} (unrelated) had its package.json rewritten`);
        expect(log === logsBefore.get(p.name), `${p.name} (unrelated) had its CHANGELOG.md written`);
      } else {
        expect(log !== undefined && log.includes(`## ${newVersion}`), `${p.name} has no CHANGELOG.md entry for ${newVersion}`);
        if (role === "changed") expect(log?.includes(summary), `${p.name}'s CHANGELOG.md lacks the changeset's text`);
        else {
          const moved = p.internalDeps.filter((d) => d === target || dependents.has(d)).map((d) => `${d}@${JSON.parse(after.get(d)).version}`);
          expect(
            moved.some((m) => log?.includes(m)),
            `${p.name}'s CHANGELOG.md does not name the dependency that moved (${moved.join(", ")})`,
          );
        }
      }
    }
    for (const name of readdirSync(join(dir, "examples"))) {
      const file = join(dir, "examples", name, "package.json");
      if (!existsSync(file)) continue;
      const ex = JSON.parse(readFileSync(file, "utf8"));
      expect(ex.version === JSON.parse(readFileSync(join(ROOT, "examples", name, "package.json"), "utf8")).version, `private ${ex.name} was versioned`);
    }
    expect(!existsSync(join(dir, ".changeset", "check-change.md")), "changeset version left the changeset in place");

    table(["package", "role", "before", "after", "planned bump", "CHANGELOG.md"], rows);
    const storeDep = packages
      .filter((p) => dependents.has(p.name))
      .map((p) => {
        const deps = JSON.parse(after.get(p.name)).dependencies ?? {};
        return `${p.name} → ${Object.entries(deps)
          .filter(([n]) => n === target || dependents.has(n))
          .map(([n, r]) => `${n}@${r}`)
          .join(", ")}`;
      });
    if (storeDep.length > 0) console.log(`dependent ranges after version: ${storeDep.join("; ")}`);
  } finally {
    tmp.cleanup();
  }
  if (problems.length > 0) {
    console.log("\nproblems:");
    for (const p of problems) console.log(`  - ${p}`);
    return false;
  }
  console.log(
    `\n${target} (${bump}) bumped itself and its ${dependents.size} dependent(s) only; ${packages.length - 1 - dependents.size} other package(s) untouched`,
  );
  return true;
}

if (isMain(import.meta.url)) main(() => changesetCheck({ target: arg("--package", "@replaykit/sampler"), bump: arg("--bump", "minor") }));

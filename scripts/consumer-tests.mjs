// The kinds of users of DESIGN.md §1, each in a fresh project under the OS temp dir
// (outside the workspace), installing the packed tarballs the way a stranger installs from
// the registry. Builds nothing: run `npx turbo run build` first.
//
//   node scripts/consumer-tests.mjs [scenario ...]      (default: all)
//
// A scenario folder in scripts/consumers/ holds the consumer's own files. The runner:
//   1. copies them into a fresh temp project with a package.json depending on the scenario's
//      packages as `file:` tarballs; the replaykit packages those depend on are not direct
//      dependencies but arrive through `overrides` mapped to their tarballs (the registry has
//      no @replaykit/*; third-party dependencies come from the npm registry as usual);
//   2. `npm install --no-audit --no-fund`, then checks in package-lock.json that every
//      @replaykit/* came from a local tarball and that exactly the expected ones came;
//   3. type-checks the scenario's types.ts (if any) against the installed .d.ts with the
//      workspace's TypeScript;
//   4. runs the scenario's steps (plain `node`, `node --test`), which assert what that user needs.
import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { basename, join } from "node:path";
import { packAll } from "./pack.mjs";
import { BIN, ROOT, freshTempDir, internalClosure, isMain, main, run, seconds, table } from "./lib/workspace.mjs";

export const SCENARIOS = [
  {
    name: "sampler-only",
    user: "a team that only wants the sampler",
    install: ["@replaykit/sampler"],
    steps: [["index.mjs"]],
  },
  {
    name: "full-facade",
    user: "a training pipeline using the facade",
    install: ["@replaykit/store"],
    steps: [["index.mjs"]],
  },
  {
    name: "plugin-author",
    user: "a plugin author",
    install: ["@replaykit/parsers", "@replaykit/store"],
    steps: [["--test", "conformance.test.mjs"], ["index.mjs"]],
  },
  {
    name: "object-store-tests",
    user: "a team testing its object-storage code with the memory store",
    install: ["@replaykit/object-store"],
    steps: [["index.mjs"]],
  },
  {
    name: "operator",
    user: "an operator with the command line",
    install: ["@replaykit/cli"],
    steps: [["index.mjs"]],
  },
];

async function runScenario(scenario, packed) {
  const byName = new Map(packed.map((p) => [p.name, p]));
  const closure = new Set(scenario.install.flatMap((n) => [...internalClosure(n, packed)]));
  const tmp = freshTempDir(`consumer-${scenario.name}`);
  const times = {};
  const log = [];
  try {
    const project = tmp.dir;
    cpSync(join(ROOT, "scripts", "consumers", scenario.name), project, { recursive: true });
    mkdirSync(join(project, "tarballs"));
    const spec = (name) => {
      const p = byName.get(name);
      if (!p) throw new Error(`${name} was not packed`);
      const file = join("tarballs", basename(p.tarball));
      if (!existsSync(join(project, file))) copyFileSync(p.tarball, join(project, file));
      return `file:${file}`;
    };
    const direct = Object.fromEntries(scenario.install.map((n) => [n, spec(n)]));
    const overrides = Object.fromEntries(
      [...closure]
        .filter((n) => !(n in direct))
        .sort()
        .map((n) => [n, spec(n)]),
    );
    writeFileSync(
      join(project, "package.json"),
      `${JSON.stringify({ name: `replaykit-consumer-${scenario.name}`, private: true, type: "module", dependencies: direct, overrides }, null, 2)}\n`,
    );

    let t0 = performance.now();
    await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: project });
    times.install = performance.now() - t0;

    const lock = JSON.parse(readFileSync(join(project, "package-lock.json"), "utf8"));
    const ours = Object.entries(lock.packages).filter(([k]) => /(^|\/)node_modules\/@replaykit\//.test(k));
    const got = ours.map(([k]) => k.replace(/^.*node_modules\//, "")).sort();
    if (JSON.stringify(got) !== JSON.stringify([...closure].sort())) {
      throw new Error(`installed replaykit packages ${got.join(", ")}; expected exactly ${[...closure].sort().join(", ")}`);
    }
    for (const [k, v] of ours) {
      if (!String(v.resolved ?? "").startsWith("file:tarballs/")) throw new Error(`${k} resolved to ${v.resolved}, not a local tarball`);
    }

    if (existsSync(join(project, "tsconfig.json"))) {
      const tsconfig = JSON.parse(readFileSync(join(project, "tsconfig.json"), "utf8"));
      // Node's types come from the workspace (no extra download); the sampler's scenario has none.
      if (tsconfig.compilerOptions.types?.includes("node")) tsconfig.compilerOptions.typeRoots = [join(ROOT, "node_modules", "@types")];
      writeFileSync(join(project, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
      t0 = performance.now();
      await run(process.execPath, [BIN.tsc, "-p", "tsconfig.json"], { cwd: project });
      times.types = performance.now() - t0;
      log.push("types.ts type-checks against the installed .d.ts");
    }

    t0 = performance.now();
    for (const args of scenario.steps) {
      const { stdout } = await run(process.execPath, args, { cwd: project });
      const tail = stdout.trim().split("\n");
      log.push(args[0] === "--test" ? tail.filter((l) => /^# (tests|pass|fail)/.test(l)).join(", ") : tail.at(-1));
    }
    times.run = performance.now() - t0;
    return { scenario, ok: true, times, log, closure };
  } catch (error) {
    return { scenario, ok: false, times, log, closure, error };
  } finally {
    tmp.cleanup();
  }
}

export async function consumerTests(names = []) {
  const chosen = names.length === 0 ? SCENARIOS : SCENARIOS.filter((s) => names.includes(s.name));
  if (chosen.length !== Math.max(names.length, chosen.length)) throw new Error(`unknown scenario in ${names.join(", ")}`);
  const packed = await packAll({ quiet: true });
  // Two at a time: npm installs mostly wait on the network, the runs on the CPU.
  const results = [];
  const queue = chosen.slice();
  await Promise.all(
    [0, 1].map(async () => {
      for (let s = queue.shift(); s; s = queue.shift()) results.push(await runScenario(s, packed));
    }),
  );
  results.sort((a, b) => chosen.indexOf(a.scenario) - chosen.indexOf(b.scenario));
  const t = (ms) => (ms === undefined ? "-" : seconds(ms));
  table(
    ["scenario", "installs", "replaykit packages installed", "npm install", "tsc", "run", "result"],
    results.map((r) => [
      r.scenario.name,
      r.scenario.install.join(" + "),
      r.closure.size,
      t(r.times.install),
      t(r.times.types),
      t(r.times.run),
      r.ok ? "ok" : "FAILED",
    ]),
  );
  for (const r of results) {
    console.log(`\n${r.scenario.name} (${r.scenario.user}):`);
    for (const line of r.log) console.log(`  ${line}`);
    if (!r.ok) console.log(`  FAILED: ${r.error instanceof Error ? r.error.message : r.error}`);
  }
  return results.every((r) => r.ok);
}

if (isMain(import.meta.url)) main(() => consumerTests(process.argv.slice(2)));

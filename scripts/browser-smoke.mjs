// The errors, sampler, eviction and parsers packages run in a real browser, from their packed tarballs.
//
//   node scripts/browser-smoke.mjs       (after `npx turbo run build`; needs /usr/bin/chromium,
//                                         which .ci/run installs from Debian's packages)
//
// 1. Installs the four packed tarballs into a fresh project under the OS temp dir (their
//    third-party dependencies from the npm registry, as a web app would get them).
// 2. Runs each smoke module of scripts/consumers/browser/ in Node: the expected result.
// 3. Bundles each with esbuild for the browser (platform "browser", format "esm", ES2022).
//    An import of a Node built-in fails the build; so would a CommonJS `require` left in the
//    bundle (checked). A control bundle that imports node:fs must fail, proving the guard.
// 4. Runs each bundle in headless Chromium (Debian's, driven by playwright-core through
//    `executablePath`, a fresh user-data-dir, no network services) and compares its result
//    with Node's, byte for byte as JSON. Any page error or console error fails.
import { copyFileSync, cpSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";
import { BROWSER_PACKAGES } from "./check-packages.mjs";
import { packAll } from "./pack.mjs";
import { ROOT, freshTempDir, isMain, main, run, seconds, table } from "./lib/workspace.mjs";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const SMOKES = [
  { pkg: "@replaykit/errors", module: "errors.mjs" },
  { pkg: "@replaykit/sampler", module: "sampler.mjs" },
  { pkg: "@replaykit/eviction", module: "eviction.mjs" },
  { pkg: "@replaykit/parsers", module: "parsers.mjs" },
];

const BUILD = { bundle: true, platform: "browser", format: "esm", target: ["es2022"], write: false, logLevel: "silent", legalComments: "none" };

/** The page-side wrapper: run the smoke, hand the JSON (or the failure) to the test. */
const wrapper = (module) => `
import { run } from "./${module}";
try {
  globalThis.__smoke = { ok: true, json: JSON.stringify(run()) };
} catch (error) {
  globalThis.__smoke = { ok: false, error: String(error && error.stack || error) };
}
`;

async function bundle(esbuild, project, name, contents) {
  const entry = join(project, `entry-${name}.mjs`);
  writeFileSync(entry, contents);
  const result = await esbuild.build({ ...BUILD, entryPoints: [entry], absWorkingDir: project });
  const code = result.outputFiles[0].text;
  if (code.includes("Dynamic require of")) throw new Error(`${name}: the browser bundle still calls require() (a CommonJS dependency)`);
  return code;
}

export async function browserSmoke() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}. Install Debian's package first (.ci/run does):\n` +
        `  apt-get update && apt-get install -y --no-install-recommends chromium\n` +
        `or point CHROMIUM_PATH at a Chromium binary.`,
    );
  }
  const esbuild = await import("esbuild");
  const { chromium } = await import("playwright-core");
  const timings = [];
  const step = async (label, fn) => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      timings.push([label, seconds(performance.now() - t0)]);
    }
  };

  const packed = (await step("pack", () => packAll({ quiet: true }))).filter((p) => BROWSER_PACKAGES.includes(p.name));
  const tmp = freshTempDir("browser");
  let context;
  try {
    const project = tmp.dir;
    cpSync(join(ROOT, "scripts", "consumers", "browser"), project, { recursive: true });
    mkdirSync(join(project, "tarballs"));
    const deps = {};
    for (const p of packed) {
      copyFileSync(p.tarball, join(project, "tarballs", basename(p.tarball)));
      deps[p.name] = `file:tarballs/${basename(p.tarball)}`;
    }
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "replaykit-browser-smoke", private: true, type: "module", dependencies: deps }, null, 2),
    );
    await step("npm install", () => run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: project }));

    // Node: the expected results.
    const expected = new Map();
    await step("run in Node", async () => {
      for (const s of SMOKES) expected.set(s.pkg, JSON.stringify((await import(pathToFileURL(join(project, s.module)).href)).run()));
    });

    // The guard: a bundle that needs a Node built-in must not build.
    await step("esbuild control", async () => {
      try {
        await bundle(esbuild, project, "control", `import { readFileSync } from "node:fs";\nconsole.log(readFileSync);\n`);
      } catch (error) {
        if (/node:fs/.test(String(error.message))) return;
        throw error;
      }
      throw new Error("esbuild bundled an import of node:fs for the browser: the Node built-in guard does not work");
    });
    const bundles = new Map();
    await step("esbuild bundles", async () => {
      for (const s of SMOKES) bundles.set(s.pkg, await bundle(esbuild, project, s.module.replace(/\.mjs$/, ""), wrapper(s.module)));
    });

    const userDataDir = join(project, "chromium-profile");
    context = await step("launch chromium", () =>
      chromium.launchPersistentContext(userDataDir, {
        executablePath: CHROMIUM,
        headless: true,
        args: CHROMIUM_FLAGS.filter((f) => f !== "--headless"),
        timeout: 60_000,
      }),
    );
    const rows = [];
    let failed = false;
    let userAgent = "";
    await step("run in Chromium", async () => {
      for (const s of SMOKES) {
        const page = await context.newPage();
        const errors = [];
        page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
        page.on("console", (m) => m.type() === "error" && errors.push(`console error: ${m.text()}`));
        await page.setContent(`<!doctype html><html><head><meta charset="utf-8"><title>${s.pkg}</title></head><body></body></html>`);
        userAgent = await page.evaluate(() => navigator.userAgent);
        await page.addScriptTag({ type: "module", content: bundles.get(s.pkg) });
        await page.waitForFunction(() => globalThis.__smoke !== undefined, undefined, { timeout: 30_000 });
        const got = await page.evaluate(() => globalThis.__smoke);
        await page.close();
        const same = got.ok && got.json === expected.get(s.pkg);
        if (!same || errors.length > 0) failed = true;
        rows.push([
          s.pkg,
          `${(bundles.get(s.pkg).length / 1024).toFixed(1)} KiB`,
          got.ok ? "ran" : "threw",
          `${expected.get(s.pkg).length} B of JSON`,
          same ? "equal" : "DIFFERENT",
          errors.length,
        ]);
        if (!got.ok) console.log(`${s.pkg} threw in Chromium:\n${got.error}`);
        else if (!same)
          console.log(`${s.pkg}: Chromium and Node differ\n  node:     ${expected.get(s.pkg).slice(0, 2000)}\n  chromium: ${got.json.slice(0, 2000)}`);
        for (const e of errors) console.log(`${s.pkg}: ${e}`);
      }
    });
    console.log(`browser: ${userAgent.match(/(HeadlessChrome|Chrome)\/[\d.]+/)?.[0] ?? userAgent} (${CHROMIUM}); node: ${process.version}`);
    table(["package", "browser bundle", "in Chromium", "Node's result", "Chromium's result", "page errors"], rows);
    console.log(`timings: ${timings.map(([l, t]) => `${l} ${t}`).join(", ")}`);
    return !failed;
  } finally {
    await context?.close().catch(() => {});
    tmp.cleanup();
  }
}

if (isMain(import.meta.url)) main(browserSmoke);

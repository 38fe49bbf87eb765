// A release rehearsal: every public package is packed, published to a throwaway Verdaccio
// registry on 127.0.0.1, and installed *by name* from it in fresh projects, the way a user
// gets a release. Builds nothing: run `npx pnpm build` first. Runs in CI under Node 24
// (Verdaccio 6 needs Node >= 22):
//
//   node scripts/node-versions.mjs run 24 -- node scripts/publish-check.mjs
//
// 1. pack (scripts/pack.mjs) — the versions are whatever the package.json files hold;
// 2. Verdaccio (pinned below; installed once into the cache of scripts/node-versions.mjs)
//    with its storage in a temp dir, a free port on 127.0.0.1 and the machine's npm
//    registry (`npm config get registry`) as the uplink for third-party packages;
// 3. `npm publish` of every tarball, then the registry must list each name at its version;
// 4. fresh projects, with an npm cache of their own (no tarball of an earlier run is reused):
//    a. `npx @replaykit/cli --version`, then `add` + `sample` of examples/sections.jsonl,
//       whose rows must equal the workspace CLI's;
//    b. `npm install @replaykit/store` and the full-facade consumer script (append, sampleRows, …);
//    c. `npm install @replaykit/sampler`: no native code arrives (no `.node`, no binding.gyp,
//       no install script anywhere in the tree), and the sampler-only consumer script runs.
// Verdaccio is stopped by its pid and the temp dirs removed whatever happens; any failed
// step fails the run with the command and its output.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { CACHE_DIR } from "./node-versions.mjs";
import { packAll } from "./pack.mjs";
import { CHILD_ENV, ROOT, freshTempDir, internalClosure, isMain, main, publicPackages, run, table, timed } from "./lib/workspace.mjs";

const VERDACCIO = "6.10.4";
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const npx = process.platform === "win32" ? "npx.cmd" : "npx";
const NOW = "2026-06-01T00:00:00Z";

/** Verdaccio, installed once from the registry into the CI cache (not a workspace dependency: its tree is large). */
async function verdaccioBin() {
  const dir = join(CACHE_DIR, `verdaccio-${VERDACCIO}`);
  const bin = join(dir, "node_modules", "verdaccio", "bin", "verdaccio");
  const installed = () => existsSync(bin) && JSON.parse(readFileSync(join(dir, "node_modules", "verdaccio", "package.json"), "utf8")).version === VERDACCIO;
  if (!installed()) {
    mkdirSync(dir, { recursive: true });
    await run(npm, ["install", "--no-save", "--no-package-lock", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", dir, `verdaccio@${VERDACCIO}`], {
      cwd: dir,
    });
    if (!installed()) throw new Error(`verdaccio@${VERDACCIO} did not install into ${dir}`);
  }
  return bin;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function npmConfig(key) {
  const r = spawnSync(npm, ["config", "get", key], { encoding: "utf8", env: CHILD_ENV });
  if (r.status !== 0) throw new Error(`\`npm config get ${key}\` failed: ${r.stderr}`);
  return r.stdout.trim();
}

/** Starts Verdaccio; resolves once it answers /-/ping. The caller stops it (stopVerdaccio). */
async function startVerdaccio(bin, dir) {
  const port = await freePort();
  const uplink = npmConfig("registry");
  const config = join(dir, "config.yaml");
  writeFileSync(
    config,
    [
      `storage: ${JSON.stringify(join(dir, "storage"))}`,
      "auth:",
      "  htpasswd:",
      `    file: ${JSON.stringify(join(dir, "htpasswd"))}`,
      "uplinks:",
      "  upstream:",
      `    url: ${JSON.stringify(uplink)}`,
      "    timeout: 60s",
      "packages:",
      // Our names never go to the uplink: what installs must be what this run published.
      "  '@replaykit/*':",
      "    access: $all",
      "    publish: $authenticated",
      "  '**':",
      "    access: $all",
      "    publish: $authenticated",
      "    proxy: upstream",
      "web:",
      "  enable: false",
      "log: { type: stdout, format: pretty, level: warn }",
      "",
    ].join("\n"),
  );
  const cafile = npmConfig("cafile");
  const env = { ...CHILD_ENV, ...(cafile && cafile !== "null" && existsSync(cafile) ? { NODE_EXTRA_CA_CERTS: cafile } : {}) };
  const child = spawn(process.execPath, [bin, "--config", config, "--listen", `127.0.0.1:${port}`], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (b) => (output += b));
  child.stderr.on("data", (b) => (output += b));
  const exited = new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal })));
  const server = { child, exited, url: `http://127.0.0.1:${port}/`, output: () => output };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`verdaccio exited at start (${child.exitCode ?? child.signalCode}):\n${output}`);
    try {
      const res = await fetch(`${server.url}-/ping`);
      if (res.ok) return server;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stopVerdaccio(server);
      throw new Error(`verdaccio did not answer on ${server.url} within 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Stops our Verdaccio by its pid: SIGTERM, then SIGKILL if it lingers. */
async function stopVerdaccio(server) {
  const { child, exited } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

/** A user account on our Verdaccio (its htpasswd lives in the temp dir); returns the token. */
async function addUser(url) {
  const name = "publish-check";
  const res = await fetch(`${url}-/user/org.couchdb.user:${name}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, password: `pw-${process.pid}-${Date.now()}`, type: "user", roles: [] }),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok || typeof body.token !== "string") throw new Error(`verdaccio refused to create a user: HTTP ${res.status} ${JSON.stringify(body)}`);
  return body.token;
}

/**
 * A fresh project that installs from our registry only, with an npm cache of this run. Only
 * the publisher holds a token (reading needs none, and each token check costs a bcrypt).
 */
function project(root, name, url, token, cache) {
  const dir = join(root, name);
  mkdirSync(dir);
  const auth = token === undefined ? "" : `${url.replace(/^http:/, "")}:_authToken=${token}\n`;
  // The lockfile must say where each package came from (this machine's npmrc omits it).
  writeFileSync(join(dir, ".npmrc"), `registry=${url}\nomit-lockfile-registry-resolved=false\n${auth}`);
  writeFileSync(join(dir, "package.json"), `${JSON.stringify({ name: `publish-check-${name}`, private: true, type: "module" }, null, 2)}\n`);
  const env = { ...CHILD_ENV, npm_config_cache: cache, npm_config_registry: url, npm_config_yes: "true" };
  return { dir, env };
}

/** Every package.json under node_modules (nested ones included). */
function installedManifests(nm) {
  const out = [];
  const visit = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === ".bin" || entry.name === ".cache") continue;
      const full = join(dir, entry.name);
      if (entry.name.startsWith("@")) visit(full);
      else {
        const manifest = join(full, "package.json");
        if (existsSync(manifest)) out.push({ dir: full, pkg: JSON.parse(readFileSync(manifest, "utf8")) });
        if (existsSync(join(full, "node_modules"))) visit(join(full, "node_modules"));
      }
    }
  };
  if (existsSync(nm)) visit(nm);
  return out;
}

/** Files anywhere under dir whose path matches re. */
function findFiles(dir, re) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && re.test(e.name))
    .map((e) => join(e.parentPath ?? e.path, e.name));
}

/** The installed @replaykit packages must be this run's versions, fetched from our registry. */
/** `name` and every replaykit package it depends on, directly or not (what installing it must bring, and nothing else). */
function closure(name, packages) {
  return [...internalClosure(name, packages)];
}

function checkInstalledFrom(dir, url, packages, expected) {
  const lock = JSON.parse(readFileSync(join(dir, "package-lock.json"), "utf8"));
  const ours = Object.entries(lock.packages).filter(([k]) => /(^|\/)node_modules\/@replaykit\//.test(k));
  const names = [...new Set(ours.map(([k]) => k.replace(/^.*node_modules\//, "")))].sort();
  if (names.join() !== [...expected].sort().join()) throw new Error(`${dir}: installed ${names.join(", ")}; expected ${[...expected].sort().join(", ")}`);
  for (const [k, v] of ours) {
    const name = k.replace(/^.*node_modules\//, "");
    const want = packages.find((p) => p.name === name).version;
    if (v.version !== want) throw new Error(`${dir}: ${name}@${v.version} installed; this run published ${want}`);
    if (!String(v.resolved).startsWith(url)) throw new Error(`${dir}: ${name} came from ${v.resolved}, not from ${url}`);
  }
  return names.length;
}

export async function publishCheck() {
  if (Number(process.versions.node.split(".")[0]) < 22) {
    throw new Error(
      `publish-check needs Node >= 22 for Verdaccio ${VERDACCIO} (this is ${process.version}): node scripts/node-versions.mjs run 24 -- node scripts/publish-check.mjs`,
    );
  }
  const packages = publicPackages();
  const tmp = freshTempDir("publish-check");
  let server;
  const rows = [];
  try {
    const packed = await timed("pack", () => packAll({ outDir: join(tmp.dir, "packs"), quiet: true }));
    const bin = await timed(`verdaccio ${VERDACCIO} (cached in ${CACHE_DIR})`, () => verdaccioBin());
    mkdirSync(join(tmp.dir, "verdaccio"));
    server = await timed("start verdaccio", () => startVerdaccio(bin, join(tmp.dir, "verdaccio")));
    const { url } = server;
    console.log(`  registry: ${url} (uplink ${npmConfig("registry")})`);
    const token = await addUser(url);
    const cache = join(tmp.dir, "npm-cache");

    const publisher = project(tmp.dir, "publisher", url, token, cache);
    await timed(`publish ${packed.length} packages`, async () => {
      // One after another, dependencies first (publicPackages' order).
      for (const p of packed)
        await run(npm, ["publish", p.tarball, "--access", "public", "--tag", "latest", "--loglevel=warn"], { cwd: publisher.dir, env: publisher.env });
    });
    for (const p of packages) {
      const res = await fetch(`${url}${p.name.replace("/", "%2f")}`);
      const doc = res.ok ? await res.json() : {};
      if (doc["dist-tags"]?.latest !== p.version || doc.versions?.[p.version] === undefined) {
        throw new Error(`${p.name}@${p.version} is not on the registry after publishing (HTTP ${res.status}, latest ${doc["dist-tags"]?.latest})`);
      }
      rows.push([p.name, p.version, "published"]);
    }

    // (a) the operator: npx by name, then a real add + sample.
    const cli = project(tmp.dir, "cli", url, undefined, cache);
    const cliVersion = packages.find((p) => p.name === "@replaykit/cli").version;
    const npxCli = (...args) => run(npx, ["--yes", "@replaykit/cli", ...args], { cwd: cli.dir, env: cli.env });
    const { stdout: version } = await timed("npx @replaykit/cli --version", () => npxCli("--version"));
    if (version.trim() !== cliVersion) throw new Error(`npx @replaykit/cli --version printed ${JSON.stringify(version.trim())}; expected ${cliVersion}`);
    copyFileSync(join(ROOT, "examples", "sections.jsonl"), join(cli.dir, "sections.jsonl"));
    await timed("npx @replaykit/cli add", () => npxCli("add", "store", "sections.jsonl"));
    const sampleArgs = ["sample", "store", "--k", "8", "--seed", "1", "--now", NOW];
    const { stdout: sampled } = await timed("npx @replaykit/cli sample", () => npxCli(...sampleArgs));
    const lines = sampled.trim().split("\n");
    if (lines.length < 8 || !lines.every((l) => typeof JSON.parse(l)._dlm_section_id === "string")) {
      throw new Error(`sample printed ${lines.length} line(s), not 8+ training rows:\n${sampled.slice(0, 2000)}`);
    }
    // The same rows as the workspace's own CLI on the same input: the release is the code under test.
    const ref = project(tmp.dir, "workspace-cli", url, undefined, cache);
    copyFileSync(join(ROOT, "examples", "sections.jsonl"), join(ref.dir, "sections.jsonl"));
    const workspaceBin = join(ROOT, "packages", "cli", "dist", "bin.js");
    await run(process.execPath, [workspaceBin, "add", "store", "sections.jsonl"], { cwd: ref.dir });
    const { stdout: expected } = await run(process.execPath, [workspaceBin, ...sampleArgs], { cwd: ref.dir });
    if (sampled !== expected) throw new Error("the published CLI's sample differs from the workspace CLI's on the same store");
    rows.push(["(a) npx @replaykit/cli", cliVersion, `--version ok; add + sample: ${lines.length} rows, as the workspace CLI`]);

    // (b) a training pipeline on the facade.
    const facade = project(tmp.dir, "facade", url, undefined, cache);
    await timed("npm install @replaykit/store", () => run(npm, ["install", "@replaykit/store", "--loglevel=error"], { cwd: facade.dir, env: facade.env }));
    const n = checkInstalledFrom(facade.dir, url, packages, closure("@replaykit/store", packages));
    cpSync(join(ROOT, "scripts", "consumers", "full-facade", "index.mjs"), join(facade.dir, "index.mjs"));
    const { stdout: facadeOut } = await timed("facade script", () => run(process.execPath, ["index.mjs"], { cwd: facade.dir, env: facade.env }));
    // Without @replaykit/object-store (an optional peer), an s3:// location is one clear error naming it.
    const s3Probe =
      'import("@replaykit/store").then(({ ReplayStore }) => ReplayStore.open("s3://bucket/replay")).then(() => { console.log("opened?!"); process.exit(1); }, (e) => { console.log(e.code + " " + e.message); process.exit(e.code === "STORE_UNSUPPORTED" && e.message.includes("@replaykit/object-store") ? 0 : 1); })';
    const { stdout: s3Out } = await timed("s3:// without @replaykit/object-store", () =>
      run(process.execPath, ["--input-type=module", "-e", s3Probe], { cwd: facade.dir, env: facade.env }),
    );
    if (!s3Out.includes("STORE_UNSUPPORTED")) throw new Error(`facade: s3:// without @replaykit/object-store: ${s3Out}`);
    rows.push([
      "(b) @replaykit/store",
      packages.find((p) => p.name === "@replaykit/store").version,
      `${n} replaykit packages; ${facadeOut.trim().split("\n").at(-1)}`,
    ]);

    // (c) the sampler alone: pure JavaScript, nothing built or run at install.
    const sampler = project(tmp.dir, "sampler", url, undefined, cache);
    await timed("npm install @replaykit/sampler", () =>
      run(npm, ["install", "@replaykit/sampler", "--loglevel=error"], { cwd: sampler.dir, env: sampler.env }),
    );
    checkInstalledFrom(sampler.dir, url, packages, closure("@replaykit/sampler", packages));
    const nm = join(sampler.dir, "node_modules");
    const native = findFiles(nm, /\.node$|^binding\.gyp$|\.(so|dylib|dll)$/);
    if (native.length > 0) throw new Error(`@replaykit/sampler brought native files: ${native.join(", ")}`);
    const hooks = installedManifests(nm).filter(
      ({ pkg }) => pkg.gypfile === true || ["preinstall", "install", "postinstall"].some((s) => typeof pkg.scripts?.[s] === "string"),
    );
    if (hooks.length > 0) throw new Error(`@replaykit/sampler's tree has install scripts: ${hooks.map((h) => h.pkg.name).join(", ")}`);
    cpSync(join(ROOT, "scripts", "consumers", "sampler-only", "index.mjs"), join(sampler.dir, "index.mjs"));
    const { stdout: samplerOut } = await timed("sampler script", () => run(process.execPath, ["index.mjs"], { cwd: sampler.dir, env: sampler.env }));
    rows.push([
      "(c) @replaykit/sampler",
      packages.find((p) => p.name === "@replaykit/sampler").version,
      `${installedManifests(nm).length} package(s), no native file or install script; ${samplerOut.trim().split("\n").at(-1)}`,
    ]);
  } catch (error) {
    // Verdaccio's own log often says why a publish or an install failed.
    if (server !== undefined && error instanceof Error)
      error.message += `\n--- verdaccio log (tail)\n${server.output().trim().split("\n").slice(-30).join("\n")}`;
    throw error;
  } finally {
    if (server !== undefined) {
      await stopVerdaccio(server);
      console.log(`  verdaccio (pid ${server.child.pid}) stopped`);
    }
    tmp.cleanup();
  }
  console.log();
  table(["what", "version", "result"], rows);
  return true;
}

if (isMain(import.meta.url)) main(() => publishCheck());

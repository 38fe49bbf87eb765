// Other Node.js majors for CI and for checking a change by hand: installs the npm registry's
// `node` package (a real Node binary) into a cache directory that outlives the checkout, and
// runs a command with that Node first on PATH.
//
//   node scripts/node-versions.mjs install 22 24      # install (or reuse) and print each version
//   node scripts/node-versions.mjs bin 24             # the directory holding that `node`
//   node scripts/node-versions.mjs run 24 -- npm test # a command under Node 24
//
// Cache: ${REPLAYKIT_NODE_CACHE:-${XDG_CACHE_HOME:-~/.cache}/replaykit-ci}/node-<major>/, reused
// while its `node --version` answers v<major>.*; `install --refresh` fetches the newest again.
// The machine's own Node (whatever `node` the script runs under) is never replaced.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Where the Node builds live: outside the repository, so a fresh clone finds them. */
export const CACHE_DIR = process.env.REPLAYKIT_NODE_CACHE ?? join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "replaykit-ci");

const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/** The machine's npm settings, read once with the npm that belongs to the running Node. */
let machineGlobalConfig;
function globalConfig() {
  if (machineGlobalConfig === undefined) {
    // An npm started under a registry `node` looks for its global npmrc beside that binary and
    // would lose this machine's registry settings: pin the file the machine's npm reads.
    const r = spawnSync(npm, ["config", "get", "globalconfig"], { encoding: "utf8", env: process.env });
    if (r.status !== 0) throw new Error(`\`npm config get globalconfig\` failed (exit ${r.status}): ${r.stderr}`);
    machineGlobalConfig = r.stdout.trim();
  }
  return machineGlobalConfig;
}

function versionOf(nodeBin) {
  if (!existsSync(nodeBin)) return undefined;
  const r = spawnSync(nodeBin, ["--version"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function parseMajor(major) {
  const m = /^v?(\d+)$/.exec(String(major));
  if (m === null) throw new Error(`node-versions: a Node major is a number such as 22, got ${JSON.stringify(major)}`);
  return Number(m[1]);
}

/**
 * Makes Node `major` available: reuses the cached install when its `node --version` is
 * v<major>.*, else installs `node@<major>` from the npm registry (into a temp sibling, moved
 * into place only once it answers, so an interrupted install is never reused).
 * @returns {{ major: number, version: string, bin: string, node: string, reused: boolean }}
 * @throws {Error} when npm cannot install it or the installed binary is not that major.
 */
export function ensureNode(major, { refresh = false } = {}) {
  const want = parseMajor(major);
  const dir = join(CACHE_DIR, `node-${want}`);
  const bin = join(dir, "node_modules", ".bin");
  const node = join(bin, process.platform === "win32" ? "node.cmd" : "node");
  const current = refresh ? undefined : versionOf(node);
  if (current?.startsWith(`v${want}.`)) return { major: want, version: current, bin, node, reused: true };

  mkdirSync(CACHE_DIR, { recursive: true });
  const staging = `${dir}.installing-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const r = spawnSync(npm, ["install", "--no-save", "--no-package-lock", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", staging, `node@${want}`], {
    encoding: "utf8",
    env: { ...process.env, npm_config_update_notifier: "false" },
  });
  const got = versionOf(join(staging, "node_modules", ".bin", "node"));
  if (r.status !== 0 || !got?.startsWith(`v${want}.`)) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`node-versions: installing node@${want} from the npm registry failed (exit ${r.status}, got ${got ?? "no node"}):\n${r.stderr}`);
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  return { major: want, version: versionOf(node), bin, node, reused: false };
}

/** The environment of a command that must run under `info` (from ensureNode). */
export function envFor(info, base = process.env) {
  return {
    ...base,
    PATH: `${info.bin}${delimiter}${base.PATH ?? ""}`,
    npm_config_globalconfig: base.npm_config_globalconfig ?? globalConfig(),
    npm_config_update_notifier: "false",
  };
}

function cli(argv) {
  const [command, ...rest] = argv;
  if (command === "install") {
    const refresh = rest.includes("--refresh");
    const majors = rest.filter((a) => a !== "--refresh");
    if (majors.length === 0) throw new Error("node-versions install: name at least one major, e.g. 22 24");
    for (const m of majors) {
      const info = ensureNode(m, { refresh });
      console.log(`node ${info.major}: ${info.version} (${info.reused ? "cached" : "installed"}) ${info.node}`);
    }
    return;
  }
  if (command === "bin" && rest.length === 1) {
    console.log(ensureNode(rest[0]).bin);
    return;
  }
  if (command === "run" && rest.length >= 3 && rest[1] === "--") {
    const info = ensureNode(rest[0]);
    const child = spawn(rest[2], rest.slice(3), { stdio: "inherit", env: envFor(info) });
    // Our own child: pass on Ctrl-C / CI cancellation so it is not left running.
    for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
    child.on("error", (e) => {
      console.error(`node-versions run: cannot start ${rest[2]}: ${e.message}`);
      process.exit(127);
    });
    child.on("close", (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
    return;
  }
  throw new Error("usage: node scripts/node-versions.mjs install <major>... [--refresh] | bin <major> | run <major> -- <command> [args...]");
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  try {
    cli(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}

// Shared helpers of the package scripts (pack, check-packages, consumer-tests,
// changeset-check, browser-smoke): where the workspace is, which packages it publishes,
// running a command with its output kept for the failure message, temp dirs, timings.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Binaries of the root devDependencies. */
export const BIN = {
  pnpm: join(ROOT, "node_modules", "pnpm", "bin", "pnpm.cjs"),
  changeset: join(ROOT, "node_modules", ".bin", "changeset"),
  attw: join(ROOT, "node_modules", ".bin", "attw"),
  tsc: join(ROOT, "node_modules", "typescript", "bin", "tsc"),
};

/** Environment of every child process: no telemetry, no update checks, no prompts. */
export const CHILD_ENV = {
  ...process.env,
  TURBO_TELEMETRY_DISABLED: "1",
  COREPACK_ENABLE_DOWNLOAD_PROMPT: "0",
  npm_config_update_notifier: "false",
  npm_config_fund: "false",
  npm_config_audit: "false",
  NO_COLOR: "1",
  FORCE_COLOR: "0",
};

/**
 * The publishable packages (packages/* without `"private": true`), in a dependency order
 * (a package comes after the replaykit packages it depends on).
 * @returns {{ name: string, version: string, dir: string, rel: string, pkg: any, internalDeps: string[] }[]}
 */
export function publicPackages() {
  const base = join(ROOT, "packages");
  const all = readdirSync(base, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(base, d.name, "package.json")))
    .map((d) => {
      const dir = join(base, d.name);
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
      return { name: pkg.name, version: pkg.version, dir, rel: `packages/${d.name}`, pkg };
    })
    .filter((p) => p.pkg.private !== true);
  const names = new Set(all.map((p) => p.name));
  for (const p of all) {
    const deps = { ...p.pkg.dependencies, ...p.pkg.peerDependencies, ...p.pkg.optionalDependencies };
    p.internalDeps = Object.keys(deps).filter((n) => names.has(n));
  }
  const ordered = [];
  const seen = new Set();
  const visit = (p) => {
    if (seen.has(p.name)) return;
    seen.add(p.name);
    for (const d of p.internalDeps) visit(all.find((q) => q.name === d));
    ordered.push(p);
  };
  for (const p of all.sort((a, b) => a.name.localeCompare(b.name))) visit(p);
  return ordered;
}

/**
 * `name` and every replaykit package installing it brings, directly or not: dependencies and
 * peers, but not optional peers (the store's @replaykit/object-store, which only s3://
 * locations need, and which npm does not install).
 */
export function internalClosure(name, packages = publicPackages()) {
  const out = new Set();
  const installed = (p) => {
    const optional = p.pkg.peerDependenciesMeta ?? {};
    return p.internalDeps.filter(
      (d) => Object.hasOwn(p.pkg.dependencies ?? {}, d) || (Object.hasOwn(p.pkg.peerDependencies ?? {}, d) && optional[d]?.optional !== true),
    );
  };
  const walk = (n) => {
    if (out.has(n)) return;
    out.add(n);
    const p = packages.find((q) => q.name === n);
    for (const d of p === undefined ? [] : installed(p)) walk(d);
  };
  walk(name);
  return out;
}

/**
 * Runs a command; resolves `{ stdout, stderr, code }`. Rejects (unless `allowFail`) with an
 * error whose message holds the command and the tail of its output.
 */
export function run(cmd, args, { cwd = ROOT, env = CHILD_ENV, allowFail = false, input, timeoutMs = 10 * 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b) => (stdout += b));
    child.stderr.on("data", (b) => (stderr += b));
    if (input !== undefined) child.stdin.end(input);
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const result = { stdout, stderr, code: code ?? (signal ? 128 : 1) };
      if (result.code === 0 || allowFail) return resolve(result);
      const shown = [cmd, ...args].map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(" ");
      const tail = (s) => s.trim().split("\n").slice(-40).join("\n");
      reject(
        new Error(
          `command failed (exit ${result.code}${signal ? `, ${signal}` : ""}) in ${cwd}:\n  ${shown}\n--- stdout\n${tail(stdout)}\n--- stderr\n${tail(stderr)}`,
        ),
      );
    });
  });
}

/** Runs a Node script or CLI file with this Node. */
export const runNode = (file, args = [], opts = {}) => run(process.execPath, [file, ...args], opts);

/** A fresh directory under the OS temp dir (outside the workspace); removed by `cleanup` unless KEEP_TMP=1. */
export function freshTempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), `replaykit-${prefix}-`));
  return {
    dir,
    cleanup() {
      if (process.env.KEEP_TMP === "1") console.log(`  (kept ${dir})`);
      else rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Times an async step; returns its result and prints `label … 1.2 s`. */
export async function timed(label, fn) {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    console.log(`  ${label}: ${seconds(performance.now() - t0)}`);
  }
}

export const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** Prints rows as an aligned plain-text table. */
export function table(header, rows) {
  const widths = header.map((h, i) => Math.max(String(h).length, ...rows.map((r) => String(r[i]).length)));
  const line = (r) =>
    r
      .map((c, i) => String(c).padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows) console.log(line(r));
}

/** For `node script.mjs`: run main, print the error and exit 1 on failure. */
export function main(fn) {
  const t0 = performance.now();
  fn().then(
    (ok) => {
      if (ok === false) {
        console.error(`FAILED after ${seconds(performance.now() - t0)}`);
        process.exit(1);
      }
      console.log(`done in ${seconds(performance.now() - t0)}`);
    },
    (error) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : error);
      console.error(`FAILED after ${seconds(performance.now() - t0)}`);
      process.exit(1);
    },
  );
}

/** True when this module was started as the main script. */
export const isMain = (importMetaUrl) => process.argv[1] !== undefined && fileURLToPath(importMetaUrl) === resolve(process.argv[1]);

/** `Promise.all(items.map(fn))` with at most `limit` calls in flight (the CI machine has 2 cores). */
export async function mapLimit(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

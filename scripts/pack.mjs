// Packs every publishable package with `pnpm pack` (which rewrites `workspace:^` to real
// versions, as `pnpm publish` would) into one directory, default `.tmp/packs/`.
// Builds nothing: run `turbo run build` (or `npx pnpm build`) first; a package whose
// exported files are missing stops it with that advice.
//
//   node scripts/pack.mjs [--out <dir>]
//
// As a module: `packAll({ outDir })` → [{ name, version, dir, rel, tarball, internalDeps }].
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { BIN, ROOT, isMain, main, mapLimit, publicPackages, runNode, table } from "./lib/workspace.mjs";

export const DEFAULT_OUT = join(ROOT, ".tmp", "packs");

/** Every file an `exports` map (or `bin`) points at, relative to the package dir. */
function exportedFiles(pkg) {
  const files = new Set();
  const walk = (v) => {
    if (typeof v === "string") files.add(v);
    else if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk(pkg.exports);
  walk(pkg.bin);
  return [...files].filter((f) => !f.includes("*"));
}

export async function packAll({ outDir = DEFAULT_OUT, quiet = false } = {}) {
  const packages = publicPackages();
  const missing = packages.flatMap((p) =>
    exportedFiles(p.pkg)
      .filter((f) => !existsSync(join(p.dir, f)))
      .map((f) => `${p.rel}/${f}`),
  );
  if (missing.length > 0) {
    throw new Error(`not built: ${missing.join(", ")}\nrun \`npx turbo run build\` (or \`npx pnpm build\`) first; pack.mjs builds nothing itself`);
  }
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const packed = await mapLimit(packages, 3, async (p) => {
    const { stdout } = await runNode(BIN.pnpm, ["pack", "--pack-destination", outDir, "--json"], { cwd: p.dir });
    const info = JSON.parse(stdout.slice(stdout.indexOf("{")));
    const tarball = resolve(outDir, info.filename);
    if (!existsSync(tarball)) throw new Error(`pnpm pack reported ${tarball} for ${p.name}, but it is not there`);
    return { ...p, tarball, files: info.files.map((f) => f.path) };
  });
  if (!quiet) {
    table(
      ["package", "version", "files", "tarball"],
      packed.map((p) => [p.name, p.version, p.files.length, relative(ROOT, p.tarball)]),
    );
  }
  return packed;
}

if (isMain(import.meta.url)) {
  const at = process.argv.indexOf("--out");
  const outDir = at > 0 ? resolve(process.argv[at + 1]) : DEFAULT_OUT;
  main(async () => {
    await packAll({ outDir });
  });
}

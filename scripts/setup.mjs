// Installs the workspace from the repo's own files on a machine that has only Node and npm:
// uses the pnpm pinned in package.json (through npx when it is not installed yet).
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pin = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).packageManager.split("+")[0];
const version = pin.slice("pnpm@".length);
const env = { ...process.env, COREPACK_ENABLE_DOWNLOAD_PROMPT: "0", TURBO_TELEMETRY_DISABLED: "1" };
const args = ["install", "--frozen-lockfile", "--reporter=append-only"];
const local = join(root, "node_modules", "pnpm", "bin", "pnpm.cjs");
const quiet = process.argv.includes("--quiet");

if (existsSync(local) && JSON.parse(readFileSync(join(root, "node_modules", "pnpm", "package.json"), "utf8")).version === version) {
  execFileSync(process.execPath, [local, ...args], { cwd: root, env, stdio: quiet ? "ignore" : "inherit" });
} else {
  const npx = process.platform === "win32" ? "npx.cmd" : "npx";
  execFileSync(npx, ["--yes", `pnpm@${version}`, ...args], { cwd: root, env, stdio: "inherit" });
}

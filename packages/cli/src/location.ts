/**
 * Where a store is: a directory, or `s3://bucket/prefix` (object storage through its S3 API;
 * `@replaykit/object-store`). Every command that takes a store takes both; the three flags
 * `--endpoint`, `--region` and `--path-style` are defined here once and added to each such
 * command by {@link addLocationOptions}, which also checks them (and the location) before
 * the command does anything else.
 *
 * Credentials are never flags: the S3 client takes them from the standard AWS chain (the
 * `AWS_*` environment, shared config and profiles). Nothing here prints an endpoint's
 * user-info or any secret.
 */

import type { StoreOptions } from "@replaykit/store";
import type { Command } from "commander";
import type { Context } from "./context.js";
import { CliFailure, UsageError } from "./errors.js";
import { shellWord } from "./paths.js";

/** The flags of a command that takes a store location. */
export interface LocationFlags {
  endpoint?: string;
  region?: string;
  pathStyle?: boolean;
}

/** A store location, checked: a directory, or object storage with the options to open it with. */
export type StoreLocation =
  | { readonly kind: "directory"; readonly dir: string }
  | { readonly kind: "s3"; readonly url: string; readonly options: Pick<StoreOptions, "s3" | "cacheDir"> };

type Env = Readonly<Record<string, string | undefined>>;

/** True when `location` names object storage (`s3://…`; the scheme in any case, as the store reads it). */
export function isObjectStorage(location: string): boolean {
  return /^s3:\/\//i.test(location);
}

/** `--help` text shared by the commands that take a store location. */
export const LOCATION_ARGUMENT_HELP = "the store directory, or s3://bucket/prefix";

/**
 * Adds `--endpoint URL`, `--region R` and `--path-style` to `command`, and a check run before
 * its action: the location (argument number `argumentIndex`) and the flags, as
 * {@link storeLocation} checks them.
 */
export function addLocationOptions(command: Command, ctx: Context, argumentIndex = 0): Command {
  return command
    .option("--endpoint <url>", "s3:// only: the S3 endpoint, an http(s) URL (default: AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL, then AWS)")
    .option("--region <region>", "s3:// only: the bucket's region (default: AWS_REGION or the shared config; us-east-1 with a custom endpoint)")
    .option("--path-style", "s3:// only: path-style requests (endpoint/bucket/key), as MinIO and Ceph RGW want (the default with an endpoint)")
    .hook("preAction", (_self, action) => {
      const location = action.processedArgs[argumentIndex] as unknown;
      if (typeof location !== "string") return;
      // `replaykit add day-12.jsonl s3://…`: the store comes first.
      const other = action.processedArgs.find((a, i) => i !== argumentIndex && typeof a === "string" && isObjectStorage(a)) as string | undefined;
      if (argumentIndex === 0 && other !== undefined && !isObjectStorage(location))
        throw new UsageError(
          `<store-dir> ${safeText(location)} is not an s3:// URL but ${safeText(other)} is; did you mean \`replaykit ${action.name()} ${safeText(other)} ${shellWord(location)}\`? (the store comes first)`,
        );
      storeLocation(location, action.opts<LocationFlags>(), ctx.io.env);
    });
}

/**
 * Checks a store location and its flags:
 * - `s3://bucket/prefix`: the endpoint (`--endpoint`, else `AWS_ENDPOINT_URL_S3`, else
 *   `AWS_ENDPOINT_URL`) must be an http(s) URL without user-info; the cache directory is
 *   `REPLAYKIT_CACHE` when set ("" turns the cache off).
 * - a directory: `--endpoint`, `--region` and `--path-style` are refused (they would do
 *   nothing: a typo'd URL should not quietly become a local directory), and so is a URL of
 *   another scheme (`gs://…`, `s3:/…`), which would otherwise become a directory named `gs:`.
 *
 * @throws {UsageError} naming the flag, the environment variable or `<store-dir>`.
 */
export function storeLocation(location: string, flags: LocationFlags, env: Env): StoreLocation {
  if (!isObjectStorage(location)) {
    const given = [
      flags.endpoint === undefined ? "" : "--endpoint",
      flags.region === undefined ? "" : "--region",
      flags.pathStyle === true ? "--path-style" : "",
    ].filter((f) => f !== "");
    const scheme = /^([a-z][a-z0-9+.-]*):\/*/i.exec(location);
    if (scheme !== null && scheme[1]!.length > 1 && (scheme[0].endsWith("/") || /^s3$/i.test(scheme[1]!))) {
      const hint = /^s3$/i.test(scheme[1]!)
        ? "write s3://bucket/prefix (two slashes)"
        : "object storage is s3://bucket/prefix (GCS, R2, MinIO and Ceph RGW too, with --endpoint)";
      throw new UsageError(`<store-dir> ${safeText(location)} is neither a directory path nor an s3:// URL: ${hint}`);
    }
    if (given.length > 0)
      throw new UsageError(
        `${given.join(", ")} ${given.length === 1 ? "is" : "are"} for a store in object storage (s3://bucket/prefix), not for a directory (${safeText(location)})`,
      );
    return { kind: "directory", dir: location };
  }
  const bucket = /^s3:\/\/([^/]*)/i.exec(location)![1]!;
  if (bucket === "") throw new UsageError(`<store-dir> ${safeText(location)} names no bucket: expected s3://bucket/prefix`);
  if (bucket.includes("@"))
    // Never echoed: what is before the @ may be a key and a secret.
    throw new UsageError("<store-dir>: credentials do not belong in the s3:// URL (the S3 client takes them from the AWS_* environment or AWS_PROFILE)");
  const s3: NonNullable<StoreOptions["s3"]> = {};
  const endpoint = endpointOf(flags, env);
  if (endpoint !== undefined) s3.endpoint = endpoint;
  if (flags.region !== undefined) {
    if (flags.region.trim() === "" || /\s/.test(flags.region))
      throw new UsageError(`--region must be a region name such as us-east-1, got ${JSON.stringify(flags.region)}`);
    s3.region = flags.region;
  }
  if (flags.pathStyle === true) s3.forcePathStyle = true;
  const cache = env.REPLAYKIT_CACHE;
  return { kind: "s3", url: location, options: { s3, ...(cache === undefined ? {} : { cacheDir: cache }) } };
}

/** The endpoint from the flag or the environment, checked (named by where it came from). */
function endpointOf(flags: LocationFlags, env: Env): string | undefined {
  const sources: Array<[string, string | undefined]> = [
    ["--endpoint", flags.endpoint],
    ["AWS_ENDPOINT_URL_S3", env.AWS_ENDPOINT_URL_S3],
    ["AWS_ENDPOINT_URL", env.AWS_ENDPOINT_URL],
  ];
  const found = sources.find(([name, value]) => value !== undefined && (name === "--endpoint" || value !== ""));
  if (found === undefined) return undefined;
  const [name, value] = found as [string, string];
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {}
  if (url !== undefined && (url.username !== "" || url.password !== ""))
    // Never echoed: the user-info may be a key and a secret.
    throw new UsageError(
      `${name}: credentials do not belong in the endpoint URL (the S3 client takes them from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE)`,
    );
  if (url === undefined || !/^https?:$/.test(url.protocol) || url.hostname === "")
    throw new UsageError(`${name} must be an http(s) URL such as http://127.0.0.1:7480 or https://s3.example.com, got ${JSON.stringify(safeText(value))}`);
  if (url.search !== "" || url.hash !== "")
    throw new UsageError(`${name} must be an endpoint URL without a query or fragment (such as https://s3.example.com)`);
  return url.href.replace(/\/$/, "");
}

/** `text` for a message, with anything like user-info (`…@`) cut out, since it may hold a secret. */
function safeText(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/*)[^/@]*@/i, "$1…@").slice(0, 300);
}

/**
 * Refuses a command that works on a store in a directory only (verify --repair, quarantine,
 * upgrade, downgrade), in one line, before anything is opened: kind "unsupported" (exit 8).
 */
export function refuseObjectStorage(location: string, operation: string): void {
  if (!isObjectStorage(location)) return;
  throw new CliFailure(
    `${operation} works on a store in a directory, not in object storage (${location}): \`replaykit pull ${location} DIR\`, run it on DIR, and \`replaykit push DIR\` to a new prefix`,
    { kind: "unsupported" },
  );
}

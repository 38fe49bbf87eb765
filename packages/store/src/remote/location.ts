// Where a store lives: a directory, or `s3://bucket/prefix` (object storage; see remote.ts).
import { StoreArgumentError } from "../errors.js";

/** A parsed `s3://bucket/prefix` location. `prefix` has no leading or trailing slash ("" for the bucket's root). */
export interface S3Location {
  readonly bucket: string;
  readonly prefix: string;
  /** The location as `s3://bucket/prefix` (normalised: no trailing slash). */
  readonly url: string;
}

/** True when `location` names object storage (`s3://…`), not a directory. */
export function isS3Location(location: string): boolean {
  return /^s3:\/\//i.test(location);
}

// S3 bucket names: 3-63 characters of lowercase letters, digits, dots and hyphens, starting
// and ending with a letter or digit (AWS's rules, which MinIO and RGW enforce by default).
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Parses `s3://bucket/prefix`.
 * @throws {StoreArgumentError} (argument `argument`) for a malformed location.
 */
export function parseS3Location(location: string, argument = "location"): S3Location {
  const m = /^s3:\/\/([^/]*)(?:\/(.*))?$/i.exec(location);
  if (m === null) throw new StoreArgumentError(argument, `must be s3://bucket/prefix, got ${JSON.stringify(location)}`);
  const bucket = m[1]!;
  if (!BUCKET.test(bucket)) throw new StoreArgumentError(argument, `names no valid bucket: ${JSON.stringify(location)} (expected s3://bucket/prefix)`);
  const prefix = (m[2] ?? "").replace(/\/+$/, "").replace(/^\/+/, "");
  if (prefix.split("/").some((part) => part === "." || part === ".." || (part === "" && prefix !== "")))
    throw new StoreArgumentError(argument, `has an empty, "." or ".." path segment: ${JSON.stringify(location)}`);
  if (prefix.length > 512) throw new StoreArgumentError(argument, `prefix is over 512 characters: ${JSON.stringify(location)}`);
  return { bucket, prefix, url: prefix === "" ? `s3://${bucket}` : `s3://${bucket}/${prefix}` };
}

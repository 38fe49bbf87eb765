import { pullStore } from "@replaykit/store";
import type { Command } from "commander";
import { nonNegativeInteger, type Context } from "../context.js";
import { UsageError } from "../errors.js";
import { kindOf, shellWord } from "../paths.js";
import { formatBytes } from "../size.js";
import { addLocationOptions, isObjectStorage as isS3Url, type LocationFlags, storeLocation } from "../location.js";
import { phaseBars } from "./push.js";

/** `replaykit pull <s3-url> <dir> [--commit N] [--endpoint URL] [--region R] [--path-style]`. */
export function registerPull(program: Command, ctx: Context): void {
  addLocationOptions(
    program
      .command("pull")
      .description("copy a store in object storage into a new directory: corpus.zst and index.rkx, byte for byte (resumable; every frame CRC-checked)")
      .argument("<s3-url>", "the store: s3://bucket/prefix")
      .argument("<dir>", "the directory to write (new, or without a store in it)")
      .option("--commit <n>", "pull the store as of this commit (default: the latest)", nonNegativeInteger),
    ctx,
  )
    .addHelpText(
      "after",
      `
Writes <dir>/corpus.zst and <dir>/index.rkx of the commit: for a store pushed with
\`replaykit push\` and not changed since, the pushed directory's files byte for byte. The
download goes to <dir>/.replaykit-pull/ first; every frame's CRC-32 is checked before the
files are renamed into place (index.rkx last). Interrupted, run it again with the same
location (and --commit): it continues where it stopped. A directory that already holds a
store is refused (exit 7). A damaged frame stops the pull (exit 4), naming the object that
holds it; the downloaded files are left as corpus.zst.damaged and index.rkx.damaged.

Examples:
  $ replaykit pull s3://team-bucket/replay ./replay-copy
  pulled s3://team-bucket/replay (commit 12) into ./replay-copy: 1.28 MiB
  $ replaykit pull s3://replay/team ./at-7 --commit 7 --endpoint http://127.0.0.1:7480`,
    )
    .action(async (url: string, dir: string, flags: LocationFlags & { commit?: number }) => {
      const { io } = ctx;
      if (!isS3Url(url) && isS3Url(dir))
        throw new UsageError(
          `pull copies a store in object storage into a directory; did you mean \`replaykit pull ${shellWord(dir)} ${shellWord(url)}\`? (the s3:// URL comes first)`,
        );
      if (!isS3Url(url)) throw new UsageError(`<s3-url> must be s3://bucket/prefix, got ${JSON.stringify(url)}`);
      if (flags.commit === 0) throw new UsageError("--commit must be 1 or more (commits are numbered from 1)");
      if ((await kindOf(dir)) === "file") throw new UsageError(`<dir> ${dir} is a file, not a directory`);
      const s3 = (storeLocation(url, flags, ctx.io.env) as { options: object }).options;
      const bars = phaseBars(io.stderr, { check: "checking", upload: "uploading", download: "downloading", verify: "verifying" });
      let result: Awaited<ReturnType<typeof pullStore>>;
      try {
        result = await pullStore(url, dir, { ...s3, ...(flags.commit === undefined ? {} : { commit: flags.commit }), onProgress: bars.onProgress });
      } finally {
        bars.stop();
      }
      io.stderr.write(
        `pulled ${url} (commit ${result.commit}) into ${dir}: ${formatBytes(result.bytes)}${result.resumed ? "; resumed an interrupted pull" : ""}\n`,
      );
    });
}

import { pushStore, type TransferProgress } from "@replaykit/store";
import type { Command } from "commander";
import { lockTimeout, seconds, WAIT_FLAGS, WAIT_HELP, type Context } from "../context.js";
import { CliFailure, UsageError } from "../errors.js";
import { addLocationOptions, isObjectStorage as isS3Url, type LocationFlags, storeLocation } from "../location.js";
import type { OutStream } from "../io.js";
import { kindOf, refuseFileAsStoreDir, shellWord } from "../paths.js";
import { type Progress, startBar } from "../progress.js";
import { formatBytes } from "../size.js";

/**
 * One progress bar per phase of a push or pull (on a terminal only), in the phase's unit:
 * frames while checking, bytes while moving them.
 */
export function phaseBars(
  stream: OutStream,
  labels: Readonly<Record<TransferProgress["phase"], string>>,
): { onProgress: (p: TransferProgress) => void; stop: () => void } {
  let phase: string | undefined;
  let bar: Progress | undefined;
  return {
    onProgress(p) {
      if (p.phase !== phase) {
        bar?.stop();
        phase = p.phase;
        bar = startBar(stream, labels[p.phase], p.total, p.phase === "upload" || p.phase === "download" ? "bytes" : "frames");
      }
      bar?.update(p.done);
    },
    stop() {
      bar?.stop();
    },
  };
}

/** `replaykit push <store-dir> <s3-url> [--endpoint URL] [--region R] [--path-style] [--wait S]`. */
export function registerPush(program: Command, ctx: Context): void {
  addLocationOptions(
    program
      .command("push")
      .description("copy a store directory into an empty s3:// location, byte for byte (resumable; every frame CRC-checked first)")
      .argument("<store-dir>", "the store directory")
      .argument("<s3-url>", "where to: s3://bucket/prefix, holding no store yet"),
    ctx,
    1,
  )
    .option(WAIT_FLAGS, WAIT_HELP, seconds)
    .addHelpText(
      "after",
      `
Holds the store's writer lock while it copies, so the copy is one consistent snapshot:
checks every frame's CRC-32 (a damaged store is refused: \`replaykit verify --repair\`
first), uploads the corpus as segments of at most 64 MiB, then writes commit 1 holding
index.rkx as it is (docs/FORMAT.md, "A store in object storage"). Before writing anything
it checks that the endpoint enforces conditional writes (If-None-Match); one that does not
is refused. A location that already holds a store is refused (exit 7). Interrupted, run it
again: the segments already uploaded are not sent again. A dlm store (index.json) needs
\`replaykit upgrade\` first. Credentials come from the AWS chain (AWS_ACCESS_KEY_ID /
AWS_SECRET_ACCESS_KEY, AWS_PROFILE, the shared config).

Examples:
  $ replaykit push ./replay s3://team-bucket/replay
  pushed ./replay to s3://team-bucket/replay (commit 1): 1.28 MiB in 1 segment
  $ replaykit push ./replay s3://replay/team --endpoint http://127.0.0.1:7480`,
    )
    .action(async (dir: string, url: string, flags: LocationFlags & { wait?: number }) => {
      const { io } = ctx;
      if (isS3Url(dir) && !isS3Url(url))
        throw new UsageError(
          `push copies a store directory into object storage; did you mean \`replaykit push ${shellWord(url)} ${shellWord(dir)}\`? (the directory comes first)`,
        );
      if (!isS3Url(url)) throw new UsageError(`<s3-url> must be s3://bucket/prefix, got ${JSON.stringify(url)}`);
      const s3 = (storeLocation(url, flags, io.env) as { options: object }).options;
      await refuseFileAsStoreDir(dir);
      if ((await kindOf(dir)) === "missing") throw new CliFailure(`no store at ${dir} (the directory does not exist)`, { kind: "not-found" });
      const bars = phaseBars(io.stderr, { check: "checking", upload: "uploading", download: "downloading", verify: "verifying" });
      let result: Awaited<ReturnType<typeof pushStore>>;
      try {
        result = await pushStore(dir, url, { ...s3, ...lockTimeout(flags.wait), onProgress: bars.onProgress });
      } finally {
        bars.stop();
      }
      const what = `${formatBytes(result.bytes)} in ${result.segments} segment${result.segments === 1 ? "" : "s"}`;
      io.stderr.write(
        result.resumed
          ? `pushed ${dir} to ${url} (commit ${result.commit}): ${what}; resumed (an earlier run of this push had sent part or all of it)\n`
          : `pushed ${dir} to ${url} (commit ${result.commit}): ${what}\n`,
      );
    });
}

// The one place that decides whether a progress bar is shown, and draws it: only on a
// terminal (stderr.isTTY) and only for long work, never when stderr is piped or redirected.
import cliProgress from "cli-progress";
import type { OutStream } from "./io.js";

/** Work shorter than this (lines, entries) gets no bar. */
export const PROGRESS_THRESHOLD = 2000;

/** A bar that can be moved and stopped; the no-op one is returned when no bar is shown. */
export interface Progress {
  /** Sets how much is done (in the bar's unit). */
  update(done: number): void;
  /** Removes the bar from the terminal. Safe to call twice. */
  stop(): void;
}

// Nothing that outlives the process if it is interrupted: no hidden cursor, no disabled
// line wrapping (cli-progress's default); the bar is cut to the terminal width instead.
const SAFE = { clearOnComplete: true, hideCursor: false, linewrap: true, fps: 10 } as const;

const NONE: Progress = { update() {}, stop() {} };

/** True when a bar may be drawn on `stream` for `size` units of work. */
export function wantsProgress(stream: OutStream, size: number): boolean {
  return stream.isTTY === true && size > PROGRESS_THRESHOLD;
}

/**
 * A bar for work whose amount is known (`total` units, each `unit`), e.g. bytes of input.
 * `size` is the amount of work in lines/entries, compared to the threshold.
 */
export function startBar(stream: OutStream, label: string, total: number, size = total, unit = ""): Progress {
  if (!wantsProgress(stream, size)) return NONE;
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${label} {bar} {percentage}% {value}/{total}${unit} {duration_formatted}`,
      barCompleteChar: "█",
      barIncompleteChar: "░",
      barsize: 30,
      ...SAFE,
    },
  );
  bar.start(total, 0);
  return stopOnce(bar);
}

/**
 * A line for one long call whose progress cannot be observed (the store's appendMany takes
 * no progress callback): the label and a running clock.
 */
export function startActivity(stream: OutStream, label: string, size: number): Progress {
  if (!wantsProgress(stream, size)) return NONE;
  const bar = new cliProgress.SingleBar({ stream, format: `${label}… {duration_formatted}`, ...SAFE, fps: 4 });
  bar.start(1, 0);
  return stopOnce(bar);
}

function stopOnce(bar: InstanceType<typeof cliProgress.SingleBar>): Progress {
  let stopped = false;
  return {
    update(done) {
      if (!stopped) bar.update(done);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}

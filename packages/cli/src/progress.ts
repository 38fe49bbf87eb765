// The one place that decides whether a progress bar is shown, and draws it: only on a
// terminal (stderr.isTTY), never when stderr is piped or redirected, and only once a phase
// has run for a second (short phases stay silent, long ones all get a bar with rate and ETA).
// cli-progress draws it: it redraws in place at a fixed rate, cuts the line to the terminal
// width and handles a terminal without cursor movement, which a hand-written bar would have
// to relearn.
import { createRequire } from "node:module";
import type { OutStream } from "./io.js";
import { formatBytes } from "./size.js";

// cli-progress is loaded by the first bar drawn (a phase that ran a second on a terminal),
// not by every command: loading it costs a fresh process ~10 ms that a piped or short call
// never uses. It is CommonJS, so `require` loads it at once where a bar is drawn.
type CliProgress = typeof import("cli-progress").default;
let cliProgressLoaded: CliProgress | undefined;
const cliProgress = (): CliProgress => (cliProgressLoaded ??= createRequire(import.meta.url)("cli-progress") as CliProgress);

/** A bar that can be moved and stopped; the no-op one is returned when no bar is shown. */
export interface Progress {
  /** Sets how much is done (in the bar's unit). */
  update(done: number): void;
  /** Removes the bar from the terminal. Safe to call twice. */
  stop(): void;
}

/** How long a phase runs before its bar appears. */
export const PROGRESS_DELAY_MS = 1000;

// Nothing that outlives the process if it is interrupted: no hidden cursor, no disabled
// line wrapping (cli-progress's default); the bar is cut to the terminal width instead.
const SAFE = { clearOnComplete: true, hideCursor: false, linewrap: true, fps: 10 } as const;

const NONE: Progress = { update() {}, stop() {} };

/** True when a bar may be drawn on `stream`. */
export function wantsProgress(stream: OutStream): boolean {
  return stream.isTTY === true;
}

/** What a bar counts: bytes are shown as sizes, other units as counts (`12,000 lines`). */
export type Unit = "bytes" | "lines" | "sections" | "frames" | "entries";

/**
 * A bar for work whose amount is known (`total` of `unit`): label, bar, percentage, done /
 * total, rate and ETA. It appears only after `delayMs` (default one second), on a terminal.
 */
export function startBar(stream: OutStream, label: string, total: number, unit: Unit, delayMs = PROGRESS_DELAY_MS): Progress {
  if (!wantsProgress(stream) || total <= 0) return NONE;
  const started = Date.now();
  let bar: InstanceType<CliProgress["SingleBar"]> | undefined;
  let done = 0;
  let stopped = false;
  const show = (n: number) => (unit === "bytes" ? formatBytes(n) : n.toLocaleString("en-US"));
  const payload = () => {
    const seconds = Math.max((Date.now() - started) / 1000, 0.001);
    const rate = done / seconds;
    const eta = rate > 0 ? (total - done) / rate : Number.NaN;
    return {
      amount: `${show(done)}/${show(total)}${unit === "bytes" ? "" : ` ${unit}`}`,
      speed: `${show(Math.round(rate))}${unit === "bytes" ? "" : ` ${unit}`}/s`,
      remaining: Number.isFinite(eta) ? clock(eta) : "--:--",
    };
  };
  const draw = () => {
    if (stopped) return;
    if (bar === undefined) {
      bar = new (cliProgress().SingleBar)({
        stream,
        format: `${label} {bar} {percentage}% | {amount} | {speed} | ETA {remaining}`,
        barCompleteChar: "█",
        barIncompleteChar: "░",
        barsize: 24,
        ...SAFE,
      });
      bar.start(total, done, payload());
    } else bar.update(done, payload());
  };
  const timer = delayMs > 0 ? setTimeout(draw, delayMs) : undefined;
  timer?.unref?.();
  if (delayMs <= 0) draw();
  return {
    update(n) {
      done = n;
      if (bar !== undefined || Date.now() - started >= delayMs) draw();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      bar?.stop();
    },
  };
}

/**
 * A line for one long call whose progress cannot be observed: the label and a running
 * clock, shown after `delayMs` on a terminal.
 */
export function startActivity(stream: OutStream, label: string, delayMs = PROGRESS_DELAY_MS): Progress {
  if (!wantsProgress(stream)) return NONE;
  let bar: InstanceType<CliProgress["SingleBar"]> | undefined;
  let stopped = false;
  const draw = () => {
    if (stopped) return;
    bar = new (cliProgress().SingleBar)({ stream, format: `${label}… {duration_formatted}`, ...SAFE, fps: 4 });
    bar.start(1, 0);
  };
  const timer = delayMs > 0 ? setTimeout(draw, delayMs) : undefined;
  timer?.unref?.();
  if (delayMs <= 0) draw();
  return {
    update() {},
    stop() {
      if (stopped) return;
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      bar?.stop();
    },
  };
}

/** Seconds as `m:ss` or `h:mm:ss`. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

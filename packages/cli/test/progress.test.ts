import { describe, expect, test } from "vitest";
import { PROGRESS_THRESHOLD, startActivity, startBar, wantsProgress } from "../src/progress.js";
import { Sink } from "./helpers.js";

describe("progress", () => {
  test("only on a terminal, and only for long work", () => {
    expect(wantsProgress(new Sink(true), PROGRESS_THRESHOLD + 1)).toBe(true);
    expect(wantsProgress(new Sink(true), PROGRESS_THRESHOLD)).toBe(false);
    expect(wantsProgress(new Sink(false), 1_000_000)).toBe(false);
  });

  test("nothing at all is written when stderr is not a terminal", () => {
    const sink = new Sink(false);
    const bar = startBar(sink, "reading", 10_000);
    bar.update(5000);
    bar.stop();
    startActivity(sink, "verifying", 10_000).stop();
    expect(sink.text).toBe("");
  });

  test("on a terminal a bar is drawn with block characters, then cleared; stop twice is harmless", () => {
    const sink = new Sink(true, 100);
    const bar = startBar(sink, "reading", 10_000);
    bar.update(5000);
    bar.stop();
    bar.stop();
    expect(sink.text).toContain("reading");
    expect(sink.text).toContain("█");
    // No terminal state is left behind: cursor and line wrapping are never touched.
    expect(sink.text).not.toContain("\x1B[?25l");
    expect(sink.text).not.toContain("\x1B[?7l");
  });

  test("an activity line shows the label", () => {
    const sink = new Sink(true, 100);
    const activity = startActivity(sink, "verifying 5,000 frames", 5000);
    activity.stop();
    expect(sink.text).toContain("verifying 5,000 frames…");
  });
});

import { describe, expect, test } from "vitest";
import { clock, startActivity, startBar, wantsProgress } from "../src/progress.js";
import { Sink } from "./helpers.js";

describe("progress", () => {
  test("only on a terminal", () => {
    expect(wantsProgress(new Sink(true))).toBe(true);
    expect(wantsProgress(new Sink(false))).toBe(false);
  });

  test("nothing at all is written when stderr is not a terminal", () => {
    const sink = new Sink(false);
    const bar = startBar(sink, "reading", 10_000, "bytes", 0);
    bar.update(5000);
    bar.stop();
    startActivity(sink, "verifying", 0).stop();
    expect(sink.text).toBe("");
  });

  test("a phase that ends before the delay draws nothing", () => {
    const sink = new Sink(true, 100);
    const bar = startBar(sink, "reading", 10_000, "lines", 60_000);
    bar.update(5000);
    bar.stop();
    startActivity(sink, "verifying", 60_000).stop();
    expect(sink.text).toBe("");
  });

  test("on a terminal a bar shows label, amount, rate and ETA, then is cleared; stop twice is harmless", () => {
    const sink = new Sink(true, 120);
    const bar = startBar(sink, "writing", 10_000, "sections", 0);
    bar.update(5000);
    bar.stop();
    bar.stop();
    expect(sink.text).toContain("writing");
    expect(sink.text).toContain("█");
    expect(sink.text).toMatch(/5,000\/10,000 sections \| [\d,]+ sections\/s \| ETA \d+:\d\d/);
    // No terminal state is left behind: cursor and line wrapping are never touched.
    expect(sink.text).not.toContain("\x1B[?25l");
    expect(sink.text).not.toContain("\x1B[?7l");
  });

  test("byte bars show sizes", () => {
    const sink = new Sink(true, 120);
    const bar = startBar(sink, "reading", 4 * 1024 * 1024, "bytes", 0);
    bar.update(1024 * 1024);
    bar.stop();
    expect(sink.text).toContain("1.00 MiB/4.00 MiB");
  });

  test("an activity line shows the label", () => {
    const sink = new Sink(true, 100);
    const activity = startActivity(sink, "recovering", 0);
    activity.stop();
    expect(sink.text).toContain("recovering…");
  });

  test("clock", () => {
    expect(clock(0)).toBe("0:00");
    expect(clock(75.4)).toBe("1:15");
    expect(clock(3 * 3600 + 62)).toBe("3:01:02");
  });
});

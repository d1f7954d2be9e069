import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runPeriodicTaskSoon, startPeriodicTask } from "./periodic-task";

describe("startPeriodicTask", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("runs at once, then every interval, and is started once per name", async () => {
    const runs: number[] = [];
    const task = async () => {
      runs.push(runs.length);
    };
    startPeriodicTask("test-every-interval", 60_000, task);
    startPeriodicTask("test-every-interval", 60_000, task);
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(3 * 60_000);
    expect(runs).toHaveLength(4);
  });

  it("keeps going after a failed run and never overlaps runs", async () => {
    let calls = 0;
    let release: () => void = () => {};
    startPeriodicTask("test-failing", 1_000, async () => {
      calls++;
      if (calls === 1) throw new Error("database unavailable");
      await new Promise<void>((resolve) => (release = resolve));
    });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toBe(2);
    // The second run has not finished: later ticks are skipped, not stacked.
    await vi.advanceTimersByTimeAsync(5_000);
    expect(calls).toBe(2);
    release();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toBe(3);
  });
});

describe("runPeriodicTaskSoon", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("runs a started task after the delay, once for asks made while one is pending, and never for a task not started", async () => {
    let calls = 0;
    startPeriodicTask("test-soon", 60_000, async () => {
      calls++;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toBe(1);
    runPeriodicTaskSoon("test-soon", 2_000);
    runPeriodicTaskSoon("test-soon", 2_000);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toBe(2);
    // The interval keeps its own pace.
    await vi.advanceTimersByTimeAsync(58_000);
    expect(calls).toBe(3);
    expect(() => runPeriodicTaskSoon("test-never-started", 1)).not.toThrow();
  });

  it("follows a run under way with one more when the moment comes during it", async () => {
    let calls = 0;
    let release: () => void = () => {};
    startPeriodicTask("test-soon-busy", 60_000, async () => {
      calls++;
      if (calls === 1) await new Promise<void>((resolve) => (release = resolve));
    });
    await vi.advanceTimersByTimeAsync(0);
    runPeriodicTaskSoon("test-soon-busy", 1_000);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toBe(1);
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toBe(2);
  });
});

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ownCpuMs, processTreeCpuMs } from "./process-cpu";

describe("process CPU from /proc", () => {
  it("reads utime and stime past a process name holding spaces and parentheses", () => {
    const stat = "4242 (next-server (v16) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 37 0 0 20 0 11 0 12345 1000 100";
    expect(ownCpuMs(stat)).toBe(2870);
  });

  it.runIf(process.platform === "linux")("counts a child's CPU in its parent's tree, and nothing for a process that is gone", async () => {
    // The child spins until it has used 200 ms of CPU, says so, then waits to be killed.
    const spin = "while (process.cpuUsage().user < 200_000); process.stdout.write('spun'); setInterval(() => {}, 1000)";
    const child = spawn(process.execPath, ["-e", spin], { stdio: ["ignore", "pipe", "ignore"] });
    await new Promise((resolve) => child.stdout!.once("data", resolve));
    const own = ownCpuMs(readFileSync(`/proc/${process.pid}/stat`, "utf8"));
    const tree = processTreeCpuMs(process.pid)!;
    expect(processTreeCpuMs(child.pid!)).toBeGreaterThanOrEqual(190);
    expect(tree).toBeGreaterThanOrEqual(own + processTreeCpuMs(child.pid!)! - 20);
    child.kill();
    await new Promise((resolve) => child.once("exit", resolve));
    expect(processTreeCpuMs(child.pid!)).toBeNull();
  });
});

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { crashPoint, faultInjectionAllowed, parseCrashSetting } from "./crash-points";

describe("parseCrashSetting", () => {
  it("arms nothing when empty", () => {
    expect(parseCrashSetting("")).toBeNull();
    expect(parseCrashSetting(" \n")).toBeNull();
  });

  it("arms a named point, optionally at its n-th hit", () => {
    expect(parseCrashSetting("grants.create.before-commit\n")).toEqual({ point: "grants.create.before-commit", hit: 1 });
    expect(parseCrashSetting("blobs.chunk-stored@3")).toEqual({ point: "blobs.chunk-stored", hit: 3 });
  });

  it("refuses a name that is no crash point, so a typo cannot pass a test unarmed", () => {
    expect(() => parseCrashSetting("grants.create.before-comit")).toThrow(/no such crash point/);
    expect(() => parseCrashSetting("blobs.chunk-stored@0")).toThrow(/no such crash point/);
  });
});

describe("faultInjectionAllowed", () => {
  it("never lets a production server arm without the explicit opt-in", () => {
    expect(faultInjectionAllowed({ NODE_ENV: "production" })).toBe(false);
    expect(faultInjectionAllowed({ NODE_ENV: "production", HSC_CRASH_FILE: "/tmp/x" })).toBe(false);
    expect(faultInjectionAllowed({ NODE_ENV: "production", HSC_CRASH_FILE: "/tmp/x", HSC_FAULT_INJECTION: "yes" })).toBe(false);
    expect(faultInjectionAllowed({ NODE_ENV: "production", HSC_CRASH_FILE: "/tmp/x", HSC_FAULT_INJECTION: "1" })).toBe(true);
    expect(faultInjectionAllowed({ NODE_ENV: "test", HSC_CRASH_FILE: "/tmp/x" })).toBe(true);
    expect(faultInjectionAllowed({ NODE_ENV: "test" })).toBe(false);
  });
});

describe("crashPoint", () => {
  const root = path.resolve(__dirname, "..");
  const scratch = mkdtempSync(path.join(tmpdir(), "hsc-crash-points-"));
  const crashFile = path.join(scratch, "crash-at");
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("does nothing in a process that is not armed", () => {
    expect(() => crashPoint("records.create.after-commit")).not.toThrow();
  });

  // As `next start` runs it: a production build.
  const run = (env: { HSC_FAULT_INJECTION?: string }) =>
    spawnSync(
      process.execPath,
      [
        // tsx as a loader, not its CLI, so that the killed process is this one and not a grandchild.
        "--import",
        "tsx",
        "--conditions=react-server",
        "-e",
        [
          'const { writeFileSync } = require("node:fs");',
          'const { crashPoint } = require("./lib/crash-points.ts");',
          'crashPoint("grants.revoke.after-commit");',
          'console.log("unarmed passed");',
          `writeFileSync(${JSON.stringify(crashFile)}, "grants.revoke.after-commit@2");`,
          'crashPoint("grants.revoke.after-commit");',
          'crashPoint("grants.revoke.before-commit");',
          'console.log("first hit passed");',
          'crashPoint("grants.revoke.after-commit");',
          'console.log("survived");',
        ].join(" "),
      ],
      { cwd: root, env: { PATH: process.env.PATH ?? "", NODE_ENV: "production", HSC_CRASH_FILE: crashFile, ...env }, encoding: "utf8", timeout: 60_000 },
    );

  it("kills the process outright, on the chosen hit after arming, after saying where", { timeout: 60_000 }, () => {
    writeFileSync(crashFile, "");
    const killed = run({ HSC_FAULT_INJECTION: "1" });
    expect(killed.signal).toBe("SIGKILL");
    expect(killed.stdout).toContain("unarmed passed");
    expect(killed.stdout).toContain("first hit passed");
    expect(killed.stdout).not.toContain("survived");
    expect(killed.stderr).toContain('"crashPoint":"grants.revoke.after-commit"');
  });

  it("lets a production process without the opt-in run on", { timeout: 60_000 }, () => {
    writeFileSync(crashFile, "");
    const spared = run({});
    expect(spared.signal).toBeNull();
    expect(spared.stdout).toContain("survived");
  });
});

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { claimDataDir, DataDirInUseError, lockFileName } from "./data-dir-lock";

describe("claimDataDir", () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), "hsc-data-dir-"));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));
  const claimFile = () => path.join(dataDir, lockFileName);

  it("claims a free directory for this process and gives it back on release", () => {
    const release = claimDataDir(dataDir);
    expect(readFileSync(claimFile(), "utf8").trim()).toBe(String(process.pid));
    release();
    expect(existsSync(claimFile())).toBe(false);
  });

  it("refuses a directory another live process holds, naming it and what to do", () => {
    // The test runner's parent process is alive for as long as this test runs.
    writeFileSync(claimFile(), `${process.ppid}\n`);
    let caught: unknown;
    try {
      claimDataDir(dataDir);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DataDirInUseError);
    expect((caught as Error).message).toContain(`pid ${process.ppid}`);
    expect((caught as Error).message).toContain("DATABASE_URL");
    expect(readFileSync(claimFile(), "utf8").trim()).toBe(String(process.ppid));
  });

  it("takes over the claim of a process that is gone (killed, crashed)", () => {
    const gone = spawnSync(process.execPath, ["-e", "process.pid"]).pid!;
    writeFileSync(claimFile(), `${gone}\n`);
    const release = claimDataDir(dataDir);
    expect(readFileSync(claimFile(), "utf8").trim()).toBe(String(process.pid));
    release();
  });

  it("does not delete a claim that another process has taken since", () => {
    const release = claimDataDir(dataDir);
    writeFileSync(claimFile(), `${process.ppid}\n`);
    release();
    expect(readFileSync(claimFile(), "utf8").trim()).toBe(String(process.ppid));
  });
});

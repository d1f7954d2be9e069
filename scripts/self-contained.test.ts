import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// A newcomer's clone holds only this repository: nothing the tests, benchmarks or scripts
// run may read a file beside it (the project's shared fixtures were copied into fixtures/).
const root = path.resolve(__dirname, "..");
const tracked = execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" })
  .split("\0")
  .filter((file) => /\.(ts|tsx|mts|mjs|js|json)$/.test(file) && !file.startsWith("fixtures/") && file !== "package-lock.json");

describe("a clone runs on its own", () => {
  it("lists source files to check", () => {
    expect(tracked.length).toBeGreaterThan(100);
  });

  it("no source file names a path outside the repository", () => {
    const outside: string[] = [];
    for (const file of tracked) {
      const text = readFileSync(path.join(root, file), "utf8");
      // The shared folder by name, or a relative path that climbs above the repository root.
      if (/shared\/fixtures|shared\/DESIGN/.test(text)) outside.push(`${file}: names the shared folder`);
      const depth = file.split("/").length - 1;
      const fileReads = /(?:(?:resolve|join)\(\s*__dirname\s*,\s*|new URL\(\s*)["'`]((?:\.\.\/)+)/g;
      for (const match of text.matchAll(fileReads)) {
        const climbs = match[1]!.length / 3;
        if (climbs > depth) outside.push(`${file}: ${match[0]} climbs above the repository`);
      }
    }
    expect(outside).toEqual([]);
  });

  it("the fixtures the tests use are in the repository with their README and sources", () => {
    const readme = readFileSync(path.join(root, "fixtures/README.md"), "utf8");
    expect(readme).toMatch(/CC0-1\.0/);
    expect(readFileSync(path.join(root, "fixtures/shl/IPS_IG-bundle-01.json"), "utf8")).toContain('"resourceType": "Bundle"');
  });
});

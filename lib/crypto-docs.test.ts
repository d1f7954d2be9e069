import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// Every export of crypto/ says what it throws (issue 13: "@throws on every export"), so a
// caller knows which CryptoError codes to expect. This lives in lib/ because crypto/'s lint
// boundary refuses Node built-ins, tests included.
const cryptoRoot = path.resolve(__dirname, "..", "crypto");

const exportPattern = /^export\s+(?:(?:async\s+)?function\s*\*?\s*(\w+)|class\s+(\w+)|const\s+(\w+)\s*(?::[^=]+)?=\s*(?:async\s*)?\()/gm;

/** The names of exported functions and classes whose docstring says nothing about throwing. */
export function undocumentedThrows(source: string): string[] {
  const missing: string[] = [];
  for (const match of source.matchAll(exportPattern)) {
    const name = match[1] ?? match[2] ?? match[3]!;
    const before = source.slice(0, match.index).trimEnd();
    const docstring = before.endsWith("*/") ? before.slice(before.lastIndexOf("/**")) : "";
    if (!/@throws\b|does not throw/i.test(docstring)) missing.push(name);
  }
  return missing;
}

describe("crypto/ docstrings", () => {
  it("flag an export without @throws, and accept one with it or with 'Does not throw'", () => {
    const source = [
      "/** Adds. */",
      "export function bare(): void {}",
      '/**\n * Reads.\n * @throws CryptoError("malformed") for bad input\n */',
      "export async function documented(): Promise<void> {}",
      "/** Does not throw. */",
      "export const safe = (value: number) => value;",
      "export const arrow = async () => 1;",
      "/** A class. */",
      "export class Thing {}",
      "/** @throws nothing here */",
      "// a line comment between",
      "export function separated(): void {}",
      "export const notAFunction = 1;",
    ].join("\n");
    expect(undocumentedThrows(source)).toEqual(["bare", "arrow", "Thing", "separated"]);
  });

  it("say what every exported function and class of crypto/ throws", () => {
    const files = readdirSync(cryptoRoot).filter((name) => name.endsWith(".ts") && !name.endsWith(".test.ts") && name !== "test-helpers.ts");
    expect(files.length).toBeGreaterThan(10);
    const missing = files.flatMap((name) => undocumentedThrows(readFileSync(path.join(cryptoRoot, name), "utf8")).map((fn) => `${name}: ${fn}`));
    expect(missing).toEqual([]);
  });
});

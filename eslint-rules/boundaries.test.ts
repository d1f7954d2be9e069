import path from "node:path";
import { ESLint } from "eslint";
import { beforeAll, describe, expect, it } from "vitest";

// Lints snippets as if they lived at the given paths, with the project's real config.
const root = path.resolve(__dirname, "..");
let eslint: ESLint;

// Loading the config and its plugins takes seconds on a busy machine: once, outside any test's time limit.
beforeAll(async () => {
  eslint = new ESLint({ cwd: root });
  await eslint.lintText("export const warm = 1;\n", { filePath: path.join(root, "lib/warm-up.ts") });
}, 120_000);

async function ruleIds(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, filePath) });
  return (result?.messages ?? []).map((message) => message.ruleId ?? "parse-error");
}

describe("crypto/ boundary", () => {
  it.each([
    ["@/lib/db", "import { getDatabase } from '@/lib/db';"],
    ["@/app/page", "import Page from '@/app/page';"],
    ["@/drizzle/schema", "import * as schema from '@/drizzle/schema';"],
    ["next/server", "import { NextResponse } from 'next/server';"],
    ["drizzle-orm", "import { sql } from 'drizzle-orm';"],
    ["postgres", "import postgres from 'postgres';"],
    ["@electric-sql/pglite", "import { PGlite } from '@electric-sql/pglite';"],
    ["node:fs", "import { readFileSync } from 'node:fs';"],
    ["bare fs", "import { readFileSync } from 'fs';"],
    ["relative escape", "import { config } from '../lib/config';"],
  ])("refuses an import of %s", async (_label, code) => {
    expect(await ruleIds("crypto/example.ts", `${code}\nexport const used = 1;\n`)).toContain("no-restricted-imports");
  });

  it("allows libsodium and its own modules", async () => {
    const code = "import sodium from 'libsodium-wrappers-sumo';\nimport { x } from './other';\nexport const y = [sodium, x];\n";
    expect(await ruleIds("crypto/example.ts", code)).toEqual([]);
  });
});

describe("libsodium stays inside crypto/", () => {
  it("refuses libsodium in lib/", async () => {
    const code = "import sodium from 'libsodium-wrappers-sumo';\nexport const s = sodium;\n";
    expect(await ruleIds("lib/example.ts", code)).toContain("no-restricted-imports");
  });
});

describe("client code boundary", () => {
  const serverImports = [
    "import { getDatabase } from '@/lib/db';",
    "import { config } from '../../lib/config';",
    "import * as schema from '@/drizzle/schema';",
    "import 'server-only';",
    "import postgres from 'postgres';",
  ];

  it.each(serverImports)("refuses `%s` in a 'use client' component", async (code) => {
    const source = `"use client";\n${code}\nexport const used = 1;\n`;
    expect(await ruleIds("app/some-page/widget.tsx", source)).toContain("hsc/no-server-code-in-client");
  });

  it("refuses server code in client/", async () => {
    const source = "import { getDatabase } from '@/lib/db';\nexport const used = getDatabase;\n";
    expect(await ruleIds("client/records/example.ts", source)).toContain("hsc/no-server-code-in-client");
  });

  it("refuses anything but zod and its own files in contract/, which both sides import", async () => {
    for (const code of [
      "import { getDatabase } from '@/lib/db';",
      "import { a } from '@/crypto';",
      "import { a } from '@/client/format';",
      "import { a } from '../crypto';",
      "import pino from 'pino';",
    ]) {
      expect(await ruleIds("contract/example.ts", `${code}\nexport const used = 1;\n`)).toContain("no-restricted-imports");
    }
    const allowed = "import { z } from 'zod';\nimport { a } from './records';\nexport const used = [z, a];\n";
    expect(await ruleIds("contract/example.ts", allowed)).toEqual([]);
  });

  it("lets tests of browser code read fixtures with Node", async () => {
    const source = "import { readFileSync } from 'node:fs';\nexport const used = readFileSync;\n";
    expect(await ruleIds("client/records/example.test.ts", source)).toEqual([]);
  });

  it("allows client/, contract/ and crypto/ in a client component", async () => {
    const source = `"use client";\nimport { a } from '@/client/transport/api';\nimport { b } from '@/crypto';\nimport { c } from '@/contract/body-limits';\nexport const used = [a, b, c];\n`;
    expect(await ruleIds("app/some-page/widget.tsx", source)).toEqual([]);
  });

  it("allows server code in a server component", async () => {
    const source = "import { getDatabase } from '@/lib/db';\nexport const used = getDatabase;\n";
    expect(await ruleIds("app/some-page/page.tsx", source)).toEqual([]);
  });
});

describe("protocol labels stay inside crypto/", () => {
  it.each([
    ["client/account/example.ts", 'export const label = "hsc/v1/recovery-sign-in";\n'],
    ["client/keystore/example.ts", "export const ad = (id: string) => `hsc/v1/device-wrap\\u0000${id}`;\n"],
    ["lib/auth/example.ts", "export const label = 'hsc/v2/anything';\n"],
    ["app/some-page/widget.tsx", 'export const label = "hsc/v1/grant-statement";\n'],
    ["e2e/example.spec.ts", 'export const label = "hsc/v1/recovery-key-replacement";\n'],
    ["lib/accounts/example.db.test.ts", 'export const label = "hsc/v1/grant";\n'],
    ["bench/example.ts", "export const label = `hsc/v1/${'kek'}`;\n"],
  ])("refuses a label in %s", async (filePath, code) => {
    expect(await ruleIds(filePath, code)).toContain("hsc/no-protocol-labels");
  });

  it("allows labels in crypto/, tests included", async () => {
    expect(await ruleIds("crypto/example.ts", 'export const label = "hsc/v1/grant";\n')).toEqual([]);
    expect(await ruleIds("crypto/example.test.ts", 'export const label = "hsc/v1/grant";\n')).toEqual([]);
  });

  it("allows strings that only mention a label, and other hsc formats", async () => {
    const code = 'export const a = "see hsc/v1/grant in crypto/README.md";\nexport const b = "hsc1.abc";\nexport const c = "hsc-sc:1:x";\n';
    expect(await ruleIds("client/sharing/example.ts", code)).toEqual([]);
  });
});

describe("catches in browser code look at what they caught", () => {
  it.each([
    ["a bare catch", "export function f() {\n  try {\n    return 1;\n  } catch {\n    return 0;\n  }\n}\n"],
    ["a catch that never reads its error", "export function f() {\n  try {\n    return 1;\n  } catch (error) {\n    return 0;\n  }\n}\n"],
    ["a .catch handler that takes nothing", "export const f = (p: Promise<number>) => p.catch(() => 0);\n"],
  ])("refuses %s in client/", async (_label, source) => {
    expect(await ruleIds("client/records/example.ts", source)).toContain("hsc/typed-catch");
  });

  it("refuses a bare catch in a client component", async () => {
    const source = '"use client";\nexport function f() {\n  try {\n    return 1;\n  } catch {\n    return 0;\n  }\n}\n';
    expect(await ruleIds("app/some-page/widget.tsx", source)).toContain("hsc/typed-catch");
  });

  it("allows a catch that checks the error's type and rethrows the rest, and leaves server code and tests alone", async () => {
    const typed =
      "export function f() {\n  try {\n    return 1;\n  } catch (error) {\n    if (!(error instanceof RangeError)) throw error;\n    return 0;\n  }\n}\n";
    expect(await ruleIds("client/records/example.ts", typed)).toEqual([]);
    const bare = "export function f() {\n  try {\n    return 1;\n  } catch {\n    return 0;\n  }\n}\n";
    expect(await ruleIds("lib/example.ts", bare)).toEqual([]);
    expect(await ruleIds("client/records/example.test.ts", bare)).toEqual([]);
  });
});

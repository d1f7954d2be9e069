import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// The server's folders form layers (sessions and audit at the bottom, then auth, accounts,
// records, grants, blobs): a cycle between two folders means neither can be read, tested or
// moved without the other. Imports are read with a regex; lib/ has no dynamic imports.
const libRoot = path.resolve(__dirname);

/** Every non-test .ts module under lib/, as a path relative to the repository root ("lib/audit/audit-log"). */
function libModules(): string[] {
  const found: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) found.push(path.relative(path.dirname(libRoot), full).replace(/\.ts$/, ""));
    }
  };
  walk(libRoot);
  return found;
}

/** The lib/ modules a source imports, resolved from "@/lib/..." and relative specifiers. */
function importedLibModules(from: string, source: string): string[] {
  const targets: string[] = [];
  for (const match of source.matchAll(/\b(?:import|export)\b[^"';]*?\bfrom\s*["']([^"']+)["']|\bimport\s*\(?\s*["']([^"']+)["']/g)) {
    const specifier = match[1] ?? match[2]!;
    const target = specifier.startsWith("@/") ? specifier.slice(2) : specifier.startsWith(".") ? path.posix.join(path.posix.dirname(from), specifier) : null;
    if (target?.startsWith("lib/")) targets.push(target);
  }
  return targets;
}

/** lib/<folder>/... -> folder; a module directly in lib/ (config, errors, log) belongs to no folder. */
const folderOf = (module: string): string | null => {
  const parts = module.split("/");
  return parts.length > 2 ? parts[1]! : null;
};

/** Folder -> the folders its modules import, each edge with one import that makes it (for the message). */
function folderGraph(modules: Map<string, string>): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const [module, source] of modules) {
    const from = folderOf(module);
    if (!from) continue;
    const edges = graph.get(from) ?? new Map<string, string>();
    graph.set(from, edges);
    for (const target of importedLibModules(module, source)) {
      const to = folderOf(target);
      if (to && to !== from && !edges.has(to)) edges.set(to, `${module} imports ${target}`);
    }
  }
  return graph;
}

/** Each cycle between folders, as the imports that close it (empty when the folders form a DAG). */
function folderCycles(graph: Map<string, Map<string, string>>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (folder: string) => {
    state.set(folder, "open");
    stack.push(folder);
    for (const next of graph.get(folder)?.keys() ?? []) {
      if (state.get(next) === "open") {
        const loop = [...stack.slice(stack.indexOf(next)), next];
        cycles.push(loop.slice(1).map((to, i) => graph.get(loop[i]!)!.get(to)!));
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(folder, "done");
  };
  for (const folder of [...graph.keys()].sort()) if (!state.has(folder)) visit(folder);
  return cycles;
}

describe("lib/ folders", () => {
  const modules = new Map(libModules().map((module) => [module, readFileSync(path.join(path.dirname(libRoot), `${module}.ts`), "utf8")]));

  it("reads the imports between folders", () => {
    const graph = folderGraph(modules);
    expect(graph.get("grants")?.has("records")).toBe(true);
    expect(graph.get("accounts")?.has("sessions")).toBe(true);
  });

  it("import each other in one direction only (no cycle between folders)", () => {
    expect(folderCycles(folderGraph(modules))).toEqual([]);
  });

  it("a cycle, direct or through a third folder, is found", () => {
    const sources = new Map([
      ["lib/auth/a", 'import { b } from "@/lib/accounts/b";'],
      ["lib/accounts/b", 'import { c } from "../audit/c";'],
      ["lib/audit/c", 'import type { a } from "@/lib/auth/a";\nimport { config } from "@/lib/config";'],
      ["lib/records/d", 'import { e } from "@/lib/grants/e";'],
      ["lib/grants/e", 'export { d } from "@/lib/records/d";'],
    ]);
    expect(folderCycles(folderGraph(sources))).toEqual([
      ["lib/accounts/b imports lib/audit/c", "lib/audit/c imports lib/auth/a", "lib/auth/a imports lib/accounts/b"],
      ["lib/grants/e imports lib/records/d", "lib/records/d imports lib/grants/e"],
    ]);
  });

  const sessionReaders = ["lib/sessions/current-session", "lib/sessions/cookies"];
  it("data-layer modules (*-store.ts) never read the session or call a session-layer service", () => {
    const offending = [...modules]
      .filter(([module]) => module.endsWith("-store"))
      .flatMap(([module, source]) =>
        importedLibModules(module, source)
          .filter((target) => sessionReaders.includes(target) || target.endsWith("-service"))
          .map((target) => `${module} imports ${target}`),
      );
    expect(offending).toEqual([]);
  });

  it("declare the transaction type once, in lib/db", () => {
    const copies = [...modules]
      .filter(([module, source]) => module !== "lib/db/client" && /\["transaction"\]|typeof \w+\.transaction|PgTransaction/.test(source))
      .map(([module]) => module);
    expect(copies).toEqual([]);
  });
});

// Client components ("use client") and client/ run in the browser: they must not import
// server-only code (lib/, drizzle/, database drivers, node:*). contract/ holds what both
// sides import (the wire's schemas and route table), so it is held to the browser's rule too.
import path from "node:path";

const serverPackages = [/^server-only$/, /^postgres$/, /^@electric-sql\/pglite/, /^drizzle-orm/, /^pino/, /^node:/];

function hasUseClientDirective(program) {
  for (const statement of program.body) {
    if (statement.type !== "ExpressionStatement" || typeof statement.directive !== "string") return false;
    if (statement.directive === "use client") return true;
  }
  return false;
}

function projectPath(specifier, filename, root) {
  if (specifier.startsWith("@/")) return specifier.slice(2);
  if (specifier.startsWith(".")) return path.relative(root, path.resolve(path.dirname(filename), specifier));
  return null;
}

export function isServerOnlySpecifier(specifier, filename, root) {
  if (serverPackages.some((pattern) => pattern.test(specifier))) return true;
  const target = projectPath(specifier, filename, root)?.split(path.sep).join("/");
  if (target === null || target === undefined) return false;
  return target === "lib" || target.startsWith("lib/") || target.startsWith("drizzle/") || target === "drizzle";
}

const rule = {
  meta: {
    type: "problem",
    docs: { description: "Forbid browser code from importing server-only modules" },
    messages: {
      serverImport:
        "'{{specifier}}' is server-only and cannot be imported by browser code (a 'use client' module, client/ or contract/). Call it through an API route instead.",
    },
    schema: [],
  },
  create(context) {
    const filename = context.filename;
    const root = context.cwd;
    const relative = path.relative(root, filename).split(path.sep).join("/");
    // Tests run in Node beside the code they test; they may read fixtures from disk.
    if (/\.test\.tsx?$/.test(relative)) return {};
    let browserCode = relative.startsWith("client/") || relative.startsWith("contract/");
    const check = (node, specifier) => {
      if (browserCode && typeof specifier === "string" && isServerOnlySpecifier(specifier, filename, root)) {
        context.report({ node, messageId: "serverImport", data: { specifier } });
      }
    };
    return {
      Program(program) {
        browserCode ||= hasUseClientDirective(program);
      },
      ImportDeclaration(node) {
        if (node.importKind !== "type") check(node, node.source.value);
      },
      ImportExpression(node) {
        if (node.source.type === "Literal") check(node, node.source.value);
      },
      ExportNamedDeclaration(node) {
        if (node.source) check(node, node.source.value);
      },
      ExportAllDeclaration(node) {
        check(node, node.source.value);
      },
    };
  },
};

export default rule;

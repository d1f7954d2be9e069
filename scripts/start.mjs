#!/usr/bin/env node
// `npm start`: builds the app when the build is missing or older than the sources, then
// serves it. With no DATABASE_URL the embedded database in DATA_DIR (default .data/) is used.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");
const buildIdFile = path.join(root, ".next", "BUILD_ID");
const sources = [
  "app",
  "lib",
  "client",
  "contract",
  "crypto",
  "drizzle",
  "public",
  "proxy.ts",
  "instrumentation.ts",
  "next.config.ts",
  "package-lock.json",
  "tsconfig.json",
];

function newestMtime(target) {
  if (!existsSync(target)) return 0;
  const stats = statSync(target);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const entry of readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

function buildIsCurrent() {
  if (!existsSync(buildIdFile)) return false;
  const builtAt = statSync(buildIdFile).mtimeMs;
  return sources.every((source) => newestMtime(path.join(root, source)) <= builtAt);
}

if (!buildIsCurrent()) {
  console.log("Building Health Safe Cloud (first start, or the sources changed)…");
  const build = spawnSync(process.execPath, [nextBin, "build"], { cwd: root, stdio: "inherit", env: process.env });
  if (build.status !== 0) {
    console.error("The build failed; see the messages above.");
    process.exit(build.status ?? 1);
  }
}

const port = process.env.PORT ?? "3000";
const database = process.env.DATABASE_URL ? "PostgreSQL (DATABASE_URL)" : `embedded PGlite in ${process.env.DATA_DIR ?? ".data"}/`;
console.log(`Serving on http://localhost:${port} with ${database}`);
// scripts/server.mjs, not `next start`: it hands the socket's peer address to the app and
// puts the security headers on every response.
const server = spawn(process.execPath, [path.join(root, "scripts", "server.mjs")], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, PORT: port, NODE_ENV: "production" },
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

#!/usr/bin/env node
// Starts the app for the browser tests with an empty embedded database every run, and
// keeps the server's output in DATA_DIR + ".log" so tests can search the logs too.
import { spawn } from "node:child_process";
import { createWriteStream, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dataDir = path.resolve(root, process.env.DATA_DIR ?? ".e2e-data");
if (!dataDir.startsWith(root + path.sep)) throw new Error(`refusing to delete ${dataDir}: outside the project`);
rmSync(dataDir, { recursive: true, force: true });
const log = createWriteStream(`${dataDir}.log`);
const env = { ...process.env };
delete env.DATABASE_URL;

const server = spawn(process.execPath, [path.join(root, "scripts", "start.mjs")], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
for (const [source, sink] of [
  [server.stdout, process.stdout],
  [server.stderr, process.stderr],
]) {
  source.on("data", (chunk) => {
    sink.write(chunk);
    log.write(chunk);
  });
}
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code) => log.end(() => process.exit(code ?? 1)));

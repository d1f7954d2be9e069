#!/usr/bin/env node
// Starts the app for the browser tests with an empty embedded database every run.
import { rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dataDir = path.resolve(root, process.env.DATA_DIR ?? ".e2e-data");
if (!dataDir.startsWith(root + path.sep)) throw new Error(`refusing to delete ${dataDir}: outside the project`);
rmSync(dataDir, { recursive: true, force: true });
delete process.env.DATABASE_URL;
await import("./start.mjs");

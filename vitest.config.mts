import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      "@": root,
      // lib/ marks itself server-only; tests run it on the server side, where the marker is empty.
      "server-only": fileURLToPath(new URL("./node_modules/server-only/empty.js", import.meta.url)),
    },
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: [
            "crypto/**/*.test.ts",
            "lib/**/*.test.ts",
            "client/**/*.test.ts",
            "contract/**/*.test.ts",
            "app/**/*.test.ts",
            "scripts/**/*.test.ts",
            "eslint-rules/**/*.test.ts",
            "bench/**/*.test.ts",
          ],
          exclude: ["**/*.db.test.ts", "node_modules/**"],
          environment: "node",
          // A cap against hangs, not a measure: on a loaded 2-core machine Argon2id (passcode
          // hashing) and the property tests take several seconds, past the default 5.
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: "db",
          include: ["**/*.db.test.ts"],
          exclude: ["node_modules/**"],
          environment: "node",
          // Each file gets its own embedded database, and its own database on the PostgreSQL
          // server, so two files run at once (7 minutes against 12.5 one at a time, on two cores).
          // Not more: each file's pool may hold 20 connections (the multi-instance file 80) of the
          // server's default 100.
          fileParallelism: true,
          maxWorkers: 2,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});

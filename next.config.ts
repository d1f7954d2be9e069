import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { NextConfig } from "next";
import { PHASE_PRODUCTION_BUILD, PHASE_PRODUCTION_SERVER } from "next/constants";
import { proxyBodyBufferBytes } from "./contract/body-limits";

const root = process.cwd();

/** Next accepts only these characters in a deployment id. */
const safeId = (value: string) => value.replace(/[^a-zA-Z0-9_-]/g, "-");

/** The commit being built, or null outside a git checkout (a tarball, `git archive`). */
function gitCommit(): string | null {
  try {
    return execFileSync("git", ["rev-parse", "--short=12", "HEAD"], { cwd: root, stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
  } catch {
    return null;
  }
}

/** The id `next build` baked into this build's client code, as Next recorded it beside the build. */
function builtDeploymentId(): string | undefined {
  try {
    const recorded = JSON.parse(readFileSync(path.join(root, ".next", "required-server-files.json"), "utf8")) as { config?: { deploymentId?: string } };
    return recorded.config?.deploymentId || undefined;
  } catch {
    return undefined;
  }
}

/**
 * One id per build, the same on every instance serving it (Next's version-skew protection:
 * a page from one build that talks to a server of another reloads instead of loading
 * mismatched code). NEXT_DEPLOYMENT_ID (Next's own variable) names it at build time; by
 * default it is the package version and the commit (or, outside git, a random suffix),
 * fixed when `next build` runs. A server reads it back from the build it serves, so that
 * every `next start` of one build answers with the id its pages carry whatever the
 * checkout or the environment says at start.
 */
function deploymentId(phase: string): string | undefined {
  if (process.env.NEXT_DEPLOYMENT_ID) return process.env.NEXT_DEPLOYMENT_ID;
  if (phase === PHASE_PRODUCTION_SERVER) return builtDeploymentId();
  if (phase !== PHASE_PRODUCTION_BUILD) return undefined;
  const { version } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { version: string };
  return safeId(`v${version}-${gitCommit() ?? randomBytes(6).toString("hex")}`);
}

export default function nextConfig(phase: string): NextConfig {
  return {
    reactStrictMode: true,
    poweredByHeader: false,
    deploymentId: deploymentId(phase),
    // PGlite loads its WebAssembly and data files from its own package directory at run
    // time, and postgres.js and pino use Node APIs that must not be bundled.
    serverExternalPackages: ["@electric-sql/pglite", "postgres", "pino"],
    typedRoutes: false,
    // `npm test` type-checks the whole tree (`npm run typecheck`) before it builds for the browser
    // tests, and says so with HSC_BUILD_TYPECHECKED=1: the build's own check of the same files took
    // 48 s more. Every other build (npm start, next build) checks as Next does by default.
    typescript: { ignoreBuildErrors: process.env.HSC_BUILD_TYPECHECKED === "1" },
    experimental: {
      // Next buffers each request body for proxy.ts and silently cuts it at this size (10 MB
      // by default). Each route's own limit is contract/body-limits.ts, enforced by the
      // route wrapper; this stays above the largest of them (see proxyBodyBufferBytes).
      proxyClientMaxBodySize: proxyBodyBufferBytes,
    },
  };
}

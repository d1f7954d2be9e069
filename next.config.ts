import type { NextConfig } from "next";
import { proxyBodyBufferBytes } from "./contract/body-limits";

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // PGlite loads its WebAssembly and data files from its own package directory at run
  // time, and postgres.js and pino use Node APIs that must not be bundled.
  serverExternalPackages: ["@electric-sql/pglite", "postgres", "pino"],
  typedRoutes: false,
  experimental: {
    // Next buffers each request body for proxy.ts and silently cuts it at this size (10 MB
    // by default). Each route's own limit is contract/body-limits.ts, enforced by the
    // route wrapper; this stays above the largest of them (see proxyBodyBufferBytes).
    proxyClientMaxBodySize: proxyBodyBufferBytes,
  },
};

export default nextConfig;

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // PGlite loads its WebAssembly and data files from its own package directory at run
  // time, and postgres.js and pino use Node APIs that must not be bundled.
  serverExternalPackages: ["@electric-sql/pglite", "postgres", "pino"],
  typedRoutes: false,
};

module.exports = nextConfig;

import nextCoreWebVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";
import noProtocolLabels from "./eslint-rules/no-protocol-labels.mjs";
import noServerCodeInClient from "./eslint-rules/no-server-code-in-client.mjs";
import typedCatch from "./eslint-rules/typed-catch.mjs";

/** crypto/ is pure: libsodium and its own files, nothing framework-, I/O- or server-bound. */
const cryptoBoundary = {
  patterns: [
    {
      group: ["@/app", "@/app/*", "@/lib", "@/lib/*", "@/drizzle", "@/drizzle/*", "@/e2e/*", "@/bench/*"],
      message: "crypto/ must not import application code.",
    },
    { group: ["../*"], message: "crypto/ must not reach outside its own folder." },
    { group: ["next", "next/*", "react", "react/*", "react-dom", "react-dom/*"], message: "crypto/ is framework-free." },
    { group: ["drizzle-orm", "drizzle-orm/*", "postgres", "@electric-sql/*", "pg", "server-only", "pino"], message: "crypto/ does no I/O." },
    {
      group: [
        "node:*",
        "fs",
        "fs/*",
        "path",
        "crypto",
        "buffer",
        "os",
        "child_process",
        "stream",
        "stream/*",
        "util",
        "http",
        "https",
        "net",
        "url",
        "worker_threads",
      ],
      message: "crypto/ must run the same in the browser: no Node built-ins.",
    },
  ],
};

/**
 * contract/ is the wire's schemas and route table, imported by both sides: zod and its own files
 * only, and the WebAuthn JSON types of @simplewebauthn (types only: the library defines those shapes).
 */
const contractBoundary = {
  patterns: [
    { regex: "^(?!zod$|zod/|\\./|@simplewebauthn/browser$)", message: "contract/ holds zod schemas only: it imports zod and its own files, nothing else." },
    { regex: "^@simplewebauthn/browser$", allowTypeImports: true, message: "contract/ takes only the WebAuthn JSON types from @simplewebauthn (import type)." },
  ],
};

/** client/ is the browser's layer under the pages: it never reaches up into app/. */
const clientBoundary = {
  patterns: [
    { group: ["@/app", "@/app/*"], message: "client/ is below the pages: app/ imports client/, never the reverse." },
    { group: ["libsodium-wrappers", "libsodium-wrappers-sumo", "libsodium-wrappers*"], message: "Only crypto/ imports libsodium; use the crypto/ API." },
  ],
};

const libsodiumOnlyInCrypto = {
  patterns: [
    { group: ["libsodium-wrappers", "libsodium-wrappers-sumo", "libsodium-wrappers*"], message: "Only crypto/ imports libsodium; use the crypto/ API." },
  ],
};

const config = [
  {
    ignores: [
      ".next/**",
      "node_modules/**",
      ".data/**",
      // Every e2e server's data directory (.e2e-data, .e2e-data-leave, .e2e-data-admin-console, ...).
      ".e2e-data*/**",
      "test-results/**",
      "playwright-report/**",
      ".e2e-crash-data/**",
      "next-env.d.ts",
      "drizzle/migrations/**",
      "eslint-rules/fixtures/**",
      // npm run bench: the bare app's build and the benchmarks' scratch data.
      "bench/bare-app/.next/**",
      "bench/bare-app/next-env.d.ts",
      "bench/.data/**",
    ],
  },
  ...nextCoreWebVitals,
  ...nextTypescript,
  {
    plugins: { hsc: { rules: { "no-server-code-in-client": noServerCodeInClient, "typed-catch": typedCatch, "no-protocol-labels": noProtocolLabels } } },
    rules: {
      "hsc/no-server-code-in-client": "error",
      "hsc/typed-catch": "error",
      "hsc/no-protocol-labels": "error",
      "no-restricted-imports": ["error", libsodiumOnlyInCrypto],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": ["error", { allow: ["warn", "error"] }],
    },
  },
  {
    files: ["crypto/**/*.ts"],
    // crypto/ is where the protocol's labels live (crypto/README.md), tests included.
    rules: { "no-restricted-imports": ["error", cryptoBoundary], "hsc/no-protocol-labels": "off" },
  },
  {
    files: ["contract/**/*.ts"],
    ignores: ["contract/**/*.test.ts"],
    rules: { "no-restricted-imports": ["error", contractBoundary] },
  },
  {
    files: ["client/**/*.ts"],
    rules: { "no-restricted-imports": ["error", clientBoundary] },
  },
  {
    // Scripts and benchmarks print their results.
    files: ["scripts/**", "bench/**", ".ci/**", "e2e/**"],
    rules: { "no-console": "off" },
  },
];

export default config;

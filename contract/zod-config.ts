import { z } from "zod";

/**
 * In the browser zod runs "jitless". Its JIT compiles object parsers with `new Function`,
 * which the app's CSP forbids (`script-src` without 'unsafe-eval': README "Security
 * basics"), and before the first object parse zod probes for it with `new Function("")`
 * inside a try: the throw is caught, but the browser still reports a `script-src eval`
 * violation (to the console and to /api/csp-reports) on every sign-up and unlock. With
 * `jitless` zod skips the probe (zod/v4/core/util.js `allowsEval`); the browser could not use
 * the JIT anyway. The server, under no CSP, keeps it.
 *
 * Imported first by contract/common.ts, which every contract module imports, so it runs before
 * any schema parses; a browser module using zod without the contract imports it itself.
 */
if (typeof window !== "undefined") z.config({ jitless: true });

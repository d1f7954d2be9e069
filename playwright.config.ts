import { defineConfig, devices } from "@playwright/test";
import { apiClientHeader } from "./contract/api-client-header";

// e2e runs against a production build served on localhost (WebAuthn refuses IP
// origins), with a fresh embedded database, in Debian's Chromium.
const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://localhost:${port}`;
export const shortIdleURL = `http://localhost:${port + 1}`;
/** Administrator enrolment is on for the first server only, so the authorization matrix can enrol an admin. */
/** The first server's storage quota per account (STORAGE_QUOTA_MB). */
export const storageQuotaMB = 1500;
/** The first server's EMERGENCY_WAIT_SCALE. */
export const emergencyWaitScale = 0.0001;
export const adminEnrolmentToken = "e2e-admin-enrolment-token-not-a-secret-0123456789";

const chromium = {
  ...devices["Desktop Chrome"],
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  },
};

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  // One worker: the suite keeps both cores busy on its own (two workers took 51 minutes against 53, and
  // timing-sensitive checks failed under the load). E2E_WORKERS tries more; specs that start servers of
  // their own take ports from e2e/support/ports.ts, so that they can run side by side.
  workers: Number(process.env.E2E_WORKERS ?? 1),
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  reporter: process.env.CI ? [["list"]] : [["list"]],
  use: {
    baseURL,
    // Tests call the API directly (page.request, the request fixture) as the app's own client does; browsers
    // send Fetch Metadata and are judged by it. The sibling-site spec takes the header off its browser.
    extraHTTPHeaders: { [apiClientHeader.name]: apiClientHeader.value },
    // Tracing is a fifth of the suite's CPU (three specs: 295 s of CPU with it, 228 s without; Chromium 40 s
    // of the difference, the test runner 20 s), and CI keeps no trace: there a failing test shows the pages
    // it left instead (e2e/support/test.ts). Elsewhere a failure keeps its trace; E2E_TRACE overrides.
    trace: (process.env.E2E_TRACE as "on" | "off" | "retain-on-failure" | undefined) ?? (process.env.CI ? "off" : "retain-on-failure"),
    screenshot: "only-on-failure",
  },
  // The CSP-report spec runs first: the server takes at most 30 reports per address per 10
  // minutes, and the accessibility checks of every other spec make the browser report axe's own
  // use of `new Function` (script-src 'eval'), which would use up that allowance first.
  projects: [
    { name: "csp-reports", testMatch: "csp-reports.spec.ts", use: chromium },
    { name: "chromium", testIgnore: "csp-reports.spec.ts", dependencies: ["csp-reports"], use: chromium },
  ],
  webServer: [
    {
      command: "node scripts/e2e-server.mjs",
      url: `${baseURL}/api/health`,
      timeout: 600_000,
      reuseExistingServer: false,
      stdout: "pipe",
      stderr: "pipe",
      // Every test signs in and up from the same address: the per-address limits are raised
      // here (their behaviour is tested in lib/auth/auth-rate-limits.db.test.ts and
      // e2e/limits.spec.ts). Loopback is declared a proxy, so that a test may speak as other
      // clients through X-Forwarded-For (the authorization matrix's CSP reports do).
      env: {
        PORT: String(port),
        DATA_DIR: ".e2e-data",
        APP_ORIGIN: baseURL,
        WEBAUTHN_RP_ID: "localhost",
        AUTH_RATE_LIMIT_PER_ADDRESS: "100000",
        SIGN_UP_LIMIT_PER_ADDRESS: "100000",
        TRUST_PROXY: "127.0.0.1,::1",
        DATABASE_URL: "",
        ADMIN_ENROLMENT_TOKEN: adminEnrolmentToken,
        // 1.5 GB, so that e2e/storage-quota.spec.ts can exceed it with a sparse 2 GB file (no file may pass 4 GiB).
        STORAGE_QUOTA_MB: String(storageQuotaMB),
        // The sign-in that starts a session is its fresh proof; an hour of it keeps the
        // matrix's sensitive rows deterministic on a slow machine. e2e/fresh-proof.spec.ts
        // runs its own server with a window of seconds.
        FRESH_PROOF_MINUTES: "60",
        // Emergency-access waits a ten-thousandth as long: "24 hours" ends in about 9 seconds,
        // "7 days" in about a minute (e2e/emergency-access.spec.ts).
        EMERGENCY_WAIT_SCALE: String(emergencyWaitScale),
      },
    },
    {
      // The same build with a 3-second idle timeout, for the session-expiry spec. Started
      // after the first server has built the app.
      command: "node scripts/e2e-server.mjs",
      url: `${shortIdleURL}/api/health`,
      timeout: 600_000,
      reuseExistingServer: false,
      stdout: "ignore",
      stderr: "pipe",
      env: {
        PORT: String(port + 1),
        DATA_DIR: ".e2e-data-short-idle",
        APP_ORIGIN: shortIdleURL,
        WEBAUTHN_RP_ID: "localhost",
        SESSION_IDLE_MINUTES: "0.05",
        AUTH_RATE_LIMIT_PER_ADDRESS: "100000",
        SIGN_UP_LIMIT_PER_ADDRESS: "100000",
        DATABASE_URL: "",
      },
    },
  ],
});

import "server-only";
import path from "node:path";
import { z } from "zod";

/** Server configuration, read once from the environment and validated. */
const configSchema = z.object({
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().min(1).default(".data"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** The WebAuthn relying-party id: the registrable domain the app is served from. */
  WEBAUTHN_RP_ID: z.string().min(1).optional(),
  /** The exact origin browsers load the app from; cross-origin writes are refused. */
  APP_ORIGIN: z.string().url().optional(),
  /** Minutes without a request after which a session ends. */
  SESSION_IDLE_MINUTES: z.coerce.number().min(0.05).max(24 * 60).default(30),
  /** Hours after sign-in at which a session ends however active it is. */
  SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(12),
  /** Authentication requests allowed per client address in 10 minutes (a clinic behind one NAT needs room). */
  AUTH_RATE_LIMIT_PER_ADDRESS: z.coerce.number().int().min(1).max(1_000_000).default(300),
  /** Authentication attempts allowed per account in 10 minutes. */
  AUTH_RATE_LIMIT_PER_ACCOUNT: z.coerce.number().int().min(1).max(1_000_000).default(20),
  /** Minutes over which repeated refusals (or failed sign-ins) from one actor against one person are counted into one audit event. */
  AUDIT_COUNT_WINDOW_MINUTES: z.coerce.number().min(0.05).max(24 * 60).default(10),
  /** Refused requests (a 404 or 403 on a record, grant or file, whether it exists or not) one account may make in 10 minutes before it gets 429. */
  REFUSED_REQUEST_LIMIT_PER_ACTOR: z.coerce.number().int().min(1).max(1_000_000).default(100),
  /** Minutes an unfinished upload, or a finished file no record holds, is kept after its last activity before the sweeper deletes it. */
  BLOB_GRACE_MINUTES: z.coerce.number().min(0.05).max(30 * 24 * 60).default(24 * 60),
  /** Minutes between sweeps of abandoned uploads and unused files (one also runs at start-up). */
  BLOB_SWEEP_INTERVAL_MINUTES: z.coerce.number().min(0.01).max(24 * 60).default(60),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /**
   * The secret an operator hands to the person who may sign up as an administrator. Not
   * validated here: a short one leaves admin enrolment off with a warning, it does not
   * stop the server (lib/accounts/admin-enrolment.ts).
   */
  ADMIN_ENROLMENT_TOKEN: z.string().optional(),
});

export interface AppConfig {
  databaseUrl: string | undefined;
  dataDir: string;
  port: number;
  appOrigin: string;
  rpId: string;
  sessionIdleMs: number;
  authLimitPerAddress: number;
  authLimitPerAccount: number;
  sessionMaxMs: number;
  auditCountWindowMs: number;
  refusedLimitPerActor: number;
  blobGraceMs: number;
  blobSweepIntervalMs: number;
  logLevel: z.infer<typeof configSchema>["LOG_LEVEL"];
  adminEnrolmentToken: string | undefined;
}

export function parseConfig(env: Record<string, string | undefined>): AppConfig {
  // An empty variable means "not set", as it does for most tools.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ""));
  const parsed = configSchema.parse(present);
  const appOrigin = new URL(parsed.APP_ORIGIN ?? `http://localhost:${parsed.PORT}`).origin;
  return {
    databaseUrl: parsed.DATABASE_URL,
    dataDir: path.resolve(parsed.DATA_DIR),
    port: parsed.PORT,
    appOrigin,
    rpId: parsed.WEBAUTHN_RP_ID ?? new URL(appOrigin).hostname,
    authLimitPerAddress: parsed.AUTH_RATE_LIMIT_PER_ADDRESS,
    authLimitPerAccount: parsed.AUTH_RATE_LIMIT_PER_ACCOUNT,
    sessionIdleMs: Math.round(parsed.SESSION_IDLE_MINUTES * 60_000),
    sessionMaxMs: parsed.SESSION_MAX_HOURS * 3_600_000,
    auditCountWindowMs: Math.round(parsed.AUDIT_COUNT_WINDOW_MINUTES * 60_000),
    refusedLimitPerActor: parsed.REFUSED_REQUEST_LIMIT_PER_ACTOR,
    blobGraceMs: Math.round(parsed.BLOB_GRACE_MINUTES * 60_000),
    blobSweepIntervalMs: Math.round(parsed.BLOB_SWEEP_INTERVAL_MINUTES * 60_000),
    logLevel: parsed.LOG_LEVEL,
    adminEnrolmentToken: parsed.ADMIN_ENROLMENT_TOKEN,
  };
}

let cached: AppConfig | undefined;

export function config(): AppConfig {
  cached ??= parseConfig(process.env);
  return cached;
}

import "server-only";
import { isIP } from "node:net";
import path from "node:path";
import { z } from "zod";
import { defaultPostgresPoolSize } from "@/lib/db/pool-size";

/**
 * Every setting, its schema, and (in `.describe`) what it accepts, in the words the start-up
 * error uses. Add a setting here, map it in `parseConfig`, and document it in the README.
 */
const settings = {
  DATABASE_URL: z
    .string()
    .refine((value) => URL.canParse(value) && /^postgres(ql)?:$/.test(new URL(value).protocol))
    .optional()
    .describe("a PostgreSQL connection URL (postgres://…)"),
  /** Connections each server process holds to PostgreSQL at most (default: lib/db/pool-size.ts). */
  DATABASE_POOL_SIZE: count(defaultPostgresPoolSize, "a whole number of connections from 1 to 1000", 1000),
  DATA_DIR: z.string().min(1).default(".data").describe("a directory path"),
  PORT: decimal({ fallback: 3000, min: 1, max: 65535, whole: true }, "a port number from 1 to 65535"),
  /** The WebAuthn relying-party id: the registrable domain the app is served from. */
  WEBAUTHN_RP_ID: z
    .string()
    .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/)
    .optional()
    .describe("a lower-case domain name: the host of APP_ORIGIN or a domain it is under"),
  /** The exact origin browsers load the app from; cross-origin writes are refused. */
  APP_ORIGIN: z.string().refine(isOrigin).optional().describe("an origin such as https://records.example.org (scheme, host and port only)"),
  /** Minutes without a request after which a session ends. */
  SESSION_IDLE_MINUTES: decimal({ fallback: 30, min: 0.05, max: 24 * 60 }, "a number of minutes from 0.05 to 1440 (decimals allowed)"),
  /** Minutes a passkey assertion (sign-in or fresh proof) counts as fresh for sensitive actions: removing a passkey, a new recovery key. */
  FRESH_PROOF_MINUTES: decimal({ fallback: 5, min: 0.05, max: 60 }, "a number of minutes from 0.05 to 60 (decimals allowed)"),
  /** Hours after sign-in at which a session ends however active it is. */
  SESSION_MAX_HOURS: decimal({ fallback: 12, min: 1, max: 24 * 30, whole: true }, "a whole number of hours from 1 to 720"),
  /** Authentication requests allowed per client address in 10 minutes (a clinic behind one NAT needs room). */
  AUTH_RATE_LIMIT_PER_ADDRESS: count(300, "a whole number of requests from 1 to 1000000"),
  /** Failed authentication attempts allowed per client address and account (or passkey, or recovery key) in 10 minutes. */
  AUTH_RATE_LIMIT_PER_ACCOUNT: count(20, "a whole number of attempts from 1 to 1000000"),
  /** Accounts that may be created from one client address in an hour. */
  SIGN_UP_LIMIT_PER_ADDRESS: count(20, "a whole number of sign-ups from 1 to 1000000"),
  /** Directory searches one account may make in 10 minutes. */
  DIRECTORY_SEARCH_LIMIT_PER_ACCOUNT: count(60, "a whole number of searches from 1 to 1000000"),
  /** Which proxies in front of the app may say, in X-Forwarded-For, whom they forward for. */
  TRUST_PROXY: z
    .string()
    .refine((value) => parseTrustProxy(value) !== undefined)
    .optional()
    .describe("a number of proxy hops (0 to 10), or a comma-separated list of proxy addresses and CIDR ranges (10.0.0.0/8, ::1)"),
  /** Minutes over which repeated refusals (or failed sign-ins) from one actor against one person are counted into one audit event. */
  AUDIT_COUNT_WINDOW_MINUTES: decimal({ fallback: 10, min: 0.05, max: 24 * 60 }, "a number of minutes from 0.05 to 1440"),
  /** Refused requests (a 404 or 403 on a record, grant or file, whether it exists or not) one account may make in 10 minutes before it gets 429. */
  REFUSED_REQUEST_LIMIT_PER_ACTOR: count(100, "a whole number of refused requests from 1 to 1000000"),
  /** Minutes an unfinished upload, or a finished file no record holds, is kept after its last activity before the sweeper deletes it. */
  BLOB_GRACE_MINUTES: decimal({ fallback: 24 * 60, min: 0.05, max: 30 * 24 * 60 }, "a number of minutes from 0.05 to 43200"),
  /** Minutes between sweeps of abandoned uploads and unused files (one also runs at start-up). */
  BLOB_SWEEP_INTERVAL_MINUTES: decimal({ fallback: 60, min: 0.01, max: 24 * 60 }, "a number of minutes from 0.01 to 1440"),
  /** Minutes an import may stay neither committed nor abandoned, idle, before the sweep removes it with its staged records and their files. */
  IMPORT_GRACE_MINUTES: decimal({ fallback: 24 * 60, min: 0.05, max: 30 * 24 * 60 }, "a number of minutes from 0.05 to 43200"),
  /** Storage quota per account in megabytes (10^6 bytes): files (declared size from the first request) plus record versions. */
  STORAGE_QUOTA_MB: count(5000, "a whole number of megabytes from 1 to 1000000000", 1_000_000_000),
  /** Uploads one account may have started and not finished at a time. */
  UNFINISHED_UPLOADS_MAX: count(5, "a whole number of uploads from 1 to 1000", 1000),
  /** Where file chunks are stored; unset: "s3" when S3_BUCKET is set, "file" otherwise. */
  BLOB_STORE: z.enum(["file", "s3", "database"]).optional().describe("one of file, s3, database"),
  /** The file store's directory (BLOB_STORE=file). */
  BLOB_DIR: z.string().min(1).optional().describe("a directory path"),
  /** The S3-compatible service's URL; unset: AWS. */
  S3_ENDPOINT: z
    .string()
    .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol))
    .optional()
    .describe("an http(s) URL such as https://s3.example.org"),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/)
    .optional()
    .describe("a bucket name (3 to 63 lower-case letters, digits, dots and hyphens)"),
  S3_REGION: z.string().min(1).default("us-east-1").describe("a region name such as eu-west-1"),
  S3_ACCESS_KEY_ID: z.string().min(1).optional().describe("an access key id, given with S3_SECRET_ACCESS_KEY"),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional().describe("a secret access key, given with S3_ACCESS_KEY_ID"),
  S3_FORCE_PATH_STYLE: z.enum(["true", "false"]).default("false").describe("true or false"),
  /** Where email notices are sent through (smtp:// or smtps://, with user and password if the server wants them); unset: no email. */
  SMTP_URL: z
    .string()
    .refine((value) => URL.canParse(value) && /^smtps?:$/.test(new URL(value).protocol))
    .optional()
    .describe("an SMTP URL such as smtps://user:password@mail.example.org:465"),
  /** The From address of email notices. */
  SMTP_FROM: z.email().optional().describe("an email address such as notices@example.org"),
  /** Minutes between two emails of one kind to one person: notices in between fold into the next email. */
  NOTICE_EMAIL_INTERVAL_MINUTES: decimal({ fallback: 30, min: 0.05, max: 7 * 24 * 60 }, "a number of minutes from 0.05 to 10080"),
  /**
   * Multiplies every emergency-access wait the server starts (lib/emergency): 1 in production;
   * tests use a small factor so that a "24 hours" wait ends in seconds.
   */
  EMERGENCY_WAIT_SCALE: decimal({ fallback: 1, min: 0.00001, max: 1 }, "a factor from 0.00001 to 1"),
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
    .default("info")
    .describe("one of fatal, error, warn, info, debug, trace, silent"),
  /**
   * The secret an operator hands to the person who may sign up as an administrator. Not
   * validated here: a short one leaves admin enrolment off with a warning, it does not
   * stop the server (lib/accounts/admin-enrolment.ts).
   */
  ADMIN_ENROLMENT_TOKEN: z.string().optional().describe("any text"),
};
const configSchema = z.object(settings).superRefine((parsed, context) => {
  checkBlobStore(parsed, context);
  // A relying-party id the app's own host is not under makes every passkey ceremony fail
  // (WebAuthn Level 3, section 5.1.3): refuse it at start, not at the first sign-in.
  if (parsed.WEBAUTHN_RP_ID === undefined) return;
  const host = new URL(parsed.APP_ORIGIN ?? `http://localhost:${parsed.PORT}`).hostname;
  if (host !== parsed.WEBAUTHN_RP_ID && !host.endsWith(`.${parsed.WEBAUTHN_RP_ID}`)) {
    context.addIssue({ code: "custom", path: ["WEBAUTHN_RP_ID"], message: "not the app's host or a domain it is under" });
  }
});

/**
 * The blob-store settings must name one store: the S3 store without a bucket, a bucket or a
 * directory given for another store, or half a key pair are refused, saying why.
 */
function checkBlobStore(
  parsed: { BLOB_STORE?: string; BLOB_DIR?: string; S3_BUCKET?: string; S3_ACCESS_KEY_ID?: string; S3_SECRET_ACCESS_KEY?: string },
  context: z.RefinementCtx,
) {
  const store = parsed.BLOB_STORE ?? (parsed.S3_BUCKET ? "s3" : "file");
  const refuse = (name: string, why: string) => context.addIssue({ code: "custom", path: [name], message: why, params: { why } });
  if (store === "s3" && !parsed.S3_BUCKET) refuse("S3_BUCKET", "BLOB_STORE=s3 needs it");
  if (store !== "s3" && parsed.S3_BUCKET) refuse("BLOB_STORE", "S3_BUCKET is set: leave BLOB_STORE unset, or set it to s3");
  if (store !== "file" && parsed.BLOB_DIR) refuse("BLOB_DIR", `the ${store} store is in use, which keeps no files`);
  if ((parsed.S3_ACCESS_KEY_ID === undefined) !== (parsed.S3_SECRET_ACCESS_KEY === undefined)) {
    refuse(parsed.S3_ACCESS_KEY_ID ? "S3_SECRET_ACCESS_KEY" : "S3_ACCESS_KEY_ID", "S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together");
  }
}

/**
 * A number written in plain decimal: "0x10", "1e3", "Infinity" and " 12 " are refused,
 * where Number() would take them (a hex session length once started as 16 hours).
 */
function decimal(bounds: { fallback: number; min: number; max: number; whole?: boolean }, accepts: string) {
  return z
    .string()
    .regex(bounds.whole ? /^\d+$/ : /^\d+(\.\d+)?$/)
    .transform(Number)
    .pipe(z.number().min(bounds.min).max(bounds.max))
    .default(bounds.fallback)
    .describe(accepts);
}

function count(fallback: number, accepts: string, max = 1_000_000) {
  return decimal({ fallback, min: 1, max, whole: true }, accepts);
}

/** An http(s) origin written as one: scheme, host and optional port, no path, query or credentials. */
function isOrigin(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === "https:" || url.protocol === "http:") && (value === url.origin || value === `${url.origin}/`);
}

/** A proxy address or range the operator trusts, as node:net's BlockList takes it. */
export interface TrustedRange {
  address: string;
  prefix: number;
  family: "ipv4" | "ipv6";
}

/**
 * Whom X-Forwarded-For is believed from: nobody (the socket's peer is the client), the
 * nearest `hops` proxies whatever their address, or proxies whose address is in `ranges`.
 */
export type TrustProxy = { kind: "none" } | { kind: "hops"; hops: number } | { kind: "ranges"; ranges: TrustedRange[] };

/** TRUST_PROXY's value, or undefined when it is not a hop count or a list of addresses and CIDR ranges. */
export function parseTrustProxy(value: string | undefined): TrustProxy | undefined {
  const text = value?.trim() ?? "";
  if (text === "") return { kind: "none" };
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops > 10) return undefined;
    return hops === 0 ? { kind: "none" } : { kind: "hops", hops };
  }
  const ranges: TrustedRange[] = [];
  for (const entry of text.split(",").map((part) => part.trim())) {
    const [address = "", prefixText, ...rest] = entry.split("/");
    const version = isIP(address);
    if (version === 0 || rest.length > 0) return undefined;
    const bits = version === 4 ? 32 : 128;
    if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
    const prefix = prefixText === undefined ? bits : Number(prefixText);
    if (prefix > bits) return undefined;
    ranges.push({ address, prefix, family: version === 4 ? "ipv4" : "ipv6" });
  }
  return { kind: "ranges", ranges };
}

/** A setting that does not parse: the message names the variable, the value and what it accepts. */
export class SettingsError extends Error {
  override name = "SettingsError";
}

export interface AppConfig {
  databaseUrl: string | undefined;
  /** Connections this process holds to PostgreSQL at most. */
  databasePoolSize: number;
  dataDir: string;
  port: number;
  appOrigin: string;
  rpId: string;
  sessionIdleMs: number;
  authLimitPerAddress: number;
  authLimitPerAccount: number;
  signUpLimitPerAddress: number;
  directorySearchLimitPerAccount: number;
  trustProxy: TrustProxy;
  sessionMaxMs: number;
  freshProofMs: number;
  auditCountWindowMs: number;
  refusedLimitPerActor: number;
  blobGraceMs: number;
  blobSweepIntervalMs: number;
  importGraceMs: number;
  storageQuotaBytes: number;
  unfinishedUploadsMax: number;
  logLevel: z.infer<typeof configSchema>["LOG_LEVEL"];
  adminEnrolmentToken: string | undefined;
  blobStore: BlobStoreSettings;
  /** Email notices (lib/notices/notice-email.ts): off without an SMTP URL. */
  smtp: { url: string; from: string } | undefined;
  noticeEmailIntervalMs: number;
  /** The factor applied to emergency-access waits (1 in production). */
  emergencyWaitScale: number;
}

/** Where file chunks live (lib/blobs/select-blob-store.ts): a directory, an S3-compatible bucket, or the database. */
export type BlobStoreSettings =
  | { kind: "file"; dir: string }
  | { kind: "database" }
  | {
      kind: "s3";
      endpoint: string | undefined;
      bucket: string;
      region: string;
      credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
      forcePathStyle: boolean;
    };

/**
 * Reads the settings from `env`. Throws SettingsError naming every variable that does not
 * parse, its value (except the enrolment token's) and what it accepts.
 */
export function parseConfig(env: Record<string, string | undefined>): AppConfig {
  // An empty variable means "not set", as it does for most tools.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ""));
  const result = configSchema.safeParse(present);
  if (!result.success) throw settingsError(result.error, present);
  const parsed = result.data;
  const appOrigin = new URL(parsed.APP_ORIGIN ?? `http://localhost:${parsed.PORT}`).origin;
  return {
    databaseUrl: parsed.DATABASE_URL,
    databasePoolSize: parsed.DATABASE_POOL_SIZE,
    dataDir: path.resolve(parsed.DATA_DIR),
    port: parsed.PORT,
    appOrigin,
    rpId: parsed.WEBAUTHN_RP_ID ?? new URL(appOrigin).hostname,
    authLimitPerAddress: parsed.AUTH_RATE_LIMIT_PER_ADDRESS,
    authLimitPerAccount: parsed.AUTH_RATE_LIMIT_PER_ACCOUNT,
    signUpLimitPerAddress: parsed.SIGN_UP_LIMIT_PER_ADDRESS,
    directorySearchLimitPerAccount: parsed.DIRECTORY_SEARCH_LIMIT_PER_ACCOUNT,
    // Validated by the schema's refinement above.
    trustProxy: parseTrustProxy(parsed.TRUST_PROXY) ?? { kind: "none" },
    sessionIdleMs: Math.round(parsed.SESSION_IDLE_MINUTES * 60_000),
    sessionMaxMs: parsed.SESSION_MAX_HOURS * 3_600_000,
    freshProofMs: Math.round(parsed.FRESH_PROOF_MINUTES * 60_000),
    auditCountWindowMs: Math.round(parsed.AUDIT_COUNT_WINDOW_MINUTES * 60_000),
    refusedLimitPerActor: parsed.REFUSED_REQUEST_LIMIT_PER_ACTOR,
    blobGraceMs: Math.round(parsed.BLOB_GRACE_MINUTES * 60_000),
    blobSweepIntervalMs: Math.round(parsed.BLOB_SWEEP_INTERVAL_MINUTES * 60_000),
    importGraceMs: Math.round(parsed.IMPORT_GRACE_MINUTES * 60_000),
    storageQuotaBytes: parsed.STORAGE_QUOTA_MB * 1_000_000,
    unfinishedUploadsMax: parsed.UNFINISHED_UPLOADS_MAX,
    logLevel: parsed.LOG_LEVEL,
    adminEnrolmentToken: parsed.ADMIN_ENROLMENT_TOKEN,
    blobStore: blobStoreSettings(parsed),
    smtp: parsed.SMTP_URL ? { url: parsed.SMTP_URL, from: parsed.SMTP_FROM ?? `notices@${new URL(appOrigin).hostname}` } : undefined,
    noticeEmailIntervalMs: Math.round(parsed.NOTICE_EMAIL_INTERVAL_MINUTES * 60_000),
    emergencyWaitScale: parsed.EMERGENCY_WAIT_SCALE,
  };
}

function blobStoreSettings(parsed: z.infer<typeof configSchema>): BlobStoreSettings {
  const store = parsed.BLOB_STORE ?? (parsed.S3_BUCKET ? "s3" : "file");
  if (store === "database") return { kind: "database" };
  if (store === "file") return { kind: "file", dir: path.resolve(parsed.BLOB_DIR ?? path.join(parsed.DATA_DIR, "blobs")) };
  return {
    kind: "s3",
    endpoint: parsed.S3_ENDPOINT,
    // Required for the S3 store by the schema's refinement.
    bucket: parsed.S3_BUCKET!,
    region: parsed.S3_REGION,
    credentials:
      parsed.S3_ACCESS_KEY_ID && parsed.S3_SECRET_ACCESS_KEY
        ? { accessKeyId: parsed.S3_ACCESS_KEY_ID, secretAccessKey: parsed.S3_SECRET_ACCESS_KEY }
        : undefined,
    forcePathStyle: parsed.S3_FORCE_PATH_STYLE === "true",
  };
}

const secretSettings = new Set(["ADMIN_ENROLMENT_TOKEN", "S3_SECRET_ACCESS_KEY", "SMTP_URL"]);

function settingsError(error: z.ZodError, env: Record<string, string | undefined>): SettingsError {
  const names = [...new Set(error.issues.map((issue) => String(issue.path[0])))];
  const problems = names.map((name) => {
    const accepts = settings[name as keyof typeof settings].description ?? "another value";
    // A setting refused for what the others say (checkBlobStore) says why too.
    const why = error.issues.flatMap((issue) =>
      String(issue.path[0]) === name && issue.code === "custom" && issue.params?.why ? [` (${issue.params.why})`] : [],
    );
    // The enrolment token, the S3 secret and the SMTP URL (its password) are secrets: their values are never repeated.
    const shown = secretSettings.has(name) ? "" : `=${JSON.stringify(env[name])}`;
    return `${name}${shown} is not valid; it accepts ${accepts}${why.join("")}`;
  });
  return new SettingsError(`invalid setting: ${problems.join("; ")}.`);
}

let cached: AppConfig | undefined;

/** The settings of this process, parsed on first use (instrumentation.ts uses them at start-up, so a bad one stops the start). */
export function config(): AppConfig {
  cached ??= parseConfig(process.env);
  return cached;
}

import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig, SettingsError } from "./config";

/** The start-up error a refused environment gives (a SettingsError), as text. */
function refused(env: Record<string, string>): string {
  try {
    parseConfig(env);
  } catch (caught) {
    expect(caught).toBeInstanceOf(SettingsError);
    return String(caught);
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe("parseConfig", () => {
  it("defaults to the embedded database in .data on localhost:3000", () => {
    const config = parseConfig({});
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toBe(path.resolve(".data"));
    expect(config.appOrigin).toBe("http://localhost:3000");
    expect(config.rpId).toBe("localhost");
  });

  it("derives origin and RP ID from PORT, and takes explicit values over derived ones", () => {
    expect(parseConfig({ PORT: "3100" }).appOrigin).toBe("http://localhost:3100");
    const config = parseConfig({ APP_ORIGIN: "https://records.example.org/", WEBAUTHN_RP_ID: "example.org" });
    expect(config.appOrigin).toBe("https://records.example.org");
    expect(config.rpId).toBe("example.org");
  });

  it("passes the admin enrolment token through untouched (its length is judged where it is used)", () => {
    expect(parseConfig({}).adminEnrolmentToken).toBeUndefined();
    expect(parseConfig({ ADMIN_ENROLMENT_TOKEN: "" }).adminEnrolmentToken).toBeUndefined();
    expect(parseConfig({ ADMIN_ENROLMENT_TOKEN: "short" }).adminEnrolmentToken).toBe("short");
  });

  it("gives each account 5 GB and 5 unfinished uploads unless told otherwise", () => {
    expect(parseConfig({})).toMatchObject({ storageQuotaBytes: 5_000_000_000, unfinishedUploadsMax: 5 });
    expect(parseConfig({ STORAGE_QUOTA_MB: "1500", UNFINISHED_UPLOADS_MAX: "2" })).toMatchObject({ storageQuotaBytes: 1_500_000_000, unfinishedUploadsMax: 2 });
    expect(() => parseConfig({ STORAGE_QUOTA_MB: "0" })).toThrow();
    expect(() => parseConfig({ UNFINISHED_UPLOADS_MAX: "1.5" })).toThrow();
  });

  it("refuses nonsense", () => {
    expect(() => parseConfig({ PORT: "seventy" })).toThrow();
    expect(() => parseConfig({ DATABASE_URL: "not a url" })).toThrow();
  });

  it("refuses, as a SettingsError naming the variable, every value that would parse only by accident or fail later", () => {
    const bad: Array<Record<string, string>> = [
      // A scheme left out: once taken as a URL whose origin is "null", and every request answered 500.
      { APP_ORIGIN: "localhost:3901" },
      { APP_ORIGIN: "https://records.example.org/app" },
      { APP_ORIGIN: "ftp://records.example.org" },
      { APP_ORIGIN: "https://user:secret@records.example.org" },
      // Number() reads these; nobody writing a setting means them.
      { SESSION_MAX_HOURS: "0x10" },
      { SESSION_IDLE_MINUTES: "1e3" },
      { PORT: " 3000 " },
      { AUTH_RATE_LIMIT_PER_ADDRESS: "Infinity" },
      { BLOB_GRACE_MINUTES: "-5" },
      // Every passkey ceremony would fail at the first sign-in.
      { WEBAUTHN_RP_ID: "evil.example" },
      { APP_ORIGIN: "https://records.example.org", WEBAUTHN_RP_ID: "example.com" },
      { WEBAUTHN_RP_ID: "Records.Example.org" },
      { DATABASE_URL: "mysql://db.example.org/records" },
    ];
    for (const env of bad) {
      const name = Object.keys(env).at(-1)!;
      expect(() => parseConfig(env), JSON.stringify(env)).toThrow(SettingsError);
      expect(() => parseConfig(env), JSON.stringify(env)).toThrow(new RegExp(`${name}=.* is not valid; it accepts `));
    }
    // What they are meant to be still parses.
    expect(parseConfig({ APP_ORIGIN: "https://records.example.org/", WEBAUTHN_RP_ID: "example.org" })).toMatchObject({
      appOrigin: "https://records.example.org",
      rpId: "example.org",
    });
    expect(parseConfig({ SESSION_IDLE_MINUTES: "0.5", PORT: "3000" })).toMatchObject({ sessionIdleMs: 30_000, port: 3000 });
    expect(parseConfig({ DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/test" }).databaseUrl).toBe("postgresql://postgres@127.0.0.1:5432/test");
  });

  it("names each bad variable, its value and what it accepts, never the enrolment token's value", () => {
    expect(() => parseConfig({ SESSION_MAX_HOURS: "1.5" })).toThrow(
      new SettingsError('invalid setting: SESSION_MAX_HOURS="1.5" is not valid; it accepts a whole number of hours from 1 to 720.'),
    );
    const error = (() => {
      try {
        parseConfig({ TRUST_PROXY: "yes", LOG_LEVEL: "loud" });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(SettingsError);
    expect(String(error)).toMatch(/TRUST_PROXY="yes" is not valid; it accepts a number of proxy hops/);
    expect(String(error)).toMatch(/LOG_LEVEL="loud" is not valid; it accepts one of fatal/);
  });

  it("reads the limits and the trusted proxies", () => {
    const config = parseConfig({ TRUST_PROXY: "1", SIGN_UP_LIMIT_PER_ADDRESS: "5", DIRECTORY_SEARCH_LIMIT_PER_ACCOUNT: "7" });
    expect(config.trustProxy).toEqual({ kind: "hops", hops: 1 });
    expect(config.signUpLimitPerAddress).toBe(5);
    expect(config.directorySearchLimitPerAccount).toBe(7);
    expect(parseConfig({}).trustProxy).toEqual({ kind: "none" });
  });

  it("stores files under DATA_DIR/blobs unless told otherwise, in S3 when a bucket is named, in the database only when asked", () => {
    expect(parseConfig({}).blobStore).toEqual({ kind: "file", dir: path.resolve(".data", "blobs") });
    expect(parseConfig({ DATA_DIR: "/srv/hsc" }).blobStore).toEqual({ kind: "file", dir: "/srv/hsc/blobs" });
    expect(parseConfig({ BLOB_DIR: "/mnt/files" }).blobStore).toEqual({ kind: "file", dir: "/mnt/files" });
    expect(parseConfig({ BLOB_STORE: "database" }).blobStore).toEqual({ kind: "database" });
    expect(parseConfig({ S3_BUCKET: "hsc-files" }).blobStore).toEqual({
      kind: "s3",
      endpoint: undefined,
      bucket: "hsc-files",
      region: "us-east-1",
      credentials: undefined,
      forcePathStyle: false,
    });
    expect(
      parseConfig({
        BLOB_STORE: "s3",
        S3_ENDPOINT: "http://127.0.0.1:9000",
        S3_BUCKET: "files",
        S3_REGION: "eu-west-1",
        S3_ACCESS_KEY_ID: "id",
        S3_SECRET_ACCESS_KEY: "secret",
        S3_FORCE_PATH_STYLE: "true",
      }).blobStore,
    ).toEqual({
      kind: "s3",
      endpoint: "http://127.0.0.1:9000",
      bucket: "files",
      region: "eu-west-1",
      credentials: { accessKeyId: "id", secretAccessKey: "secret" },
      forcePathStyle: true,
    });
  });

  it("refuses blob-store settings that name two stores, or half of one, saying why and never showing the secret key", () => {
    expect(refused({ BLOB_STORE: "s3" })).toMatch(/S3_BUCKET=undefined is not valid; it accepts a bucket name .* \(BLOB_STORE=s3 needs it\)/);
    expect(refused({ BLOB_STORE: "file", S3_BUCKET: "files" })).toMatch(/BLOB_STORE="file" is not valid; .*\(S3_BUCKET is set/);
    expect(refused({ S3_BUCKET: "files", BLOB_DIR: "/mnt/files" })).toMatch(/BLOB_DIR="\/mnt\/files" is not valid; .*\(the s3 store is in use/);
    expect(refused({ BLOB_STORE: "database", BLOB_DIR: "/mnt/files" })).toMatch(/the database store is in use/);
    expect(refused({ BLOB_STORE: "disk" })).toMatch(/BLOB_STORE="disk" is not valid; it accepts one of file, s3, database/);
    expect(refused({ S3_BUCKET: "Files_1" })).toMatch(/S3_BUCKET="Files_1" is not valid/);
    expect(refused({ S3_BUCKET: "files", S3_ENDPOINT: "s3.example.org" })).toMatch(/S3_ENDPOINT="s3.example.org" is not valid/);
    expect(refused({ S3_BUCKET: "files", S3_FORCE_PATH_STYLE: "yes" })).toMatch(/S3_FORCE_PATH_STYLE="yes" is not valid; it accepts true or false/);
    expect(refused({ S3_BUCKET: "files", S3_ACCESS_KEY_ID: "id" })).toMatch(/S3_SECRET_ACCESS_KEY is not valid; .*go together/);
    const secretAlone = refused({ S3_BUCKET: "files", S3_SECRET_ACCESS_KEY: "very-secret-value" });
    expect(secretAlone).toMatch(/S3_ACCESS_KEY_ID=undefined is not valid/);
    expect(secretAlone).not.toContain("very-secret-value");
  });
  it("sends email notices only with an SMTP URL, from SMTP_FROM or the app's host, never repeating the URL's password", () => {
    expect(parseConfig({}).smtp).toBeUndefined();
    expect(parseConfig({ SMTP_URL: "smtps://notices:pw@mail.example.org:465", APP_ORIGIN: "https://records.example.org" })).toMatchObject({
      smtp: { url: "smtps://notices:pw@mail.example.org:465", from: "notices@records.example.org" },
      noticeEmailIntervalMs: 30 * 60_000,
    });
    expect(parseConfig({ SMTP_URL: "smtp://mail.example.org", SMTP_FROM: "hello@example.org", NOTICE_EMAIL_INTERVAL_MINUTES: "5" })).toMatchObject({
      smtp: { from: "hello@example.org" },
      noticeEmailIntervalMs: 5 * 60_000,
    });
    const wrong = refused({ SMTP_URL: "https://user:very-secret-pw@mail.example.org" });
    expect(wrong).toMatch(/SMTP_URL is not valid; it accepts an SMTP URL/);
    expect(wrong).not.toContain("very-secret-pw");
    expect(refused({ SMTP_FROM: "not an address" })).toMatch(/SMTP_FROM="not an address" is not valid/);
  });
});

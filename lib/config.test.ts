import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig, SettingsError } from "./config";

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
});

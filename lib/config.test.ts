import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "./config";

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

  it("refuses nonsense", () => {
    expect(() => parseConfig({ PORT: "seventy" })).toThrow();
    expect(() => parseConfig({ DATABASE_URL: "not a url" })).toThrow();
  });
});

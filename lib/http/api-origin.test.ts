import { describe, expect, it } from "vitest";
import { apiClientHeader } from "@/contract/api-client-header";
import { crossOriginApiRoutes, isApiRequestFromElsewhere } from "./api-origin";

const headers = (values: Record<string, string>) => new Headers(values);
const client = { [apiClientHeader.name]: apiClientHeader.value };

describe("isApiRequestFromElsewhere", () => {
  it("accepts the app's own pages, which browsers mark same-origin", () => {
    expect(isApiRequestFromElsewhere("/api/records", headers({ "sec-fetch-site": "same-origin" }))).toBe(false);
    expect(isApiRequestFromElsewhere("/api/records", headers({ "sec-fetch-site": "same-origin", ...client }))).toBe(false);
  });

  it.each(["same-site", "cross-site", "none"])("refuses Sec-Fetch-Site: %s on reads and writes, with or without the client header", (site) => {
    expect(isApiRequestFromElsewhere("/api/records", headers({ "sec-fetch-site": site }))).toBe(true);
    expect(isApiRequestFromElsewhere("/api/shared/x/records", headers({ "sec-fetch-site": site, ...client }))).toBe(true);
  });

  it("asks clients without Fetch Metadata for the client header", () => {
    expect(isApiRequestFromElsewhere("/api/me/vault", headers({}))).toBe(true);
    expect(isApiRequestFromElsewhere("/api/me/vault", headers({ [apiClientHeader.name]: "" }))).toBe(true);
    expect(isApiRequestFromElsewhere("/api/me/vault", headers(client))).toBe(false);
  });

  it("judges encoded and doubled spellings of /api like /api", () => {
    for (const path of ["/%61pi/records", "//api/records", "/API/records", "/api", "/api/%zz"]) {
      expect(isApiRequestFromElsewhere(path, headers({ "sec-fetch-site": "same-site" })), path).toBe(true);
    }
  });

  it("leaves pages and static files alone, navigations from anywhere included", () => {
    for (const path of ["/", "/records", "/shared", "/_next/static/chunks/x.js", "/apix", "/sign-in"]) {
      expect(isApiRequestFromElsewhere(path, headers({ "sec-fetch-site": "cross-site" })), path).toBe(false);
    }
  });

  it("lets other sites reach only the routes that opt out, each with a reason", () => {
    expect([...new Set(crossOriginApiRoutes.map((route) => route.path))].sort()).toEqual([
      "/api/csp-reports",
      "/api/health",
      "/api/shl/[shlId]",
      "/api/shl/files/[token]",
    ]);
    for (const route of crossOriginApiRoutes) {
      expect(route.why.length).toBeGreaterThan(20);
      expect(isApiRequestFromElsewhere(route.path, headers({ "sec-fetch-site": "cross-site" }))).toBe(false);
    }
    expect(isApiRequestFromElsewhere("/api/health/x", headers({ "sec-fetch-site": "cross-site" }))).toBe(true);
  });

  it("matches a route's [name] segments to exactly one segment of the path", () => {
    const link = "/api/shl/" + "a".repeat(43);
    expect(isApiRequestFromElsewhere(link, headers({ "sec-fetch-site": "cross-site" }))).toBe(false);
    expect(isApiRequestFromElsewhere("/api/shl/files/" + "b".repeat(43), headers({ "sec-fetch-site": "cross-site" }))).toBe(false);
    for (const path of ["/api/shl", "/api/shl/", `${link}/x`, "/api/links", "/api/links/x"]) {
      expect(isApiRequestFromElsewhere(path, headers({ "sec-fetch-site": "cross-site" })), path).toBe(true);
    }
  });
});

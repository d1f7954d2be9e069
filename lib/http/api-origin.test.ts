import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
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

describe("where the API's origin check happens", () => {
  it("every method of every API route is wrapped by handle() or route(), which refuse requests from elsewhere (the proxy does not run for /api)", () => {
    const api = path.resolve(__dirname, "..", "..", "app", "api");
    const files = readdirSync(api, { recursive: true, encoding: "utf8" }).filter((file) => path.basename(file) === "route.ts");
    expect(files.length).toBeGreaterThan(50);
    const bare: string[] = [];
    for (const file of files) {
      const source = readFileSync(path.join(api, file), "utf8");
      for (const match of source.matchAll(/^export\s+(?:async\s+)?(?:const|function|let|var)\s+(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)\b(.*)$/gm)) {
        if (!/^\s*=\s*(handle|route)\(/.test(match[2]!)) bare.push(`${file} ${match[1]}`);
      }
      if (/^export\s*\{/m.test(source)) bare.push(`${file} (re-exports)`);
    }
    expect(bare).toEqual([]);
  });
});

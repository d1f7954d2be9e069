import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, createNonce, isCrossOriginWrite, isLinkViewerPath, nonceBytes, securityHeaders } from "./security-headers";
import values from "./security-headers.json";

describe("createNonce", () => {
  it("carries at least 128 random bits", async () => {
    expect(nonceBytes * 8).toBeGreaterThanOrEqual(128);
    expect(Buffer.from(await createNonce(), "base64")).toHaveLength(nonceBytes);
  });

  it("never repeats across many requests", async () => {
    const seen = new Set(await Promise.all(Array.from({ length: 10_000 }, createNonce)));
    expect(seen.size).toBe(10_000);
  });
});

describe("contentSecurityPolicy", () => {
  const policy = contentSecurityPolicy("abc123", { development: false });
  const directives = new Map(
    policy.split(";").map((part) => {
      const [name, ...values] = part.trim().split(/\s+/);
      return [name, values] as const;
    }),
  );

  it("allows scripts only by nonce, strict-dynamic and WebAssembly compilation", () => {
    expect(directives.get("script-src")).toEqual(["'nonce-abc123'", "'strict-dynamic'", "'wasm-unsafe-eval'"]);
  });

  it("locks down plugins, base URLs and framing", () => {
    expect(directives.get("object-src")).toEqual(["'none'"]);
    expect(directives.get("base-uri")).toEqual(["'none'"]);
    expect(directives.get("frame-ancestors")).toEqual(["'none'"]);
    expect(directives.get("report-uri")).toEqual(["/api/csp-reports"]);
  });

  it("lets only the link viewer page fetch other servers (https, and http on loopback)", () => {
    expect(directives.get("connect-src")).toEqual(["'self'"]);
    const viewer = contentSecurityPolicy("n", { development: false, linkViewer: true });
    expect(viewer).toContain("connect-src 'self' https: http://localhost:* http://127.0.0.1:*;");
    expect(["/links/open", "/links/open/", "/links/open/x"].every(isLinkViewerPath)).toBe(true);
    expect(["/links", "/links/opener", "/api/shl/x", "/"].some(isLinkViewerPath)).toBe(false);
  });

  it("adds 'unsafe-eval' only in development", () => {
    expect(policy).not.toContain("'unsafe-eval'");
    expect(contentSecurityPolicy("n", { development: true })).toContain("'unsafe-eval'");
  });
});

describe("securityHeaders", () => {
  it("sets HSTS, no-referrer and nosniff", () => {
    const headers = securityHeaders();
    expect(headers["strict-transport-security"]).toMatch(/max-age=\d{7,}/);
    expect(headers["referrer-policy"]).toBe("no-referrer");
    expect(headers["x-content-type-options"]).toBe("nosniff");
  });

  it("leaves the CSP to the proxy, and gives what it never sees a policy that allows nothing", () => {
    expect(Object.keys(securityHeaders())).not.toContain("content-security-policy");
    const fallback = values.fallbackContentSecurityPolicy.split(";").map((directive) => directive.trim());
    expect(fallback).toEqual(expect.arrayContaining(["default-src 'none'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"]));
  });
});

describe("isCrossOriginWrite", () => {
  const origin = "http://localhost:3000";
  const headers = (values: Record<string, string>) => new Headers(values);

  it("lets reads through from anywhere", () => {
    expect(isCrossOriginWrite("GET", headers({ origin: "https://evil.example" }), origin)).toBe(false);
    expect(isCrossOriginWrite("HEAD", headers({}), origin)).toBe(false);
  });

  it("accepts a write from the app's own origin", () => {
    expect(isCrossOriginWrite("POST", headers({ origin, "sec-fetch-site": "same-origin" }), origin)).toBe(false);
  });

  it.each(["POST", "PUT", "PATCH", "DELETE"])("refuses a %s from another origin", (method) => {
    expect(isCrossOriginWrite(method, headers({ origin: "https://evil.example" }), origin)).toBe(true);
  });

  it("refuses a write without an Origin header", () => {
    expect(isCrossOriginWrite("POST", headers({}), origin)).toBe(true);
  });

  it("refuses a same-site but cross-origin write even with a forged-looking Origin", () => {
    expect(isCrossOriginWrite("POST", headers({ origin, "sec-fetch-site": "same-site" }), origin)).toBe(true);
    expect(isCrossOriginWrite("POST", headers({ origin: "http://localhost:3001" }), origin)).toBe(true);
  });
});

import { expect, test } from "./support/test";
import securityHeaders from "@/lib/http/security-headers.json";

/**
 * Every response carries the security headers, whatever answers it: the proxy (pages, API,
 * static files, 404s), Next's routing before the proxy runs (the redirects that drop a
 * trailing or doubled slash) and the server itself (methods Next cannot carry).
 */
test("redirects, 404s, refusals, static files and odd methods all carry the security headers", async ({ request, baseURL }) => {
  const home = await request.get("/");
  const script = /<script[^>]+src="(\/_next\/static\/[^"]+\.js)"/.exec(await home.text())?.[1];
  expect(script, "the home page loads a script from /_next/static").toBeDefined();

  const probes: Array<{ method: string; path: string; status: number | number[] }> = [
    { method: "GET", path: "/_next/static/", status: 308 },
    { method: "GET", path: "/_next/static/x/", status: 308 },
    { method: "GET", path: "/_next/static/chunks/", status: 308 },
    { method: "GET", path: "/sign-in/", status: 308 },
    { method: "GET", path: "/api/records/", status: 308 },
    { method: "GET", path: "//sign-in", status: 308 },
    { method: "GET", path: "/records//x", status: 308 },
    { method: "GET", path: script!, status: 200 },
    { method: "GET", path: "/_next/static/no-such-file.js", status: 404 },
    { method: "GET", path: "/no-such-page", status: 404 },
    { method: "GET", path: "/api/no-such-route", status: 404 },
    { method: "GET", path: "/%zz", status: [400, 404] },
    { method: "HEAD", path: "/", status: 200 },
    { method: "HEAD", path: "/api/health", status: 200 },
    { method: "OPTIONS", path: "/", status: [204, 400, 405] },
    { method: "OPTIONS", path: "/api/records", status: [204, 405] },
    { method: "DELETE", path: "/", status: 403 },
    { method: "PUT", path: "/api/health", status: 403 },
    { method: "TRACE", path: "/", status: 405 },
    { method: "TRACE", path: "/api/records", status: 405 },
  ];
  const failures: string[] = [];
  for (const probe of probes) {
    // An absolute address keeps a doubled slash from reading as another host; redirects are answers of their own here.
    const response = await request.fetch(`${baseURL}${probe.path}`, { method: probe.method, maxRedirects: 0 });
    const where = `${probe.method} ${probe.path} (${response.status()})`;
    if (![probe.status].flat().includes(response.status())) failures.push(`${where}: expected status ${probe.status}`);
    const headers = response.headersArray().map(({ name, value }) => ({ name: name.toLowerCase(), value }));
    const valuesOf = (name: string) => headers.filter((header) => header.name === name).map((header) => header.value);
    const wrong = Object.entries(securityHeaders.headers).filter(([name, value]) => JSON.stringify(valuesOf(name)) !== JSON.stringify([value]));
    if (wrong.length > 0) failures.push(`${where}: wrong or missing ${wrong.map(([name]) => name).join(", ")}`);
    const policies = valuesOf("content-security-policy");
    const lacking = ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"].filter((directive) => !policies[0]?.includes(directive));
    if (policies.length !== 1 || lacking.length > 0) failures.push(`${where}: ${policies.length} content security policies, lacking ${lacking.join(", ") || "nothing"}`);
  }
  expect(failures).toEqual([]);
});

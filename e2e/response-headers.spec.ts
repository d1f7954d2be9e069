import { connect } from "node:net";
import { expect, test } from "./support/test";
import securityHeaders from "@/lib/http/security-headers.json";

/**
 * Every response carries the security headers, whatever answers it: the proxy (pages, static
 * files, 404s, the SMART Health Link routes), the server in front of Next (the rest of the API,
 * with a CSP that allows nothing), Next's routing before the proxy runs (the redirects that drop a
 * trailing or doubled slash) and the server itself (methods Next cannot carry).
 */
test("redirects, 404s, refusals, static files and odd methods all carry the security headers", async ({ request, baseURL }) => {
  const home = await request.get("/");
  // Next appends the build's deployment id to static URLs (`…/x.js?dpl=<id>`): the path is what is probed.
  const script = /<script[^>]+src="(\/_next\/static\/[^"?]+\.js)(?:\?[^"]*)?"/.exec(await home.text())?.[1];
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
    // The API's refusals come from the route wrapper (the proxy does not run for /api outside /api/shl): a write
    // without the app's Origin, a read from another site; a method no route serves is Next's own 405.
    { method: "POST", path: "/api/records", status: 403 },
    { method: "DELETE", path: "/api/records/5b0a5d44-1c3c-4a55-8a6c-3f0fd2a7d2b1", status: 403 },
    { method: "PUT", path: "/api/health", status: 405 },
    { method: "TRACE", path: "/", status: 405 },
    { method: "TRACE", path: "/api/records", status: 405 },
  ];
  const failures: string[] = [];
  for (const probe of probes) {
    // An absolute address keeps a doubled slash from reading as another host; redirects are answers of their own here.
    const response = await request.fetch(`${baseURL}${probe.path}`, { method: probe.method, maxRedirects: 0 });
    if (response.status() === 403 && !(await response.text()).includes('"cross-origin-refused"'))
      failures.push(`${probe.method} ${probe.path}: a 403 without its code`);
    const where = `${probe.method} ${probe.path} (${response.status()})`;
    if (![probe.status].flat().includes(response.status())) failures.push(`${where}: expected status ${probe.status}`);
    const headers = response.headersArray().map(({ name, value }) => ({ name: name.toLowerCase(), value }));
    const valuesOf = (name: string) => headers.filter((header) => header.name === name).map((header) => header.value);
    const wrong = Object.entries(securityHeaders.headers).filter(([name, value]) => JSON.stringify(valuesOf(name)) !== JSON.stringify([value]));
    if (wrong.length > 0) failures.push(`${where}: wrong or missing ${wrong.map(([name]) => name).join(", ")}`);
    const policies = valuesOf("content-security-policy");
    const lacking = ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"].filter((directive) => !policies[0]?.includes(directive));
    if (policies.length !== 1 || lacking.length > 0)
      failures.push(`${where}: ${policies.length} content security policies, lacking ${lacking.join(", ") || "nothing"}`);
  }
  expect(failures).toEqual([]);
});

/** Sends bytes no HTTP client library would, and returns the status line and headers of the answer. */
function rawExchange(url: string, bytes: string): Promise<{ status: number; headers: Array<{ name: string; value: string }> }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname === "localhost" ? "127.0.0.1" : hostname, () => socket.write(bytes, "latin1"));
    let received = "";
    socket.on("data", (chunk) => (received += chunk.toString("latin1")));
    socket.on("error", reject);
    socket.on("close", () => {
      const [statusLine = "", ...lines] = received.split("\r\n\r\n")[0]!.split("\r\n");
      const headers = lines.map((line) => ({ name: line.slice(0, line.indexOf(":")).trim().toLowerCase(), value: line.slice(line.indexOf(":") + 1).trim() }));
      resolve({ status: Number(statusLine.split(" ")[1] ?? 0), headers });
    });
    socket.setTimeout(10_000, () => socket.destroy());
  });
}

test("what Node's parser refuses before any handler runs carries the security headers too", async ({ baseURL }) => {
  const host = new URL(baseURL!).host;
  const probes = [
    { what: "a method Node does not know (TRACK)", bytes: `TRACK / HTTP/1.1\r\nHost: ${host}\r\n\r\n`, status: 405 },
    { what: "CONNECT", bytes: `CONNECT ${host} HTTP/1.1\r\nHost: ${host}\r\n\r\n`, status: 405 },
    { what: "a NUL in a header", bytes: `GET / HTTP/1.1\r\nHost: ${host}\r\nX-Probe: a\u0000b\r\n\r\n`, status: 400 },
    { what: "a control character in the path", bytes: `GET /\u0001 HTTP/1.1\r\nHost: ${host}\r\n\r\n`, status: 400 },
    { what: "headers past Node's limit", bytes: `GET / HTTP/1.1\r\nHost: ${host}\r\nX-Probe: ${"a".repeat(20_000)}\r\n\r\n`, status: 431 },
  ];
  const failures: string[] = [];
  for (const probe of probes) {
    const answer = await rawExchange(baseURL!, probe.bytes);
    if (answer.status !== probe.status) failures.push(`${probe.what}: status ${answer.status}, expected ${probe.status}`);
    const valuesOf = (name: string) => answer.headers.filter((header) => header.name === name).map((header) => header.value);
    const wrong = Object.entries(securityHeaders.headers).filter(([name, value]) => JSON.stringify(valuesOf(name)) !== JSON.stringify([value]));
    if (wrong.length > 0) failures.push(`${probe.what}: wrong or missing ${wrong.map(([name]) => name).join(", ")}`);
    if (valuesOf("content-security-policy").length !== 1) failures.push(`${probe.what}: no single content security policy`);
  }
  expect(failures).toEqual([]);
});

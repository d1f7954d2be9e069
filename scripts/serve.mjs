#!/usr/bin/env node
// Serves the built app (what `next start` does), with one addition: every response leaves
// with the security headers, whatever answers it. The proxy (proxy.ts) sets them on what it
// sees and next.config.js on what Next's routing answers, but a few answers leave Next before
// either runs: the redirect of a doubled slash (`//x`), and the bare 500 for a method the
// Fetch API cannot carry (TRACE, TRACK, CONNECT: Next fails building the proxy's Request).
// Here the headers are set before Next sees the request, and those methods are refused
// with a 405 before it does; the proxy then replaces the CSP with the page's nonce policy.
import { readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
process.env.NODE_ENV = "production";
const { default: next } = await import("next");

const values = JSON.parse(readFileSync(path.join(root, "lib", "http", "security-headers.json"), "utf8"));
const floor = Object.entries({ ...values.headers, "content-security-policy": values.fallbackContentSecurityPolicy });
/** Methods undici's Request refuses to carry (WHATWG Fetch "forbidden methods"). */
const unservable = new Set(["TRACE", "TRACK", "CONNECT"]);

const port = Number(process.env.PORT ?? "3000");
// Every interface, as `next start` listens by default (not HOSTNAME, which shells and containers set to the machine's name).
const app = next({ dev: false, dir: root, port, hostname: "localhost" });
await app.prepare();
const handle = app.getRequestHandler();

const server = http.createServer((request, response) => {
  for (const [name, value] of floor) response.setHeader(name, value);
  if (unservable.has(request.method ?? "")) {
    const body = JSON.stringify({ error: { code: "method-not-allowed", message: "This method is not supported." } });
    response.writeHead(405, { "content-type": "application/json", "cache-control": "no-store", allow: "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS" });
    response.end(body);
    return;
  }
  handle(request, response).catch((error) => {
    // Next answers its own failures; this is for one that escapes it. The name only: a message may quote the request.
    console.error(`request handling failed: ${error?.name ?? "unknown error"}`);
    if (response.headersSent) response.destroy();
    else {
      response.writeHead(500, { "content-type": "application/json", "cache-control": "no-store" });
      response.end(JSON.stringify({ error: { code: "internal", message: "Something went wrong on our side. Please try again." } }));
    }
  });
});
server.listen(port, () => console.log(`Ready on port ${port}`));
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(0));

#!/usr/bin/env node
// The HTTP server in front of Next (`npm start` runs it through start.mjs; `npm run dev` with
// --dev). It does what neither a route handler nor the proxy can:
// - the client address for rate limits must come from the socket, not from a header any
//   client can set, and a route handler cannot see the TCP peer. So every request gets the
//   peer address in `x-hsc-peer-address`, overwriting whatever the client sent under that
//   name; lib/http/request-meta.ts reads it, and reads X-Forwarded-For only from proxies the
//   operator declared in TRUST_PROXY;
// - every response leaves with the security headers, whatever answers it. A few answers leave
//   Next before the proxy (proxy.ts) or next.config's headers run: the redirect of a doubled
//   slash (`//x`) and the bare 500 for a method the Fetch API cannot carry (TRACE, TRACK,
//   CONNECT: Next fails building the proxy's Request). So the headers are set here before
//   Next sees the request, with a CSP that allows nothing (the proxy replaces it with the
//   page's nonce policy), and those methods get a 405 before Next does. What Node's parser
//   refuses before any handler runs is answered here too, with the same headers.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dev = process.argv.includes("--dev");
process.env.NODE_ENV = dev ? "development" : "production";
const { default: next } = await import("next");
const port = Number(process.env.PORT ?? "3000");
const peerHeader = "x-hsc-peer-address";

// Tells lib/http/request-meta.ts, in this process, that the peer header is ours to trust.
globalThis[Symbol.for("health-safe-cloud.peer-address-header")] = peerHeader;

const values = JSON.parse(readFileSync(path.join(root, "lib", "http", "security-headers.json"), "utf8"));
const floor = Object.entries({ ...values.headers, "content-security-policy": values.fallbackContentSecurityPolicy });
/** Methods undici's Request refuses to carry (WHATWG Fetch "forbidden methods"). */
const unservable = new Set(["TRACE", "TRACK", "CONNECT"]);

// Every interface, as `next start` listens by default (not HOSTNAME, which shells and containers set to the machine's name).
const app = next({ dev, dir: root, port, hostname: "localhost" });
// Runs instrumentation.ts, which parses every setting and stops the process on a bad one.
await app.prepare();
const handle = app.getRequestHandler();

const server = createServer((request, response) => {
  request.headers[peerHeader] = request.socket.remoteAddress ?? "";
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
/**
 * A whole HTTP/1.1 answer for the cases Node answers itself, before any handler: a request
 * its parser refuses (a NUL in a header, a control character in the path, a method it does
 * not know such as TRACK) and CONNECT. Node's own answers carry no headers at all.
 */
function rawAnswer(status, reason, code, message) {
  const body = JSON.stringify({ error: { code, message } });
  const lines = [`HTTP/1.1 ${status} ${reason}`, ...floor.map(([name, value]) => `${name}: ${value}`)];
  lines.push("content-type: application/json", "cache-control: no-store", "connection: close", `content-length: ${Buffer.byteLength(body)}`);
  if (status === 405) lines.push("allow: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
  return `${lines.join("\r\n")}\r\n\r\n${body}`;
}

server.on("clientError", (error, socket) => {
  // A client gone mid-request gets nothing; as in Node's own handler, neither does a socket that
  // has already carried an answer (raw bytes there could land inside it). Others get the headers.
  if (error.code === "ECONNRESET" || !socket.writable || socket.bytesWritten > 0) return void socket.destroy();
  if (error.code === "HPE_INVALID_METHOD") return void socket.end(rawAnswer(405, "Method Not Allowed", "method-not-allowed", "This method is not supported."));
  if (error.code === "HPE_HEADER_OVERFLOW")
    return void socket.end(rawAnswer(431, "Request Header Fields Too Large", "headers-too-large", "The request's headers are too large."));
  if (error.code === "ERR_HTTP_REQUEST_TIMEOUT")
    return void socket.end(rawAnswer(408, "Request Timeout", "request-timeout", "The request took too long to arrive."));
  socket.end(rawAnswer(400, "Bad Request", "bad-request", "The request could not be read."));
});
server.on("connect", (_request, socket) => socket.end(rawAnswer(405, "Method Not Allowed", "method-not-allowed", "This method is not supported.")));

// Idle keep-alive connections outlive a load balancer's idle timeout (60 s on common ones) and
// clients that reuse them: closing first races a request already on its way (ECONNRESET).
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
server.listen(port, () => console.log(`Ready on port ${port}${dev ? " (development)" : ""}`));
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    server.close();
    process.exit(0);
  });
}

#!/usr/bin/env node
// The HTTP server in front of Next (`npm start` runs it through start.mjs; `npm run dev` with
// --dev). It exists for one reason: a route handler cannot see the TCP peer, and the client
// address for rate limits must come from the socket, not from a header any client can set.
// So every request gets the peer address in `x-hsc-peer-address`, overwriting whatever the
// client sent under that name; lib/http/request-meta.ts reads it, and reads X-Forwarded-For
// only from proxies the operator declared in TRUST_PROXY.
import { createServer } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dev = process.argv.includes("--dev");
const port = Number(process.env.PORT ?? "3000");
const peerHeader = "x-hsc-peer-address";

// Tells lib/http/request-meta.ts, in this process, that the peer header is ours to trust.
globalThis[Symbol.for("health-safe-cloud.peer-address-header")] = peerHeader;

const app = next({ dev, dir: root, port });
// Runs instrumentation.ts, which parses every setting and stops the process on a bad one.
await app.prepare();
const handle = app.getRequestHandler();

const server = createServer((request, response) => {
  request.headers[peerHeader] = request.socket.remoteAddress ?? "";
  void handle(request, response);
});
server.listen(port, () => console.log(`Ready on port ${port}${dev ? " (development)" : ""}`));
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    server.close();
    process.exit(0);
  });
}

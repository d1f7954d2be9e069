import { NextResponse, type NextRequest } from "next/server";
import { config as appConfig } from "@/lib/config";
import { errorBody, httpStatusFor } from "@/lib/errors";
import { isRefusedAsFromElsewhere, isShlPath, refusedFromElsewhere } from "@/lib/http/api-origin";
import { contentSecurityPolicy, createNonce, isLinkViewerPath, securityHeaders } from "@/lib/http/security-headers";

/** CORS for the SMART Health Link routes: any origin, no credentials (so no cookie is ever sent or honoured), the methods STU1 viewers use. */
const shlCorsHeaders = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, POST, OPTIONS",
  "access-control-allow-headers": "content-type",
  "access-control-max-age": "86400",
  "cross-origin-resource-policy": "cross-origin",
} as const;

/**
 * Every response it runs for gets the security headers and a fresh CSP nonce. Cross-origin
 * writes, and API requests of any method that did not come from the app's own pages, stop
 * here (`isRefusedAsFromElsewhere`), except on the SMART Health Link routes (/api/shl/**),
 * which any viewer on any site calls: they get CORS headers (`*`, no credentials) and their
 * preflights are answered here. The link viewer page (/links/open) gets a CSP that lets it
 * fetch links from any https server. It does not run for the rest of /api (see `config`).
 */
export async function proxy(request: NextRequest) {
  const nonce = await createNonce();
  const pathname = request.nextUrl.pathname;
  const csp = contentSecurityPolicy(nonce, { development: process.env.NODE_ENV === "development", linkViewer: isLinkViewerPath(pathname) });
  const shl = isShlPath(pathname);

  let response: NextResponse;
  const fromElsewhere = isRefusedAsFromElsewhere(pathname, request.method, request.headers, appConfig().appOrigin);
  if (shl && request.method === "OPTIONS") {
    response = new NextResponse(null, { status: 204, headers: { "cache-control": "no-store" } });
  } else if (fromElsewhere) {
    const error = refusedFromElsewhere();
    response = NextResponse.json(errorBody(error), { status: httpStatusFor(error.code), headers: { "cache-control": "no-store" } });
  } else {
    // Next reads the nonce from the request's CSP header and puts it on its own scripts.
    const requestHeaders = new Headers(request.headers);
    requestHeaders.set("content-security-policy", csp);
    requestHeaders.set("x-nonce", nonce);
    response = NextResponse.next({ request: { headers: requestHeaders } });
  }
  response.headers.set("content-security-policy", csp);
  for (const [name, value] of Object.entries(securityHeaders())) response.headers.set(name, value);
  if (shl) for (const [name, value] of Object.entries(shlCorsHeaders)) response.headers.set(name, value);
  return response;
}

export const config = {
  // Everything, static assets included, except the API outside /api/shl/. Running the proxy cost
  // about a tenth of the chart read's server CPU (a profile under load), and there it has nothing
  // left to do: every API route runs inside the route wrapper (lib/http/route.ts), which refuses
  // requests from elsewhere with the same test; the server in front of Next (scripts/server.mjs)
  // puts the security headers on every response, with a CSP that allows nothing, which is what a
  // JSON answer needs (no nonce: it runs no script). The SMART Health Link routes keep the proxy
  // for their CORS headers and preflights. e2e/response-headers.spec.ts holds both to it.
  matcher: ["/((?!api/).*)", "/api/shl/:path*"],
};

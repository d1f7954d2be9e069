import { NextResponse, type NextRequest } from "next/server";
import { config as appConfig } from "@/lib/config";
import { AppError, errorBody, httpStatusFor } from "@/lib/errors";
import { isApiRequestFromElsewhere } from "@/lib/http/api-origin";
import { contentSecurityPolicy, createNonce, cspReportPath, isCrossOriginWrite, isLinkViewerPath, securityHeaders } from "@/lib/http/security-headers";

/** The blind SMART Health Link routes (lib/links/public-link-service.ts): open to every site, without credentials. */
const isShlPath = (pathname: string) => /^\/api\/shl\//.test(pathname);

/** CORS for the SMART Health Link routes: any origin, no credentials (so no cookie is ever sent or honoured), the methods STU1 viewers use. */
const shlCorsHeaders = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, POST, OPTIONS",
  "access-control-allow-headers": "content-type",
  "access-control-max-age": "86400",
  "cross-origin-resource-policy": "cross-origin",
} as const;

/**
 * Every response gets the security headers and a fresh CSP nonce. Cross-origin writes, and
 * API requests of any method that did not come from the app's own pages, stop here, except
 * on the SMART Health Link routes (/api/shl/**), which any viewer on any site calls: they get
 * CORS headers (`*`, no credentials) and their preflights are answered here. The link viewer
 * page (/links/open) gets a CSP that lets it fetch links from any https server.
 */
export async function proxy(request: NextRequest) {
  const nonce = await createNonce();
  const pathname = request.nextUrl.pathname;
  const csp = contentSecurityPolicy(nonce, { development: process.env.NODE_ENV === "development", linkViewer: isLinkViewerPath(pathname) });
  const shl = isShlPath(pathname);

  let response: NextResponse;
  // Browsers send violation reports without the page's Origin; that endpoint only logs, under a rate limit.
  const isCspReport = pathname === cspReportPath;
  const fromElsewhere =
    isApiRequestFromElsewhere(pathname, request.headers) ||
    (!isCspReport && !shl && isCrossOriginWrite(request.method, request.headers, appConfig().appOrigin));
  if (shl && request.method === "OPTIONS") {
    response = new NextResponse(null, { status: 204, headers: { "cache-control": "no-store" } });
  } else if (fromElsewhere) {
    const error = new AppError("cross-origin-refused", "This request must come from the app's own pages.");
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
  // Everything, static assets included: headers cost nothing and leave no gaps.
  matcher: "/:path*",
};

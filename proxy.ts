import { NextResponse, type NextRequest } from "next/server";
import { config as appConfig } from "@/lib/config";
import { AppError, errorBody, httpStatusFor } from "@/lib/errors";
import { isApiRequestFromElsewhere } from "@/lib/http/api-origin";
import { contentSecurityPolicy, createNonce, cspReportPath, isCrossOriginWrite, securityHeaders } from "@/lib/http/security-headers";

/**
 * Every response gets the security headers and a fresh CSP nonce. Cross-origin writes, and
 * API requests of any method that did not come from the app's own pages, stop here.
 */
export async function proxy(request: NextRequest) {
  const nonce = await createNonce();
  const csp = contentSecurityPolicy(nonce, { development: process.env.NODE_ENV === "development" });

  let response: NextResponse;
  // Browsers send violation reports without the page's Origin; that endpoint only logs, under a rate limit.
  const isCspReport = request.nextUrl.pathname === cspReportPath;
  const fromElsewhere =
    isApiRequestFromElsewhere(request.nextUrl.pathname, request.headers) ||
    (!isCspReport && isCrossOriginWrite(request.method, request.headers, appConfig().appOrigin));
  if (fromElsewhere) {
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
  return response;
}

export const config = {
  // Everything, static assets included: headers cost nothing and leave no gaps.
  matcher: "/:path*",
};

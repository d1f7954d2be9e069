import "server-only";
import { apiClientHeader } from "@/contract/api-client-header";
import { routeTable } from "@/contract/routes";
import { AppError } from "@/lib/errors";
import { cspReportPath, isCrossOriginWrite } from "./security-headers";

/** The blind SMART Health Link routes (lib/links/public-link-service.ts): open to every site, without credentials. */
export const isShlPath = (pathname: string) => /^\/api\/shl\//.test(pathname);

/**
 * The API routes other sites may call, each with why: the routes the contract's table marks
 * `crossOrigin` (contract/system.ts). Every other path under /api answers only the app's own
 * pages (see `isApiRequestFromElsewhere`). A route meant for other sites (say, SMART Health
 * Links) is marked so in the table, with its reason, and must not act on the caller's session:
 * a sibling site's request carries the person's cookies.
 */
export const crossOriginApiRoutes: ReadonlyArray<{ path: string; why: string }> = routeTable
  .filter((route) => route.crossOrigin)
  .map((route) => {
    if (!route.why) throw new Error(`${route.name} is open to other sites without saying why.`);
    return { path: route.path, why: route.why };
  });

/**
 * Whether a request to the API comes from somewhere other than the app's own pages, and
 * must be refused before any route runs (reads included: a read writes "record fetched"
 * events into a patient's trail and moves a grant's "last opened" time).
 *
 * - Only paths under /api are judged; pages, static files and top-level navigations are not.
 * - A browser that sends Fetch Metadata must say `Sec-Fetch-Site: same-origin`. `same-site`
 *   (a sibling subdomain, another port of the same host: SameSite=Lax cookies are sent) and
 *   `cross-site` are refused; so is `none` (an address typed or bookmarked, a link from
 *   another application): the API serves the app's scripts, not the address bar, and
 *   nothing in the app navigates to it.
 * - Without Fetch Metadata (an older browser, a script) the app's client header
 *   (`apiClientHeader`) must be present: a browser cannot add it cross-origin without a
 *   preflight the server never approves.
 *
 * `pathname` is the URL's path as received (percent-encoded); it is decoded before being
 * judged so that an encoded spelling of /api is judged like /api. `crossOriginApiRoutes`
 * are exempt.
 */
export function isApiRequestFromElsewhere(pathname: string, headers: Headers): boolean {
  const path = decodedPath(pathname);
  if (!/^\/+api(\/|$)/i.test(path)) return false;
  if (crossOriginApiRoutes.some((route) => matchesRoutePath(route.path, path))) return false;
  const fetchSite = headers.get("sec-fetch-site");
  if (fetchSite !== null) return fetchSite !== "same-origin";
  return !headers.get(apiClientHeader.name);
}

/**
 * Whether a request path is a route table path, a `[name]` segment matching any one non-empty
 * segment (`/api/shl/[shlId]` matches `/api/shl/abc`, not `/api/shl/abc/x` nor `/api/shl/`).
 */
export function matchesRoutePath(routePath: string, path: string): boolean {
  const routeSegments = routePath.split("/");
  const segments = path.split("/");
  return (
    routeSegments.length === segments.length &&
    routeSegments.every((part, index) => (/^\[[^\]]+\]$/.test(part) ? segments[index] !== "" : part === segments[index]))
  );
}

function decodedPath(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    // Malformed percent-encoding: judged as sent (and refused if it names the API).
    return pathname;
  }
}

/**
 * Whether a request must be refused before anything acts on it (403 `cross-origin-refused`):
 * an API request from somewhere other than the app's own pages (`isApiRequestFromElsewhere`),
 * or a state-changing request from another origin (`isCrossOriginWrite`), except on the CSP
 * report endpoint (browsers send violation reports without the page's Origin; it only logs,
 * under a rate limit) and the SMART Health Link routes, which any viewer on any site calls.
 * Judged by proxy.ts for pages and by the route wrapper (lib/http/route.ts) for every API
 * route, which the proxy does not run for (see its matcher).
 */
export function isRefusedAsFromElsewhere(pathname: string, method: string, headers: Headers, appOrigin: string): boolean {
  if (isApiRequestFromElsewhere(pathname, headers)) return true;
  return pathname !== cspReportPath && !isShlPath(pathname) && isCrossOriginWrite(method, headers, appOrigin);
}

/** The refusal of a request `isRefusedAsFromElsewhere` judged to come from elsewhere (403). */
export function refusedFromElsewhere(): AppError {
  return new AppError("cross-origin-refused", "This request must come from the app's own pages.");
}

import "server-only";
import { apiClientHeader } from "@/contract/api-client-header";
import { cspReportPath } from "@/lib/http/security-headers";

/**
 * The API routes other sites may call, each with why. Every other path under /api answers
 * only the app's own pages (see `isApiRequestFromElsewhere`). A route meant for other sites
 * (say, SMART Health Links) is added here explicitly, with its reason, and must not act on
 * the caller's session: a sibling site's request carries the person's cookies.
 */
export const crossOriginApiRoutes: ReadonlyArray<{ path: string; why: string }> = [
  { path: "/api/health", why: "Load balancers and monitors probe it; it reads nobody's data and writes nothing." },
  { path: cspReportPath, why: "Browsers send violation reports themselves, without the page's headers; the route only logs, under a rate limit." },
];

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
  if (crossOriginApiRoutes.some((route) => route.path === path)) return false;
  const fetchSite = headers.get("sec-fetch-site");
  if (fetchSite !== null) return fetchSite !== "same-origin";
  return !headers.get(apiClientHeader.name);
}

function decodedPath(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    // Malformed percent-encoding: judged as sent (and refused if it names the API).
    return pathname;
  }
}

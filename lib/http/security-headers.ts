import "server-only";
import { cryptoReady, toBase64 } from "@/crypto";
import values from "./security-headers.json";

/** At least 128 random bits, as CSP Level 3 asks of a nonce. */
export const nonceBytes = 18;

/** A fresh nonce for one response's CSP: `nonceBytes` random bytes as standard base64. */
export async function createNonce(): Promise<string> {
  await cryptoReady();
  return toBase64(crypto.getRandomValues(new Uint8Array(nonceBytes)));
}

/**
 * The page policy. Scripts run only with this response's nonce (and what those scripts
 * load, through 'strict-dynamic'); 'wasm-unsafe-eval' lets libsodium compile its
 * WebAssembly and nothing more. Development needs 'unsafe-eval' for React's tooling.
 */
/** Where browsers send CSP violation reports (rate limited; logged as directive and origin only). */
export const cspReportPath = "/api/csp-reports";

/**
 * What the link viewer page (/links/open) may fetch besides the app: a SMART Health Link's
 * manifest and files live on any https server, or on a loopback one in tests and development.
 * The fetching and decrypting happen in the browser; the server never fetches outside URLs.
 */
export const linkViewerConnectSrc = "'self' https: http://localhost:* http://127.0.0.1:*";

/** The page whose CSP lets it fetch any https origin (`linkViewerConnectSrc`): exactly /links/open and below. */
export const isLinkViewerPath = (pathname: string) => /^\/links\/open(\/|$)/.test(pathname);

export function contentSecurityPolicy(nonce: string, { development, linkViewer = false }: { development: boolean; linkViewer?: boolean }): string {
  const directives = [
    "default-src 'self'",
    `script-src 'nonce-${nonce}' 'strict-dynamic' 'wasm-unsafe-eval'${development ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' blob: data:",
    "font-src 'self'",
    `connect-src ${linkViewer ? linkViewerConnectSrc : "'self'"}`,
    "worker-src 'self' blob:",
    "frame-src 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    `report-uri ${cspReportPath}`,
  ];
  return directives.join("; ");
}

/**
 * Headers every response carries, pages and API alike. The values live in
 * security-headers.json, which the server that serves the build (scripts/server.mjs) also
 * reads: it puts them, with the JSON's fallback CSP, on every response before Next and this
 * proxy see the request, so that the answers Next gives before the proxy runs (a redirect
 * that drops a trailing slash or a doubled slash) carry them too.
 */
export function securityHeaders(): Record<string, string> {
  return { ...values.headers };
}

const safeMethods = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * A state-changing request is accepted only from the app's own origin. Browsers send
 * Origin on every non-GET request; a request without it did not come from a page.
 */
export function isCrossOriginWrite(method: string, headers: Headers, appOrigin: string): boolean {
  if (safeMethods.has(method.toUpperCase())) return false;
  const fetchSite = headers.get("sec-fetch-site");
  if (fetchSite && fetchSite !== "same-origin" && fetchSite !== "none") return true;
  return headers.get("origin") !== appOrigin;
}

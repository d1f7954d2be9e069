import "server-only";

/** At least 128 random bits, as CSP Level 3 asks of a nonce. */
export const nonceBytes = 18;

export function createNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(nonceBytes));
  return btoa(String.fromCharCode(...bytes));
}

/**
 * The page policy. Scripts run only with this response's nonce (and what those scripts
 * load, through 'strict-dynamic'); 'wasm-unsafe-eval' lets libsodium compile its
 * WebAssembly and nothing more. Development needs 'unsafe-eval' for React's tooling.
 */
/** Where browsers send CSP violation reports (rate limited; logged as directive and origin only). */
export const cspReportPath = "/api/csp-reports";

export function contentSecurityPolicy(nonce: string, { development }: { development: boolean }): string {
  const directives = [
    "default-src 'self'",
    `script-src 'nonce-${nonce}' 'strict-dynamic' 'wasm-unsafe-eval'${development ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "connect-src 'self'",
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

/** Headers every response carries, pages and API alike. */
export function securityHeaders(): Record<string, string> {
  return {
    "strict-transport-security": "max-age=63072000; includeSubDomains",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(self), microphone=(), geolocation=(), payment=(), usb=()",
  };
}

const safeMethods = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * A state-changing request is accepted only from the app's own origin. Browsers send
 * Origin on every non-GET request; a request without it did not come from a page.
 */
export function isCrossOriginWrite(
  method: string,
  headers: Headers,
  appOrigin: string,
): boolean {
  if (safeMethods.has(method.toUpperCase())) return false;
  const fetchSite = headers.get("sec-fetch-site");
  if (fetchSite && fetchSite !== "same-origin" && fetchSite !== "none") return true;
  return headers.get("origin") !== appOrigin;
}

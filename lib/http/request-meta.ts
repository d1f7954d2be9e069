import "server-only";

/**
 * The client address for rate limiting. Next sets X-Forwarded-For from the socket only
 * when the request has none, and a reverse proxy appends the address it saw, so the
 * last entry is the nearest hop we can attribute. Deployments put a proxy in front that
 * overwrites the header; per-account limits never depend on it.
 */
export function clientAddress(request: Request): string {
  const forwarded = request.headers.get("x-forwarded-for");
  const last = forwarded?.split(",").at(-1)?.trim();
  return last && last.length <= 64 ? last : "unknown";
}

import "server-only";
import { cookies } from "next/headers";
import { sessionCookieName } from "./session-store";

/** HttpOnly so page scripts never see it; Lax so links from elsewhere still sign you in to GET pages. */
export async function setSessionCookie(token: string, expiresAt: Date): Promise<void> {
  (await cookies()).set(sessionCookieName, token, {
    httpOnly: true,
    secure: true,
    sameSite: "lax",
    path: "/",
    expires: expiresAt,
  });
}

export async function clearSessionCookie(): Promise<void> {
  (await cookies()).set(sessionCookieName, "", { httpOnly: true, secure: true, sameSite: "lax", path: "/", maxAge: 0 });
}

export async function sessionToken(): Promise<string | undefined> {
  return (await cookies()).get(sessionCookieName)?.value;
}

/**
 * The session cookie's value read from a request's own `Cookie` header, as `sessionToken`
 * (Next's `cookies()`) reads it: pairs split on `;` and spaces, the last pair of that name
 * wins, its value URI-decoded (a bare name is "true") (a value that does not decode is skipped, as there). For the
 * chart read (lib/records/chart-service.ts), whose every request paid for `cookies()`'s
 * request-store lookup and full parse of every cookie. Undefined when there is none.
 */
export function sessionTokenOf(headers: Headers): string | undefined {
  const header = headers.get("cookie");
  if (!header) return undefined;
  let token: string | undefined;
  for (const pair of header.split(/; */)) {
    const splitAt = pair.indexOf("=");
    if (splitAt === -1) {
      if (pair === sessionCookieName) token = "true";
      continue;
    }
    if (pair.slice(0, splitAt) !== sessionCookieName) continue;
    try {
      token = decodeURIComponent(pair.slice(splitAt + 1));
    } catch {
      // As cookies() does: a value that does not decode leaves the earlier one.
    }
  }
  return token;
}

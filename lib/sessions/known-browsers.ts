import "server-only";
import { randomBytes } from "node:crypto";
import { and, eq, inArray, sql } from "drizzle-orm";
import { cookies } from "next/headers";
import { knownBrowsers } from "@/drizzle/schema";
import type { Executor } from "@/lib/db";
import { hashSessionToken } from "./session-store";

/** `__Host-`: Secure, path /, no Domain; HttpOnly, so page scripts never read it. */
export const browserCookieName = "__Host-hsc-browser";
/** Chrome caps a cookie's life at 400 days (RFC 6265bis §5.6.1 "cookie-max-age"). */
const browserCookieMaxAgeSeconds = 400 * 24 * 3600;
/** The most browsers remembered per account; the least recently seen is forgotten first. */
export const knownBrowsersPerAccount = 50;

const tokenPattern = /^[A-Za-z0-9_-]{43}$/;

/**
 * Whether `token` (the browser cookie's value) names a browser `userId` signed in from before;
 * either way it is remembered (or its last-seen time moved) from now on, and the account keeps
 * at most `knownBrowsersPerAccount` browsers. Only SHA-256 of the token is stored.
 * @returns "known" or "new"
 */
export async function rememberBrowser(db: Executor, userId: string, token: string, now: Date = new Date()): Promise<"known" | "new"> {
  const tokenHash = hashSessionToken(token);
  const inserted = await db
    .insert(knownBrowsers)
    .values({ userId, tokenHash, firstSeenAt: now, lastSeenAt: now })
    .onConflictDoNothing()
    .returning({ userId: knownBrowsers.userId });
  if (inserted.length === 0) {
    await db
      .update(knownBrowsers)
      .set({ lastSeenAt: now })
      .where(and(eq(knownBrowsers.userId, userId), eq(knownBrowsers.tokenHash, tokenHash)));
    return "known";
  }
  const stale = db
    .select({ tokenHash: knownBrowsers.tokenHash })
    .from(knownBrowsers)
    .where(eq(knownBrowsers.userId, userId))
    .orderBy(sql`${knownBrowsers.lastSeenAt} desc`)
    .offset(knownBrowsersPerAccount);
  await db.delete(knownBrowsers).where(and(eq(knownBrowsers.userId, userId), inArray(knownBrowsers.tokenHash, stale)));
  return "new";
}

/**
 * This browser's token from its cookie, made (and the cookie set, 400 days) when it has none or
 * a malformed one: 256 random bits, base64url. Route handlers and server actions only (it may set a cookie).
 */
export async function browserToken(): Promise<string> {
  const jar = await cookies();
  const existing = jar.get(browserCookieName)?.value;
  if (existing && tokenPattern.test(existing)) return existing;
  const token = randomBytes(32).toString("base64url");
  jar.set(browserCookieName, token, { httpOnly: true, secure: true, sameSite: "lax", path: "/", maxAge: browserCookieMaxAgeSeconds });
  return token;
}

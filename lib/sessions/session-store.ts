import "server-only";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { and, eq, isNull, lt, ne, sql } from "drizzle-orm";
import { sessions, users } from "@/drizzle/schema";
import { cryptoReady, toBase64url } from "@/crypto";
import type { Database } from "@/lib/db";
import { preparedQuery } from "@/lib/db/prepared-queries";
import { AppError } from "@/lib/errors";

/** `__Host-`: Secure, path /, no Domain, so no sibling host can set or read it. */
export const sessionCookieName = "__Host-hsc-session";

export interface SessionPolicy {
  idleMs: number;
  maxMs: number;
}

type SessionRow = typeof sessions.$inferSelect;

/**
 * The signed-in person's session: its id, who, their role, when it started, and when its person
 * last made a passkey assertion with user verification (null: not since this column existed).
 */
export type ActiveSession = Pick<SessionRow, "userId" | "createdAt" | "verifiedAt"> & {
  sessionId: SessionRow["id"];
  role: (typeof users.$inferSelect)["role"];
};

/** Only this hash is stored: a database leak yields no usable cookie. */
export function hashSessionToken(token: string): Uint8Array {
  return new Uint8Array(createHash("sha256").update(token, "utf8").digest());
}

/**
 * Starts a session and returns the opaque token for the cookie (256 random bits). Every caller
 * has just verified a passkey ceremony with user verification (sign-in, sign-up, recovery), so
 * the session starts verified (see lib/auth/fresh-proof.ts).
 */
export async function startSession(
  db: Database,
  userId: string,
  policy: SessionPolicy,
  now: Date = new Date(),
): Promise<{ token: string; sessionId: string; expiresAt: Date }> {
  await assertAccountEnabled(db, userId);
  await cryptoReady();
  const token = toBase64url(randomBytes(32));
  const sessionId = randomUUID();
  const expiresAt = new Date(now.getTime() + policy.maxMs);
  await db.insert(sessions).values({
    id: sessionId,
    userId,
    tokenHash: hashSessionToken(token),
    createdAt: now,
    lastSeenAt: now,
    expiresAt,
    verifiedAt: now,
  });
  return { token, sessionId, expiresAt };
}

/**
 * Throws AppError "account-disabled" (403) when an administrator has disabled the account: it
 * may not sign in, recover or start a session until enabled again (lib/admin/account-status.ts).
 */
export async function assertAccountEnabled(db: Database, userId: string): Promise<void> {
  const [user] = await db.select({ disabledAt: users.disabledAt }).from(users).where(eq(users.id, userId));
  if (user?.disabledAt) {
    throw new AppError(
      "account-disabled",
      "This account has been disabled by an administrator of this service, so it cannot sign in. Contact them to have it enabled again.",
    );
  }
}

/**
 * How stale a session's last-seen time may get before a request writes it again: a tenth of
 * the idle timeout, at most a minute. Reads then cost no write most of the time, and the
 * idle timeout is kept to within this much (a session may end up to this much early, never late).
 */
export function sessionTouchIntervalMs(policy: SessionPolicy): number {
  return Math.min(60_000, Math.floor(policy.idleMs / 10));
}

/**
 * The SQL of a live session, for a statement that checks the session and acts in one round
 * trip (lib/records/chart-read.ts): the row (id, user_id) of the session whose token hash is
 * the parameter `tokenHash`, not ended, seen at or after `idleSince` (now minus the idle
 * timeout), expiring after `now`, of an enabled account, and of `role` when given: exactly
 * what `resolveSession` accepts (a session it would end yields no row here; the caller then
 * takes `resolveSession`'s path, which ends it). Parameters are given as their `$n` names.
 */
export function liveSessionSql(tokenHash: string, now: string, idleSince: string, role?: (typeof users.$inferSelect)["role"]): string {
  return `select s.id, s.user_id from sessions s join users u on u.id = s.user_id
    where s.token_hash = ${tokenHash} and s.ended_at is null and s.last_seen_at >= ${idleSince}::timestamptz
      and s.expires_at > ${now}::timestamptz and u.disabled_at is null${role ? ` and u.role = '${role}'` : ""}`;
}

/** Every request's first statement, so built once (lib/db/prepared-queries.ts). */
const sessionByTokenHash = preparedQuery((db) =>
  db
    .select({
      id: sessions.id,
      userId: sessions.userId,
      createdAt: sessions.createdAt,
      lastSeenAt: sessions.lastSeenAt,
      expiresAt: sessions.expiresAt,
      verifiedAt: sessions.verifiedAt,
      role: users.role,
      disabledAt: users.disabledAt,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, sql.placeholder("tokenHash")), isNull(sessions.endedAt)))
    .prepare("session_by_token_hash"),
);

/**
 * The session a cookie token belongs to, if it has not ended, expired or sat idle for
 * too long; using it keeps it alive (unless `touch` is false: a request that is no activity
 * of the person's, such as a live stream's poll). Its last-seen time is written only when it is older than
 * `sessionTouchIntervalMs`, so most requests read the session without writing anything.
 * An idle or expired session is ended for good.
 */
export async function resolveSession(
  db: Database,
  token: string,
  policy: SessionPolicy,
  now: Date = new Date(),
  { touch = true }: { touch?: boolean } = {},
): Promise<ActiveSession | null> {
  const [row] = await sessionByTokenHash(db).execute({ tokenHash: hashSessionToken(token) });
  if (!row) return null;
  const idle = now.getTime() - row.lastSeenAt.getTime() > policy.idleMs;
  if (idle || now >= row.expiresAt || row.disabledAt) {
    await db.update(sessions).set({ endedAt: now }).where(eq(sessions.id, row.id));
    return null;
  }
  const touchBefore = new Date(now.getTime() - sessionTouchIntervalMs(policy));
  if (touch && row.lastSeenAt < touchBefore) {
    // Conditional, so two requests racing never move the time backwards nor write it twice.
    await db
      .update(sessions)
      .set({ lastSeenAt: now })
      .where(and(eq(sessions.id, row.id), lt(sessions.lastSeenAt, touchBefore)));
  }
  return { sessionId: row.id, userId: row.userId, role: row.role, createdAt: row.createdAt, verifiedAt: row.verifiedAt };
}

/** Records that the session's person has just made a verified passkey assertion (a fresh proof). */
export async function markSessionVerified(db: Database, sessionId: string, now: Date = new Date()): Promise<void> {
  await db
    .update(sessions)
    .set({ verifiedAt: now })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.endedAt)));
}

export async function endSession(db: Database, sessionId: string, now: Date = new Date()): Promise<void> {
  await db
    .update(sessions)
    .set({ endedAt: now })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.endedAt)));
}

/** Ends every session of a user except `keepSessionId` (all of them when it is null). */
export async function endOtherSessions(db: Database, userId: string, keepSessionId: string | null, now: Date = new Date()): Promise<number> {
  const conditions = [eq(sessions.userId, userId), isNull(sessions.endedAt)];
  if (keepSessionId) conditions.push(ne(sessions.id, keepSessionId));
  const ended = await db
    .update(sessions)
    .set({ endedAt: now })
    .where(and(...conditions))
    .returning({ id: sessions.id });
  return ended.length;
}

/** One of a person's active sessions, for the security page; `current` marks the one asking. */
export type SessionSummary = Pick<SessionRow, "id" | "createdAt" | "lastSeenAt"> & { current: boolean };

export async function listActiveSessions(
  db: Database,
  userId: string,
  currentSessionId: string,
  policy: SessionPolicy,
  now: Date = new Date(),
): Promise<SessionSummary[]> {
  const rows = await db
    .select({ id: sessions.id, createdAt: sessions.createdAt, lastSeenAt: sessions.lastSeenAt, expiresAt: sessions.expiresAt })
    .from(sessions)
    .where(and(eq(sessions.userId, userId), isNull(sessions.endedAt)));
  return rows
    .filter((row) => row.expiresAt > now && now.getTime() - row.lastSeenAt.getTime() <= policy.idleMs)
    .map((row) => ({ id: row.id, createdAt: row.createdAt, lastSeenAt: row.lastSeenAt, current: row.id === currentSessionId }))
    .sort((a, b) => b.lastSeenAt.getTime() - a.lastSeenAt.getTime());
}

import "server-only";
import { randomBytes, randomUUID } from "node:crypto";
import { and, eq, gt, isNotNull, isNull, lte, or } from "drizzle-orm";
import { webauthnChallenges } from "@/drizzle/schema";
import { cryptoReady, toBase64url } from "@/crypto";
import type { Database } from "@/lib/db";
import { AppError } from "@/lib/errors";

export type Ceremony = (typeof webauthnChallenges.$inferSelect)["ceremony"];

export const challengeLifetimeMs = 5 * 60_000;

export interface IssuedChallenge {
  id: string;
  /** base64url, 256 random bits. */
  challenge: string;
  expiresAt: Date;
}

/** A fresh challenge, bound to one ceremony and (where known) one user. */
export async function issueChallenge(db: Database, ceremony: Ceremony, userId: string | null, now: Date = new Date()): Promise<IssuedChallenge> {
  await cryptoReady();
  const issued = {
    id: randomUUID(),
    challenge: toBase64url(randomBytes(32)),
    expiresAt: new Date(now.getTime() + challengeLifetimeMs),
  };
  await db.insert(webauthnChallenges).values({ ...issued, ceremony, userId, createdAt: now });
  return issued;
}

/**
 * Deletes the challenges that can no longer be used: expired or consumed (a consumed one is
 * refused as readily when it is gone). lib/auth/upkeep.ts runs it on a schedule. Returns
 * how many went.
 */
export async function sweepChallenges(db: Database, now: Date = new Date()): Promise<number> {
  const removed = await db
    .delete(webauthnChallenges)
    .where(or(lte(webauthnChallenges.expiresAt, now), isNotNull(webauthnChallenges.consumedAt)))
    .returning({ id: webauthnChallenges.id });
  return removed.length;
}

/**
 * Consumes a challenge exactly once. The conditional update is atomic, so two requests
 * racing with the same challenge cannot both succeed. Whatever the reason for refusal
 * (unknown, used, expired, other ceremony, other user) the answer is the same.
 */
export async function consumeChallenge(
  db: Database,
  challenge: string,
  ceremony: Ceremony,
  userId: string | null,
  now: Date = new Date(),
): Promise<{ id: string; userId: string | null }> {
  const conditions = [
    eq(webauthnChallenges.challenge, challenge),
    eq(webauthnChallenges.ceremony, ceremony),
    isNull(webauthnChallenges.consumedAt),
    gt(webauthnChallenges.expiresAt, now),
  ];
  if (userId) conditions.push(eq(webauthnChallenges.userId, userId));
  const [row] = await db
    .update(webauthnChallenges)
    .set({ consumedAt: now })
    .where(and(...conditions))
    .returning({ id: webauthnChallenges.id, userId: webauthnChallenges.userId });
  if (!row) throw new AppError("unauthenticated", "This sign-in attempt has expired or was already used. Please try again.");
  return row;
}

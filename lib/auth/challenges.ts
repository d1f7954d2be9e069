import "server-only";
import { randomBytes, randomUUID } from "node:crypto";
import { and, eq, gt, isNull, lt } from "drizzle-orm";
import { webauthnChallenges } from "@/drizzle/schema";
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
export async function issueChallenge(
  db: Database,
  ceremony: Ceremony,
  userId: string | null,
  now: Date = new Date(),
): Promise<IssuedChallenge> {
  const issued = {
    id: randomUUID(),
    challenge: randomBytes(32).toString("base64url"),
    expiresAt: new Date(now.getTime() + challengeLifetimeMs),
  };
  await db.insert(webauthnChallenges).values({ ...issued, ceremony, userId, createdAt: now });
  // Old challenges are worthless; sweeping here keeps the table small without a job.
  await db.delete(webauthnChallenges).where(lt(webauthnChallenges.expiresAt, new Date(now.getTime() - 3_600_000)));
  return issued;
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

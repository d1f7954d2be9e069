import "server-only";
import { sql } from "drizzle-orm";
import { rateLimitBuckets } from "@/drizzle/schema";
import type { Database } from "@/lib/db";
import { AppError } from "@/lib/errors";

export interface RateLimitRule {
  /** Names the limit, e.g. "auth:address"; the bucket key is `${name}:${subject}`. */
  name: string;
  limit: number;
  windowSeconds: number;
}

export interface RateLimitOutcome {
  allowed: boolean;
  remaining: number;
  retryAfterSeconds: number;
}

/**
 * Counts one attempt in a fixed window held in the database, so every server instance
 * sees the same count. One atomic upsert: concurrent attempts never undercount.
 */
export async function countAttempt(
  db: Database,
  rule: RateLimitRule,
  subject: string,
  now: Date = new Date(),
): Promise<RateLimitOutcome> {
  const windowStartsAfter = new Date(now.getTime() - rule.windowSeconds * 1000);
  const expired = sql`${rateLimitBuckets.windowStart} <= ${windowStartsAfter.toISOString()}::timestamptz`;
  const [row] = await db
    .insert(rateLimitBuckets)
    .values({ key: `${rule.name}:${subject}`, windowStart: now, count: 1 })
    .onConflictDoUpdate({
      target: rateLimitBuckets.key,
      set: {
        count: sql`case when ${expired} then 1 else ${rateLimitBuckets.count} + 1 end`,
        windowStart: sql`case when ${expired} then ${now.toISOString()}::timestamptz else ${rateLimitBuckets.windowStart} end`,
      },
    })
    .returning({ count: rateLimitBuckets.count, windowStart: rateLimitBuckets.windowStart });
  const count = row?.count ?? 1;
  const windowEnds = (row?.windowStart ?? now).getTime() + rule.windowSeconds * 1000;
  return {
    allowed: count <= rule.limit,
    remaining: Math.max(0, rule.limit - count),
    retryAfterSeconds: Math.max(1, Math.ceil((windowEnds - now.getTime()) / 1000)),
  };
}

/** Counts the attempt against every rule and throws 429 if any is exceeded. */
export async function enforceRateLimits(
  db: Database,
  checks: Array<{ rule: RateLimitRule; subject: string }>,
  now: Date = new Date(),
): Promise<void> {
  let retryAfterSeconds = 0;
  for (const { rule, subject } of checks) {
    const outcome = await countAttempt(db, rule, subject, now);
    if (!outcome.allowed) retryAfterSeconds = Math.max(retryAfterSeconds, outcome.retryAfterSeconds);
  }
  if (retryAfterSeconds > 0) {
    throw new AppError("rate-limited", "Too many attempts. Please wait a moment and try again.", { retryAfterSeconds });
  }
}

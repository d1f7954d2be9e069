import "server-only";
import { lte, sql } from "drizzle-orm";
import { rateLimitBuckets } from "@/drizzle/schema";
import type { Database } from "@/lib/db";
import { durationInWords } from "@/client/format";
import { AppError } from "@/lib/errors";
import { noteSecurityEvent } from "@/lib/security-tallies";

export interface RateLimitRule {
  /** Names the limit, e.g. "auth:address"; the bucket key is `${name}:${subject}`. */
  name: string;
  limit: number;
  windowSeconds: number;
  /**
   * What a refusal under this rule says before the wait ("Too many searches from this
   * account"). Without it, a rule counted per address ("…:address", "…:address-account")
   * says "Too many attempts from this network", any other "Too many attempts".
   */
  refusal?: string;
}

export interface RateLimitOutcome {
  allowed: boolean;
  remaining: number;
  retryAfterSeconds: number;
}

/** No rule's window is longer, so a bucket whose window began this long ago is finished and can go. */
export const longestWindowSeconds = 3600;

/**
 * Counts one attempt in a fixed window held in the database, so every server instance
 * sees the same count. One atomic upsert: concurrent attempts never undercount.
 */
export async function countAttempt(db: Database, rule: RateLimitRule, subject: string, now: Date = new Date()): Promise<RateLimitOutcome> {
  if (rule.windowSeconds > longestWindowSeconds)
    throw new Error(`rate-limit rule ${rule.name}: a window longer than ${longestWindowSeconds} s would be swept early`);
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

const refusalOf = (rule: RateLimitRule) => rule.refusal ?? (/:address(-|$)/.test(rule.name) ? "Too many attempts from this network" : "Too many attempts");

/**
 * The 429 for a refusal: `what` ("Too many attempts from this network"), then how long to
 * wait in plain words, from the same seconds the Retry-After header carries
 * ("… Try again in 9 minutes."). A wait is never "a moment": windows last minutes to an hour.
 */
export function rateLimited(what: string, retryAfterSeconds: number): AppError {
  return new AppError("rate-limited", `${what}. Try again in ${durationInWords(Math.max(1, Math.ceil(retryAfterSeconds)))}.`, { retryAfterSeconds });
}

/** Counts the attempt against every rule and throws 429 (`rateLimited`, worded by the rule that waits longest) if any is exceeded. */
export async function enforceRateLimits(db: Database, checks: Array<{ rule: RateLimitRule; subject: string }>, now: Date = new Date()): Promise<void> {
  let refusal: { rule: RateLimitRule; retryAfterSeconds: number } | null = null;
  for (const { rule, subject } of checks) {
    const outcome = await countAttempt(db, rule, subject, now);
    if (!outcome.allowed && outcome.retryAfterSeconds > (refusal?.retryAfterSeconds ?? 0)) refusal = { rule, retryAfterSeconds: outcome.retryAfterSeconds };
  }
  if (refusal) {
    noteSecurityEvent(db, "rate-limited", now);
    throw rateLimited(refusalOf(refusal.rule), refusal.retryAfterSeconds);
  }
}

/**
 * Deletes the buckets whose window has ended for every rule (begun `longestWindowSeconds`
 * or more ago): an attempt after that starts a new window anyway. lib/auth/upkeep.ts runs
 * it on a schedule. Returns how many went.
 */
export async function sweepRateLimitBuckets(db: Database, now: Date = new Date()): Promise<number> {
  const finishedBefore = new Date(now.getTime() - longestWindowSeconds * 1000);
  const removed = await db.delete(rateLimitBuckets).where(lte(rateLimitBuckets.windowStart, finishedBefore)).returning({ key: rateLimitBuckets.key });
  return removed.length;
}

import "server-only";
import { config } from "@/lib/config";
import type { Database } from "@/lib/db";
import { countAttempt, rateLimited, type RateLimitRule } from "@/lib/rate-limit";
import { noteSecurityEvent } from "@/lib/security-tallies";
import { countRepeatedAttempt } from "./audit-counts";
import { logAuditFailure } from "./audit-log";

/** Refused requests one account may make per 10 minutes (REFUSED_REQUEST_LIMIT_PER_ACTOR) before it is answered 429. */
export function refusedRequestRule(): RateLimitRule {
  return { name: "refused:actor", limit: config().refusedLimitPerActor, windowSeconds: 600 };
}

/** What a refused request tried to reach, when it exists: its owner's trail counts the attempt. */
export interface RefusedTarget {
  ownerId: string;
  recordId?: string | null;
  grantId?: string | null;
}

/**
 * Notes a refused request (a 404 or 403 on something not the caller's) before the caller
 * throws its refusal. Every refusal counts against the actor's limit, whether the target
 * exists or not, so the 429 tells a prober nothing the 404 did not. When the target exists
 * and is someone else's, the attempt is counted into its owner's trail (one event per
 * window, lib/audit/audit-counts.ts); a failure to count is logged and never replaces the
 * refusal. Throws AppError("rate-limited") once the actor is over the limit.
 */
export async function noteRefusal(db: Database, actorId: string, target: RefusedTarget | null, now: Date = new Date()): Promise<void> {
  const outcome = await countAttempt(db, refusedRequestRule(), actorId, now);
  if (target && target.ownerId !== actorId) {
    try {
      await countRepeatedAttempt(
        db,
        { subjectId: target.ownerId, actorId, action: "access-refused", outcome: "denied", recordId: target.recordId, grantId: target.grantId },
        now,
      );
    } catch (error) {
      // Not fatal: failing here only when the target exists would tell a prober it exists.
      logAuditFailure(error, { action: "access-refused", actorId });
    }
  }
  noteSecurityEvent(db, "request-refused", now);
  if (!outcome.allowed) {
    noteSecurityEvent(db, "rate-limited", now);
    throw rateLimited("Too many refused requests from this account", outcome.retryAfterSeconds);
  }
}

import "server-only";
import { sweepChallenges } from "./challenges";
import { getDatabase } from "@/lib/db";
import { logger } from "@/lib/log";
import { startPeriodicTask } from "@/lib/periodic-task";
import { sweepRateLimitBuckets } from "@/lib/rate-limit";
import { sweepSecurityTallies } from "@/lib/security-tallies";

/** Challenges live five minutes and rate-limit windows at most an hour: every ten minutes keeps both tables near their live size. */
const intervalMs = 10 * 60_000;

/**
 * Deletes spent WebAuthn challenges and finished rate-limit buckets, once at start-up and
 * every ten minutes, so that floods of sign-in attempts leave no lasting rows behind. Any
 * number of server instances may run it: each delete only removes rows nobody can use.
 */
export function startAuthUpkeep(): void {
  startPeriodicTask("auth-upkeep", intervalMs, async () => {
    const { db } = await getDatabase();
    const challenges = await sweepChallenges(db);
    const buckets = await sweepRateLimitBuckets(db);
    await sweepSecurityTallies(db);
    if (challenges + buckets > 0) logger().debug({ challenges, buckets }, "spent challenges and finished rate-limit windows removed");
  });
}

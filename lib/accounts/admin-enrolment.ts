import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import { config } from "@/lib/config";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/log";

/**
 * Administrators cannot be made by anyone who can reach the sign-up page: the operator sets
 * ADMIN_ENROLMENT_TOKEN and gives it to the person, whose sign-up must carry it. Long enough
 * that guessing it under the sign-up rate limit is hopeless; a shorter one is treated as
 * unset rather than trusted.
 */
export const minimumEnrolmentTokenLength = 32;

/** The token admin sign-up must carry, or null when admin enrolment is off. */
export function enrolmentTokenFrom(configured: string | undefined): string | null {
  return configured !== undefined && configured.length >= minimumEnrolmentTokenLength ? configured : null;
}

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

/**
 * Compared as SHA-256 digests, so both sides always have the same length and the time
 * taken says nothing about how much of a guess was right.
 */
export function enrolmentTokenMatches(expected: string | null, presented: string | undefined): boolean {
  if (expected === null || presented === undefined) return false;
  return timingSafeEqual(digest(expected), digest(presented));
}

/**
 * Refuses sign-up as an administrator unless it carries the configured token. Every refusal
 * (enrolment off, token too short, missing or wrong) gives the same answer, so the answer
 * does not tell whether admin enrolment is switched on.
 */
export function checkAdminEnrolment(role: string, presented: string | undefined, configured: string | undefined = config().adminEnrolmentToken): void {
  if (role !== "admin") return;
  if (!enrolmentTokenMatches(enrolmentTokenFrom(configured), presented)) {
    logger().warn("administrator sign-up refused");
    throw new AppError("enrolment-refused", "Administrator accounts can be created only with this deployment's enrolment token.");
  }
}

// Next may load this module more than once per process; the flag lives on globalThis so the
// warning is logged once.
const warnedKey = Symbol.for("health-safe-cloud.admin-enrolment-warned");
type GlobalWithFlag = typeof globalThis & { [warnedKey]?: boolean };

/**
 * Tells the operator, once per process (at start-up, from instrumentation.ts), that a token
 * was set but is too short to be used. Never logs the token.
 */
export function warnIfAdminEnrolmentDisabled(
  configured: string | undefined = config().adminEnrolmentToken,
  log: Pick<ReturnType<typeof logger>, "warn"> = logger(),
): void {
  const holder = globalThis as GlobalWithFlag;
  if (configured === undefined || enrolmentTokenFrom(configured) !== null || holder[warnedKey]) return;
  holder[warnedKey] = true;
  log.warn({ minimumLength: minimumEnrolmentTokenLength }, "ADMIN_ENROLMENT_TOKEN is shorter than the minimum length: administrator enrolment stays disabled");
}

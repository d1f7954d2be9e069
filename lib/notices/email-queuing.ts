import "server-only";
import { config } from "@/lib/config";
import type { EmailQueuing } from "./notice-store";

/** How long the first notice of a quiet spell waits before its email goes, so that a burst behind it folds into the same email. */
export const emailGatherMs = 60_000;

/** This deployment's email queuing: off without SMTP_URL, else one email per kind and person per NOTICE_EMAIL_INTERVAL_MINUTES. */
export function emailQueuing(): EmailQueuing {
  const { smtp, noticeEmailIntervalMs } = config();
  return smtp ? { enabled: true, intervalMs: noticeEmailIntervalMs, gatherMs: emailGatherMs } : { enabled: false };
}

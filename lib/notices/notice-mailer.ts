import "server-only";
import nodemailer from "nodemailer";
import { config } from "@/lib/config";
import { getDatabase } from "@/lib/db";
import { logger } from "@/lib/log";
import { startPeriodicTask } from "@/lib/periodic-task";
import { sendDueNoticeEmails } from "./notice-email";

/** How often each app server looks for emails that are due. */
const mailerIntervalMs = 30_000;

/**
 * Starts the email sender when SMTP_URL is set (nothing otherwise): every `mailerIntervalMs`,
 * on every instance at once, safely (sendDueNoticeEmails claims its rows). A failed send is
 * counted and retried by the outbox; the log names no address.
 */
export function startNoticeMailer(): void {
  const { smtp, appOrigin, noticeEmailIntervalMs } = config();
  if (!smtp) return;
  const transport = nodemailer.createTransport(smtp.url);
  startPeriodicTask("notice-emails", mailerIntervalMs, async () => {
    const { db } = await getDatabase();
    const outcome = await sendDueNoticeEmails(db, transport, { from: smtp.from, appOrigin, intervalMs: noticeEmailIntervalMs });
    if (outcome.failed > 0) logger().warn(outcome, "some notice emails could not be sent; they will be retried");
    else if (outcome.sent > 0) logger().info(outcome, "notice emails sent");
  });
}

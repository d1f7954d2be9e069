import "server-only";
import { getDatabase } from "@/lib/db";
import { startPeriodicTask } from "@/lib/periodic-task";
import { foldAuditInboxes } from "./audit-log";

/** How often each instance folds audit inboxes into their chains (ms). Short: a fold finding nothing is one indexed query. */
export const auditFoldIntervalMs = 2_000;

/**
 * Starts this process's periodic fold of audit inboxes (lib/audit/audit-log.ts
 * foldAuditInboxes). Safe on every instance at once: each person's fold takes the head row
 * with SKIP LOCKED, so two folders never wait on each other nor chain an event twice. Keeps
 * inboxes short, so a trail read or a locked append rarely has much to fold.
 */
export function startAuditFolder(): void {
  startPeriodicTask("audit-fold", auditFoldIntervalMs, async () => {
    const { db } = await getDatabase();
    await foldAuditInboxes(db);
  });
}

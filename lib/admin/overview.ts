import "server-only";
import { and, count, gt, isNull, sql } from "drizzle-orm";
import type { z } from "zod";
import type { adminOverviewSchema } from "@/contract/admin-console";
import type { HealthReport } from "@/contract/system";
import { auditInbox, blobs, grants, importRecords, keyRotations, records, recordVersions, shlLinks, users } from "@/drizzle/schema";
import type { Database } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { getHealth } from "@/lib/health";
import { activeGrant } from "@/lib/records/grant-coverage";
import { periodicTaskStatuses } from "@/lib/periodic-task";
import { securityEventCounts } from "@/lib/security-tallies";

type AdminOverview = z.input<typeof adminOverviewSchema>;

/** How far back the console's security events reach. */
export const securityWindowMs = 24 * 3_600_000;

/**
 * The console's figures, each one query over the whole deployment: accounts by role (and how
 * many are disabled), records, bytes stored (padded record versions, staged imports and
 * files at their declared size), active grants and links, the key-rotation queue, health
 * (lib/health.ts, the audit backlog, this instance's periodic tasks) and the security events
 * of the last 24 hours. Counts only: no record, name or key. `health` is lib/health.ts unless a test gives its own.
 */
export async function adminOverview(db: Database, now: Date = new Date(), health: () => Promise<HealthReport> = getHealth): Promise<AdminOverview> {
  const [roles, [disabled], [recordCount], [versionBytes], [stagedBytes], [fileBytes], [grantCount], [linkCount], [rotations], [backlog], security] =
    await Promise.all([
      db.select({ role: users.role, n: count() }).from(users).groupBy(users.role),
      db
        .select({ n: count() })
        .from(users)
        .where(sql`${users.disabledAt} is not null`),
      db.select({ n: count() }).from(records),
      db.select({ bytes: sql<string>`coalesce(sum(${recordVersions.paddedSize}), 0)` }).from(recordVersions),
      db.select({ bytes: sql<string>`coalesce(sum(${importRecords.paddedSize}), 0)` }).from(importRecords),
      db.select({ bytes: sql<string>`coalesce(sum(${blobs.chunkSize}::bigint * coalesce(${blobs.chunkCount}, 0)), 0)` }).from(blobs),
      db.select({ n: count() }).from(grants).where(activeGrant(now)),
      db
        .select({ n: count() })
        .from(shlLinks)
        .where(and(isNull(shlLinks.revokedAt), isNull(shlLinks.disabledAt), gt(shlLinks.expiresAt, now))),
      db.select({ n: count() }).from(keyRotations),
      db.select({ n: count() }).from(auditInbox),
      securityEventCounts(db, new Date(now.getTime() - securityWindowMs)),
    ]);
  const byRole = new Map(roles.map((row) => [row.role, Number(row.n)]));
  let report: AdminOverview["health"]["report"] = null;
  let problem: string | null = null;
  try {
    report = await health();
  } catch (error) {
    if (!(error instanceof AppError && error.code === "service-unavailable")) throw error;
    problem = error.message;
  }
  return {
    accounts: {
      patient: byRole.get("patient") ?? 0,
      doctor: byRole.get("doctor") ?? 0,
      nurse: byRole.get("nurse") ?? 0,
      admin: byRole.get("admin") ?? 0,
      disabled: Number(disabled?.n ?? 0),
    },
    records: Number(recordCount?.n ?? 0),
    storageBytes: Number(versionBytes?.bytes ?? 0) + Number(stagedBytes?.bytes ?? 0) + Number(fileBytes?.bytes ?? 0),
    activeGrants: Number(grantCount?.n ?? 0),
    activeLinks: Number(linkCount?.n ?? 0),
    rotationQueue: Number(rotations?.n ?? 0),
    health: {
      report,
      problem,
      auditBacklog: Number(backlog?.n ?? 0),
      background: periodicTaskStatuses().map((task) => {
        const since = (task.lastFinishedAt ?? task.startedAt).getTime();
        return {
          name: task.name,
          intervalSeconds: task.intervalMs / 1000,
          lastFinishedAt: task.lastFinishedAt,
          lastOutcome: task.lastOutcome,
          overdue: now.getTime() - since > 2 * task.intervalMs + 60_000,
        };
      }),
    },
    security: {
      rateLimited: security["rate-limited"],
      refusedSignIns: security["sign-in-refused"],
      refusedRequests: security["request-refused"],
      since: new Date(now.getTime() - securityWindowMs),
    },
  };
}

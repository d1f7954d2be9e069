import "server-only";
import { and, asc, desc, eq, ilike, isNull, or, sql } from "drizzle-orm";
import type { z } from "zod";
import { adminAccountListMax, type adminAccountSchema } from "@/contract/admin-console";
import { clinicianDirectory, sessions, users } from "@/drizzle/schema";
import { appendAudit } from "@/lib/audit/audit-log";
import type { Database } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { appendAdminEvent } from "./admin-trail";
import { lockAccount } from "@/lib/db/row-locks";

type AdminAccount = z.input<typeof adminAccountSchema>;

const noSuchAccount = () => new AppError("not-found", "There is no such account.");

/**
 * Disables an account, in one transaction: its disabled time is set, every session it has ends
 * at once (and lib/sessions refuses it any new one), and the action joins the administration
 * trail and the account's own trail. From then on a disabled clinician's grants serve nothing
 * (lib/records/grant-coverage.ts `servingGrant`) and patients see the clinician as disabled.
 * Disabling an account already disabled changes nothing and records nothing. Returns whether
 * anything changed.
 * Throws AppError "not-found" (no such account), "conflict" (the administrator's own account,
 * or the last administrator still enabled).
 */
export async function disableAccount(db: Database, adminId: string, targetId: string, now: Date = new Date()): Promise<boolean> {
  if (adminId === targetId) throw new AppError("conflict", "You cannot disable your own account.");
  return db.transaction(async (tx) => {
    const target = await lockAccount(tx, targetId);
    if (!target) throw noSuchAccount();
    if (target.disabledAt) return false;
    if (target.role === "admin") {
      // Locked, so two administrators disabling each other at once cannot leave none.
      const enabled = await tx
        .select({ id: users.id })
        .from(users)
        .where(and(eq(users.role, "admin"), isNull(users.disabledAt)))
        .orderBy(asc(users.id))
        .for("no key update");
      if (enabled.filter((admin) => admin.id !== targetId).length === 0) {
        throw new AppError("conflict", "This is the last administrator: it cannot be disabled.");
      }
    }
    await tx.update(users).set({ disabledAt: now }).where(eq(users.id, targetId));
    await tx
      .update(sessions)
      .set({ endedAt: now })
      .where(and(eq(sessions.userId, targetId), isNull(sessions.endedAt)));
    await appendAdminEvent(tx, { actorId: adminId, action: "account-disabled", subjectId: targetId, outcome: "success" }, now);
    await appendAudit(tx, [{ subjectId: targetId, actorId: adminId, action: "account-disabled", outcome: "success" }], now);
    return true;
  });
}

/**
 * Enables a disabled account again: it may sign in, and a clinician's grants that are still
 * active serve again (a patient who revoked meanwhile keeps it revoked). Enabling an account
 * that is not disabled changes nothing and records nothing. Returns whether anything changed.
 * Throws AppError "not-found" (no such account).
 */
export async function enableAccount(db: Database, adminId: string, targetId: string, now: Date = new Date()): Promise<boolean> {
  return db.transaction(async (tx) => {
    const target = await lockAccount(tx, targetId);
    if (!target) throw noSuchAccount();
    if (!target.disabledAt) return false;
    await tx.update(users).set({ disabledAt: null }).where(eq(users.id, targetId));
    await appendAdminEvent(tx, { actorId: adminId, action: "account-enabled", subjectId: targetId, outcome: "success" }, now);
    await appendAudit(tx, [{ subjectId: targetId, actorId: adminId, action: "account-enabled", outcome: "success" }], now);
    return true;
  });
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The console's short id: an account id's first 8 hex digits. */
const shortIdPattern = /^[0-9a-f]{8}$/i;

/**
 * Accounts for the console, newest first, at most `adminAccountListMax`: all of them, or those
 * whose id is `q`, whose id starts with `q` when it is the 8-digit short id the console shows,
 * or (clinicians) whose public directory name contains it. Ids, roles, times and
 * clinicians' public names only.
 */
export async function listAccounts(db: Database, q?: string): Promise<AdminAccount[]> {
  const pattern = q ? `%${q.replace(/[\\%_]/g, (char) => `\\${char}`)}%` : null;
  const rows = await db
    .select({ userId: users.id, role: users.role, createdAt: users.createdAt, disabledAt: users.disabledAt, displayName: clinicianDirectory.displayName })
    .from(users)
    .leftJoin(clinicianDirectory, eq(clinicianDirectory.userId, users.id))
    .where(
      q === undefined
        ? undefined
        : uuidPattern.test(q)
          ? or(eq(users.id, q.toLowerCase()), ilike(clinicianDirectory.displayName, pattern!))
          : shortIdPattern.test(q)
            ? or(sql`${users.id}::text like ${`${q.toLowerCase()}%`}`, ilike(clinicianDirectory.displayName, pattern!))
            : ilike(clinicianDirectory.displayName, pattern!),
    )
    .orderBy(desc(users.createdAt), sql`${users.id}`)
    .limit(adminAccountListMax);
  return rows.map((row) => ({ ...row, displayName: row.displayName ?? null }));
}

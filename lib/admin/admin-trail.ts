import "server-only";
import type { z } from "zod";
import { asc, desc, eq, gt, inArray, lt, and } from "drizzle-orm";
import { auditEventHash, auditGenesisHash, cryptoReady, toBase64url, type AuditEventFields } from "@/crypto";
import type { AdminTrailPageJson, adminActionSchema } from "@/contract/admin-console";
import { adminTrail, adminTrailHead, clinicianDirectory } from "@/drizzle/schema";
import type { Executor, Transaction } from "@/lib/db";

/**
 * The deployment's administration trail: one hash chain over every administrative action, in
 * the patient trail's own format (crypto/audit-chain.ts `auditEventHash`), so the browser
 * verifies it with the same code. In it, `subjectId` is the account an action was about and
 * `actorId` the administrator who took it; an administrative event names no record or grant.
 */

/** The head row's key: there is one administration trail per deployment. */
const headId = "deployment";

type AdminAction = z.infer<typeof adminActionSchema>;

/** What an administrator did to which account. */
export interface AdminEventInput {
  actorId: string;
  action: AdminAction;
  subjectId: string;
  outcome: "success" | "failure" | "denied";
}

type AdminTrailRow = typeof adminTrail.$inferSelect;

/** The hash fields of one stored event (the layout crypto/audit-chain.ts documents). */
export function adminEventFields(row: Pick<AdminTrailRow, "seq" | "actorId" | "action" | "subjectId" | "outcome" | "occurredAt">): AuditEventFields {
  return {
    subjectId: row.subjectId,
    seq: row.seq,
    actorId: row.actorId,
    action: row.action,
    recordId: null,
    grantId: null,
    outcome: row.outcome,
    occurredAt: row.occurredAt.getTime(),
  };
}

/**
 * Appends one event to the administration trail inside the action's own transaction, so the
 * action and its record commit together or not at all. The head row, locked first, orders
 * concurrent appends from any number of server instances. `now` is kept to the millisecond.
 * @throws the database's error (nothing is written then)
 */
export async function appendAdminEvent(tx: Transaction, event: AdminEventInput, now: Date = new Date()): Promise<void> {
  await cryptoReady();
  await tx.insert(adminTrailHead).values({ id: headId, seq: 0, hash: auditGenesisHash }).onConflictDoNothing();
  const [head] = await tx.select().from(adminTrailHead).where(eq(adminTrailHead.id, headId)).for("update");
  const row = { ...event, seq: head!.seq + 1, occurredAt: new Date(Math.floor(now.getTime())) };
  const hash = auditEventHash(head!.hash, adminEventFields(row));
  await tx.insert(adminTrail).values({ ...row, prevHash: head!.hash, hash });
  await tx.update(adminTrailHead).set({ seq: row.seq, hash }).where(eq(adminTrailHead.id, headId));
}

/**
 * One page of the administration trail, oldest first: the events after `after` (default 0),
 * or the `limit` events just before `before`; with the chain's head, the hash the page's first
 * event chains from, and the public directory names of the clinicians it names (patients have
 * no name the server knows).
 */
export async function adminTrailPage(db: Executor, query: { after?: number; before?: number; limit: number }): Promise<AdminTrailPageJson> {
  const [head] = await db.select().from(adminTrailHead).where(eq(adminTrailHead.id, headId));
  const rows =
    query.before !== undefined
      ? (await db.select().from(adminTrail).where(lt(adminTrail.seq, query.before)).orderBy(desc(adminTrail.seq)).limit(query.limit)).reverse()
      : await db
          .select()
          .from(adminTrail)
          .where(gt(adminTrail.seq, query.after ?? 0))
          .orderBy(asc(adminTrail.seq))
          .limit(query.limit);
  const ids = [...new Set(rows.flatMap((row) => [row.actorId, row.subjectId]))];
  const names = ids.length
    ? await db
        .select({ userId: clinicianDirectory.userId, displayName: clinicianDirectory.displayName })
        .from(clinicianDirectory)
        .where(inArray(clinicianDirectory.userId, ids))
    : [];
  return {
    head: { seq: head?.seq ?? 0, hash: toBase64url(head?.hash ?? auditGenesisHash) },
    previousHash: rows[0] ? toBase64url(rows[0].prevHash) : null,
    events: rows.map((row) => ({
      seq: row.seq,
      actorId: row.actorId,
      action: row.action as AdminEventInput["action"],
      subjectId: row.subjectId,
      outcome: row.outcome,
      occurredAt: row.occurredAt.toISOString(),
      hash: toBase64url(row.hash),
    })),
    names: Object.fromEntries(names.map((entry) => [entry.userId, entry.displayName])),
  };
}

/** Every stored event from `after` on, for tests and tools that check the whole chain. */
export async function adminTrailRows(db: Executor, after = 0) {
  return db
    .select()
    .from(adminTrail)
    .where(and(gt(adminTrail.seq, after)))
    .orderBy(asc(adminTrail.seq));
}

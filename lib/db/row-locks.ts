import "server-only";
import { and, asc, eq, sql } from "drizzle-orm";
import { careTeams, records, users } from "@/drizzle/schema";
import type { Transaction } from "./client";

/*
 * Rows locked to serialise work on what they stand for (an account's storage and state, a team's
 * key and membership) are locked FOR NO KEY UPDATE, never FOR UPDATE, unless the transaction
 * deletes the row. Two lockers exclude each other either way. The difference is the foreign-key
 * check of any insert that merely names the row (PostgreSQL takes FOR KEY SHARE on the parent):
 * FOR UPDATE makes that insert wait for the lock holder, and when the holder then waits for the
 * inserter the two deadlock. That happened: a record save held its owner's row while it created
 * the person's first audit head, and the audit fold, creating the same head, waited on the row
 * (PostgreSQL's log of an e2e run, 2 December 2026). PostgreSQL's manual, "Explicit Locking",
 * 13.3.2 Row-Level Locks.
 *
 * A patient's records are locked the same way, in id order, before any grant row: a revoke holds
 * its grant's row and queues the records for rotation (an insert naming them), while a key
 * rotation holding the records waited for that grant's row to wrap keys for it.
 */

/**
 * Locks the account's row until `tx` ends and returns its role and disabled time, or undefined
 * when there is no such account. See the module's comment for why FOR NO KEY UPDATE.
 */
export async function lockAccount(tx: Transaction, userId: string) {
  const [account] = await tx.select({ role: users.role, disabledAt: users.disabledAt }).from(users).where(eq(users.id, userId)).for("no key update");
  return account;
}

/** Locks the care team's row until `tx` ends and returns it, or undefined when there is no such team (FOR NO KEY UPDATE, as above). */
export async function lockCareTeam(tx: Transaction, teamId: string) {
  const [team] = await tx.select().from(careTeams).where(eq(careTeams.id, teamId)).for("no key update");
  return team;
}

/**
 * Locks the owner's records (all of them, or those of `ids` that are the owner's) in id order
 * until `tx` ends, FOR NO KEY UPDATE (see the module's comment), and returns each one's id,
 * current version and key version, in id order. Take it before any grant row.
 */
export async function lockOwnedRecords(tx: Transaction, ownerId: string, ids?: readonly string[]) {
  if (ids && ids.length === 0) return [];
  return (
    tx
      .select({ id: records.id, currentVersion: records.currentVersion, keyVersion: records.keyVersion })
      .from(records)
      // The ids as one uuid[] parameter: a batch of thousands stays one bind value and one statement text.
      .where(ids ? and(eq(records.ownerId, ownerId), sql`${records.id} = any(${sql.param([...ids])}::uuid[])`) : eq(records.ownerId, ownerId))
      .orderBy(asc(records.id))
      .for("no key update")
  );
}

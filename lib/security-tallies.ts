import "server-only";
import { and, gte, lt, sql } from "drizzle-orm";
import { securityTallies } from "@/drizzle/schema";
import type { Database } from "@/lib/db";
import { logUnexpected } from "@/lib/log";

/**
 * Security events counted per kind and hour, for the administration console: how many requests
 * were answered 429, how many sign-ins were refused, how many requests were refused as not the
 * caller's. Counts only: never who, from where or at what.
 */
export type SecurityEventKind = "rate-limited" | "sign-in-refused" | "request-refused";

const hourOf = (now: Date) => new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000);

/** Adds one event of `kind` to the current hour's count (one atomic upsert, safe from every instance at once). */
export async function tallySecurityEvent(db: Database, kind: SecurityEventKind, now: Date = new Date()): Promise<void> {
  await db
    .insert(securityTallies)
    .values({ kind, hour: hourOf(now), count: 1 })
    .onConflictDoUpdate({ target: [securityTallies.kind, securityTallies.hour], set: { count: sql`${securityTallies.count} + 1` } });
}

/**
 * tallySecurityEvent without waiting and without failing: a count that cannot be written is
 * logged, and never replaces or delays the refusal it counts.
 */
export function noteSecurityEvent(db: Database, kind: SecurityEventKind, now: Date = new Date()): void {
  tallySecurityEvent(db, kind, now).catch((error: unknown) => logUnexpected(error, { operation: "security-tally" }));
}

/** The counts of each kind from the hour that holds `since` on. */
export async function securityEventCounts(db: Database, since: Date): Promise<Record<SecurityEventKind, number>> {
  const rows = await db
    .select({ kind: securityTallies.kind, total: sql<number>`sum(${securityTallies.count})::int` })
    .from(securityTallies)
    .where(gte(securityTallies.hour, hourOf(since)))
    .groupBy(securityTallies.kind);
  const totals = new Map(rows.map((row) => [row.kind, Number(row.total)]));
  return {
    "rate-limited": totals.get("rate-limited") ?? 0,
    "sign-in-refused": totals.get("sign-in-refused") ?? 0,
    "request-refused": totals.get("request-refused") ?? 0,
  };
}

/** How long counts are kept: the console shows a day; a month leaves room for a later look back. */
export const securityTallyDays = 30;

/** Deletes counts older than `securityTallyDays` (lib/auth/upkeep.ts). Returns how many rows went. */
export async function sweepSecurityTallies(db: Database, now: Date = new Date()): Promise<number> {
  const removed = await db
    .delete(securityTallies)
    .where(and(lt(securityTallies.hour, new Date(now.getTime() - securityTallyDays * 86_400_000))))
    .returning({ kind: securityTallies.kind });
  return removed.length;
}

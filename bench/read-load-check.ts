/**
 * A load check run by hand (not a test, not part of `npm run bench`): C concurrent readers
 * (READ_CHECK_CONNECTIONS, default 50) read ONE patient's chart for READ_CHECK_SECONDS
 * (default 10) through the real services: resolveSession (the cookie's session) and chartOf
 * (the chart with its audit append), on a fresh test database (PGlite in memory, or
 * PostgreSQL with a pool of 10 when DATABASE_URL is set), with the audit folder running
 * every 2 s as instrumentation starts it. Two rounds:
 *   - "inbox": reads as served now (the event is one unlocked INSERT into audit_inbox);
 *   - "locked": each read then folds the inbox under the person's head lock, which is what
 *     every read cost before (an append under SELECT ... FOR UPDATE on audit_heads).
 * Printed per round: reads per second, p50/p99 latency (ms), and on PostgreSQL the most
 * connections seen waiting on a lock at once (pg_stat_activity, sampled every 50 ms). The
 * trail is then read and verified from genesis: every read is in it once.
 *
 *   npx tsx --conditions=react-server bench/read-load-check.ts
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx --conditions=react-server bench/read-load-check.ts
 */
import { randomBytes, randomUUID } from "node:crypto";
import { cryptoReady, fromBase64url, verifyAuditChain } from "../crypto";

const connections = Number(process.env.READ_CHECK_CONNECTIONS ?? 50);
const seconds = Number(process.env.READ_CHECK_SECONDS ?? 10);
const recordCount = 20;

const percentile = (sorted: number[], fraction: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;

async function main() {
  await cryptoReady();
  const { createTestDatabase } = await import("../lib/db/test-databases");
  const { resultRows } = await import("../lib/db/client");
  const { startSession, resolveSession } = await import("../lib/sessions/session-store");
  const { chartOf, createRecords } = await import("../lib/records/chart-store");
  const { foldAuditInbox, foldAuditInboxes, storedEventFields } = await import("../lib/audit/audit-log");
  const { trailPage } = await import("../lib/audit/trail-store");
  const { insertPeople, versionPayload, b64 } = await import("../lib/grants/test-fixtures");
  const { auditEvents } = await import("../drizzle/schema");
  const { asc, eq, sql } = await import("drizzle-orm");

  const kind = process.env.DATABASE_URL ? "postgres" : "pglite";
  const database = await createTestDatabase(kind);
  const { db } = database;
  const owner = randomUUID();
  await insertPeople(db, { patients: [owner] });
  await createRecords(
    db,
    owner,
    Array.from({ length: recordCount }, () => ({ id: randomUUID(), ownerWrap: b64(randomBytes(74)), version: versionPayload() })),
  );
  const policy = { idleMs: 30 * 60_000, maxMs: 12 * 3_600_000 };
  const { token } = await startSession(db, owner, policy);

  const folder = setInterval(() => void foldAuditInboxes(db).catch((error: unknown) => console.error("fold failed", error)), 2_000);
  let reads = 0;

  async function round(name: "inbox" | "locked") {
    const latencies: number[] = [];
    let maxWaiting = 0;
    let sampling = kind === "postgres";
    const sampler = (async () => {
      while (sampling) {
        const rows = resultRows<{ waiting: number }>(
          await db.execute(sql`select count(*)::int as waiting from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`),
        );
        maxWaiting = Math.max(maxWaiting, rows[0]?.waiting ?? 0);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const deadline = Date.now() + seconds * 1000;
    const reader = async () => {
      while (Date.now() < deadline) {
        const start = process.hrtime.bigint();
        const session = await resolveSession(db, token, policy);
        if (!session) throw new Error("the session ended");
        await chartOf(db, session.userId);
        if (name === "locked") await foldAuditInbox(db, [owner]);
        latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
        reads += 1;
      }
    };
    const started = Date.now();
    await Promise.all(Array.from({ length: connections }, reader));
    const elapsed = (Date.now() - started) / 1000;
    sampling = false;
    await sampler;
    latencies.sort((a, b) => a - b);
    return {
      round: name,
      reads: latencies.length,
      perSecond: Math.round(latencies.length / elapsed),
      p50Ms: Number(percentile(latencies, 0.5).toFixed(1)),
      p99Ms: Number(percentile(latencies, 0.99).toFixed(1)),
      mostWaitingOnLocks: kind === "postgres" ? maxWaiting : "n/a (PGlite: one connection)",
    };
  }

  const results = [await round("inbox"), await round("locked")];
  clearInterval(folder);
  // Every read's event is in the chain once, and the chain verifies from genesis.
  await trailPage(db, owner, { after: 0, limit: 1 });
  const chain = (await db.select().from(auditEvents).where(eq(auditEvents.subjectId, owner)).orderBy(asc(auditEvents.seq))).map(storedEventFields);
  const fetched = chain.filter((event) => event.action === "chart-fetched").length;
  const check = verifyAuditChain(chain);
  const head = await trailPage(db, owner, { after: chain.length, limit: 1 });
  console.log(`chart reads of one patient (${recordCount} records), ${connections} concurrent readers, ${seconds} s per round, on ${kind}`);
  console.table(results);
  console.log(
    `trail: ${chain.length} events, ${fetched} chart-fetched for ${reads} reads, verifies: ${check.ok}, head matches: ${
      check.ok && head.head.seq === check.head.seq && Buffer.from(fromBase64url(head.head.hash)).equals(Buffer.from(check.head.hash))
    }`,
  );
  await database.dispose();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

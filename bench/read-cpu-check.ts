/**
 * A check run by hand (not a test, not part of `npm run bench`; prints, asserts nothing): the
 * CPU this process spends per chart read, without HTTP or Next, and per audit event folded
 * afterwards, on a fresh test database (PGlite in memory, or PostgreSQL when DATABASE_URL is
 * set) holding one patient's chart of 2,000 records (1 KiB padded contents, analysed, as the
 * embedded upkeep or autovacuum leaves it). Each read is what GET /api/records?limit=20 runs:
 *   - "one statement": lib/records/chart-read.ts's chartPageForSession, as the route tries first;
 *   - "ordinary": resolveSession then chartOf (the fallback path, and the read before it).
 * Then what the route does before sending it: nothing for the statement's JSON text, the
 * route's contract (zod) and JSON.stringify for the ordinary page. Printed per path: ms of
 * wall time and of this process's CPU per read, one after another and READ_CHECK_CONNECTIONS
 * (50) at a time, READ_CHECK_READS (1,000) reads each; then the inbox folded (lib/audit), per
 * event. On PostgreSQL the server's own CPU is not counted: compare wall times too. A loaded
 * machine moves every figure: compare paths within one run.
 *
 *   npx tsx --conditions=react-server bench/read-cpu-check.ts
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx --conditions=react-server bench/read-cpu-check.ts
 */
import { randomBytes, randomUUID } from "node:crypto";
import { cryptoReady } from "../crypto";

const reads = Number(process.env.READ_CHECK_READS ?? 1000);
const connections = Number(process.env.READ_CHECK_CONNECTIONS ?? 50);
const cpuMs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;

async function main() {
  await cryptoReady();
  const { createTestDatabase } = await import("../lib/db/test-databases");
  const { startSession, resolveSession, hashSessionToken } = await import("../lib/sessions/session-store");
  const { chartOf, createRecords } = await import("../lib/records/chart-store");
  const { chartPageForSession } = await import("../lib/records/chart-read");
  const { foldAuditInboxes } = await import("../lib/audit/audit-log");
  const { insertPeople, b64 } = await import("../lib/grants/test-fixtures");
  const { chartPageSchema } = await import("../contract/records");
  const { JsonText } = await import("../lib/http/json-text");
  const { sql } = await import("drizzle-orm");

  const kind = process.env.DATABASE_URL ? "postgres" : "pglite";
  const database = await createTestDatabase(kind);
  const { db } = database;
  const owner = randomUUID();
  await insertPeople(db, { patients: [owner] });
  for (let batch = 0; batch < 4; batch++)
    await createRecords(
      db,
      owner,
      Array.from({ length: 500 }, () => ({
        id: randomUUID(),
        ownerWrap: b64(randomBytes(74)),
        version: { version: 1, keyVersion: 1, content: b64(randomBytes(42 + 1024)), commitment: b64(randomBytes(32)), signature: b64(randomBytes(64)) },
      })),
    );
  await db.execute(sql`analyze`);
  const policy = { idleMs: 30 * 60_000, maxMs: 12 * 3_600_000 };
  const { token } = await startSession(db, owner, policy);

  const paths = {
    "one statement": () => chartPageForSession(db, hashSessionToken(token), policy, new Date(), { limit: 20 }),
    ordinary: async () => {
      const session = await resolveSession(db, token, policy);
      if (!session) throw new Error("the session ended");
      return chartOf(db, session.userId, { limit: 20 });
    },
  };
  let bytes = 0;
  // As the route sends each: the statement's JSON text as it is, the ordinary page through the contract.
  const readOnce = async (read: () => Promise<unknown>) => {
    const page = await read();
    bytes = page instanceof JsonText ? page.text.length : JSON.stringify(chartPageSchema.parse(page)).length;
  };
  const rows: Record<string, string | number>[] = [];
  for (const [name, read] of Object.entries(paths)) {
    for (let i = 0; i < 100; i++) await readOnce(read);
    let cpu = process.cpuUsage();
    let started = Date.now();
    for (let i = 0; i < reads; i++) await readOnce(read);
    rows.push({ path: name, mode: "one after another", wallMsPerRead: (Date.now() - started) / reads, cpuMsPerRead: cpuMs(process.cpuUsage(cpu)) / reads });
    cpu = process.cpuUsage();
    started = Date.now();
    let begun = 0;
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (begun < reads) {
          begun += 1;
          await readOnce(read);
        }
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    rows.push({
      path: name,
      mode: `${connections} at a time`,
      readsPerSecond: Math.round(reads / seconds),
      cpuMsPerRead: cpuMs(process.cpuUsage(cpu)) / reads,
    });
  }
  console.log(`chart reads (first page, 20 of 2,000 records, ${bytes} bytes of JSON) on ${kind}`);
  console.table(rows);

  const cpu = process.cpuUsage();
  const started = Date.now();
  let folded = 0;
  for (let chained = await foldAuditInboxes(db); chained > 0; chained = await foldAuditInboxes(db)) folded += chained;
  console.log(
    `fold: ${folded} events, ${(cpuMs(process.cpuUsage(cpu)) / folded).toFixed(3)} ms of CPU and ${((Date.now() - started) / folded).toFixed(3)} ms per event`,
  );
  await database.dispose();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

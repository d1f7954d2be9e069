/**
 * A clinician's first page of records shared with them (GET /api/shared/[grantId]/records),
 * and the patient's first page of their chart (GET /api/records): the server's work for one
 * request (the grant check, the page's queries, its one audit event) on a patient with `n`
 * records shared by an "all records" grant. Prints figures, asserts nothing.
 *
 * `measureClinicianList(db, n)` is what the project's benchmark runner calls; run alone
 * (`tsx --conditions=react-server bench/clinician-list-bench.ts`) it measures 1,000 and 10,000
 * records (BENCH_RECORD_COUNTS) on PGlite, and on PostgreSQL too when DATABASE_URL is set (each
 * in a fresh database). Run with the react-server condition so server modules load outside Next.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { cryptoReady } from "../crypto";
import { seedPatientAndClinician } from "./bench-accounts";
import type { Database } from "../lib/db/client";
import { countingDatabase } from "../lib/db/counting-database";
import { createGrant } from "../lib/grants/grant-store";
import { sharedRecordsOf } from "../lib/grants/shared-store";
import { chartOf, createRecords } from "../lib/records/chart-store";

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const b64 = (bytes: Buffer) => bytes.toString("base64url");

/** What one measurement found: times in milliseconds (median and slowest of `runs`), statements sent per request, records served. */
export interface ListFigures {
  records: number;
  clinicianFirstPageMs: number;
  clinicianFirstPageMaxMs: number;
  clinicianStatements: number;
  clinicianServed: number;
  chartFirstPageMs: number;
  chartStatements: number;
  chartServed: number;
}

/**
 * Seeds a patient with `n` records (opaque random ciphertext: the server never reads it) shared
 * with a doctor by an "all records" grant, then times `runs` first-page reads of the doctor's
 * list and of the patient's chart (after two unmeasured warm-up reads each), and counts the
 * statements one read sends. `db` is a migrated database (PGlite or PostgreSQL) the bench may
 * write to; the seeded rows stay.
 */
export async function measureClinicianList(db: Database, n: number, runs = 15): Promise<ListFigures> {
  await cryptoReady();
  const { patientId, doctorId } = await seedPatientAndClinician(db);
  const ids: string[] = [];
  for (let start = 0; start < n; start += 1000) {
    const items = Array.from({ length: Math.min(1000, n - start) }, () => ({
      id: randomUUID(),
      ownerWrap: b64(randomBytes(74)),
      version: { version: 1, keyVersion: 1, content: b64(randomBytes(42 + 512)), commitment: b64(randomBytes(32)), signature: b64(randomBytes(64)) },
    }));
    await createRecords(db, patientId, items);
    ids.push(...items.map((item) => item.id));
  }
  const grantId = randomUUID();
  await createGrant(db, patientId, {
    grantId,
    clinicianId: doctorId,
    scope: "all",
    permission: "read",
    expiresAt: null,
    sealedShareKey: randomBytes(98),
    statement: randomBytes(40),
    signature: randomBytes(64),
    sealedProfile: null,
    recordIds: [],
    wraps: ids.map((recordId) => ({ recordId, keyVersion: 1, wrappedKey: randomBytes(74) })),
  });

  // As a running deployment's autovacuum would have, after so many rows at once.
  await db.execute(sql`analyze`);
  const timed = async (read: () => Promise<unknown>) => {
    for (let warm = 0; warm < 2; warm += 1) await read();
    const times: number[] = [];
    for (let run = 0; run < runs; run += 1) {
      const start = process.hrtime.bigint();
      await read();
      times.push(ms(start));
    }
    return times;
  };
  const clinicianTimes = await timed(() => sharedRecordsOf(db, doctorId, grantId));
  const chartTimes = await timed(() => chartOf(db, patientId));
  const counting = countingDatabase({ db });
  let clinicianServed = 0;
  let chartServed = 0;
  const clinicianStatements = await counting.count(async (counted) => {
    clinicianServed = (await sharedRecordsOf(counted, doctorId, grantId)).records.length;
  });
  const chartStatements = await counting.count(async (counted) => {
    chartServed = (await chartOf(counted, patientId)).records.length;
  });
  return {
    records: n,
    clinicianFirstPageMs: median(clinicianTimes),
    clinicianFirstPageMaxMs: Math.max(...clinicianTimes),
    clinicianStatements,
    clinicianServed,
    chartFirstPageMs: median(chartTimes),
    chartStatements,
    chartServed,
  };
}

async function main() {
  // Loaded here, not at the top: the runner imports this file for measureClinicianList alone.
  const { openDatabase } = await import("../lib/db/client");
  const { createTestDatabase } = await import("../lib/db/test-databases");
  const counts = (process.env.BENCH_RECORD_COUNTS ?? "1000,10000").split(",").map(Number);
  const kinds = process.env.DATABASE_URL ? (["pglite", "postgres"] as const) : (["pglite"] as const);
  for (const kind of kinds) {
    for (const count of counts) {
      const database = kind === "pglite" ? await openDatabase({ kind: "pglite", dataDir: null }) : await createTestDatabase("postgres");
      try {
        const figures = await measureClinicianList(database.db, count);
        console.log(
          `${kind}, ${count.toLocaleString("en")} shared records: clinician's first page ${figures.clinicianFirstPageMs.toFixed(1)} ms (slowest ${figures.clinicianFirstPageMaxMs.toFixed(1)} ms), ` +
            `${figures.clinicianStatements} statements, ${figures.clinicianServed} records served; ` +
            `patient's first chart page ${figures.chartFirstPageMs.toFixed(1)} ms, ${figures.chartStatements} statements, ${figures.chartServed} records`,
        );
      } finally {
        await ("dispose" in database ? (database as { dispose(): Promise<void> }).dispose() : database.close());
      }
    }
  }
}

if (process.argv[1]?.endsWith("clinician-list-bench.ts")) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

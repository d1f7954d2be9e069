/**
 * npm run bench:rotation — prints figures, asserts nothing.
 * Server time to rotate the keys of N records after a revoke (BENCH_ROTATION_COUNT, default
 * 10,000), in batches as the browser sends them (client/sharing/key-maintenance.ts:
 * `rotationBatchSize` records per request, within the body limit) and, for comparison, one
 * request per record as before; on embedded PGlite and, when DATABASE_URL is set, on
 * PostgreSQL (a fresh database per run). The browser's sealing is done before the clock
 * starts and reported apart. `measureRotation` is what the all-in-one benchmark calls.
 * Run with the react-server condition so server modules load outside Next.
 */
import { bodyLimits } from "../contract/body-limits";
import type { RecordRotation } from "../contract/records";
import { cryptoReady } from "../crypto";
import { rotationBatchSize, rotationSealer } from "../client/sharing/key-maintenance";
import { sealNewRecords, recordKeyOf } from "../client/records/records";
import { sealGrant } from "../client/sharing/sharing";
import { batchesWithin } from "../client/transport/request-batches";
import { fromBase64url } from "../crypto";
import type { Database } from "../lib/db/client";
import { openDatabase } from "../lib/db/client";
import { createTestDatabase } from "../lib/db/test-databases";
import { createGrant, revokeGrant } from "../lib/grants/grant-store";
import { keyMaintenanceOf } from "../lib/grants/key-maintenance";
import { createRecords } from "../lib/records/chart-store";
import { rotateRecordKey, rotateRecordKeys } from "../lib/records/key-rotation";
import { seedPatientAndClinician } from "./bench-accounts";

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

export interface RotationFigures {
  records: number;
  /** Requests the server served ("batch": ceil(records / batch size) or more for the body limit; "single": one per record). */
  requests: number;
  /** Server time of all of them, in milliseconds. */
  serverMs: number;
  msPerRecord: number;
  /** The browser's sealing of every rotation (verify, re-encrypt, wrap), in milliseconds, timed apart. */
  browserMs: number;
}

/**
 * Seeds a patient with `count` notes shared "all records" with a clinician in `db` (a fresh
 * database), revokes the grant, seals every rotation as the browser does, then times the
 * server storing them: in batches (`mode` "batch", the app's way) or one request per record
 * ("single", the way before batches).
 */
export async function measureRotation(db: Database, count: number, mode: "batch" | "single" = "batch"): Promise<RotationFigures> {
  await cryptoReady();
  const { patientId, doctorId, vault, doctorEncryptionPublicKey } = await seedPatientAndClinician(db);
  const owned: Array<{ id: string; ownerWrap: string }> = [];
  for (let start = 0; start < count; start += 1000) {
    const sealed = sealNewRecords(
      Array.from({ length: Math.min(1000, count - start) }, (_, index) => ({
        v: 1 as const,
        kind: "note",
        resource: { resourceType: "DocumentReference", status: "current", description: `Note ${start + index}` },
      })),
      vault,
    );
    await createRecords(db, patientId, sealed);
    owned.push(...sealed.map((record) => ({ id: record.id, ownerWrap: record.ownerWrap })));
  }
  const request = sealGrant({
    vault,
    clinicianId: doctorId,
    clinicianEncryptionPublicKey: doctorEncryptionPublicKey,
    recordKeys: owned.map((record) => ({
      recordId: record.id,
      keyVersion: 1,
      recordKey: recordKeyOf({ id: record.id, keyVersion: 1, ownerWrap: record.ownerWrap }, vault),
    })),
    recordIds: "all",
    permission: "read",
    expiresAt: null,
    revealedName: "Bench Patient",
  });
  await createGrant(db, patientId, {
    ...request,
    expiresAt: null,
    sealedShareKey: fromBase64url(request.sealedShareKey),
    statement: fromBase64url(request.statement),
    signature: fromBase64url(request.signature),
    sealedProfile: fromBase64url(request.sealedProfile),
    wraps: request.wraps.map((wrap) => ({ ...wrap, wrappedKey: fromBase64url(wrap.wrappedKey) })),
  });
  await revokeGrant(db, patientId, request.grantId);
  const work = await keyMaintenanceOf(db, patientId);

  let start = process.hrtime.bigint();
  // As the browser's run does: the keys every rotation needs derived once (rotationSealer).
  const sealer = rotationSealer(vault);
  let rotations: RecordRotation[];
  try {
    rotations = work.rotations.map((task) => ({ recordId: task.recordId, ...sealer.seal(task, sealer.open(task, vault.keys.identityPublicKey)) }));
  } finally {
    sealer.close();
  }
  const browserMs = ms(start);

  let requests = 0;
  start = process.hrtime.bigint();
  if (mode === "batch") {
    for (let from = 0; from < rotations.length; from += rotationBatchSize) {
      for (const batch of batchesWithin(rotations.slice(from, from + rotationBatchSize), "rotations", bodyLimits.rotationBatch)) {
        await rotateRecordKeys(db, patientId, batch);
        requests += 1;
      }
    }
  } else {
    for (const { recordId, ...payload } of rotations) {
      await rotateRecordKey(db, patientId, recordId, payload);
      requests += 1;
    }
  }
  const serverMs = ms(start);
  return { records: rotations.length, requests, serverMs, msPerRecord: serverMs / Math.max(1, rotations.length), browserMs };
}

async function main() {
  const count = Number(process.env.BENCH_ROTATION_COUNT ?? 10_000);
  const modes = (process.env.BENCH_ROTATION_MODES ?? "batch,single").split(",") as Array<"batch" | "single">;
  const kinds = process.env.DATABASE_URL ? (["pglite", "postgres"] as const) : (["pglite"] as const);
  console.log(`Key rotation after a revoke, ${count.toLocaleString("en")} records (server time; browser sealing apart)`);
  for (const kind of kinds) {
    for (const mode of modes) {
      const database = kind === "pglite" ? await openDatabase({ kind: "pglite", dataDir: null }) : await createTestDatabase("postgres");
      const dispose = "dispose" in database ? (database.dispose as () => Promise<void>) : database.close;
      try {
        const figures = await measureRotation(database.db, count, mode);
        console.log(
          `  ${kind.padEnd(8)} ${mode === "batch" ? `batches of ${rotationBatchSize}` : "one per record"}: ${figures.requests.toLocaleString("en")} requests, ` +
            `server ${figures.serverMs.toFixed(0)} ms (${figures.msPerRecord.toFixed(3)} ms/record), browser sealing ${figures.browserMs.toFixed(0)} ms`,
        );
      } finally {
        await dispose();
      }
    }
  }
}

// Run as a script (npm run bench:rotation), not when the all-in-one benchmark imports measureRotation.
if (process.argv[1]?.endsWith("rotation-bench.ts")) void main();

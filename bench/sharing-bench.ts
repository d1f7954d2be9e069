/**
 * Suite "sharing" of npm run bench (alone: npm run bench -- sharing) — prints figures, asserts
 * nothing. A patient with 10,000 records (1,000 in quick mode; BENCH_RECORD_COUNT overrides):
 *  1. grant all to one clinician: the browser's work (open every owner wrap, wrap every
 *     record key under the share key, digest, sign, seal) and the server storing the grant;
 *  2. the clinician's list of the shared records, first page (the service behind GET
 *     /api/shared/[grantId]/records and its JSON), median of 5;
 *  3. the revoke (the browser only sends it; the server deletes the share key and wraps and
 *     queues rotations);
 *  4. rotating every affected key: the browser's work per record (verify, re-encrypt, sign,
 *     wrap) and the server storing the rotations in batches (POST /api/records/rotations).
 * The browser's work runs here on the same libsodium build the page loads (client/ code in
 * Node), the server's through lib/ on the database bench/run.ts chose.
 * Run with the react-server condition so server modules load outside Next.
 */
import { sql } from "drizzle-orm";
import { cryptoReady, fromBase64url } from "../crypto";
import { seedPatientAndClinician } from "./bench-accounts";
import { rotationBatchSize, rotationSealer } from "../client/sharing/key-maintenance";
import { recordKeyOf, sealNewRecords } from "../client/records/records";
import { sealGrant } from "../client/sharing/sharing";
import { createGrant, revokeGrant } from "@/lib/grants/grant-store";
import { sharedRecordsOf } from "@/lib/grants/shared-store";
import { keyMaintenanceOf } from "../lib/grants/key-maintenance";
import { createRecords } from "@/lib/records/chart-store";
import { rotateRecordKeys } from "@/lib/records/key-rotation";
import { bodyLimits } from "../contract/body-limits";
import { rotateRecordKeysSchema, type RecordRotation } from "../contract/records";
import { openBenchDatabase } from "./bench-database";
import { elapsedMs as ms, median, quickMode, reportFigure } from "./figures";

const count = Number(process.env.BENCH_RECORD_COUNT ?? (quickMode() ? 1000 : 10_000));
const batchSize = 1000;

async function run() {
  const database = await openBenchDatabase();
  const db = database.db;
  const { patientId, doctorId, vault, doctorEncryptionPublicKey } = await seedPatientAndClinician(db);

  const note = (index: number) => ({
    v: 1 as const,
    kind: "note",
    resource: {
      resourceType: "DocumentReference",
      status: "current",
      description: `Note ${index}`,
      content: [{ attachment: { contentType: "text/plain", data: "SGVsbG8=" } }],
    },
  });
  const owned: Array<{ id: string; ownerWrap: string }> = [];
  for (let start = 0; start < count; start += batchSize) {
    const sealed = sealNewRecords(
      Array.from({ length: Math.min(batchSize, count - start) }, (_, index) => note(start + index)),
      vault,
    );
    await createRecords(db, patientId, sealed);
    owned.push(...sealed.map((record) => ({ id: record.id, ownerWrap: record.ownerWrap })));
  }

  let start = process.hrtime.bigint();
  const recordKeys = owned.map((record) => ({
    recordId: record.id,
    keyVersion: 1,
    recordKey: recordKeyOf({ id: record.id, keyVersion: 1, ownerWrap: record.ownerWrap }, vault),
  }));
  const request = sealGrant({
    vault,
    clinicianId: doctorId,
    clinicianEncryptionPublicKey: doctorEncryptionPublicKey,
    recordKeys,
    recordIds: "all",
    permission: "read",
    expiresAt: null,
    revealedName: "Bench Patient",
  });
  const grantBrowserMs = ms(start);
  start = process.hrtime.bigint();
  await createGrant(db, patientId, {
    ...request,
    expiresAt: null,
    sealedShareKey: fromBase64url(request.sealedShareKey),
    statement: fromBase64url(request.statement),
    signature: fromBase64url(request.signature),
    sealedProfile: fromBase64url(request.sealedProfile),
    wraps: request.wraps.map((wrap) => ({ ...wrap, wrappedKey: fromBase64url(wrap.wrappedKey) })),
  });
  const grantServerMs = ms(start);

  // One read before the tables are analyzed, printed for comparison (not a figure): the first
  // minute after a bulk insert, before autovacuum has looked at the new rows.
  start = process.hrtime.bigint();
  await sharedRecordsOf(db, doctorId, request.grantId);
  const unanalyzedListMs = ms(start);
  // Statistics as a running deployment's autovacuum keeps them (it analyzes a table within a
  // minute of so many new rows), not those of a table that was empty a second ago; as in
  // bench/clinician-list-bench.ts. Not timed.
  await db.execute(sql`analyze`);
  const listTimes: number[] = [];
  let listed = 0;
  for (let round = 0; round < 5; round++) {
    start = process.hrtime.bigint();
    const body = JSON.stringify(await sharedRecordsOf(db, doctorId, request.grantId));
    listTimes.push(ms(start));
    listed = (JSON.parse(body) as { records: unknown[] }).records.length;
  }
  const listMs = median(listTimes);

  start = process.hrtime.bigint();
  await revokeGrant(db, patientId, request.grantId);
  const revokeMs = ms(start);

  start = process.hrtime.bigint();
  const work = await keyMaintenanceOf(db, patientId);
  let serverMs = ms(start);
  let browserMs = 0;
  // As the browser sends them: sealed one by one, then POST /api/records/rotations in batches of
  // at most rotationBatchSize (the browser's) and the body limit; the server's share includes the route's
  // JSON parse and zod check of each batch.
  let batch: RecordRotation[] = [];
  let batchBytes = 0;
  const send = async () => {
    const step = process.hrtime.bigint();
    const body = rotateRecordKeysSchema.parse(JSON.parse(JSON.stringify({ rotations: batch })));
    await rotateRecordKeys(db, patientId, body.rotations);
    serverMs += ms(step);
    batches += 1;
    batch = [];
    batchBytes = 0;
  };
  let batches = 0;
  // As the browser's run does: the keys every rotation needs derived once (rotationSealer).
  let step = process.hrtime.bigint();
  const sealer = rotationSealer(vault);
  browserMs += ms(step);
  try {
    for (const rotation of work.rotations) {
      step = process.hrtime.bigint();
      const payload = { recordId: rotation.recordId, ...sealer.seal(rotation, sealer.open(rotation, vault.keys.identityPublicKey)) };
      const bytes = JSON.stringify(payload).length + 1;
      browserMs += ms(step);
      if (batch.length === rotationBatchSize || batchBytes + bytes > bodyLimits.rotationBatch - 64) await send();
      batch.push(payload);
      batchBytes += bytes;
    }
  } finally {
    sealer.close();
  }
  if (batch.length > 0) await send();
  await database.dispose();
  return {
    kind: database.kind,
    grantBrowserMs,
    grantServerMs,
    revokeMs,
    listMs,
    unanalyzedListMs,
    listed,
    rotated: work.rotations.length,
    batches,
    browserMs,
    serverMs,
  };
}

async function main() {
  await cryptoReady();
  const result = await run();
  const perRecord = (total: number) => total / result.rotated;
  const note = `${count.toLocaleString("en")} records${quickMode() ? " (quick)" : ""}, ${result.kind}`;
  console.log(`sharing benchmark, ${note}`);
  console.log(`  grant all to one clinician: browser ${result.grantBrowserMs.toFixed(0)} ms, server ${result.grantServerMs.toFixed(0)} ms`);
  console.log(
    `  clinician's list (${result.listed.toLocaleString("en")} records): ${result.listMs.toFixed(0)} ms (${result.unanalyzedListMs.toFixed(0)} ms for one read before the tables were analyzed)`,
  );
  console.log(`  revoke request on the server: ${result.revokeMs.toFixed(0)} ms`);
  console.log(
    `  rotate ${result.rotated.toLocaleString("en")} keys: browser ${result.browserMs.toFixed(0)} ms (${perRecord(result.browserMs).toFixed(2)} ms/record), server ${result.serverMs.toFixed(0)} ms (${perRecord(result.serverMs).toFixed(2)} ms/record)`,
  );
  reportFigure("grant_all_10k_ms", result.grantBrowserMs + result.grantServerMs, {
    note: `${note}; browser ${result.grantBrowserMs.toFixed(0)} ms + server ${result.grantServerMs.toFixed(0)} ms`,
  });
  const served = result.listed < count ? `first page, ${result.listed.toLocaleString("en")} records served` : "the whole list in one answer (not paged)";
  reportFigure("clinician_list_10k_ms", result.listMs, { note: `${note}; ${served}` });
  reportFigure("revoke_10k_ms", result.revokeMs, { note: `${note}; server only (the browser sends one request)` });
  reportFigure("rotation_ms_per_record_10k", perRecord(result.browserMs + result.serverMs), {
    note: `${note}; ${result.batches} batches (POST /api/records/rotations)`,
  });
  reportFigure("rotation_server_ms_per_record_10k", perRecord(result.serverMs), { note });
  reportFigure("rotation_browser_ms_per_record_10k", perRecord(result.browserMs), { note });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

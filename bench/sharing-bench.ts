/**
 * npm run bench:sharing — prints figures, asserts nothing.
 * For a patient with 1,000 and with 10,000 records (override with BENCH_RECORD_COUNTS=1000,5000):
 *  1. grant all to one clinician: the browser's work (open every owner wrap, wrap every
 *     record key under the share key, digest, sign, seal) and the server storing the grant;
 *  2. the server time of the revoke request (share key and wraps deleted, rotations queued);
 *  3. rotating every affected key: the browser's work per record (verify, re-encrypt, sign,
 *     wrap) and the server storing each rotation, one request per record as the app does.
 *     The records are notes: a file's body is re-encrypted too, at the speed bench:records
 *     reports for uploads.
 * The browser's work runs here on the same libsodium build the page loads; the server's on
 * embedded PGlite. Run with the react-server condition so server modules load outside Next.
 */
import { cryptoReady, fromBase64url } from "../crypto";
import { seedPatientAndClinician } from "./bench-accounts";
import { openForRotation, sealRotation } from "../client/sharing/key-maintenance";
import { recordKeyOf, sealNewRecords } from "../client/records/records";
import { sealGrant } from "../client/sharing/sharing";
import { openDatabase } from "../lib/db/client";
import { createGrant, revokeGrant } from "@/lib/grants/grant-store";
import { keyMaintenanceOf } from "../lib/grants/key-maintenance";
import { createRecords } from "@/lib/records/chart-store";
import { rotateRecordKey } from "@/lib/records/key-rotation";

const counts = (process.env.BENCH_RECORD_COUNTS ?? "1000,10000").split(",").map(Number);
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const batchSize = 1000;

async function run(count: number) {
  const database = await openDatabase({ kind: "pglite", dataDir: null });
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

  start = process.hrtime.bigint();
  await revokeGrant(db, patientId, request.grantId);
  const revokeMs = ms(start);

  start = process.hrtime.bigint();
  const work = await keyMaintenanceOf(db, patientId);
  const listMs = ms(start);
  let browserMs = 0;
  let serverMs = 0;
  for (const rotation of work.rotations) {
    let step = process.hrtime.bigint();
    const payload = sealRotation(rotation, openForRotation(rotation, vault.keys.identityPublicKey, vault), vault);
    browserMs += ms(step);
    step = process.hrtime.bigint();
    await rotateRecordKey(db, patientId, rotation.recordId, payload);
    serverMs += ms(step);
  }
  await database.close();
  return { count, grantBrowserMs, grantServerMs, revokeMs, rotated: work.rotations.length, listMs, browserMs, serverMs };
}

async function main() {
  await cryptoReady();
  console.log("Sharing benchmark (PGlite, in process; browser work on the page's libsodium build)");
  for (const count of counts) {
    const result = await run(count);
    const perRecord = (total: number) => (total / result.rotated).toFixed(2);
    console.log(`\n${result.count.toLocaleString("en")} records`);
    console.log(`  grant all to one clinician: browser ${result.grantBrowserMs.toFixed(0)} ms, server ${result.grantServerMs.toFixed(0)} ms`);
    console.log(`  revoke request on the server: ${result.revokeMs.toFixed(0)} ms`);
    console.log(
      `  rotate ${result.rotated.toLocaleString("en")} keys: browser ${result.browserMs.toFixed(0)} ms (${perRecord(result.browserMs)} ms/record), server ${result.serverMs.toFixed(0)} ms (${perRecord(result.serverMs)} ms/record), work list ${result.listMs.toFixed(0)} ms`,
    );
  }
}

void main();

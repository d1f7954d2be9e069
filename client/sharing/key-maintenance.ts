import { cryptoReady, deriveShareKey, generateRecordKey, toBase64url, wrapRecordKey } from "@/crypto";
import { routes } from "@/contract/routes";
import type { KeyMaintenance } from "@/contract/sharing";
import { IntegrityError, isIntegrityError, verified } from "../integrity";
import { ApiError, type Transport } from "../transport/api";
import { reencryptFile } from "../records/files";
import { bodyLimits } from "@/contract/body-limits";
import type { RecordRotation } from "@/contract/records";
import { batchesWithin } from "../transport/request-batches";
import {
  authorKeys,
  openSharedVersion,
  ownerWrapFor,
  recordKeyOf,
  reencryptVersion,
  servedRecord,
  wrapForGrants,
  type OpenedVersion,
} from "../records/records";
import type { FileReference } from "../records/files";
import { staleRecords } from "../keystore/rollback-guard";
import type { UnlockedKeys, UnlockedVault } from "../keystore/vault-store";

export interface MaintenanceProgress {
  done: number;
  total: number;
}

export interface MaintenanceOutcome {
  rotated: number;
  wrapped: number;
  /** Records that could not be rotated now (changed meanwhile, or failed to verify); tried again next time. */
  deferred: number;
}

const wrapBatch = 500;

/**
 * Keeps sharing exact, driven by what the server says is left to do, so it resumes after a
 * reload or on another device: records an active grant covers but cannot open get a wrap,
 * and every record whose key a revoked or expired grant held moves to a fresh key (its
 * current version re-encrypted in place: same version, same author and signature). Rotations
 * go to the server in batches (`rotationBatchSize` records, within the body limit), each one
 * transaction there; a file record's file is re-encrypted and uploaded, streaming, before its
 * record joins a batch. Progress counts records sent (or deferred).
 * @throws ApiError for an outage given up on or a refusal that is not a record's own (409/404);
 *   anything that is neither an ApiError nor an IntegrityError (a bug) as it is.
 */
export async function runKeyMaintenance(
  vault: UnlockedVault,
  transport: Transport,
  options: {
    onProgress: (progress: MaintenanceProgress) => void;
    /** Whether the vault is still open: the run stops between records once it is locked (its keys are zeroed then). */
    stillOpen?: () => boolean;
    /** Records per rotation request (`rotationBatchSize` unless a test says otherwise). */
    batchSize?: number;
  },
): Promise<MaintenanceOutcome> {
  await cryptoReady();
  const { onProgress, stillOpen = () => true, batchSize = rotationBatchSize } = options;
  const outcome: MaintenanceOutcome = { rotated: 0, wrapped: 0, deferred: 0 };
  if (vault.role !== "patient") return outcome;
  const served = await transport.call(routes.keyMaintenance.pending, {});
  // Re-signing an older version as the newest, or handing a grant an older key, would make a rollback permanent.
  const stale = staleRecords(vault.userId, [
    ...served.rotations.map((rotation) => servedRecord({ id: rotation.recordId, keyVersion: rotation.keyVersion, current: rotation.current })),
    ...served.missingWraps.map((missing) => ({ id: missing.recordId, keyVersion: missing.keyVersion })),
  ]);
  const work = {
    rotations: served.rotations.filter((rotation) => !stale.has(rotation.recordId) && rotation.current.version === rotation.currentVersion),
    missingWraps: served.missingWraps.filter((missing) => !stale.has(missing.recordId)),
  };
  outcome.deferred += served.rotations.length + served.missingWraps.length - work.rotations.length - work.missingWraps.length;
  const total = work.missingWraps.length + work.rotations.length;
  if (total === 0) return outcome;
  onProgress({ done: 0, total });

  for (let start = 0; start < work.missingWraps.length; start += wrapBatch) {
    const batch = work.missingWraps.slice(start, start + wrapBatch);
    const wraps = batch.map((missing) => ({
      grantId: missing.grantId,
      recordId: missing.recordId,
      keyVersion: missing.keyVersion,
      wrappedKey: verified("decrypt", () => wrapForGrants(missing.recordId, missing.keyVersion, missing.ownerWrap, [missing.grantId], vault))[0]!.wrappedKey,
    }));
    try {
      await transport.call(routes.grants.addWraps, { body: { wraps } });
      outcome.wrapped += wraps.length;
    } catch (caught) {
      if (!(caught instanceof ApiError && caught.status === 409)) throw caught;
      outcome.deferred += wraps.length;
    }
    onProgress({ done: start + batch.length, total });
  }

  const authors = await authorKeys(
    work.rotations.map((rotation) => rotation.current.authorId),
    vault,
    transport,
  );
  let done = work.missingWraps.length;
  let pending: RecordRotation[] = [];
  // Sends what is sealed so far, in requests within the body limit; a batch the server refuses as a
  // whole (a record changed or went meanwhile) is sent again one record at a time, so only those are deferred.
  const flush = async () => {
    const sealed = pending;
    pending = [];
    for (const batch of sealed.length > 0 ? batchesWithin(sealed, "rotations", bodyLimits.rotationBatch) : []) {
      try {
        await sendRotations(batch, transport);
        outcome.rotated += batch.length;
      } catch (caught) {
        if (!isDeferrable(caught)) throw caught;
        if (batch.length === 1) outcome.deferred += 1;
        else {
          for (const one of batch) {
            try {
              await sendRotations([one], transport);
              outcome.rotated += 1;
            } catch (single) {
              if (!isDeferrable(single)) throw single;
              outcome.deferred += 1;
            }
          }
        }
      }
      done += batch.length;
      onProgress({ done, total });
    }
  };
  for (const rotation of work.rotations) {
    if (!stillOpen()) break;
    try {
      pending.push(await sealOne(rotation, authors.get(rotation.current.authorId)?.identityPublicKey, vault, transport));
    } catch (caught) {
      // Deferred (tried again next time): the record changed or went meanwhile, or it does not verify (left
      // untouched rather than re-encrypted). Anything else is a bug or an outage, and is not hidden as "deferred".
      if (!isDeferrable(caught)) throw caught;
      outcome.deferred += 1;
      done += 1;
      onProgress({ done, total });
    }
    if (pending.length >= batchSize) await flush();
  }
  await flush();
  return outcome;
}

/** Refusals that leave a record for next time: it changed or went meanwhile (409, 404), or it does not verify. */
const isDeferrable = (caught: unknown) => (caught instanceof ApiError ? caught.status === 409 || caught.status === 404 : isIntegrityError(caught));

/**
 * One batch request. Not retried here: an outage ends the run ("tried again next time"), and the
 * next run, driven by the server's work list, re-seals what is left; the server takes a batch it
 * already stored as done.
 */
const sendRotations = (rotations: RecordRotation[], transport: Transport) => transport.call(routes.records.rotateMany, { body: { rotations } });

/** Records sealed per rotation request (fewer when the body limit says so). */
export const rotationBatchSize = 200;

/** A record sealed under its next key, its file (if any) re-encrypted and uploaded first, streaming. */
async function sealOne(
  rotation: RotationTask,
  authorKey: Uint8Array | undefined,
  vault: { userId: string; keys: UnlockedKeys },
  transport: Transport,
): Promise<RecordRotation> {
  const opened = openForRotation(rotation, authorKey, vault);
  let file: FileReference | undefined;
  if (opened.document.file) {
    // The file body was under a key the revoked clinician may hold: it is re-encrypted too, under a new key and a new blob.
    // The download checks the plaintext against the digest the author signed, so what moves is what they wrote.
    const context = { recordId: rotation.recordId, version: rotation.currentVersion, keyVersion: rotation.keyVersion + 1 };
    file = await reencryptFile(opened.document.file, context, transport);
  }
  return { recordId: rotation.recordId, ...sealRotation(rotation, opened, vault, file) };
}

/** One record the server says to move to a fresh key. */
export type RotationTask = KeyMaintenance["rotations"][number];

/**
 * A record's current version, verified against its author and decrypted, ready to be moved to a new key.
 * @throws IntegrityError ("signature" for an author whose keys could not be checked or a bad
 *   signature, "decrypt" for an owner wrap or content that does not open).
 */
export function openForRotation(rotation: RotationTask, authorKey: Uint8Array | undefined, vault: { keys: UnlockedKeys }): OpenedVersion {
  // An author whose certified keys cannot be checked is an integrity failure like a bad signature.
  if (!authorKey) throw new IntegrityError("signature");
  const oldKey = verified("decrypt", () => recordKeyOf({ id: rotation.recordId, keyVersion: rotation.keyVersion, ownerWrap: rotation.ownerWrap }, vault));
  try {
    return verified("decrypt", () => openSharedVersion(rotation.recordId, rotation.current, oldKey, authorKey));
  } finally {
    oldKey.fill(0);
  }
}

/**
 * A record moved to a fresh key: its current version re-encrypted in place under key
 * version + 1 (its author's signature and commitment untouched, so who wrote it never
 * changes), wrapped for the owner and for each grant that still covers it. `file` is the
 * re-encrypted copy of a file record's body. Pure, so benchmarks can time it.
 */
export function sealRotation(rotation: RotationTask, opened: OpenedVersion, vault: { userId: string; keys: UnlockedKeys }, file?: FileReference) {
  const recordId = rotation.recordId;
  const keyVersion = rotation.keyVersion + 1;
  const newKey = generateRecordKey();
  try {
    const context = { recordId, version: rotation.currentVersion, keyVersion };
    const version = {
      version: context.version,
      keyVersion,
      content: reencryptVersion(opened, newKey, context, file),
      ...(file ? { blobId: file.blobId } : {}),
    };
    const grantWraps = rotation.grantIds.map((grantId) => {
      const shareKey = deriveShareKey(vault.keys.vaultKey, { grantId });
      const wrappedKey = toBase64url(wrapRecordKey(newKey, shareKey, { recordId, keyVersion, grantId }));
      shareKey.fill(0);
      return { grantId, wrappedKey };
    });
    return { ownerWrap: ownerWrapFor(newKey, recordId, keyVersion, vault), version, grantWraps };
  } finally {
    newKey.fill(0);
  }
}

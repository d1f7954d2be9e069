import {
  cryptoReady,
  deriveOwnerWrappingKey,
  deriveShareKey,
  envelopeKindOf,
  EnvelopeKind,
  fromBase64url,
  generateRecordKey,
  ownerGrantId,
  toBase64url,
  unwrapRecordKey,
  wrapRecordKey,
  wrapRecordKeys,
  type RecordKey,
} from "@/crypto";
import { routes } from "@/contract/routes";
import type { KeyMaintenance } from "@/contract/sharing";
import { IntegrityError, isIntegrityError, verified } from "../integrity";
import { ApiError, type Transport } from "../transport/api";
import { reencryptFile } from "../records/files";
import { bodyLimits } from "@/contract/body-limits";
import { maxRotationsPerRequest, type RecordRotation } from "@/contract/records";
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
import { renewTeamGrants } from "./team-renewal";
import type { UnlockedKeys, UnlockedVault } from "../keystore/vault-store";

export interface MaintenanceProgress {
  done: number;
  total: number;
}

export interface MaintenanceOutcome {
  /** Shares with care teams whose share key was replaced after a member left (client/sharing/team-renewal.ts). */
  renewed: number;
  /** Shares with care teams whose renewal waits for the patient to compare the team's new key (the Sharing page asks). */
  toCompare: number;
  rotated: number;
  wrapped: number;
  /** Records that could not be rotated now (changed meanwhile, or failed to verify); tried again next time. */
  deferred: number;
}

const wrapBatch = 500;

/**
 * Keeps sharing exact, driven by what the server says is left to do, so it resumes after a
 * reload or on another device: shares with care teams that lost a member get a new share key
 * (`renewTeamGrants`), records an active grant covers but cannot open get a wrap,
 * and every record whose key a revoked or expired grant held moves to a fresh key (its
 * current version re-encrypted in place: same version, same author and signature). Rotations
 * go to the server in batches (`rotationBatchSize` records, within the body limit), each one
 * transaction there (a batch refused whole is split in halves until only the refused records are left); a file record's file is re-encrypted and uploaded, streaming, before its
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
  const outcome: MaintenanceOutcome = { renewed: 0, toCompare: 0, rotated: 0, wrapped: 0, deferred: 0 };
  if (vault.role !== "patient") return outcome;
  // Shares with care teams that lost a member get a new share key first: the server holds back their records'
  // rotations until then, so every new record key goes under a share key the member who left never held.
  const renewal = await renewTeamGrants(vault, transport);
  outcome.renewed = renewal.renewed;
  outcome.toCompare = renewal.unconfirmed;
  outcome.deferred += renewal.deferred;
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
  const sealer = rotationSealer(vault);
  try {
    // A batch the server refuses as a whole (a record changed or went meanwhile) is sent again as two halves,
    // and so on down to single records, so only those are deferred: a few requests per changed record
    // (about 2·log2 of the batch's size) rather than one per record of the batch.
    const sendSplitting = async (batch: RecordRotation[]): Promise<void> => {
      try {
        await sendRotations(batch, transport);
        outcome.rotated += batch.length;
      } catch (caught) {
        if (!isDeferrable(caught)) throw caught;
        if (batch.length === 1) {
          outcome.deferred += 1;
          return;
        }
        const half = Math.ceil(batch.length / 2);
        await sendSplitting(batch.slice(0, half));
        await sendSplitting(batch.slice(half));
      }
    };
    // Sends what is sealed so far, in requests within the body limit.
    const flush = async () => {
      const sealed = pending;
      pending = [];
      for (const batch of sealed.length > 0 ? batchesWithin(sealed, "rotations", bodyLimits.rotationBatch) : []) {
        await sendSplitting(batch);
        done += batch.length;
        onProgress({ done, total });
      }
    };
    for (const rotation of work.rotations) {
      if (!stillOpen()) break;
      try {
        pending.push(await sealOne(rotation, authors.get(rotation.current.authorId)?.identityPublicKey, sealer, transport));
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
  } finally {
    sealer.close();
  }
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

/**
 * Records sealed per rotation request (fewer when the body limit says so): the most the route
 * takes. Each request costs the server a transaction, a lock round, a coverage read and an
 * audit append whatever its size, so larger batches make a rotation after a revoke cheaper per
 * record (bench/sharing-bench.ts); a refused batch is split in halves, not resent record by record.
 */
export const rotationBatchSize = maxRotationsPerRequest;

/** A record sealed under its next key, its file (if any) re-encrypted and uploaded first, streaming. */
async function sealOne(rotation: RotationTask, authorKey: Uint8Array | undefined, sealer: RotationSealer, transport: Transport): Promise<RecordRotation> {
  const opened = sealer.open(rotation, authorKey);
  let file: FileReference | undefined;
  if (opened.document.file) {
    // The file body was under a key the revoked clinician may hold: it is re-encrypted too, under a new key and a new blob.
    // The download checks the plaintext against the digest the author signed, so what moves is what they wrote.
    const context = { recordId: rotation.recordId, version: rotation.currentVersion, keyVersion: rotation.keyVersion + 1 };
    file = await reencryptFile(opened.document.file, context, transport);
  }
  return { recordId: rotation.recordId, ...sealer.seal(rotation, opened, file) };
}

/** One record the server says to move to a fresh key. */
export type RotationTask = KeyMaintenance["rotations"][number];

/**
 * Opens and seals rotations with the keys they all need derived once (the owner wrapping
 * key, each grant's share key) instead of once or twice per record: what the run and the
 * benchmarks use. `close()` zeroes those keys; it must be called when the run ends (in a
 * `finally`), and the sealer is not used after it.
 */
export interface RotationSealer {
  /** openForRotation with the derived owner key. @throws as openForRotation */
  open(rotation: RotationTask, authorKey: Uint8Array | undefined): OpenedVersion;
  /** sealRotation with the derived keys. @throws as sealRotation */
  seal(rotation: RotationTask, opened: OpenedVersion, file?: FileReference): Omit<RecordRotation, "recordId">;
  close(): void;
}

/** A RotationSealer for this vault's keys (see there). @throws CryptoError("invalid-key") for a vault key that is not 32 bytes */
export function rotationSealer(vault: { userId: string; keys: UnlockedKeys }): RotationSealer {
  const ownerKey = deriveOwnerWrappingKey(vault.keys.vaultKey);
  const shareKeys = new Map<string, ReturnType<typeof deriveShareKey>>();
  const shareKeyOf = (grantId: string) => {
    let key = shareKeys.get(grantId);
    if (!key) shareKeys.set(grantId, (key = deriveShareKey(vault.keys.vaultKey, { grantId })));
    return key;
  };
  return {
    open: (rotation, authorKey) =>
      openWith(rotation, authorKey, () => {
        const wrap = fromBase64url(rotation.ownerWrap);
        // A record a clinician contributed has its key sealed to the owner, not wrapped: recordKeyOf opens those.
        if (envelopeKindOf(wrap) === EnvelopeKind.sealedRecordKey)
          return recordKeyOf({ id: rotation.recordId, keyVersion: rotation.keyVersion, ownerWrap: rotation.ownerWrap }, vault);
        return unwrapRecordKey(wrap, ownerKey, { recordId: rotation.recordId, keyVersion: rotation.keyVersion, grantId: ownerGrantId });
      }),
    seal: (rotation, opened, file) =>
      sealWith(rotation, opened, file, {
        ownerWrap: (recordKey, recordId, keyVersion) =>
          toBase64url(wrapRecordKeys([{ recordKey, recordId, keyVersion }], ownerKey, { grantId: ownerGrantId })[0]!),
        shareKey: shareKeyOf,
      }),
    close: () => {
      ownerKey.fill(0);
      for (const key of shareKeys.values()) key.fill(0);
      shareKeys.clear();
    },
  };
}

/**
 * A record's current version, verified against its author and decrypted, ready to be moved to a new key.
 * @throws IntegrityError ("signature" for an author whose keys could not be checked or a bad
 *   signature, "decrypt" for an owner wrap or content that does not open).
 */
export function openForRotation(rotation: RotationTask, authorKey: Uint8Array | undefined, vault: { keys: UnlockedKeys }): OpenedVersion {
  return openWith(rotation, authorKey, () => recordKeyOf({ id: rotation.recordId, keyVersion: rotation.keyVersion, ownerWrap: rotation.ownerWrap }, vault));
}

function openWith(rotation: RotationTask, authorKey: Uint8Array | undefined, oldKeyOf: () => RecordKey): OpenedVersion {
  // An author whose certified keys cannot be checked is an integrity failure like a bad signature.
  if (!authorKey) throw new IntegrityError("signature");
  const oldKey = verified("decrypt", oldKeyOf);
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
  const shareKeys: Uint8Array[] = [];
  try {
    return sealWith(rotation, opened, file, {
      ownerWrap: (recordKey, recordId, keyVersion) => ownerWrapFor(recordKey, recordId, keyVersion, vault),
      shareKey: (grantId) => {
        const key = deriveShareKey(vault.keys.vaultKey, { grantId });
        shareKeys.push(key);
        return key;
      },
    });
  } finally {
    for (const key of shareKeys) key.fill(0);
  }
}

function sealWith(
  rotation: RotationTask,
  opened: OpenedVersion,
  file: FileReference | undefined,
  keys: {
    ownerWrap: (recordKey: RecordKey, recordId: string, keyVersion: number) => string;
    shareKey: (grantId: string) => ReturnType<typeof deriveShareKey>;
  },
) {
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
    const grantWraps = rotation.grantIds.map((grantId) => ({
      grantId,
      wrappedKey: toBase64url(wrapRecordKey(newKey, keys.shareKey(grantId), { recordId, keyVersion, grantId })),
    }));
    return { ownerWrap: keys.ownerWrap(newKey, recordId, keyVersion), version, grantWraps };
  } finally {
    newKey.fill(0);
  }
}

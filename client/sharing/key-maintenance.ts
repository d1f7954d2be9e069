import { CryptoError, cryptoReady, deriveShareKey, generateRecordKey, isCryptoError, toBase64url, wrapRecordKey } from "@/crypto";
import { api, ApiError, httpTransport } from "../transport/api";
import { isIntegrityError } from "../integrity";
import { downloadDecryptedFile, uploadEncryptedFile } from "../records/files";
import { authorKeys, openSharedVersion, ownerWrapFor, recordKeyOf, reencryptVersion, servedRecord, wrapForGrants, type OpenedVersion, type VersionJson } from "../records/records";
import type { FileReference } from "../records/files";
import { staleRecords } from "../keystore/rollback-guard";
import { useVault, type UnlockedKeys } from "../keystore/vault-store";

export interface MaintenanceJson {
  rotations: Array<{ recordId: string; keyVersion: number; ownerWrap: string; currentVersion: number; current: VersionJson & { blobId: string | null }; grantIds: string[] }>;
  missingWraps: Array<{ recordId: string; keyVersion: number; ownerWrap: string; grantId: string }>;
}

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

function unlockedPatient() {
  const vault = useVault.getState().vault;
  return vault.status === "unlocked" && vault.role === "patient" ? vault : null;
}

/**
 * Keeps sharing exact, driven by what the server says is left to do, so it resumes after a
 * reload or on another device: records an active grant covers but cannot open get a wrap,
 * and every record whose key a revoked or expired grant held moves to a fresh key (its
 * current version re-encrypted in place: same version, same author and signature).
 */
export async function runKeyMaintenance(onProgress: (progress: MaintenanceProgress) => void): Promise<MaintenanceOutcome> {
  await cryptoReady();
  const vault = unlockedPatient();
  const outcome: MaintenanceOutcome = { rotated: 0, wrapped: 0, deferred: 0 };
  if (!vault) return outcome;
  const served = await api.get<MaintenanceJson>("/api/me/key-maintenance");
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
      wrappedKey: wrapForGrants(missing.recordId, missing.keyVersion, missing.ownerWrap, [missing.grantId], vault)[0]!.wrappedKey,
    }));
    try {
      await api.post("/api/grants/wraps", { wraps });
      outcome.wrapped += wraps.length;
    } catch (caught) {
      if (!(caught instanceof ApiError && caught.status === 409)) throw caught;
      outcome.deferred += wraps.length;
    }
    onProgress({ done: start + batch.length, total });
  }

  const authors = await authorKeys(work.rotations.map((rotation) => rotation.current.authorId), vault);
  let done = work.missingWraps.length;
  for (const rotation of work.rotations) {
    if (!unlockedPatient()) break;
    try {
      await rotateOne(rotation, authors.get(rotation.current.authorId)?.identityPublicKey, vault);
      outcome.rotated += 1;
    } catch (caught) {
      // Deferred (tried again next time): the record changed or went meanwhile, or it does not verify (left
      // untouched rather than re-encrypted). Anything else is a bug or an outage, and is not hidden as "deferred".
      const deferrable = caught instanceof ApiError ? caught.status === 409 || caught.status === 404 : isCryptoError(caught) || isIntegrityError(caught);
      if (!deferrable) throw caught;
      outcome.deferred += 1;
    }
    done += 1;
    onProgress({ done, total });
  }
  return outcome;
}

async function rotateOne(rotation: RotationTask, authorKey: Uint8Array | undefined, vault: { userId: string; keys: UnlockedKeys }) {
  const opened = openForRotation(rotation, authorKey, vault);
  let file: FileReference | undefined;
  if (opened.document.file) {
    // The file body was under a key the revoked clinician may hold: it is re-encrypted too, under a new key and a new blob.
    // The download checks the plaintext against the digest the author signed, so what moves is what they wrote.
    const context = { recordId: rotation.recordId, version: rotation.currentVersion, keyVersion: rotation.keyVersion + 1 };
    const plain = await downloadDecryptedFile(opened.document.file, "application/octet-stream", () => undefined, httpTransport);
    file = await uploadEncryptedFile(plain, context, () => undefined, httpTransport, opened.document.file.blobId);
  }
  await api.post(`/api/records/${rotation.recordId}/rotate`, sealRotation(rotation, opened, vault, file));
}

type RotationTask = MaintenanceJson["rotations"][number];

/** A record's current version, verified against its author and decrypted, ready to be moved to a new key. */
export function openForRotation(rotation: RotationTask, authorKey: Uint8Array | undefined, vault: { keys: UnlockedKeys }): OpenedVersion {
  // An author whose certified keys cannot be checked is an integrity failure like a bad signature.
  if (!authorKey) throw new CryptoError("authentication-failed");
  const oldKey = recordKeyOf({ id: rotation.recordId, keyVersion: rotation.keyVersion, ownerWrap: rotation.ownerWrap }, vault);
  try {
    return openSharedVersion(rotation.recordId, rotation.current, oldKey, authorKey);
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

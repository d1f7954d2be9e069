import {
  cryptoReady,
  decodeCanonical,
  encodeCanonical,
  equalBytes,
  fromBase64url,
  generateShareKey,
  keyFingerprint,
  openShareKey,
  safetyCode,
  sealShareKey,
  signGrant,
  toBase64url,
  unwrapRecordKey,
  verifyGrant,
  verifyKeyCertificate,
  wrapRecordKeys,
  wrapsDigest,
} from "@/crypto";
import { api } from "./api";
import { openSharedVersion, ownRecordKeys, type RecordDocument, type VersionJson } from "./records";
import { useVault } from "./vault-store";

export interface ClinicianEntry {
  userId: string;
  role: "doctor" | "nurse";
  displayName: string;
  specialty: string;
  organization: string;
  verified: boolean;
}

const statementLabel = "hsc/v1/grant-statement";

function unlocked() {
  const vault = useVault.getState().vault;
  if (vault.status !== "unlocked") throw new Error("The vault is locked.");
  return vault;
}

export const searchClinicians = (query: string) =>
  api.get<{ clinicians: ClinicianEntry[] }>(`/api/directory?q=${encodeURIComponent(query)}`).then((result) => result.clinicians);

/** A user's certified keys; a certificate that does not verify is never used. */
export async function certifiedKeys(userId: string) {
  await cryptoReady();
  const keys = await api.get<{ identityPublicKey: string; certificate: string }>(`/api/users/${userId}/keys`);
  const identityPublicKey = fromBase64url(keys.identityPublicKey);
  const certificate = verifyKeyCertificate(fromBase64url(keys.certificate), identityPublicKey, { userId });
  return { identityPublicKey, certificate, safetyCode: safetyCode(identityPublicKey, userId) };
}

/**
 * Shares records with a clinician: one share key sealed to their certified key, each
 * record key wrapped under it, and a signed statement of exactly what was granted.
 */
export async function shareRecords(input: {
  clinicianId: string;
  recordIds: string[] | "all";
  permission: "read" | "contribute";
  expiresAt: Date | null;
}): Promise<string> {
  const vault = unlocked();
  const clinician = await certifiedKeys(input.clinicianId);
  if (clinician.certificate.role !== "doctor" && clinician.certificate.role !== "nurse") throw new Error("not a clinician");
  const grantId = crypto.randomUUID();
  const shareKey = generateShareKey();
  const keys = await ownRecordKeys(input.recordIds);
  const wrapped = wrapRecordKeys(keys, shareKey, { grantId });
  const wraps = keys.map((key, index) => ({ recordId: key.recordId, keyVersion: key.keyVersion, wrappedKey: wrapped[index]! }));
  const fingerprint = keyFingerprint(clinician.certificate.encryptionPublicKey);
  const digest = wrapsDigest(wraps);
  const recordIds = input.recordIds === "all" ? [] : input.recordIds;
  const scope = input.recordIds === "all" ? "all" : "records";
  const signature = signGrant(
    {
      grantId,
      patientId: vault.userId,
      clinicianId: input.clinicianId,
      clinicianKeyFingerprint: fingerprint,
      scope,
      permission: input.permission,
      expiresAt: input.expiresAt?.getTime() ?? 0,
      recordIds,
      wrapsDigest: digest,
    },
    vault.keys.identitySecretKey,
  );
  await api.post("/api/grants", {
    grantId,
    clinicianId: input.clinicianId,
    scope,
    permission: input.permission,
    expiresAt: input.expiresAt?.toISOString() ?? null,
    sealedShareKey: toBase64url(sealShareKey(shareKey, clinician.certificate.encryptionPublicKey, { grantId })),
    statement: toBase64url(encodeCanonical(statementLabel, [fingerprint, digest])),
    signature: toBase64url(signature),
    sealedProfile: null,
    recordIds,
    wraps: wraps.map((wrap) => ({ ...wrap, wrappedKey: toBase64url(wrap.wrappedKey) })),
  });
  shareKey.fill(0);
  for (const key of keys) key.recordKey.fill(0);
  return grantId;
}

export interface GrantSummary {
  id: string;
  clinicianId: string;
  clinicianName: string;
  scope: "records" | "all";
  permission: "read" | "contribute";
  expiresAt: string | null;
  createdAt: string;
  revokedAt: string | null;
  recordIds: string[];
}

export const listGrants = () => api.get<{ grants: GrantSummary[] }>("/api/grants").then((result) => result.grants);
export const revokeGrant = (grantId: string) => api.post(`/api/grants/${grantId}/revoke`);

interface SharedGrantJson {
  grantId: string;
  patientId: string;
  scope: "records" | "all";
  permission: "read" | "contribute";
  expiresAt: string | null;
  sealedShareKey: string | null;
  statement: string;
  signature: string;
  recordIds: string[];
  patientKeys: { identityPublicKey: string; certificate: string };
}

export interface SharedPatient {
  grantId: string;
  patientId: string;
  permission: "read" | "contribute";
  expiresAt: string | null;
  records: Array<{ id: string; version: number; document: RecordDocument }>;
  /** Records that failed verification: shown as a warning, never rendered. */
  refused: number;
}

/**
 * Everything shared with this clinician, verified before use: the patient's certificate,
 * the signed grant (naming this clinician's own key), and each record's signature.
 */
export async function loadSharedWithMe(): Promise<SharedPatient[]> {
  await cryptoReady();
  const vault = unlocked();
  const { grants } = await api.get<{ grants: SharedGrantJson[] }>("/api/shared");
  const result: SharedPatient[] = [];
  for (const grant of grants) {
    if (!grant.sealedShareKey) continue;
    const patientIdentity = fromBase64url(grant.patientKeys.identityPublicKey);
    verifyKeyCertificate(fromBase64url(grant.patientKeys.certificate), patientIdentity, { userId: grant.patientId });
    const { fields } = decodeCanonical(fromBase64url(grant.statement));
    const [fingerprint, digest] = fields;
    if (!(fingerprint instanceof Uint8Array) || !(digest instanceof Uint8Array) || !equalBytes(fingerprint, keyFingerprint(vault.keys.encryptionPublicKey))) {
      throw new Error("grant names another key");
    }
    verifyGrant(
      {
        grantId: grant.grantId,
        patientId: grant.patientId,
        clinicianId: vault.userId,
        clinicianKeyFingerprint: fingerprint,
        scope: grant.scope,
        permission: grant.permission,
        expiresAt: grant.expiresAt ? new Date(grant.expiresAt).getTime() : 0,
        recordIds: grant.recordIds,
        wrapsDigest: digest,
      },
      fromBase64url(grant.signature),
      patientIdentity,
    );
    const shareKey = openShareKey(
      fromBase64url(grant.sealedShareKey),
      { publicKey: vault.keys.encryptionPublicKey, secretKey: vault.keys.encryptionSecretKey },
      { grantId: grant.grantId },
    );
    const { records } = await api.get<{ records: Array<{ id: string; keyVersion: number; wrappedKey: string; current: VersionJson }> }>(
      `/api/shared/${grant.grantId}/records`,
    );
    const opened: SharedPatient["records"] = [];
    let refused = 0;
    for (const record of records) {
      try {
        if (grant.scope === "records" && !grant.recordIds.includes(record.id)) throw new Error("not granted");
        if (record.current.authorId !== grant.patientId) throw new Error("unknown author");
        const recordKey = unwrapRecordKey(fromBase64url(record.wrappedKey), shareKey, { recordId: record.id, keyVersion: record.keyVersion, grantId: grant.grantId });
        opened.push({ id: record.id, version: record.current.version, document: openSharedVersion(record.id, record.current, recordKey, patientIdentity) });
        recordKey.fill(0);
      } catch {
        refused += 1;
      }
    }
    shareKey.fill(0);
    result.push({ grantId: grant.grantId, patientId: grant.patientId, permission: grant.permission, expiresAt: grant.expiresAt, records: opened, refused });
  }
  return result;
}

import {
  CryptoError,
  isCryptoError,
  cryptoReady,
  deriveShareKey,
  decodeGrantStatementFacts,
  encodeGrantStatementFacts,
  equalBytes,
  fromBase64url,
  generateRecordKey,
  keyFingerprint,
  decryptGrantProfile,
  openShareKey,
  encryptGrantProfile,
  sealRecordKeyToOwner,
  sealShareKey,
  signGrant,
  toBase64url,
  unwrapRecordKey,
  verifyGrant,
  verifyKeyCertificate,
  wrapRecordKey,
  wrapRecordKeys,
  wrapsDigest,
  type RecordKey,
  type ShareKey,
} from "@/crypto";
import { authorshipLine } from "../records/authorship";
import { api, ApiError, httpTransport, retryTransient } from "../transport/api";
import { checkedContact, KeyChangedError, pinContact, type CertifiedKeys, type DirectoryEntry } from "./contacts";
import {
  authorKeys,
  openSharedVersion,
  ownRecordKeys,
  sealVersion,
  servedRecord,
  verifyAuthorship,
  type RecordDocument,
  type StatementJson,
  type VersionAuthor,
  type VersionJson,
} from "../records/records";
import { guardGrantList, guardReceivedGrant, isRollback, rememberVerifiedRecords, rollbackError, type ServedRecord, staleRecords } from "../keystore/rollback-guard";
import { useVault, type UnlockedKeys } from "../keystore/vault-store";

function unlocked() {
  const vault = useVault.getState().vault;
  if (vault.status !== "unlocked") throw new Error("The vault is locked.");
  return vault;
}

/** The server refuses shorter queries (400); the page says so before asking. */
export const directoryQueryMinLength = 3;

/** Up to twenty matching clinicians; `more` when others match too (the person should type more). */
export const searchClinicians = (query: string) =>
  api.get<{ clinicians: DirectoryEntry[]; more: boolean }>(`/api/directory?q=${encodeURIComponent(query)}`);

/** Shares records with a clinician whose keys were checked against the vault's pin (pinning them now, on first use). */
export async function shareRecords(input: {
  clinician: CertifiedKeys & { pin?: unknown };
  verified: boolean;
  recordIds: string[] | "all";
  permission: "read" | "contribute";
  expiresAt: Date | null;
  revealedName: string;
}): Promise<string> {
  const vault = unlocked();
  const { clinician } = input;
  if (clinician.certificate.role !== "doctor" && clinician.certificate.role !== "nurse") throw new Error("not a clinician");
  if (!clinician.pin || input.verified) await pinContact(clinician, input.verified);
  const recordKeys = await ownRecordKeys(input.recordIds, vault, httpTransport);
  try {
    const request = sealGrant({ ...input, vault, clinicianId: clinician.userId, clinicianEncryptionPublicKey: clinician.certificate.encryptionPublicKey, recordKeys });
    // Re-sent as it is after a cut-off request: the server takes a grant it already stored as done, so there is never a second one.
    await retryTransient(() => api.post("/api/grants", request));
    return request.grantId;
  } finally {
    for (const key of recordKeys) key.recordKey.fill(0);
  }
}

/**
 * Everything the server stores for a grant, made in the browser: the share key (derived
 * from the vault key, so the patient can later wrap new records for an "all records"
 * grant and rotate keys after a revoke) sealed to the clinician's certified key, each
 * record key wrapped under it, what the patient reveals, and the signed statement.
 * Pure, so benchmarks can time it.
 */
export function sealGrant(input: {
  vault: { userId: string; keys: UnlockedKeys };
  clinicianId: string;
  clinicianEncryptionPublicKey: Uint8Array;
  recordKeys: Array<{ recordId: string; keyVersion: number; recordKey: RecordKey }>;
  recordIds: string[] | "all";
  permission: "read" | "contribute";
  expiresAt: Date | null;
  revealedName: string;
}) {
  const grantId = crypto.randomUUID();
  const shareKey = deriveShareKey(input.vault.keys.vaultKey, { grantId });
  try {
    const signed = signedTerms({ ...input, grantId, shareKey, fingerprint: keyFingerprint(input.clinicianEncryptionPublicKey), revision: 1 });
    return {
      grantId,
      clinicianId: input.clinicianId,
      ...signed,
      sealedShareKey: toBase64url(sealShareKey(shareKey, input.clinicianEncryptionPublicKey, { grantId })),
      sealedProfile: toBase64url(encryptGrantProfile({ displayName: input.revealedName }, shareKey, { grantId })),
    };
  } finally {
    shareKey.fill(0);
  }
}

/**
 * A grant's terms as the patient signs them, at one revision: the record keys wrapped under
 * the share key, and the statement (with the signed facts the server keeps no column for).
 */
function signedTerms(input: {
  vault: { userId: string; keys: UnlockedKeys };
  grantId: string;
  shareKey: ShareKey;
  clinicianId: string;
  fingerprint: Uint8Array;
  recordKeys: Array<{ recordId: string; keyVersion: number; recordKey: RecordKey }>;
  recordIds: string[] | "all";
  permission: "read" | "contribute";
  expiresAt: Date | null;
  revision: number;
}) {
  const { grantId, fingerprint } = input;
  const wrapped = wrapRecordKeys(input.recordKeys, input.shareKey, { grantId });
  const wraps = input.recordKeys.map((key, index) => ({ recordId: key.recordId, keyVersion: key.keyVersion, wrappedKey: wrapped[index]! }));
  const digest = wrapsDigest(wraps);
  const recordIds = input.recordIds === "all" ? [] : input.recordIds;
  const scope = input.recordIds === "all" ? ("all" as const) : ("records" as const);
  const signature = signGrant(
    {
      grantId,
      patientId: input.vault.userId,
      clinicianId: input.clinicianId,
      clinicianKeyFingerprint: fingerprint,
      scope,
      permission: input.permission,
      expiresAt: input.expiresAt?.getTime() ?? 0,
      recordIds,
      wrapsDigest: digest,
      revision: input.revision,
    },
    input.vault.keys.identitySecretKey,
  );
  return {
    scope,
    permission: input.permission,
    expiresAt: input.expiresAt?.toISOString() ?? null,
    statement: toBase64url(encodeGrantStatementFacts({ clinicianKeyFingerprint: fingerprint, wrapsDigest: digest, recordIds })),
    signature: toBase64url(signature),
    recordIds,
    wraps: wraps.map((wrap) => ({ ...wrap, wrappedKey: toBase64url(wrap.wrappedKey) })),
  };
}

/** What a change to a grant did, as the server reports it: record ids added and removed, and which terms changed. */
export interface GrantChangeResult {
  added: string[];
  removed: string[];
  permissionChanged: boolean;
  endDateChanged: boolean;
}

/**
 * Changes a grant in place: its records, permission and end date, signed as the next
 * revision of the grant's statement, with the keys of added records wrapped under its share
 * key. Adding records needs the clinician's keys to match the pin in the vault, like a new
 * share (throws KeyChangedError otherwise); narrowing a grant never does.
 *
 * @throws KeyChangedError, IntegrityError("rollback") (own records served older than seen), ApiError
 *   (`conflict` when the grant ended or changed meanwhile).
 */
export async function changeGrant(
  grant: GrantSummary,
  next: { recordIds: string[] | "all"; permission: "read" | "contribute"; expiresAt: Date | null },
): Promise<GrantChangeResult> {
  await cryptoReady();
  const vault = unlocked();
  const listed = new Set(grant.recordIds);
  const excluded = new Set(grant.excludedRecordIds);
  // What the change adds: for "all records" every own record the grant does not open yet.
  const adding = async () => {
    if (next.recordIds === "all") {
      if (grant.scope === "all") return [];
      return (await ownRecordKeys("all", vault, httpTransport)).filter((key) => !listed.has(key.recordId));
    }
    const added = next.recordIds.filter((id) => (grant.scope === "all" ? excluded.has(id) : !listed.has(id)));
    return added.length ? ownRecordKeys(added, vault, httpTransport) : [];
  };
  const recordKeys = await adding();
  try {
    let fingerprint: Uint8Array;
    try {
      const keys = await checkedContact(grant.clinicianId);
      if (!keys.pin && recordKeys.length > 0) await pinContact(keys, false);
      fingerprint = keyFingerprint(keys.certificate.encryptionPublicKey);
    } catch (caught) {
      // Narrowing needs no new trust: it is signed for the key already pinned.
      if (!(caught instanceof KeyChangedError) || recordKeys.length > 0) throw caught;
      fingerprint = fromBase64url(caught.pinned.encryptionKeyFingerprint);
    }
    const shareKey = deriveShareKey(vault.keys.vaultKey, { grantId: grant.id });
    let request;
    try {
      request = { revision: grant.revision + 1, ...signedTerms({ ...next, vault, grantId: grant.id, shareKey, clinicianId: grant.clinicianId, fingerprint, recordKeys, revision: grant.revision + 1 }) };
    } finally {
      shareKey.fill(0);
    }
    // Re-sent as it is after a cut-off request: the server does the same signed change once.
    return await retryTransient(() => api.post<GrantChangeResult>(`/api/grants/${grant.id}/change`, request));
  } finally {
    for (const key of recordKeys) key.recordKey.fill(0);
  }
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
  /** The signed statement's revision: 1 when shared, one more at each change. */
  revision: number;
  lastOpenedAt: string | null;
  recordIds: string[];
  excludedRecordIds: string[];
}

/** The patient's grants; refused (IntegrityError("rollback")) when older than a list this browser has shown. */
export async function listGrants(): Promise<GrantSummary[]> {
  const { grants } = await api.get<{ grants: GrantSummary[] }>("/api/grants");
  guardGrantList(unlocked().userId, grants);
  return grants;
}
/** Revocations are idempotent on the server, so a cut-off one is simply sent again. */
export const revokeGrant = (grantId: string) => retryTransient(() => api.post(`/api/grants/${grantId}/revoke`));
export const revokeGrantRecord = (grantId: string, recordId: string) => retryTransient(() => api.post(`/api/grants/${grantId}/records/${recordId}/revoke`));

interface SharedGrantJson {
  grantId: string;
  patientId: string;
  scope: "records" | "all";
  permission: "read" | "contribute";
  expiresAt: string | null;
  sealedShareKey: string | null;
  sealedProfile: string | null;
  statement: string;
  signature: string;
  /** The statement's revision (1 when shared, one more at each change the patient signs). */
  revision: number;
  patientKeys: { identityPublicKey: string; certificate: string };
}

/**
 * Verifies a grant before anything under it is used: the patient's certificate, and the
 * patient's signature over the grant as stated (naming this clinician's own key). Then
 * opens the share key and what the patient chose to reveal.
 */
function openGrant(grant: SharedGrantJson, vault: ReturnType<typeof unlocked>) {
  if (!grant.sealedShareKey) throw new Error("grant has no share key");
  const patientIdentity = fromBase64url(grant.patientKeys.identityPublicKey);
  const patientCertificate = verifyKeyCertificate(fromBase64url(grant.patientKeys.certificate), patientIdentity, { userId: grant.patientId });
  const { clinicianKeyFingerprint: fingerprint, wrapsDigest: digest, recordIds } = decodeGrantStatementFacts(fromBase64url(grant.statement));
  if (!equalBytes(fingerprint, keyFingerprint(vault.keys.encryptionPublicKey))) throw new Error("grant names another key");
  verifyGrant(
    {
      grantId: grant.grantId,
      patientId: grant.patientId,
      clinicianId: vault.userId,
      clinicianKeyFingerprint: fingerprint,
      scope: grant.scope,
      permission: grant.permission,
      expiresAt: grant.expiresAt ? new Date(grant.expiresAt).getTime() : 0,
      recordIds,
      wrapsDigest: digest,
      revision: grant.revision,
    },
    fromBase64url(grant.signature),
    patientIdentity,
  );
  guardReceivedGrant(vault.userId, grant.grantId, grant.revision);
  const shareKey = openShareKey(
    fromBase64url(grant.sealedShareKey),
    { publicKey: vault.keys.encryptionPublicKey, secretKey: vault.keys.encryptionSecretKey },
    { grantId: grant.grantId },
  );
  const revealedName = grant.sealedProfile ? decryptGrantProfile(fromBase64url(grant.sealedProfile), shareKey, { grantId: grant.grantId }).displayName : null;
  return { patientIdentity, patientCertificate, shareKey, signedRecordIds: recordIds, revealedName };
}

export interface SharedRecord {
  id: string;
  version: number;
  document: RecordDocument;
  /** Every version's verified author, oldest first ("You" for this clinician; the patient under their revealed name). */
  authors: VersionAuthor[];
  /** Who added and edited it, for this clinician to read ("Added by you · edited by the patient"); null when only the patient wrote it. */
  authorship: string | null;
}

export interface SharedPatient {
  grantId: string;
  patientId: string;
  /** The name the patient chose to show this clinician. */
  revealedName: string | null;
  permission: "read" | "contribute";
  expiresAt: string | null;
  records: SharedRecord[];
  /** Records that failed verification: shown as a warning, never rendered. */
  refused: number;
  /** Of those, records served older than this browser has already shown. */
  rolledBack: number;
}

type SharedRecordJson = { id: string; keyVersion: number; wrappedKey: string; current: VersionJson; statements: StatementJson[] };

/** Everything shared with this clinician, each grant and record verified before use. */
export async function loadSharedWithMe(): Promise<SharedPatient[]> {
  await cryptoReady();
  const vault = unlocked();
  const { grants } = await api.get<{ grants: SharedGrantJson[] }>("/api/shared");
  const result: SharedPatient[] = [];
  for (const grant of grants) {
    if (!grant.sealedShareKey) continue;
    const opened = openGrant(grant, vault);
    const { records } = await api.get<{ records: SharedRecordJson[] }>(`/api/shared/${grant.grantId}/records`);
    const authors = await authorKeys(
      records.flatMap((record) => record.statements.map((statement) => statement.authorId)),
      vault,
      new Map([[grant.patientId, { identityPublicKey: opened.patientIdentity, name: opened.revealedName ?? "The patient" }]]),
    );
    const shown: SharedRecord[] = [];
    const verified: Array<Required<ServedRecord>> = [];
    const stale = staleRecords(vault.userId, records.map(servedRecord));
    let refused = 0;
    for (const record of records) {
      try {
        if (stale.has(record.id)) throw rollbackError("a record");
        const author = authors.get(record.current.authorId);
        if (!author) throw new CryptoError("authentication-failed");
        // Every version's author is verified, not only the current one: the first tells who created the record.
        const versionAuthors = verifyAuthorship(record.id, record.current, record.statements, authors);
        // A record outside what the patient signed is accepted only if this clinician created it (its first version, signed by this clinician).
        if (grant.scope === "records" && !opened.signedRecordIds.includes(record.id) && versionAuthors[0]!.author.userId !== vault.userId) {
          throw new CryptoError("authentication-failed");
        }
        const recordKey = unwrapRecordKey(fromBase64url(record.wrappedKey), opened.shareKey, { recordId: record.id, keyVersion: record.keyVersion, grantId: grant.grantId });
        shown.push({
          id: record.id,
          version: record.current.version,
          document: openSharedVersion(record.id, record.current, recordKey, author.identityPublicKey).document,
          authors: versionAuthors,
          authorship: authorshipLine(versionAuthors, grant.patientId, vault.userId),
        });
        recordKey.fill(0);
        verified.push(servedRecord(record));
      } catch (caught) {
        // Refused and counted: integrity failures and rolled-back copies only; a bug surfaces as one.
        if (!(isCryptoError(caught) || isRollback(caught))) throw caught;
        refused += 1;
      }
    }
    opened.shareKey.fill(0);
    rememberVerifiedRecords(vault.userId, verified);
    result.push({
      grantId: grant.grantId,
      patientId: grant.patientId,
      revealedName: opened.revealedName,
      permission: grant.permission,
      expiresAt: grant.expiresAt,
      records: shown,
      refused,
      rolledBack: stale.size,
    });
  }
  return result;
}

/**
 * The names patients chose to show this clinician, from the grants alone: unlike opening
 * the records, this fetches no record and leaves nothing in the patients' trails.
 */
export async function loadRevealedNames(): Promise<Map<string, string>> {
  await cryptoReady();
  const vault = unlocked();
  const { grants } = await api.get<{ grants: SharedGrantJson[] }>("/api/shared");
  const names = new Map<string, string>();
  for (const grant of grants) {
    try {
      const opened = openGrant(grant, vault);
      opened.shareKey.fill(0);
      if (opened.revealedName) names.set(grant.patientId, opened.revealedName);
    } catch (error) {
      // A grant that does not verify names no one; anything else is a bug, not a bad grant.
      if (!isCryptoError(error)) throw error;
    }
  }
  return names;
}

/**
 * A clinician with the contribute permission adds a record to the patient's chart: its key
 * sealed to the patient's certified key, wrapped under the share key so they can read it
 * back, and the version signed by the clinician.
 */
export async function contributeRecord(grantId: string, document: RecordDocument): Promise<string> {
  await cryptoReady();
  const vault = unlocked();
  const { grants } = await api.get<{ grants: SharedGrantJson[] }>("/api/shared");
  const grant = grants.find((candidate) => candidate.grantId === grantId);
  // Gone from the active grants: access ended (revoked or past its end date), said as such.
  if (!grant) throw new ApiError(410, "gone", "This patient no longer shares records with you.");
  const opened = openGrant(grant, vault);
  const recordId = crypto.randomUUID();
  const recordKey = generateRecordKey();
  try {
    const context = { recordId, keyVersion: 1 };
    await api.post(`/api/shared/${grantId}/records`, {
      id: recordId,
      sealedOwnerKey: toBase64url(sealRecordKeyToOwner(recordKey, opened.patientCertificate.encryptionPublicKey, context)),
      grantWrap: toBase64url(wrapRecordKey(recordKey, opened.shareKey, { ...context, grantId })),
      version: sealVersion(document, recordKey, { recordId, version: 1, keyVersion: 1 }, vault),
    });
    return recordId;
  } finally {
    recordKey.fill(0);
    opened.shareKey.fill(0);
  }
}

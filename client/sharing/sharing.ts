import {
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
  type GrantProfile,
  type RecordKey,
  type ShareKey,
} from "@/crypto";
import { routes } from "@/contract/routes";
import {
  directoryQueryMinLength,
  type GrantChangeResult,
  type GrantPermission,
  type GrantSummary,
  type ReceivedGrant,
  type SharedRecordJson,
} from "@/contract/sharing";
import { recordPages, type PagingProgress } from "../records/record-pages";
import { authorshipLine } from "../records/authorship";
import { IntegrityError, isIntegrityError, verified } from "../integrity";
import { ApiError, retryTransient, type Transport } from "../transport/api";
import { checkedContact, KeyChangedError, pinContact, type CertifiedKeys } from "./contacts";
import {
  authorKeys,
  openSharedVersion,
  ownRecordKeys,
  sealVersion,
  servedRecord,
  verifyAuthorship,
  type RecordDocument,
  type VersionAuthor,
} from "../records/records";
import { guardGrantList, guardReceivedGrant, rememberVerifiedRecords, rollbackError, type ServedRecord, staleRecords } from "../keystore/rollback-guard";
import type { UnlockedKeys, UnlockedVault } from "../keystore/vault-store";
import { forgetTeams, loadHeldTeams, type HeldTeam } from "../teams/team-keys";
import { keepTeamKeysCurrent } from "../teams/organization";
import { failureKind } from "../failures";

export type { GrantChangeResult, GrantSummary };

/** Whether a date of birth can be revealed as typed: a FHIR date (a year, a year and month, or a full date). */
export { isRevealableBirthDate } from "@/crypto";

/** The server refuses shorter queries (400); the page says so before asking. */
export { directoryQueryMinLength };

/** Up to twenty matching clinicians; `more` when others match too (the person should type more). */
export const searchClinicians = (query: string, transport: Transport) => transport.call(routes.directory.search, { query: { q: query } });

/** What the patient chooses when sharing: with whom (keys checked against the vault's pin), which records, how and until when. */
export interface ShareInput {
  clinician: CertifiedKeys & { pin?: unknown };
  /** Whether the person compared the clinician's safety code (pins, or re-pins, the keys as verified). */
  verified: boolean;
  recordIds: string[] | "all";
  permission: GrantPermission;
  expiresAt: Date | null;
  revealedName: string;
  /** The date of birth this clinician may see, a FHIR date ("1957", "1957-07", "1957-07-06"); absent or empty: not revealed. */
  revealedBirthDate?: string;
}

/**
 * Shares records with a clinician whose keys were checked against the vault's pin (pinning
 * them now, on first use). Returns the new grant's id.
 * @throws Error for keys not certified for a doctor or nurse (the page offers only clinicians);
 *   IntegrityError("rollback") for own records served older than seen; ApiError.
 */
export async function shareRecords(input: ShareInput, vault: UnlockedVault, transport: Transport): Promise<string> {
  const { clinician } = input;
  if (clinician.certificate.role !== "doctor" && clinician.certificate.role !== "nurse") throw new Error("not a clinician");
  if (!clinician.pin || input.verified) await pinContact(vault, clinician, input.verified, transport);
  const recordKeys = await ownRecordKeys(input.recordIds, vault, transport);
  try {
    const request = sealGrant({
      ...input,
      vault,
      clinicianId: clinician.userId,
      clinicianEncryptionPublicKey: clinician.certificate.encryptionPublicKey,
      recordKeys,
    });
    // Re-sent as it is after a cut-off request: the server takes a grant it already stored as done, so there is never a second one.
    await retryTransient(() => transport.call(routes.grants.create, { body: request }));
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
  permission: GrantPermission;
  expiresAt: Date | null;
  revealedName: string;
  revealedBirthDate?: string;
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
      sealedProfile: toBase64url(encryptGrantProfile(grantProfileOf(input), shareKey, { grantId })),
    };
  } finally {
    shareKey.fill(0);
  }
}

/**
 * A successor to a grant to a care team (client/sharing/team-renewal.ts): like `sealGrant`, a
 * fresh grant id and so a fresh share key, sealed to the team's current key, the same terms
 * signed anew at revision 1, and what the patient revealed (opened from the old grant) sealed
 * under the new share key. Pure.
 */
export function sealSuccessorGrant(input: {
  vault: { userId: string; keys: UnlockedKeys };
  teamId: string;
  teamPublicKey: Uint8Array;
  recordKeys: Array<{ recordId: string; keyVersion: number; recordKey: RecordKey }>;
  recordIds: string[] | "all";
  permission: GrantPermission;
  expiresAt: Date | null;
  profile: GrantProfile | null;
}) {
  const grantId = crypto.randomUUID();
  const shareKey = deriveShareKey(input.vault.keys.vaultKey, { grantId });
  try {
    const { statement, signature, recordIds, wraps } = signedTerms({
      ...input,
      grantId,
      shareKey,
      clinicianId: input.teamId,
      fingerprint: keyFingerprint(input.teamPublicKey),
      revision: 1,
    });
    return {
      grantId,
      statement,
      signature,
      recordIds,
      wraps,
      sealedShareKey: toBase64url(sealShareKey(shareKey, input.teamPublicKey, { grantId })),
      sealedProfile: input.profile ? toBase64url(encryptGrantProfile(input.profile, shareKey, { grantId })) : null,
    };
  } finally {
    shareKey.fill(0);
  }
}

/** What the patient reveals, as the grant profile holds it: the birth date only when one was given. */
function grantProfileOf(input: { revealedName: string; revealedBirthDate?: string }): GrantProfile {
  const birthDate = input.revealedBirthDate?.trim();
  return birthDate ? { displayName: input.revealedName, birthDate } : { displayName: input.revealedName };
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
  permission: GrantPermission;
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

/**
 * Changes a grant in place: its records, permission and end date, signed as the next
 * revision of the grant's statement, with the keys of added records wrapped under its share
 * key. Adding records needs the clinician's keys to match the pin in the vault, like a new
 * share (throws KeyChangedError otherwise); narrowing a grant never does. A share with a care
 * team is signed for the team key its statement names (the share key is not sealed again); one
 * awaiting renewal after a member left is refused by the server (`conflict`) until renewed.
 *
 * @throws KeyChangedError, IntegrityError("rollback") (own records served older than seen), ApiError
 *   (`conflict` when the grant ended or changed meanwhile).
 */
export async function changeGrant(
  grant: GrantSummary,
  next: { recordIds: string[] | "all"; permission: GrantPermission; expiresAt: Date | null },
  vault: UnlockedVault,
  transport: Transport,
): Promise<GrantChangeResult> {
  await cryptoReady();
  const listed = new Set(grant.recordIds);
  const excluded = new Set(grant.excludedRecordIds);
  // What the change adds: for "all records" every own record the grant does not open yet.
  const adding = async () => {
    if (next.recordIds === "all") {
      if (grant.scope === "all") return [];
      return (await ownRecordKeys("all", vault, transport)).filter((key) => !listed.has(key.recordId));
    }
    const added = next.recordIds.filter((id) => (grant.scope === "all" ? excluded.has(id) : !listed.has(id)));
    return added.length ? ownRecordKeys(added, vault, transport) : [];
  };
  const recordKeys = await adding();
  try {
    let fingerprint: Uint8Array;
    if (grant.teamId) {
      // A care team's share: the share key stays sealed to the team's key, so the change is signed for the key the
      // statement already names (its members' browsers accept any certified version of the team's key).
      if (!grant.statement) throw new IntegrityError("signature");
      fingerprint = verified("signature", () => decodeGrantStatementFacts(fromBase64url(grant.statement!)).clinicianKeyFingerprint);
    } else {
      try {
        const keys = await checkedContact(grant.clinicianId, vault, transport);
        if (!keys.pin && recordKeys.length > 0) await pinContact(vault, keys, false, transport);
        fingerprint = keyFingerprint(keys.certificate.encryptionPublicKey);
      } catch (caught) {
        // Narrowing needs no new trust: it is signed for the key already pinned.
        if (!(caught instanceof KeyChangedError) || recordKeys.length > 0) throw caught;
        fingerprint = fromBase64url(caught.pinned.encryptionKeyFingerprint);
      }
    }
    const shareKey = deriveShareKey(vault.keys.vaultKey, { grantId: grant.id });
    let request;
    try {
      request = {
        revision: grant.revision + 1,
        ...signedTerms({ ...next, vault, grantId: grant.id, shareKey, clinicianId: grant.clinicianId, fingerprint, recordKeys, revision: grant.revision + 1 }),
      };
    } finally {
      shareKey.fill(0);
    }
    // Re-sent as it is after a cut-off request: the server does the same signed change once.
    return await retryTransient(() => transport.call(routes.grants.change, { params: { id: grant.id }, body: request }));
  } finally {
    for (const key of recordKeys) key.recordKey.fill(0);
  }
}

/** The patient's grants; refused (IntegrityError("rollback")) when older than a list this browser has shown. */
export async function listGrants(vault: UnlockedVault, transport: Transport): Promise<GrantSummary[]> {
  const { grants } = await transport.call(routes.grants.list, {});
  guardGrantList(vault.userId, grants);
  return grants;
}
/** Revocations are idempotent on the server, so a cut-off one is simply sent again. */
export const revokeGrant = (grantId: string, transport: Transport) => retryTransient(() => transport.call(routes.grants.revoke, { params: { id: grantId } }));
export const revokeGrantRecord = (grantId: string, recordId: string, transport: Transport) =>
  retryTransient(() => transport.call(routes.grants.revokeRecord, { params: { id: grantId, recordId } }));

/**
 * Who a received grant names and which key opens its share key: this clinician's own, or for a
 * grant to a care team the team's key version the share key is sealed to now (held by this
 * member: client/teams/team-keys.ts), the grant naming any certified version of the team's key.
 * @throws IntegrityError("signature") for a team grant of a team whose key this browser does not hold
 */
function recipientOf(grant: ReceivedGrant, vault: UnlockedVault, teams: Map<string, HeldTeam>) {
  if (!grant.team) {
    return {
      granteeId: vault.userId,
      fingerprints: [keyFingerprint(vault.keys.encryptionPublicKey)],
      keyPair: { publicKey: vault.keys.encryptionPublicKey, secretKey: vault.keys.encryptionSecretKey },
    };
  }
  const team = teams.get(grant.team.teamId);
  const keyPair = team?.pairs.get(grant.team.keyVersion);
  if (!team || !keyPair) throw new IntegrityError("signature");
  return { granteeId: team.teamId, fingerprints: team.fingerprints, keyPair };
}

/** The teams behind the received grants, opened (the caller forgets them: `forgetTeams`). */
const teamsOf = (grants: ReceivedGrant[], vault: UnlockedVault, transport: Transport) =>
  loadHeldTeams(
    grants.flatMap((grant) => (grant.team ? [grant.team.teamId] : [])),
    vault,
    transport,
  );

/**
 * Verifies a grant before anything under it is used: the patient's certificate, and the
 * patient's signature over the grant as stated (naming this clinician's own key), and that
 * its revision is not older than one seen here. Then opens the share key and what the
 * patient chose to reveal. The caller zeroes `shareKey`.
 * @throws IntegrityError ("signature" for a certificate, statement or signature that does not
 *   verify or names another key, "decrypt" for a share key or profile that does not open,
 *   "rollback", or "shape"/"wrong-key" for bytes outside the protocol's layout).
 */
function openGrant(grant: ReceivedGrant, vault: UnlockedVault, teams: Map<string, HeldTeam> = new Map()) {
  const sealedShareKey = grant.sealedShareKey;
  if (!sealedShareKey) throw new IntegrityError("signature");
  const recipient = recipientOf(grant, vault, teams);
  const { patientIdentity, patientCertificate, signedRecordIds } = verified("signature", () => {
    const identity = fromBase64url(grant.patientKeys.identityPublicKey);
    const certificate = verifyKeyCertificate(fromBase64url(grant.patientKeys.certificate), identity, { userId: grant.patientId });
    const { clinicianKeyFingerprint: fingerprint, wrapsDigest: digest, recordIds } = decodeGrantStatementFacts(fromBase64url(grant.statement));
    if (grant.patientKeys.userId !== grant.patientId || !recipient.fingerprints.some((known) => equalBytes(fingerprint, known))) {
      // The grant names another key (or its keys are another person's): as untrustworthy as a bad signature.
      throw new IntegrityError("signature");
    }
    verifyGrant(
      {
        grantId: grant.grantId,
        patientId: grant.patientId,
        clinicianId: recipient.granteeId,
        clinicianKeyFingerprint: fingerprint,
        scope: grant.scope,
        permission: grant.permission,
        expiresAt: grant.expiresAt ? new Date(grant.expiresAt).getTime() : 0,
        recordIds,
        wrapsDigest: digest,
        revision: grant.revision,
      },
      fromBase64url(grant.signature),
      identity,
    );
    return { patientIdentity: identity, patientCertificate: certificate, signedRecordIds: recordIds };
  });
  guardReceivedGrant(vault.userId, grant.grantId, grant.revision);
  const shareKey = verified("decrypt", () => openShareKey(fromBase64url(sealedShareKey), recipient.keyPair, { grantId: grant.grantId }));
  let handedOver = false;
  try {
    const profile = grant.sealedProfile
      ? verified("decrypt", () => decryptGrantProfile(fromBase64url(grant.sealedProfile!), shareKey, { grantId: grant.grantId }))
      : null;
    handedOver = true;
    return {
      patientIdentity,
      patientCertificate,
      shareKey,
      signedRecordIds,
      revealedName: profile?.displayName ?? null,
      revealedBirthDate: profile?.birthDate ?? null,
    };
  } finally {
    if (!handedOver) shareKey.fill(0);
  }
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
  /** The date of birth the patient chose to show this clinician, a FHIR date ("1957", "1957-07", "1957-07-06"); null when not revealed. */
  revealedBirthDate: string | null;
  permission: GrantPermission;
  expiresAt: string | null;
  records: SharedRecord[];
  /** Records that failed verification: shown as a warning, never rendered. */
  refused: number;
  /** Of those, records served older than this browser has already shown. */
  rolledBack: number;
}

/** How `loadSharedWithMe` pages: records per request, and what to tell as pages arrive. */
export interface SharedLoadOptions {
  /** Records per request; the server's default when absent. */
  pageSize?: number;
  /**
   * Called after each page is verified, with every patient so far (the last one's records as
   * far as they came) and how far the load has come: records received, and about how many in
   * all (each grant's own count once its first page came, the records it lists before).
   */
  onPage?: (patients: SharedPatient[], progress: PagingProgress) => void;
}

/**
 * Everything shared with this clinician, each grant and record verified before use; each
 * grant's records read page after page (client/records/record-pages.ts), each page one event in
 * the patient's trail. A record that fails its checks is counted in `refused` and never shown.
 * @throws IntegrityError when a grant itself does not verify (nothing under it is shown), or
 *   the pages repeat a record ("shape"); ApiError.
 */
export async function loadSharedWithMe(vault: UnlockedVault, transport: Transport, options: SharedLoadOptions = {}): Promise<SharedPatient[]> {
  await cryptoReady();
  const { grants } = await transport.call(routes.shared.list, {});
  const opening = grants.filter((grant) => grant.sealedShareKey);
  const teams = await teamsOf(opening, vault, transport);
  try {
    return await loadOpening(opening, teams, vault, transport, options);
  } finally {
    // A team whose key a removal made stale gets its next key from whichever holder comes first: in the background.
    if (teams.size > 0) {
      void keepTeamKeysCurrent([...teams.keys()], vault, transport).catch((error: unknown) => {
        if (failureKind(error) === null) throw error;
      });
    }
    forgetTeams(teams);
  }
}

async function loadOpening(
  opening: ReceivedGrant[],
  teams: Map<string, HeldTeam>,
  vault: UnlockedVault,
  transport: Transport,
  options: SharedLoadOptions,
): Promise<SharedPatient[]> {
  const result: SharedPatient[] = [];
  // Until a grant's first page says how many records it opens, the records it lists stand in ("all records": none yet).
  const totals = opening.map((grant) => grant.recordIds.length);
  let loaded = 0;
  for (const [index, grant] of opening.entries()) {
    const opened = openGrant(grant, vault, teams);
    try {
      const patient = await openSharedRecords(grant, opened, vault, transport, options.pageSize, (sofar, pageLoaded, total) => {
        loaded += pageLoaded;
        totals[index] = total;
        const whole = totals.reduce((sum, count) => sum + count, 0);
        options.onPage?.([...result, sofar], { loaded, total: Math.max(whole, loaded) });
      });
      result.push(patient);
    } finally {
      opened.shareKey.fill(0);
    }
  }
  return result;
}

/**
 * The records under one verified grant, page after page, each verified and decrypted, or
 * counted as refused; `onPage` is told the patient so far after each page, with how many
 * records the page held and how many the grant opens.
 */
async function openSharedRecords(
  grant: ReceivedGrant,
  opened: ReturnType<typeof openGrant>,
  vault: UnlockedVault,
  transport: Transport,
  pageSize: number | undefined,
  onPage: (patient: SharedPatient, pageLoaded: number, total: number) => void,
): Promise<SharedPatient> {
  const patient: SharedPatient = {
    grantId: grant.grantId,
    patientId: grant.patientId,
    revealedName: opened.revealedName,
    revealedBirthDate: opened.revealedBirthDate,
    permission: grant.permission,
    expiresAt: grant.expiresAt,
    records: [],
    refused: 0,
    rolledBack: 0,
  };
  let authors: Map<string, { identityPublicKey: Uint8Array; name: string }> = new Map([
    [grant.patientId, { identityPublicKey: opened.patientIdentity, name: opened.revealedName ?? "The patient" }],
  ]);
  const pages = recordPages((query) => transport.call(routes.shared.records, { params: { grantId: grant.grantId }, query }), pageSize);
  for await (const { records, total } of pages) {
    authors = await authorKeys(
      records.flatMap((record) => record.statements.map((statement) => statement.authorId)),
      vault,
      transport,
      authors,
    );
    const checked = verifySharedRecords(records, grant, opened, vault, authors);
    patient.records.push(...checked.shown);
    patient.refused += checked.refused;
    patient.rolledBack += checked.rolledBack;
    onPage({ ...patient, records: [...patient.records] }, records.length, total);
  }
  return patient;
}

/** Verifies and decrypts one page of records under a grant (see `loadSharedWithMe`), and remembers those shown as seen. */
function verifySharedRecords(
  records: SharedRecordJson[],
  grant: ReceivedGrant,
  opened: ReturnType<typeof openGrant>,
  vault: UnlockedVault,
  authors: Map<string, { identityPublicKey: Uint8Array; name: string }>,
): { shown: SharedRecord[]; refused: number; rolledBack: number } {
  const shown: SharedRecord[] = [];
  const remembered: Array<Required<ServedRecord>> = [];
  const stale = staleRecords(vault.userId, records.map(servedRecord));
  let refused = 0;
  for (const record of records) {
    try {
      if (stale.has(record.id)) throw rollbackError("a record");
      const checked = verified("signature", () => {
        const author = authors.get(record.current.authorId);
        if (!author) throw new IntegrityError("signature");
        // Every version's author is verified, not only the current one: the first tells who created the record.
        const versionAuthors = verifyAuthorship(record.id, record.current, record.statements, authors);
        // A record outside what the patient signed is accepted only if this clinician created it (its first version, signed by this clinician).
        if (grant.scope === "records" && !opened.signedRecordIds.includes(record.id) && versionAuthors[0]!.author.userId !== vault.userId) {
          throw new IntegrityError("signature");
        }
        return { author, versionAuthors };
      });
      const recordKey = verified("decrypt", () =>
        unwrapRecordKey(fromBase64url(record.wrappedKey), opened.shareKey, { recordId: record.id, keyVersion: record.keyVersion, grantId: grant.grantId }),
      );
      try {
        const { document } = verified("decrypt", () => openSharedVersion(record.id, record.current, recordKey, checked.author.identityPublicKey));
        shown.push({
          id: record.id,
          version: record.current.version,
          document,
          authors: checked.versionAuthors,
          authorship: authorshipLine(checked.versionAuthors, grant.patientId, vault.userId),
        });
      } finally {
        recordKey.fill(0);
      }
      remembered.push(servedRecord(record));
    } catch (caught) {
      // Refused and counted: integrity failures (rolled-back copies included) only; a bug surfaces as one.
      if (!isIntegrityError(caught)) throw caught;
      refused += 1;
    }
  }
  rememberVerifiedRecords(vault.userId, remembered);
  return { shown, refused, rolledBack: stale.size };
}

/** One share this clinician holds now, as its grant alone tells: whose it is and the name they chose to show (none if they chose none). */
export interface RevealedShare {
  patientId: string;
  revealedName: string | null;
}

/**
 * The shares this clinician holds now (grant id → patient and revealed name), from the grants
 * alone: unlike opening the records, this fetches no record and leaves nothing in the
 * patients' trails. A grant that does not verify is left out.
 */
export async function loadRevealedShares(vault: UnlockedVault, transport: Transport): Promise<Map<string, RevealedShare>> {
  await cryptoReady();
  const { grants } = await transport.call(routes.shared.list, {});
  const shares = new Map<string, RevealedShare>();
  const teams = await teamsOf(grants, vault, transport);
  try {
    for (const grant of grants) {
      try {
        const opened = openGrant(grant, vault, teams);
        opened.shareKey.fill(0);
        shares.set(grant.grantId, { patientId: grant.patientId, revealedName: opened.revealedName ?? null });
      } catch (error) {
        // A grant that does not verify names no one; anything else is a bug, not a bad grant.
        if (!isIntegrityError(error)) throw error;
      }
    }
  } finally {
    forgetTeams(teams);
  }
  return shares;
}

/** The names patients chose to show this clinician (patient id → name), from the grants alone (`loadRevealedShares`). */
export async function loadRevealedNames(vault: UnlockedVault, transport: Transport): Promise<Map<string, string>> {
  return revealedNamesOf(await loadRevealedShares(vault, transport));
}

/** Patient id → revealed name, from the shares held (a patient who chose no name is left out). */
export function revealedNamesOf(shares: ReadonlyMap<string, RevealedShare>): Map<string, string> {
  const names = new Map<string, string>();
  for (const share of shares.values()) if (share.revealedName) names.set(share.patientId, share.revealedName);
  return names;
}

/**
 * A clinician with the contribute permission adds a record to the patient's chart: its key
 * sealed to the patient's certified key, wrapped under the share key so they can read it
 * back, and the version signed by the clinician. Returns the new record's id.
 * @throws ApiError 410 when the grant is no longer active (access ended); IntegrityError when
 *   the grant does not verify; ApiError from the request (403 for a read-only grant).
 */
export async function contributeRecord(grantId: string, document: RecordDocument, vault: UnlockedVault, transport: Transport): Promise<string> {
  await cryptoReady();
  const { grants } = await transport.call(routes.shared.list, {});
  const grant = grants.find((candidate) => candidate.grantId === grantId);
  // Gone from the active grants: access ended (revoked or past its end date), said as such.
  if (!grant) throw new ApiError(410, "gone", "This patient no longer shares records with you.");
  const teams = await teamsOf([grant], vault, transport);
  let opened;
  try {
    opened = openGrant(grant, vault, teams);
  } finally {
    forgetTeams(teams);
  }
  const recordId = crypto.randomUUID();
  const recordKey = generateRecordKey();
  try {
    const context = { recordId, keyVersion: 1 };
    await transport.call(routes.shared.contribute, {
      params: { grantId },
      body: {
        id: recordId,
        sealedOwnerKey: toBase64url(sealRecordKeyToOwner(recordKey, opened.patientCertificate.encryptionPublicKey, context)),
        grantWrap: toBase64url(wrapRecordKey(recordKey, opened.shareKey, { ...context, grantId })),
        version: sealVersion(document, recordKey, { recordId, version: 1, keyVersion: 1 }, vault),
      },
    });
    return recordId;
  } finally {
    recordKey.fill(0);
    opened.shareKey.fill(0);
  }
}

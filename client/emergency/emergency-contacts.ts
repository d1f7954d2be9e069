import {
  cryptoReady,
  decodeGrantStatementFacts,
  decryptGrantProfile,
  deriveShareKey,
  encodeGrantStatementFacts,
  encryptGrantProfile,
  equalBytes,
  isCryptoError,
  fromBase64url,
  keyFingerprint,
  openShareKey,
  parseShareCode,
  shareCode,
  shareCodeMatches,
  sealShareKey,
  signEmergencyGrant,
  toBase64url,
  unwrapRecordKey,
  verifyEmergencyGrant,
  verifyKeyCertificate,
  wrapRecordKeys,
  wrapsDigest,
  type RecordKey,
} from "@/crypto";
import type { EmergencyContact, EmergencyOpened, EmergencyRole, EmergencyWait } from "@/contract/emergency";
import { routes } from "@/contract/routes";
import { IntegrityError, isIntegrityError, verified } from "../integrity";
import { guardReceivedGrant } from "../keystore/rollback-guard";
import type { UnlockedVault } from "../keystore/vault-store";
import { authorKeys, openSharedVersion, ownRecordKeys, verifyAuthorship, type OkEntry, type RecordDocument } from "../records/records";
import { emergencyEntries, type EmergencyChoice } from "../emergency-card/emergency-set";
import { certifiedFrom, checkedAgainstPin, nameContact, pinContact, pinnedContact, type CertifiedKeys, type ContactDetails } from "../sharing/contacts";
import { retryTransient, type Transport } from "../transport/api";
import { openEmergencyChoice, sealEmergencyChoice } from "./choice-seal";

export type { EmergencyContact, EmergencyRole };

/** The patient's terms for one revision, signed: the wraps of `recordKeys` under the share key, and the statement facts. */
function signedSet(input: {
  vault: UnlockedVault;
  grantId: string;
  contactId: string;
  fingerprint: Uint8Array;
  waitSeconds: number;
  recordKeys: Array<{ recordId: string; keyVersion: number; recordKey: RecordKey }>;
  recordIds: string[];
  revision: number;
}) {
  const shareKey = deriveShareKey(input.vault.keys.vaultKey, { grantId: input.grantId });
  try {
    const wrapped = wrapRecordKeys(input.recordKeys, shareKey, { grantId: input.grantId });
    const wraps = input.recordKeys.map((key, index) => ({ recordId: key.recordId, keyVersion: key.keyVersion, wrappedKey: wrapped[index]! }));
    const digest = wrapsDigest(wraps);
    const signature = signEmergencyGrant(
      {
        grantId: input.grantId,
        patientId: input.vault.userId,
        contactId: input.contactId,
        contactKeyFingerprint: input.fingerprint,
        waitSeconds: input.waitSeconds,
        recordIds: input.recordIds,
        wrapsDigest: digest,
        revision: input.revision,
      },
      input.vault.keys.identitySecretKey,
    );
    return {
      statement: toBase64url(encodeGrantStatementFacts({ clinicianKeyFingerprint: input.fingerprint, wrapsDigest: digest, recordIds: input.recordIds })),
      signature: toBase64url(signature),
      recordIds: input.recordIds,
      wraps: wraps.map((wrap) => ({ ...wrap, wrappedKey: toBase64url(wrap.wrappedKey) })),
    };
  } finally {
    shareKey.fill(0);
  }
}

/**
 * A would-be contact's certified keys from the share code they show (their account id and
 * identity-key fingerprint), checked against the code and the vault's pin: the server cannot
 * substitute a key the code does not name.
 * @throws IntegrityError("shape") for text that is not a share code, ("signature") for keys the code does not name; KeyChangedError; ApiError (404: no such account)
 */
/**
 * What is wrong with a share code typed to name an emergency contact, in the person's words, before
 * anything is asked of the server: not a share code at all (a typo), or the person's own.
 * Null when it reads as someone else's code (the keys are then checked against it).
 * @throws whatever is not a malformed code (a programming error)
 */
export function shareCodeProblem(code: string, ownUserId: string): string | null {
  let userId: string;
  try {
    ({ userId } = parseShareCode(code.trim()));
  } catch (caught) {
    if (isCryptoError(caught)) return "That is not a share code. Check it with your contact: it starts with “hsc1.” and has no spaces.";
    throw caught;
  }
  return userId === ownUserId ? "That is your own share code. Ask your contact for theirs: it is on their Emergency contacts page." : null;
}

export async function contactFromShareCode(code: string, vault: UnlockedVault, transport: Transport) {
  await cryptoReady();
  const trimmed = code.trim();
  const { userId } = verified("shape", () => parseShareCode(trimmed));
  const keys = certifiedFrom(await transport.call(routes.emergencyContacts.contactKeys, { query: { code: trimmed } }), userId);
  if (!shareCodeMatches(trimmed, keys.identityPublicKey, userId)) throw new IntegrityError("signature");
  return checkedAgainstPin(keys, vault);
}

/**
 * A named contact's keys again, through the share code their pinned identity key makes (an
 * account's keys go only to whoever holds its code).
 * @throws KeyChangedError (keys differ from the pin), IntegrityError, ApiError
 */
async function namedContactKeys(contactId: string, vault: UnlockedVault, transport: Transport) {
  const pin = pinnedContact(contactId, vault);
  if (!pin) throw new IntegrityError("signature");
  return contactFromShareCode(shareCode(fromBase64url(pin.identityPublicKey), contactId), vault, transport);
}

/**
 * Names an emergency contact: the emergency set's record keys wrapped under a share key sealed
 * to the contact's certified key, the choice sealed under the vault key, the patient's name
 * under the share key, and the signed statement. Pins the contact's keys (as verified when the
 * patient compared the safety code), with the name the patient calls them by and how to reach
 * them (in the vault only). Returns the new grant's id.
 * @throws KeyChangedError (via contactKeys beforehand), IntegrityError("rollback"), ApiError
 */
export async function nameEmergencyContact(
  input: {
    contact: CertifiedKeys & { pin?: unknown };
    verified: boolean;
    choice: EmergencyChoice;
    waitSeconds: EmergencyWait;
    revealedName: string;
    /** What the patient calls the contact and how to reach them: kept in the vault's pin only. */
    details?: ContactDetails;
    entries: readonly OkEntry[];
  },
  vault: UnlockedVault,
  transport: Transport,
): Promise<string> {
  await cryptoReady();
  if (!input.contact.pin || input.verified) await pinContact(vault, input.contact, input.verified, transport, input.details);
  else if (input.details) await nameContact(vault, input.contact.userId, input.details, transport);
  const recordIds = emergencyEntries(input.entries, input.choice).map((entry) => entry.id);
  const recordKeys = recordIds.length ? await ownRecordKeys(recordIds, vault, transport) : [];
  const grantId = crypto.randomUUID();
  const publicKey = input.contact.certificate.encryptionPublicKey;
  const shareKey = deriveShareKey(vault.keys.vaultKey, { grantId });
  try {
    const body = {
      grantId,
      contactId: input.contact.userId,
      waitSeconds: input.waitSeconds,
      sealedShareKey: toBase64url(sealShareKey(shareKey, publicKey, { grantId })),
      sealedProfile: toBase64url(encryptGrantProfile({ displayName: input.revealedName }, shareKey, { grantId })),
      sealedChoice: sealEmergencyChoice(input.choice, grantId, vault.keys.vaultKey),
      ...signedSet({
        vault,
        grantId,
        contactId: input.contact.userId,
        fingerprint: keyFingerprint(publicKey),
        waitSeconds: input.waitSeconds,
        recordKeys,
        recordIds,
        revision: 1,
      }),
    };
    await retryTransient(() => transport.call(routes.emergencyContacts.create, { body }));
    return grantId;
  } finally {
    shareKey.fill(0);
    for (const key of recordKeys) key.recordKey.fill(0);
  }
}

/** The patient's emergency contacts. */
export const listEmergencyContacts = async (transport: Transport) => (await transport.call(routes.emergencyContacts.list, {})).contacts;

/** The choice the patient made for a contact, opened with their vault key. @throws IntegrityError */
export const choiceOf = (contact: EmergencyContact, vault: UnlockedVault) => openEmergencyChoice(contact.sealedChoice, contact.grantId, vault.keys.vaultKey);

/**
 * Keeps every live emergency set current with the chart: records of the chosen kinds added
 * since join (their keys wrapped for the contact), records no longer in it leave (the server
 * queues their rotation), each as the next signed revision. Key rotations re-wrap through the
 * ordinary key upkeep (client/sharing/key-maintenance.ts), which covers these grants too.
 * Returns how many sets changed.
 * @throws IntegrityError, KeyChangedError (a contact's keys changed: nothing new is wrapped for them), ApiError
 */
export async function keepEmergencySetsCurrent(entries: readonly OkEntry[], vault: UnlockedVault, transport: Transport): Promise<number> {
  await cryptoReady();
  const contacts = (await listEmergencyContacts(transport)).filter((contact) => contact.state !== "ended");
  let changed = 0;
  for (const contact of contacts) {
    const choice = choiceOf(contact, vault);
    const wanted = emergencyEntries(entries, choice).map((entry) => entry.id);
    const listed = new Set(contact.recordIds);
    const adding = wanted.filter((id) => !listed.has(id));
    if (adding.length === 0 && wanted.length === listed.size) continue;
    const keys = await namedContactKeys(contact.contactId, vault, transport);
    const recordKeys = adding.length ? await ownRecordKeys(adding, vault, transport) : [];
    try {
      const body = {
        revision: contact.revision + 1,
        sealedChoice: contact.sealedChoice,
        ...signedSet({
          vault,
          grantId: contact.grantId,
          contactId: contact.contactId,
          fingerprint: keyFingerprint(keys.certificate.encryptionPublicKey),
          waitSeconds: contact.waitSeconds,
          recordKeys,
          recordIds: wanted,
          revision: contact.revision + 1,
        }),
      };
      await retryTransient(() => transport.call(routes.emergencyContacts.change, { params: { id: contact.grantId }, body }));
      changed += 1;
    } finally {
      for (const key of recordKeys) key.recordKey.fill(0);
    }
  }
  return changed;
}

export const approveEmergencyRequest = (grantId: string, transport: Transport) =>
  retryTransient(() => transport.call(routes.emergencyContacts.approve, { params: { id: grantId } }));
export const refuseEmergencyRequest = (grantId: string, transport: Transport) =>
  retryTransient(() => transport.call(routes.emergencyContacts.refuse, { params: { id: grantId } }));
/** Ends an emergency contact: the server cuts them off at once; the key upkeep then rotates the set's keys. */
export const endEmergencyContact = (grantId: string, transport: Transport) =>
  retryTransient(() => transport.call(routes.emergencyContacts.end, { params: { id: grantId } }));

// ---- The contact's side.

/** Who named this account their emergency contact, and where each stands. */
export const listEmergencyRoles = async (transport: Transport) => (await transport.call(routes.emergencyAccess.list, {})).roles;
/** Asks for access: the wait starts on the server's clock. */
export const requestEmergencyAccess = (grantId: string, transport: Transport) => transport.call(routes.emergencyAccess.request, { params: { id: grantId } });

export interface EmergencyRecord {
  id: string;
  document: RecordDocument;
}

/** An opened emergency set: the name the patient revealed, the records shown, and how many failed their checks. */
export interface OpenedEmergencySet {
  grantId: string;
  patientId: string;
  revealedName: string | null;
  records: EmergencyRecord[];
  refused: number;
}

/**
 * Reads an open emergency set: verifies the patient's certificate and their emergency
 * statement (naming this account's own key; never an ordinary grant's), opens the share key,
 * and verifies and decrypts each record the patient signed into the set. A record that fails
 * its checks is counted, never shown.
 * @throws IntegrityError when the grant itself does not verify; ApiError (403 not open yet, 410 ended)
 */
export async function openEmergencySet(grantId: string, vault: UnlockedVault, transport: Transport): Promise<OpenedEmergencySet> {
  await cryptoReady();
  const opened = await transport.call(routes.emergencyAccess.open, { params: { id: grantId } });
  const { identity, signedRecordIds } = verifiedStatement(opened, vault);
  guardReceivedGrant(vault.userId, opened.grantId, opened.revision);
  const shareKey = verified("decrypt", () =>
    openShareKey(
      fromBase64url(opened.sealedShareKey),
      { publicKey: vault.keys.encryptionPublicKey, secretKey: vault.keys.encryptionSecretKey },
      { grantId: opened.grantId },
    ),
  );
  try {
    const profile = opened.sealedProfile
      ? verified("decrypt", () => decryptGrantProfile(fromBase64url(opened.sealedProfile), shareKey, { grantId: opened.grantId }))
      : null;
    const name = profile?.displayName ?? null;
    const authors = await authorKeys(
      opened.records.flatMap((record) => record.statements.map((statement) => statement.authorId)),
      vault,
      transport,
      new Map([[opened.patientId, { identityPublicKey: identity, name: name ?? "The patient" }]]),
    );
    const records: EmergencyRecord[] = [];
    let refused = 0;
    for (const record of opened.records) {
      try {
        const author = verified("signature", () => {
          const found = authors.get(record.current.authorId);
          if (!found || !signedRecordIds.includes(record.id)) throw new IntegrityError("signature");
          verifyAuthorship(record.id, record.current, record.statements, authors);
          return found;
        });
        const recordKey = verified("decrypt", () =>
          unwrapRecordKey(fromBase64url(record.wrappedKey), shareKey, { recordId: record.id, keyVersion: record.keyVersion, grantId: opened.grantId }),
        );
        try {
          const { document } = verified("decrypt", () => openSharedVersion(record.id, record.current, recordKey, author.identityPublicKey));
          records.push({ id: record.id, document });
        } finally {
          recordKey.fill(0);
        }
      } catch (caught) {
        if (!isIntegrityError(caught)) throw caught;
        refused += 1;
      }
    }
    return { grantId: opened.grantId, patientId: opened.patientId, revealedName: name, records, refused };
  } finally {
    shareKey.fill(0);
  }
}

/** The patient's certificate and emergency statement, verified: it must name this account's own encryption key. @throws IntegrityError("signature") */
function verifiedStatement(opened: EmergencyOpened, vault: UnlockedVault) {
  return verified("signature", () => {
    const identity = fromBase64url(opened.patientKeys.identityPublicKey);
    verifyKeyCertificate(fromBase64url(opened.patientKeys.certificate), identity, { userId: opened.patientId });
    const facts = decodeGrantStatementFacts(fromBase64url(opened.statement));
    if (opened.patientKeys.userId !== opened.patientId || !equalBytes(facts.clinicianKeyFingerprint, keyFingerprint(vault.keys.encryptionPublicKey))) {
      throw new IntegrityError("signature");
    }
    verifyEmergencyGrant(
      {
        grantId: opened.grantId,
        patientId: opened.patientId,
        contactId: vault.userId,
        contactKeyFingerprint: facts.clinicianKeyFingerprint,
        waitSeconds: opened.waitSeconds,
        recordIds: facts.recordIds,
        wrapsDigest: facts.wrapsDigest,
        revision: opened.revision,
      },
      fromBase64url(opened.signature),
      identity,
    );
    return { identity, signedRecordIds: facts.recordIds };
  });
}

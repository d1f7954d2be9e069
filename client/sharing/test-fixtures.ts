import { cryptoReady, keyFingerprint, toBase64url } from "@/crypto";
import { routes } from "@/contract/routes";
import type { DirectoryEntry, NewGrant, ReceivedGrant, SharedRecordJson } from "@/contract/sharing";
import type { AccountRole } from "@/contract/common";
import { createAccountKeys } from "../keystore/account-keys";
import type { PinnedContact, UnlockedVault } from "../keystore/vault-store";
import { sealNewRecords, type RecordDocument } from "../records/records";
import { fakeTransport } from "../transport/fake-transport";
import { fakePage } from "../transport/fake-pages";

/**
 * Fixtures for unit tests of the browser's sharing services in Node: people with real keys
 * made by the client's own account-key functions, and a fake server (over `fakeTransport`)
 * that stores what the browser sends and serves it back in the contract's shapes, as the
 * real server does, so tests can tamper with exactly one part of an answer.
 */

/** A person with an open vault, and the keys the server publishes for them. */
export interface Person {
  vault: UnlockedVault;
  published: {
    userId: string;
    identityPublicKey: string;
    certificate: string;
    directory: null | DirectoryEntry;
  };
}

export async function person(role: AccountRole, name: string): Promise<Person> {
  await cryptoReady();
  const userId = crypto.randomUUID();
  const made = await createAccountKeys({
    userId,
    role,
    credentialId: "credential",
    prfOutput: crypto.getRandomValues(new Uint8Array(32)),
    profile: { displayName: name, contacts: {} },
  });
  const clinician = role === "doctor" || role === "nurse" ? role : null;
  return {
    vault: { status: "unlocked", userId, role, keys: made.keys, profile: { displayName: name, contacts: {} } },
    published: {
      userId,
      identityPublicKey: made.payload.identityPublicKey,
      certificate: made.payload.certificate,
      directory: clinician
        ? {
            userId,
            role: clinician,
            displayName: name,
            specialty: "Nephrology",
            organization: "Kidney Clinic",
            verified: true,
            identityPublicKey: made.payload.identityPublicKey,
            verification: null,
          }
        : null,
    },
  };
}

/** The pin a vault keeps for a contact's keys, as `pinContact` makes it. */
export const pinFor = (contact: Person): PinnedContact => ({
  identityPublicKey: toBase64url(contact.vault.keys.identityPublicKey),
  encryptionKeyFingerprint: toBase64url(keyFingerprint(contact.vault.keys.encryptionPublicKey)),
  verified: true,
  pinnedAt: "2026-11-01T10:00:00.000Z",
});

/** `owner`'s vault with `contact`'s keys pinned (as after a first share). */
export const pinning = (owner: Person, contact: Person): UnlockedVault => ({
  ...owner.vault,
  profile: { ...owner.vault.profile, contacts: { ...owner.vault.profile.contacts, [contact.vault.userId]: pinFor(contact) } },
});

export const note = (text: string): RecordDocument => ({
  v: 1,
  kind: "note",
  resource: { resourceType: "DocumentReference", status: "current", description: text, content: [] },
});

/** A stored record as the server keeps it: the owner's wrap, every version, and its wraps per grant. */
export interface StoredRecord {
  id: string;
  ownerId: string;
  keyVersion: number;
  ownerWrap: string;
  versions: SharedRecordJson["current"][];
  grantWraps: Map<string, string>;
}

const now = "2026-11-29T12:00:00.000Z";

/** Records per page when a request names no limit: small, so every test that reads a list reads it in several pages. */
const fakePageSize = 2;

/**
 * A fake server for one patient and the clinicians they share with: records, published keys,
 * grants and contributions, served through the contract (`fakeTransport`). Tests may change
 * anything stored, or replace a route's handler, to serve what an attacker would.
 */
export function fakeServer(people: Person[]) {
  const transport = fakeTransport();
  const records = new Map<string, StoredRecord>();
  // The chart's order (the server's is creation time, then id): when each record was first stored.
  const createdOrder = new Map<string, string>();
  const orderKey = (id: string) => {
    if (!createdOrder.has(id)) createdOrder.set(id, String(createdOrder.size).padStart(9, "0"));
    return createdOrder.get(id)!;
  };
  const grants = new Map<string, NewGrant & { patientId: string; revision: number }>();
  const published = new Map(people.map((entry) => [entry.vault.userId, entry.published]));
  /** Whose session the next calls run in (the fake server's "signed-in" user). */
  let signedIn = people[0]!.vault.userId;

  const servedRecord = (record: StoredRecord) => ({
    id: record.id,
    currentVersion: record.versions.length,
    keyVersion: record.keyVersion,
    createdAt: now,
    updatedAt: now,
    ownerWrap: record.ownerWrap,
    current: record.versions[record.versions.length - 1]!,
    statements: record.versions.map(({ version, authorId, commitment, signature, createdAt }) => ({ version, authorId, commitment, signature, createdAt })),
  });

  transport
    // No share with a care team to renew unless a test says otherwise.
    .on(routes.teamRenewals.pending, () => ({ renewals: [] }))
    .on(routes.records.list, ({ query }) => {
      const page = fakePage(
        [...records.values()].filter((record) => record.ownerId === signedIn),
        (record) => orderKey(record.id),
        query,
        fakePageSize,
      );
      return { ...page, records: page.records.map(servedRecord) };
    })
    .on(routes.directory.userKeys, ({ params }) => {
      const keys = published.get(params.id);
      if (!keys) throw new Error(`no such user ${params.id}`);
      return keys;
    })
    .on(routes.grants.create, ({ body }) => {
      grants.set(body.grantId, {
        ...body,
        expiresAt: body.expiresAt instanceof Date ? body.expiresAt.toISOString() : body.expiresAt,
        patientId: signedIn,
        revision: 1,
      });
      for (const wrap of body.wraps) records.get(wrap.recordId)!.grantWraps.set(body.grantId, wrap.wrappedKey);
      return { grantId: body.grantId };
    })
    .on(routes.shared.list, () => ({
      grants: [...grants.values()]
        .filter((grant) => grant.clinicianId === signedIn)
        .map((grant): ReceivedGrant => ({
          grantId: grant.grantId,
          patientId: grant.patientId,
          scope: grant.scope,
          permission: grant.permission,
          expiresAt: grant.expiresAt,
          sealedShareKey: grant.sealedShareKey,
          sealedProfile: grant.sealedProfile,
          statement: grant.statement,
          signature: grant.signature,
          revision: grant.revision,
          recordIds: grant.recordIds,
          patientKeys: published.get(grant.patientId)!,
        })),
    }))
    .on(routes.shared.records, ({ params, query }) => {
      const page = fakePage(
        [...records.values()].filter((record) => record.grantWraps.has(params.grantId)),
        (record) => record.id,
        query,
        fakePageSize,
      );
      return {
        ...page,
        records: page.records.map((record) => {
          const { ownerWrap: _ownerWrap, createdAt: _createdAt, ...served } = servedRecord(record);
          return { ...served, wrappedKey: record.grantWraps.get(params.grantId)! };
        }),
      };
    })
    .on(routes.shared.contribute, ({ params, body }) => {
      const grant = grants.get(params.grantId)!;
      records.set(body.id, {
        id: body.id,
        ownerId: grant.patientId,
        keyVersion: 1,
        ownerWrap: body.sealedOwnerKey,
        versions: [{ ...body.version, authorId: signedIn, createdAt: now, blobId: null }],
        grantWraps: new Map([[params.grantId, body.grantWrap]]),
      });
      if (grant.scope === "records") grant.recordIds.push(body.id);
      return { id: body.id };
    });

  return {
    transport,
    records,
    grants,
    /** Runs the next calls in `who`'s session. */
    signIn(who: Person) {
      signedIn = who.vault.userId;
    },
    /** Stores new records of `owner`, sealed as the browser seals them; returns their ids. */
    addRecords(owner: Person, documents: RecordDocument[]): string[] {
      return sealNewRecords(documents, owner.vault).map((sealed) => {
        records.set(sealed.id, {
          id: sealed.id,
          ownerId: owner.vault.userId,
          keyVersion: 1,
          ownerWrap: sealed.ownerWrap,
          versions: [{ ...sealed.version, authorId: owner.vault.userId, createdAt: now, blobId: null }],
          grantWraps: new Map(),
        });
        return sealed.id;
      });
    },
  };
}

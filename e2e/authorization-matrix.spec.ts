import { randomBytes, randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { expect, test, type APIRequestContext, type Page } from "./support/test";
import { unlockVault } from "./support/accounts";
import {
  cryptoReady,
  decodeRecoveryKey,
  deriveRecoverySigningKeyPair,
  EnvelopeKind,
  fromBase64url,
  generateRecoveryKey,
  signRecoveryKeyReplacement,
  toBase64url,
} from "@/crypto";
import { apiClientHeader } from "@/contract/api-client-header";
import { adminEnrolmentToken } from "../playwright.config";
import {
  apiRoutes,
  by,
  callers,
  conflict,
  disagreements,
  everyone,
  forbidden,
  invalid,
  listOf,
  listWithin,
  notFound,
  ok,
  runMatrix,
  signedIn,
  templateMatches,
  unauthenticated,
  type Caller,
  type Expected,
  type Route,
  type Row,
  type Secret,
} from "./support/authorization-matrix";
import { addNote, chooseClinician, grantThroughApi, newPerson, type Person } from "./support/sharing";
import { verifyClinician } from "./support/teams";

/**
 * The authorization matrix: every route under app/api (a route missing from it fails the
 * first test), sent by everyone who might call it, with the real ids of the people whose
 * data it would touch and with ids swapped between them. Each cell checks the status, the
 * error code of a refusal, what a success must (and must not) list, and that no response
 * carries anything its caller may not know; afterwards the owners' data is re-read and
 * must be as before, apart from what the owners did themselves.
 */

const b64 = (bytes: Uint8Array | Buffer) => Buffer.from(bytes).toString("base64url");
const randomB64 = (length: number) => b64(randomBytes(length));
/** A deployment administrator's statement naming `adminId` an organization's administrator, in the request's shape (the signature stands in). */
const organizationStatement = (adminId: string, adminIdentityPublicKey: string) => ({
  id: randomUUID(),
  adminId,
  adminIdentityPublicKey,
  signerName: "Ada Admin",
  issuedAt: Date.now(),
  signature: randomB64(64),
});
/** A well-formed version: a padded envelope (42 bytes of overhead around 256), a 32-byte commitment and a 64-byte signature, so only authorization can refuse it. */
const versionBody = (version: number, keyVersion: number) => ({
  version,
  keyVersion,
  content: randomB64(298),
  commitment: randomB64(32),
  signature: randomB64(64),
});
/** A compact JWE as a link's is shaped (alg dir, enc A256GCM, cty FHIR): the server never opens it. */
const fakeJwe = () =>
  `${b64(Buffer.from(JSON.stringify({ alg: "dir", enc: "A256GCM", zip: "DEF", cty: "application/fhir+json" })))}..${randomB64(12)}.${randomB64(300)}.${randomB64(16)}`;
/** Shaped like a browser's WebAuthn answer (a new passkey, or a sign-in), but made up: no challenge the server issued is in it. */
const madeUpCredential = (id: string, ceremony: "webauthn.create" | "webauthn.get") => ({
  id,
  rawId: id,
  type: "public-key",
  response: {
    clientDataJSON: b64(Buffer.from(JSON.stringify({ type: ceremony, challenge: randomB64(32), origin: "http://localhost" }))),
    ...(ceremony === "webauthn.create" ? { attestationObject: randomB64(200) } : { authenticatorData: randomB64(37), signature: randomB64(64) }),
  },
  clientExtensionResults: {},
});

interface Account {
  userId: string;
  passkeyId: string;
  passkeyName: string;
  sessionId: string;
  bundle: string;
  revision: number;
}

interface PatientData extends Account {
  noteId: string;
  /** Deleted by its owner in the matrix. */
  scratchId: string;
  fileRecordId: string;
  blobId: string;
  note: { currentVersion: number; keyVersion: number };
}

/** Everything the rows need: ids of the people and of what they own, and ids made up for the rows that create something. */
interface World {
  petra: PatientData & {
    recoveryPublicKey: string;
    recoveryWrap: string;
    grants: { granted: string; revoked: string; expired: string };
    /** Imports of hers under way: one the matrix stages a record in and abandons, one it commits empty. */
    imports: { abandoned: string; committed: string };
    /** Her SMART Health Links: a U link, a P link (with its passcode and a manifest's location token), one the matrix revokes. */
    links: {
      u: { id: string; shlId: string };
      p: { id: string; shlId: string; passcode: string; token: string };
      l: { id: string; shlId: string };
      scratch: string;
    };
  };
  olga: PatientData & { grantToOscar: string; importId: string };
  userIds: Record<Exclude<Caller, "anonymous">, string> & { oscar: string };
  accounts: Record<Exclude<Caller, "anonymous">, Account>;
  fresh: { junkRecordId: string; contributedId: string; petraGrantToOscar: string; olgaGrantToOscar: string; deviceId: string; leaverId: string };
  /** The organization the "org admin" administers, and its care team, of which the "team member" is the one member. */
  team: { organizationId: string; teamId: string; name: string; adminIdentityPublicKey: string };
  /** A fresh recovery challenge, as the recovery page would get one. */
  recoveryChallenge: () => Promise<string>;
  wrongEnrolmentToken: string;
  /** The app's origin, which signed requests name. */
  origin: string;
}

/** A new recovery key's signed replacement of `previous` for `userId`, as the Security page sends it (client/account/security.ts). */
function recoveryKeyReplacement(userId: string, previous: string, wrappedKey: string, origin: string) {
  const signing = deriveRecoverySigningKeyPair(generateRecoveryKey());
  return {
    previousRecoveryPublicKey: previous,
    recoveryPublicKey: toBase64url(signing.publicKey),
    wrappedKey,
    signature: toBase64url(
      signRecoveryKeyReplacement(
        {
          userId,
          previousRecoveryPublicKey: fromBase64url(previous),
          recoveryPublicKey: signing.publicKey,
          wrappedVaultKey: fromBase64url(wrappedKey),
          origin,
        },
        signing.secretKey,
      ),
    ),
  };
}

/** The rows, in the order they run. The last two cut things off (a grant, every session) and run after the re-read. */
function matrix(w: World): { rows: Row[]; finalRows: Row[] } {
  const p = w.petra;
  const o = w.olga;
  const patientsOnly = (owner: Expected, otherPatient: Expected) => by({ owner, otherPatient, granted: forbidden, clinicians: forbidden, admin: forbidden });
  const olgasOnly = (olga: Expected, owner: Expected) => by({ owner, otherPatient: olga, granted: forbidden, clinicians: forbidden, admin: forbidden });
  /** Any account but an administrator's may be someone's emergency contact. */
  const anyContact = (expected: Expected) => by({ owner: expected, otherPatient: expected, granted: expected, clinicians: expected, admin: forbidden });
  const cliniciansOnly = (granted: Expected, clinicians: Expected) => by({ owner: forbidden, otherPatient: forbidden, granted, clinicians, admin: forbidden });
  /** The administration console: every other account is refused as forbidden (the role is checked before anything else). */
  const adminOnly = (admin: Expected) => by({ owner: forbidden, otherPatient: forbidden, granted: forbidden, clinicians: forbidden, admin });
  const ownIdIs = (caller: Caller) => (json: Record<string, unknown>) =>
    json.userId === w.userIds[caller as Exclude<Caller, "anonymous">] ? null : "is not the caller's own vault";
  /** A change to a grant, well-formed and signed (with a random signature: the server stores it opaque) at `revision`. */
  const changeBody = (revision: number, recordId: string) => ({
    revision,
    scope: "records",
    permission: "read",
    expiresAt: null,
    statement: randomB64(40),
    signature: randomB64(64),
    recordIds: [recordId],
    wraps: [],
  });
  const grantBody = (grantId: string, clinicianId: string, recordId: string, keyVersion: number) => ({
    grantId,
    clinicianId,
    scope: "records",
    permission: "read",
    expiresAt: null,
    sealedShareKey: randomB64(80),
    statement: randomB64(60),
    signature: randomB64(64),
    sealedProfile: null,
    recordIds: [recordId],
    wraps: [{ recordId, keyVersion, wrappedKey: randomB64(74) }],
  });
  const contribution = () => ({
    id: randomUUID(),
    sealedOwnerKey: b64(Buffer.from([1, EnvelopeKind.sealedRecordKey, ...randomBytes(120)])),
    grantWrap: randomB64(74),
    version: versionBody(1, 1),
  });
  const linkBody = (flag: "U" | "P") => ({
    flag,
    expiresAt: new Date(Date.now() + 3600_000).toISOString(),
    jwe: fakeJwe(),
    sealedLabel: randomB64(60),
  });
  const petraRecords = [p.noteId, p.fileRecordId, p.scratchId, w.fresh.junkRecordId, w.fresh.contributedId];
  const olgaRecords = [o.noteId, o.fileRecordId, o.scratchId];

  const rows: Row[] = [
    // Public: declared as such, with what they answer.
    {
      route: "GET /api/health",
      what: "public health report",
      path: "/api/health",
      expect: everyone(ok(200, (json) => (json.status === "ok" ? null : "is not ok"))),
    },
    {
      route: "POST /api/csp-reports",
      what: "public CSP report, each from its own address so the per-address limit stays out of the way",
      path: "/api/csp-reports",
      contentType: "application/csp-report",
      body: JSON.stringify({ "csp-report": { "effective-directive": "img-src", "blocked-uri": "https://tracker.example/pixel" } }),
      headers: (_caller, index) => ({ "x-forwarded-for": `198.51.100.${index % 250}` }),
      expect: everyone(ok(204)),
    },

    // Sign-up, sign-in and recovery are open to anyone, and touch no one else's account.
    {
      route: "POST /api/auth/sign-up/options",
      what: "a patient's sign-up",
      path: "/api/auth/sign-up/options",
      body: { role: "patient" },
      expect: everyone(ok(200, (json) => (Object.values(w.userIds).includes(String(json.userId)) ? "offered an existing user id" : null))),
    },
    {
      route: "POST /api/auth/sign-up/options",
      what: "an administrator's sign-up without a token",
      path: "/api/auth/sign-up/options",
      body: { role: "admin" },
      expect: everyone({ status: 403, code: "enrolment-refused" }),
    },
    {
      route: "POST /api/auth/sign-up/options",
      what: "an administrator's sign-up with a wrong token",
      path: "/api/auth/sign-up/options",
      body: { role: "admin", enrolmentToken: w.wrongEnrolmentToken },
      expect: everyone({ status: 403, code: "enrolment-refused" }),
    },
    {
      route: "POST /api/auth/sign-up/verify",
      what: "a made-up registration claiming the owner patient's user id",
      path: "/api/auth/sign-up/verify",
      body: {
        userId: p.userId,
        role: "patient",
        passkeyName: "Taken over",
        credential: madeUpCredential(randomB64(16), "webauthn.create"),
        keys: {
          identityPublicKey: randomB64(32),
          certificate: randomB64(120),
          bundle: randomB64(200),
          recoveryPublicKey: randomB64(32),
          vaultWraps: [
            { method: "prf", methodId: randomB64(16), salt: randomB64(32), wrappedKey: randomB64(72) },
            { method: "recovery", methodId: "recovery", salt: "", wrappedKey: randomB64(72) },
          ],
        },
      },
      expect: everyone(unauthenticated),
    },
    {
      route: "POST /api/auth/sign-in/options",
      what: "usernameless sign-in options",
      path: "/api/auth/sign-in/options",
      expect: everyone(ok(200, (json) => ((json.allowCredentials as unknown[] | undefined)?.length ? "listed credentials" : null))),
    },
    {
      route: "POST /api/auth/sign-in/verify",
      what: "a forged assertion for the owner patient's passkey",
      path: "/api/auth/sign-in/verify",
      body: { credential: madeUpCredential(p.passkeyId, "webauthn.get") },
      expect: everyone(unauthenticated),
    },
    { route: "POST /api/auth/recovery/options", what: "a recovery challenge", path: "/api/auth/recovery/options", expect: everyone(ok()) },
    {
      route: "POST /api/auth/recovery/verify",
      what: "the owner patient's recovery public key over a fresh challenge, with a forged signature",
      path: "/api/auth/recovery/verify",
      bodyFor: async () => ({ recoveryPublicKey: p.recoveryPublicKey, challenge: await w.recoveryChallenge(), signature: randomB64(64) }),
      expect: everyone(unauthenticated),
    },
    {
      route: "POST /api/auth/recovery/complete",
      what: "a made-up passkey registered to the owner patient's account",
      path: "/api/auth/recovery/complete",
      body: {
        userId: p.userId,
        passkeyName: "Taken over",
        credential: madeUpCredential(randomB64(16), "webauthn.create"),
        vaultWrap: { method: "prf", methodId: randomB64(16), salt: randomB64(32), wrappedKey: randomB64(72) },
      },
      expect: everyone(unauthenticated),
    },

    // The chart: only its owner, and another patient's ids get the same 404 as none.
    {
      route: "GET /api/records",
      what: "one's own chart",
      path: "/api/records",
      expect: patientsOnly(ok(200, listWithin("records", "id", petraRecords)), ok(200, listWithin("records", "id", olgaRecords))),
    },
    { route: "GET /api/records/[id]", what: "the owner patient's note", path: `/api/records/${p.noteId}`, expect: patientsOnly(ok(), notFound) },
    {
      route: "GET /api/records/[id]",
      what: "the other patient's note",
      path: `/api/records/${o.noteId}`,
      expect: olgasOnly(ok(), notFound),
      lastCaller: "other patient",
    },
    {
      route: "GET /api/records/[id]/versions",
      what: "the owner patient's note",
      path: `/api/records/${p.noteId}/versions`,
      expect: patientsOnly(ok(), notFound),
    },
    {
      route: "GET /api/records/[id]/versions",
      what: "the other patient's note",
      path: `/api/records/${o.noteId}/versions`,
      expect: olgasOnly(ok(), notFound),
      lastCaller: "other patient",
    },
    // A stale version number: the owner is let through and stopped by the version check (409), everyone else before it.
    {
      route: "POST /api/records/[id]/versions",
      what: "a stale version of the owner patient's note",
      path: `/api/records/${p.noteId}/versions`,
      body: versionBody(p.note.currentVersion, p.note.keyVersion),
      expect: patientsOnly(conflict, notFound),
    },
    {
      route: "POST /api/records/[id]/versions",
      what: "a stale version of the other patient's note",
      path: `/api/records/${o.noteId}/versions`,
      body: versionBody(o.note.currentVersion, o.note.keyVersion),
      expect: olgasOnly(conflict, notFound),
      lastCaller: "other patient",
    },
    {
      route: "POST /api/records/[id]/rotate",
      what: "a key rotation to the key version the owner patient's note already has",
      path: `/api/records/${p.noteId}/rotate`,
      body: { ownerWrap: randomB64(74), version: versionBody(p.note.currentVersion, p.note.keyVersion), grantWraps: [] },
      expect: patientsOnly(conflict, notFound),
    },
    {
      route: "POST /api/records/[id]/rotate",
      what: "a key rotation to the key version the other patient's note already has",
      path: `/api/records/${o.noteId}/rotate`,
      body: { ownerWrap: randomB64(74), version: versionBody(o.note.currentVersion, o.note.keyVersion), grantWraps: [] },
      expect: olgasOnly(conflict, notFound),
      lastCaller: "other patient",
    },
    {
      route: "POST /api/records/rotations",
      what: "a batch of key rotations to the key version the owner patient's note already has",
      path: "/api/records/rotations",
      body: { rotations: [{ recordId: p.noteId, ownerWrap: randomB64(74), version: versionBody(p.note.currentVersion, p.note.keyVersion), grantWraps: [] }] },
      expect: patientsOnly(conflict, notFound),
    },
    {
      route: "POST /api/records/rotations",
      what: "a batch of key rotations to the key version the other patient's note already has",
      path: "/api/records/rotations",
      body: { rotations: [{ recordId: o.noteId, ownerWrap: randomB64(74), version: versionBody(o.note.currentVersion, o.note.keyVersion), grantWraps: [] }] },
      expect: olgasOnly(conflict, notFound),
      lastCaller: "other patient",
    },
    {
      route: "POST /api/records",
      what: "a record under the owner patient's note id",
      path: "/api/records",
      body: { records: [{ id: p.noteId, ownerWrap: randomB64(74), version: versionBody(1, 1) }] },
      expect: patientsOnly(conflict, conflict),
    },
    {
      route: "POST /api/records",
      what: "a new record carrying the owner patient's file",
      path: "/api/records",
      body: { records: [{ id: randomUUID(), ownerWrap: randomB64(74), version: { ...versionBody(1, 1), blobId: p.blobId } }] },
      expect: patientsOnly(conflict, invalid),
    },
    {
      // The owner's record is wrapped for their one active "all records" grant, so it is stored; the other patient's is not wrapped for theirs.
      route: "POST /api/records",
      what: "a new record wrapped for the granted clinician",
      path: "/api/records",
      body: {
        records: [
          {
            id: w.fresh.junkRecordId,
            ownerWrap: randomB64(74),
            version: versionBody(1, 1),
            grantWraps: [{ grantId: p.grants.granted, wrappedKey: randomB64(74) }],
          },
        ],
      },
      expect: patientsOnly(
        ok(201, (json) => (json.created === 1 ? null : "did not create it")),
        conflict,
      ),
    },

    // Staged imports: only their owner adds to, commits or abandons one; another's answers 404, as none does.
    { route: "POST /api/imports", what: "a new import of one's own", path: "/api/imports", expect: patientsOnly(ok(201), ok(201)) },
    {
      // Wrapped for the owner's one active "all records" grant, so the owner stages it.
      route: "POST /api/imports/[id]/records",
      what: "a new record into the owner patient's import",
      path: `/api/imports/${p.imports.abandoned}/records`,
      body: {
        records: [
          {
            id: randomUUID(),
            ownerWrap: randomB64(74),
            version: versionBody(1, 1),
            grantWraps: [{ grantId: p.grants.granted, wrappedKey: randomB64(74) }],
          },
        ],
      },
      expect: patientsOnly(
        ok(200, (json) => (json.staged === 1 ? null : "did not stage it")),
        notFound,
      ),
    },
    {
      route: "POST /api/imports/[id]/records",
      what: "a record under the owner patient's note id into the other patient's import",
      path: `/api/imports/${o.importId}/records`,
      body: { records: [{ id: p.noteId, ownerWrap: randomB64(74), version: versionBody(1, 1) }] },
      expect: olgasOnly(conflict, notFound),
      lastCaller: "other patient",
    },
    {
      route: "DELETE /api/imports/[id]",
      what: "abandoning the owner patient's import",
      path: `/api/imports/${p.imports.abandoned}`,
      expect: patientsOnly(ok(204), notFound),
    },
    {
      route: "POST /api/imports/[id]/commit",
      what: "committing the owner patient's empty import",
      path: `/api/imports/${p.imports.committed}/commit`,
      expect: patientsOnly(
        ok(200, (json) => (json.created === 0 ? null : "created records")),
        notFound,
      ),
    },
    {
      route: "POST /api/imports/[id]/commit",
      what: "committing the other patient's empty import",
      path: `/api/imports/${o.importId}/commit`,
      expect: olgasOnly(ok(), notFound),
      lastCaller: "other patient",
    },
    {
      route: "DELETE /api/imports/[id]",
      what: "abandoning the other patient's committed import",
      path: `/api/imports/${o.importId}`,
      expect: olgasOnly(conflict, notFound),
      lastCaller: "other patient",
    },
    {
      route: "GET /api/me/team-renewals",
      what: "one's own shares with care teams to renew (none)",
      path: "/api/me/team-renewals",
      expect: patientsOnly(ok(200, listOf("renewals", "grantId", [])), ok(200, listOf("renewals", "grantId", []))),
    },
    {
      route: "GET /api/me/key-maintenance",
      what: "one's own key upkeep",
      path: "/api/me/key-maintenance",
      expect: patientsOnly(ok(200, listWithin("rotations", "recordId", petraRecords)), ok(200, listWithin("rotations", "recordId", olgaRecords))),
    },

    // Files.
    {
      route: "POST /api/blobs",
      what: "a new upload of one's own",
      path: "/api/blobs",
      body: { chunkSize: 1024 * 1024, chunkCount: 1 },
      expect: patientsOnly(ok(201), ok(201)),
    },
    {
      route: "GET /api/blobs/[id]",
      what: "the owner patient's upload",
      path: `/api/blobs/${p.blobId}`,
      expect: patientsOnly(
        ok(200, (json) => (json.status === "complete" ? null : "is not complete")),
        notFound,
      ),
    },
    {
      route: "GET /api/blobs/[id]",
      what: "the other patient's upload",
      path: `/api/blobs/${o.blobId}`,
      expect: olgasOnly(ok(), notFound),
      lastCaller: "other patient",
    },
    // 16 bytes is not a chunk: the owner gets as far as the size check.
    {
      route: "PUT /api/blobs/[id]/chunks/[index]",
      what: "a chunk into the owner patient's file",
      path: `/api/blobs/${p.blobId}/chunks/0`,
      body: Buffer.alloc(16),
      contentType: "application/octet-stream",
      expect: patientsOnly(invalid, notFound),
    },
    {
      route: "PUT /api/blobs/[id]/chunks/[index]",
      what: "a chunk into the other patient's file",
      path: `/api/blobs/${o.blobId}/chunks/0`,
      body: Buffer.alloc(16),
      contentType: "application/octet-stream",
      expect: olgasOnly(invalid, notFound),
      lastCaller: "other patient",
    },
    {
      route: "POST /api/blobs/[id]/complete",
      what: "completing the owner patient's file again",
      path: `/api/blobs/${p.blobId}/complete`,
      expect: patientsOnly(ok(), notFound),
    },
    {
      route: "POST /api/blobs/[id]/complete",
      what: "completing the other patient's file",
      path: `/api/blobs/${o.blobId}/complete`,
      expect: olgasOnly(ok(), notFound),
      lastCaller: "other patient",
    },
    {
      route: "GET /api/blobs/[id]/chunks/[index]",
      what: "the owner patient's file",
      path: `/api/blobs/${p.blobId}/chunks/0`,
      expect: by({ owner: ok(), otherPatient: notFound, granted: ok(), clinicians: notFound, admin: notFound }),
    },
    {
      route: "GET /api/blobs/[id]/chunks/[index]",
      what: "the other patient's file",
      path: `/api/blobs/${o.blobId}/chunks/0`,
      expect: by({ owner: notFound, otherPatient: ok(), granted: notFound, clinicians: notFound, admin: notFound }),
      lastCaller: "other patient",
    },

    // Sharing, the patient's side.
    {
      route: "GET /api/grants",
      what: "one's own grants",
      path: "/api/grants",
      expect: patientsOnly(
        ok(200, listWithin("grants", "id", [...Object.values(p.grants), w.fresh.petraGrantToOscar])),
        ok(200, listWithin("grants", "id", [o.grantToOscar, w.fresh.olgaGrantToOscar])),
      ),
    },
    {
      route: "POST /api/grants",
      what: "a grant of the owner patient's note",
      path: "/api/grants",
      body: grantBody(w.fresh.petraGrantToOscar, w.userIds.oscar, p.noteId, p.note.keyVersion),
      expect: patientsOnly(ok(201), invalid),
    },
    {
      route: "POST /api/grants",
      what: "a grant of the other patient's note",
      path: "/api/grants",
      body: grantBody(w.fresh.olgaGrantToOscar, w.userIds.oscar, o.noteId, o.note.keyVersion),
      expect: olgasOnly(ok(201), invalid),
      lastCaller: "other patient",
    },
    {
      route: "POST /api/grants",
      what: "a grant under the other patient's grant id",
      path: "/api/grants",
      body: grantBody(o.grantToOscar, w.userIds.oscar, p.noteId, p.note.keyVersion),
      expect: patientsOnly(conflict, conflict),
    },
    {
      route: "POST /api/grants",
      what: "a grant to the admin",
      path: "/api/grants",
      body: grantBody(randomUUID(), w.userIds.admin, p.noteId, p.note.keyVersion),
      expect: patientsOnly(invalid, invalid),
    },
    // The granted clinician's wrap of the note exists: the owner's re-send changes nothing.
    {
      route: "POST /api/grants/wraps",
      what: "a wrap of the owner patient's note for the granted clinician",
      path: "/api/grants/wraps",
      body: { wraps: [{ grantId: p.grants.granted, recordId: p.noteId, keyVersion: p.note.keyVersion, wrappedKey: randomB64(74) }] },
      expect: patientsOnly(ok(204), conflict),
    },
    {
      route: "POST /api/grants/wraps",
      what: "a wrap of the owner patient's note under the other patient's grant",
      path: "/api/grants/wraps",
      body: { wraps: [{ grantId: o.grantToOscar, recordId: p.noteId, keyVersion: p.note.keyVersion, wrappedKey: randomB64(74) }] },
      expect: patientsOnly(conflict, conflict),
    },
    // A successor for a grant to a clinician: the owner is let through to the check that only a team's share is renewed, everyone else stopped before it.
    {
      route: "POST /api/grants/[id]/renewal",
      what: "a successor to the granted clinician's grant",
      path: `/api/grants/${p.grants.granted}/renewal`,
      body: {
        grantId: randomUUID(),
        teamKeyVersion: 1,
        sealedShareKey: randomB64(98),
        statement: randomB64(40),
        signature: randomB64(64),
        sealedProfile: null,
        recordIds: [p.noteId],
        wraps: [],
      },
      expect: patientsOnly(invalid, notFound),
    },
    // A change signed over a revision the grant is not at: the owner is let through to the revision check (409), everyone else stopped before it.
    {
      route: "POST /api/grants/[id]/change",
      what: "a skipped revision of the granted clinician's grant",
      path: `/api/grants/${p.grants.granted}/change`,
      body: changeBody(5, p.noteId),
      expect: patientsOnly(conflict, notFound),
    },
    {
      route: "POST /api/grants/[id]/change",
      what: "a change of the revoked grant",
      path: `/api/grants/${p.grants.revoked}/change`,
      body: changeBody(2, p.noteId),
      expect: patientsOnly(conflict, notFound),
    },
    {
      route: "POST /api/grants/[id]/change",
      what: "a change of the expired grant",
      path: `/api/grants/${p.grants.expired}/change`,
      body: changeBody(2, p.noteId),
      expect: patientsOnly(conflict, notFound),
    },
    {
      route: "POST /api/grants/[id]/change",
      what: "a skipped revision of the other patient's grant",
      path: `/api/grants/${o.grantToOscar}/change`,
      body: changeBody(5, o.noteId),
      expect: olgasOnly(conflict, notFound),
      lastCaller: "other patient",
    },
    {
      route: "POST /api/grants/[id]/revoke",
      what: "the revoked grant, again",
      path: `/api/grants/${p.grants.revoked}/revoke`,
      expect: patientsOnly(ok(204), notFound),
    },
    {
      route: "POST /api/grants/[id]/records/[recordId]/revoke",
      what: "the scratch record out of the granted clinician's grant",
      path: `/api/grants/${p.grants.granted}/records/${p.scratchId}/revoke`,
      expect: patientsOnly(ok(204), notFound),
    },
    {
      route: "POST /api/grants/[id]/records/[recordId]/revoke",
      what: "the other patient's note out of the granted clinician's grant",
      path: `/api/grants/${p.grants.granted}/records/${o.noteId}/revoke`,
      expect: patientsOnly(notFound, notFound),
    },
    {
      route: "POST /api/grants/[id]/records/[recordId]/revoke",
      what: "the other patient's note out of their own grant",
      path: `/api/grants/${o.grantToOscar}/records/${o.noteId}/revoke`,
      expect: olgasOnly(ok(204), notFound),
      lastCaller: "other patient",
    },
    {
      route: "DELETE /api/records/[id]",
      what: "the owner patient's scratch record",
      path: `/api/records/${p.scratchId}`,
      expect: patientsOnly(ok(204), notFound),
    },
    {
      route: "DELETE /api/records/[id]",
      what: "the other patient's scratch record",
      path: `/api/records/${o.scratchId}`,
      expect: olgasOnly(ok(204), notFound),
      lastCaller: "other patient",
    },

    // Sharing, the clinician's side: only the granted clinician, only under their own grant.
    {
      route: "GET /api/shared",
      what: "what is shared with one",
      path: "/api/shared",
      expect: cliniciansOnly(ok(200, listOf("grants", "grantId", [p.grants.granted])), ok(200, listOf("grants", "grantId", []))),
    },
    {
      route: "GET /api/shared/[grantId]/records",
      what: "the granted clinician's grant",
      path: `/api/shared/${p.grants.granted}/records`,
      expect: cliniciansOnly(ok(200, listWithin("records", "id", petraRecords)), notFound),
    },
    {
      route: "GET /api/shared/[grantId]/records",
      what: "the revoked grant",
      path: `/api/shared/${p.grants.revoked}/records`,
      expect: cliniciansOnly(notFound, notFound),
    },
    {
      route: "GET /api/shared/[grantId]/records",
      what: "the expired grant",
      path: `/api/shared/${p.grants.expired}/records`,
      expect: cliniciansOnly(notFound, notFound),
    },
    {
      route: "GET /api/shared/[grantId]/records",
      what: "the other patient's grant to someone else",
      path: `/api/shared/${o.grantToOscar}/records`,
      expect: cliniciansOnly(notFound, notFound),
    },
    {
      route: "POST /api/shared/[grantId]/records",
      what: "a note into the owner patient's chart under the granted clinician's grant",
      path: `/api/shared/${p.grants.granted}/records`,
      bodyFor: (caller) => (caller === "granted clinician" ? { ...contribution(), id: w.fresh.contributedId } : contribution()),
      expect: cliniciansOnly(ok(201), notFound),
    },
    {
      route: "POST /api/shared/[grantId]/records",
      what: "a note under the revoked grant",
      path: `/api/shared/${p.grants.revoked}/records`,
      bodyFor: contribution,
      expect: cliniciansOnly(notFound, notFound),
    },
    {
      route: "POST /api/shared/[grantId]/records",
      what: "a note under the expired grant",
      path: `/api/shared/${p.grants.expired}/records`,
      bodyFor: contribution,
      expect: cliniciansOnly(notFound, notFound),
    },
    {
      route: "POST /api/shared/[grantId]/records",
      what: "a note under the other patient's grant",
      path: `/api/shared/${o.grantToOscar}/records`,
      bodyFor: contribution,
      expect: cliniciansOnly(notFound, notFound),
    },
    {
      route: "POST /api/grants/[id]/revoke",
      what: "the other patient's grant",
      path: `/api/grants/${o.grantToOscar}/revoke`,
      expect: olgasOnly(ok(204), notFound),
      lastCaller: "other patient",
    },

    // SMART Health Links: the owner's links are hers alone; the blind routes serve whoever holds a link, session or not.
    {
      route: "GET /api/links",
      what: "one's own links",
      path: "/api/links",
      expect: patientsOnly(ok(200, listOf("links", "id", [p.links.u.id, p.links.p.id, p.links.l.id, p.links.scratch])), ok(200, listOf("links", "id", []))),
    },
    { route: "POST /api/links", what: "a new link of one's own", path: "/api/links", bodyFor: () => linkBody("U"), expect: patientsOnly(ok(201), ok(201)) },
    {
      route: "POST /api/links",
      what: "a U link with a passcode",
      path: "/api/links",
      body: { ...linkBody("U"), passcode: "not-for-u-links" },
      // The contract parses a body before the service looks at the session: a malformed one is 400 for everyone.
      expect: everyone(invalid),
      refusedBeforeAuthorization: "the contract's body schema refuses a passcode on a U link before any session or role is looked at",
    },
    {
      route: "GET /api/links/[id]/accesses",
      what: "the owner patient's link's accesses",
      path: `/api/links/${p.links.u.id}/accesses`,
      expect: patientsOnly(ok(), notFound),
    },
    {
      route: "GET /api/shl/[shlId]",
      what: "the owner patient's U link, by whoever holds it",
      path: `/api/shl/${p.links.u.shlId}?recipient=Reader`,
      expect: everyone(ok()),
    },
    { route: "GET /api/shl/[shlId]", what: "a P link by GET", path: `/api/shl/${p.links.p.shlId}?recipient=Reader`, expect: everyone(notFound) },
    {
      route: "POST /api/shl/[shlId]",
      what: "the owner patient's P link with its passcode",
      path: `/api/shl/${p.links.p.shlId}`,
      body: { recipient: "Reader", passcode: p.links.p.passcode },
      expect: everyone(ok(200, (json) => (Array.isArray(json.files) && json.files.length === 1 ? null : "is not a one-file manifest"))),
    },
    {
      route: "POST /api/shl/[shlId]",
      what: "a U link's manifest",
      path: `/api/shl/${p.links.u.shlId}`,
      body: { recipient: "Reader" },
      expect: everyone(notFound),
    },
    { route: "GET /api/shl/files/[token]", what: "a manifest's location", path: `/api/shl/files/${p.links.p.token}`, expect: everyone(ok()) },
    {
      route: "POST /api/shl/[shlId]",
      what: "the owner patient's long-term L link (the emergency card without a passcode)",
      path: `/api/shl/${p.links.l.shlId}`,
      body: { recipient: "Reader" },
      expect: everyone(ok(200, (json) => (Array.isArray(json.files) && json.files.length === 1 ? null : "is not a one-file manifest"))),
    },
    {
      route: "PUT /api/links/[id]",
      what: "new contents of the owner patient's long-term link",
      path: `/api/links/${p.links.l.id}`,
      bodyFor: () => ({ jwe: fakeJwe(), sealedLabel: randomB64(60) }),
      expect: patientsOnly(ok(200), notFound),
    },
    {
      route: "PUT /api/links/[id]",
      what: "new contents of a link that is not long-term",
      path: `/api/links/${p.links.u.id}`,
      bodyFor: () => ({ jwe: fakeJwe(), sealedLabel: randomB64(60) }),
      expect: patientsOnly(notFound, notFound),
    },
    {
      route: "DELETE /api/links/[id]",
      what: "the owner patient's link",
      path: `/api/links/${p.links.scratch}`,
      expect: patientsOnly(ok(204), notFound),
      lastCaller: "owner patient",
    },

    // Trails: one's own only. Refused attempts were written to the owners' trails, never the prober's.
    {
      route: "GET /api/me/audit",
      what: "one's own trail",
      path: "/api/me/audit",
      expect: signedIn((caller) =>
        caller === "owner patient"
          ? ok(200, (json) =>
              (json.events as Array<{ action: string; actorId: string }>).some(
                (event) => event.action === "access-refused" && event.actorId === w.userIds["other patient"],
              )
                ? null
                : "has no refused attempt by the other patient",
            )
          : ok(),
      ),
    },
    {
      route: "GET /api/me/audit/actions",
      what: "what one did in others' charts",
      path: "/api/me/audit/actions",
      expect: by(
        {
          owner: forbidden,
          otherPatient: forbidden,
          admin: forbidden,
          granted: ok(200, (json) => ((json.events as unknown[]).length > 0 ? null : "is empty")),
          // What they opened while they could; none of the refusals since.
          clinicians: ok(200, (json) =>
            (json.events as Array<{ outcome: string }>).some((event) => event.outcome !== "success") ? "lists refused attempts" : null,
          ),
        },
        { "nurse without a grant": ok(200, listOf("events", "action", [])), "doctor without a grant": ok(200, listOf("events", "action", [])) },
      ),
    },
    { route: "POST /api/me/audit/exports", what: "reporting an export of one's chart", path: "/api/me/audit/exports", expect: patientsOnly(ok(204), ok(204)) },

    // One's own account only, whatever ids are sent.
    { route: "GET /api/me/vault", what: "one's own vault", path: "/api/me/vault", expect: signedIn((caller) => ok(200, ownIdIs(caller))) },
    {
      // One's own bundle sent with the owner patient's revision: stored only for a caller whose own revision is the same, and never on the owner's account.
      route: "PUT /api/me/vault/bundle",
      what: "one's own bundle at the owner patient's revision",
      path: "/api/me/vault/bundle",
      bodyFor: (caller) => ({ bundle: caller === "anonymous" ? p.bundle : w.accounts[caller].bundle, revision: p.revision }),
      expect: signedIn((caller) =>
        w.accounts[caller as Exclude<Caller, "anonymous">].revision === p.revision
          ? ok(200, (json) => (json.revision === p.revision + 1 ? null : "has the wrong revision"))
          : conflict,
      ),
    },
    {
      route: "POST /api/me/vault/device-wraps",
      what: "a device wrap",
      path: "/api/me/vault/device-wraps",
      body: { method: "device", methodId: w.fresh.deviceId, salt: randomB64(12), wrappedKey: randomB64(48) },
      expect: signedIn(ok(204)),
    },
    {
      route: "GET /api/me/recovery-key",
      what: "one's own recovery key's public half",
      path: "/api/me/recovery-key",
      expect: signedIn((caller) =>
        ok(200, caller === "owner patient" ? (json) => (json.recoveryPublicKey === p.recoveryPublicKey ? null : "is not the owner patient's key") : undefined),
      ),
    },
    {
      // Signed by a new key for the caller's own account, naming the owner patient's current key as the one replaced.
      route: "PUT /api/me/recovery-key",
      what: "a replacement of the owner patient's recovery key",
      path: "/api/me/recovery-key",
      bodyFor: (caller) => recoveryKeyReplacement(caller === "anonymous" ? p.userId : w.userIds[caller], p.recoveryPublicKey, p.recoveryWrap, w.origin),
      expect: signedIn((caller) => (caller === "owner patient" ? ok(204) : conflict)),
    },
    {
      route: "GET /api/me/passkeys",
      what: "one's own passkeys",
      path: "/api/me/passkeys",
      expect: signedIn((caller) => ok(200, listOf("passkeys", "id", [w.accounts[caller as Exclude<Caller, "anonymous">].passkeyId]))),
    },
    {
      route: "POST /api/me/passkeys/options",
      what: "options for another passkey",
      path: "/api/me/passkeys/options",
      expect: signedIn((caller) =>
        ok(200, (json) => {
          const excluded = ((json.options as { excludeCredentials?: Array<{ id: string }> }).excludeCredentials ?? []).map((entry) => entry.id);
          return JSON.stringify(excluded) === JSON.stringify([w.accounts[caller as Exclude<Caller, "anonymous">].passkeyId])
            ? null
            : `excluded ${JSON.stringify(excluded)}`;
        }),
      ),
    },
    {
      route: "POST /api/me/passkeys",
      what: "a made-up registration of the owner patient's credential id",
      path: "/api/me/passkeys",
      body: {
        name: "Taken over",
        credential: madeUpCredential(p.passkeyId, "webauthn.create"),
        vaultWrap: { method: "prf", methodId: p.passkeyId, salt: randomB64(32), wrappedKey: randomB64(72) },
      },
      expect: signedIn(unauthenticated),
      refusedPastTheRole: "the registration's WebAuthn check fails (401 unauthenticated): no challenge of the caller's is in it",
    },
    {
      route: "POST /api/me/fresh-proof/options",
      what: "options for a fresh proof",
      path: "/api/me/fresh-proof/options",
      expect: signedIn((caller) =>
        ok(200, (json) => {
          const offered = ((json as { allowCredentials?: Array<{ id: string }> }).allowCredentials ?? []).map((entry) => entry.id);
          return JSON.stringify(offered) === JSON.stringify([w.accounts[caller as Exclude<Caller, "anonymous">].passkeyId])
            ? null
            : `offered ${JSON.stringify(offered)}`;
        }),
      ),
    },
    {
      route: "POST /api/me/fresh-proof",
      what: "a made-up fresh proof with the owner patient's passkey id",
      path: "/api/me/fresh-proof",
      body: { credential: madeUpCredential(p.passkeyId, "webauthn.get") },
      // Each caller from its own address: the attempts naming one passkey from one address are limited, and the sign-in rows name it too.
      headers: (_caller, index) => ({ "x-forwarded-for": `203.0.113.${index % 250}` }),
      expect: signedIn(forbidden),
      refusedPastTheRole: "a made-up assertion: the passkey check refuses it (403 forbidden), whoever is signed in",
    },
    {
      route: "PATCH /api/me/passkeys/[id]",
      what: "renaming the owner patient's passkey (to its own name)",
      path: `/api/me/passkeys/${encodeURIComponent(p.passkeyId)}`,
      body: { name: p.passkeyName },
      expect: signedIn((caller) => (caller === "owner patient" ? ok(204) : notFound)),
    },
    {
      route: "DELETE /api/me/passkeys/[id]",
      what: "removing the owner patient's only passkey",
      path: `/api/me/passkeys/${encodeURIComponent(p.passkeyId)}`,
      expect: signedIn((caller) => (caller === "owner patient" ? conflict : notFound)),
    },
    {
      route: "PATCH /api/me/passkeys/[id]",
      what: "renaming the other patient's passkey (to its own name)",
      path: `/api/me/passkeys/${encodeURIComponent(o.passkeyId)}`,
      body: { name: o.passkeyName },
      expect: signedIn((caller) => (caller === "other patient" ? ok(204) : notFound)),
      lastCaller: "other patient",
    },
    {
      route: "DELETE /api/me/passkeys/[id]",
      what: "removing the other patient's only passkey",
      path: `/api/me/passkeys/${encodeURIComponent(o.passkeyId)}`,
      expect: signedIn((caller) => (caller === "other patient" ? conflict : notFound)),
      lastCaller: "other patient",
    },
    {
      route: "GET /api/me/sessions",
      what: "one's own sessions",
      path: "/api/me/sessions",
      expect: signedIn((caller) => ok(200, listOf("sessions", "id", [w.accounts[caller as Exclude<Caller, "anonymous">].sessionId]))),
    },
    {
      route: "GET /api/me/storage",
      what: "one's own storage use",
      path: "/api/me/storage",
      // Both patients hold a file; clinicians and the admin store nothing. Nobody sees another account's use.
      expect: signedIn((caller) =>
        ok(200, (json) =>
          typeof json.quotaBytes !== "number"
            ? "has no quota"
            : (caller === "owner patient" || caller === "other patient") === Number(json.fileBytes) >= 1024 * 1024
              ? null
              : `shows ${String(json.fileBytes)} bytes of files`,
        ),
      ),
    },
    // Notices: each person's own, and nobody else's. By now the granted clinician has read Petra's records (the shared rows above).
    {
      route: "GET /api/me/notices",
      what: "one's own notices",
      path: "/api/me/notices",
      expect: signedIn((caller) =>
        ok(200, (json) => {
          const listed = json.notices as Array<{ kind: string; grantId: string | null }> | undefined;
          if (!Array.isArray(listed)) return "has no notices list";
          const hers = listed.some((notice) => notice.kind === "records-opened" && notice.grantId === p.grants.granted);
          if (caller === "owner patient") return hers ? null : "lacks the notice of the granted clinician's read";
          // A clinician hears about the one share they hold (a patient started or stopped sharing with them), and about no other.
          const held = { "granted clinician": p.grants.granted, "revoked clinician": p.grants.revoked, "expired clinician": p.grants.expired }[
            caller as string
          ];
          const toGrantee = new Set(["patient-shared", "patient-stopped-sharing"]);
          return listed.some((notice) => Object.values(p.grants).includes(notice.grantId ?? "") && !(notice.grantId === held && toGrantee.has(notice.kind)))
            ? "shows a notice about Petra's grants"
            : null;
        }),
      ),
    },
    {
      route: "GET /api/me/notices/stream",
      what: "one's own live notice stream (for a second)",
      path: "/api/me/notices/stream?seconds=1",
      expect: signedIn(ok(200)),
    },
    // Emergency access (e2e/emergency-access.spec.ts runs the whole flow): no caller here is anyone's
    // emergency contact, so every list is empty and every id refused as none; the roles come from the definitions.
    {
      route: "GET /api/emergency-contacts",
      what: "one's own emergency contacts (none)",
      path: "/api/emergency-contacts",
      expect: patientsOnly(ok(200, listOf("contacts", "grantId", [])), ok(200, listOf("contacts", "grantId", []))),
    },
    {
      route: "POST /api/emergency-contacts",
      what: "an emergency contact naming an account that does not exist",
      path: "/api/emergency-contacts",
      body: {
        grantId: randomUUID(),
        contactId: randomUUID(),
        waitSeconds: 86_400,
        sealedShareKey: randomB64(82),
        statement: randomB64(40),
        signature: randomB64(64),
        sealedProfile: randomB64(200),
        sealedChoice: randomB64(120),
        recordIds: [],
        wraps: [],
      },
      expect: patientsOnly(invalid, invalid),
    },
    {
      route: "GET /api/emergency-contacts/keys",
      what: "an account's keys by a share code that names no account",
      path: `/api/emergency-contacts/keys?code=${encodeURIComponent(`hsc1.${b64(randomBytes(16))}.${b64(randomBytes(16))}`)}`,
      expect: patientsOnly(notFound, notFound),
    },
    ...(["change", "approve", "refuse", "end"] as const).map((action) => ({
      route: `POST /api/emergency-contacts/[id]/${action}` as Route,
      what: `${action} of an emergency contact nobody named`,
      path: `/api/emergency-contacts/${randomUUID()}/${action}`,
      ...(action === "change"
        ? { body: { revision: 2, statement: randomB64(40), signature: randomB64(64), recordIds: [], wraps: [], sealedChoice: randomB64(120) } }
        : {}),
      expect: patientsOnly(notFound, notFound),
    })),
    {
      route: "GET /api/emergency-access",
      what: "who named the caller their emergency contact (nobody)",
      path: "/api/emergency-access",
      expect: anyContact(ok(200, listOf("roles", "grantId", []))),
    },
    {
      route: "POST /api/emergency-access/[id]/request",
      what: "a request under an emergency grant that is not the caller's",
      path: `/api/emergency-access/${randomUUID()}/request`,
      expect: anyContact(notFound),
    },
    {
      route: "GET /api/emergency-access/[id]",
      what: "an emergency set that is not the caller's",
      path: `/api/emergency-access/${randomUUID()}`,
      expect: anyContact(notFound),
    },
    {
      route: "GET /api/me/notice-settings",
      what: "one's own email choices",
      path: "/api/me/notice-settings",
      expect: signedIn(ok(200, (json) => (json.email === null ? null : `shows the address ${String(json.email)}`))),
    },
    {
      route: "PUT /api/me/notice-settings",
      what: "an address that is not one",
      path: "/api/me/notice-settings",
      body: { email: "not an address", emailKinds: [] },
      refusedBeforeAuthorization: "the contract's body schema refuses an email that is not an address before any session or role is looked at",
      expect: everyone(invalid),
    },
    {
      route: "PUT /api/me/notice-settings",
      what: "one's own email choices",
      path: "/api/me/notice-settings",
      bodyFor: (caller) => ({ email: `${caller.replaceAll(" ", "-")}@example.org`, emailKinds: ["records-opened"] }),
      expect: signedIn((caller) => ok(200, (json) => (json.email === `${caller.replaceAll(" ", "-")}@example.org` ? null : "is not the caller's own"))),
    },
    {
      route: "POST /api/me/notices/read",
      what: "marking one's own notices read",
      path: "/api/me/notices/read",
      body: { all: true },
      expect: signedIn(ok(200, (json) => (json.unread === 0 ? null : `left ${String(json.unread)} unread`))),
    },
    // Leaving: `?userId=` names the account the page showed; an account that is not the caller's is refused (409) whoever
    // asks, so no row here deletes anything. A throwaway patient's account, after the matrix: refused to everyone else, deleted by its own session.
    {
      route: "DELETE /api/me",
      what: "deleting a made-up account",
      path: `/api/me?userId=${w.fresh.leaverId}`,
      expect: signedIn(conflict),
    },
    // Everyone has one session: a sign-out that reached anyone else's would end some, and the rows after it would fail.
    {
      route: "POST /api/me/sessions/end-others",
      what: "ending one's other sessions",
      path: "/api/me/sessions/end-others",
      expect: signedIn(ok(200, (json) => (json.ended === 0 ? null : `ended ${String(json.ended)}`))),
    },

    // The directory and published keys: clinicians are public to people signed in; nobody else's keys are.
    {
      route: "GET /api/directory",
      what: "searching the directory",
      path: "/api/directory?q=Rheumatology",
      expect: signedIn(
        ok(200, (json) => {
          const entries = json.clinicians as Array<{ userId: string; role: string }>;
          if (!entries.some((entry) => entry.userId === w.userIds["granted clinician"])) return "misses the granted clinician";
          return entries.every((entry) => entry.role === "doctor" || entry.role === "nurse") ? null : "lists someone who is not a clinician";
        }),
      ),
    },
    // Two letters would page through the directory (676 searches cover it): refused before any lookup. The per-account 429 is in e2e/limits.spec.ts.
    { route: "GET /api/directory", what: "a two-letter directory search", path: "/api/directory?q=Rh", expect: signedIn(invalid) },
    {
      route: "GET /api/users/[id]/keys",
      what: "a clinician's published keys",
      path: `/api/users/${w.userIds["granted clinician"]}/keys`,
      expect: signedIn(ok()),
    },
    {
      route: "GET /api/users/[id]/keys",
      what: "the owner patient's keys",
      path: `/api/users/${p.userId}/keys`,
      expect: signedIn((caller) => (caller === "owner patient" || caller === "admin" ? ok() : notFound)),
    },
    {
      route: "GET /api/users/[id]/keys",
      what: "the other patient's keys",
      path: `/api/users/${o.userId}/keys`,
      expect: signedIn((caller) => (caller === "other patient" || caller === "admin" ? ok() : notFound)),
      lastCaller: "other patient",
    },
    {
      route: "GET /api/users/[id]/keys",
      what: "the admin's keys",
      path: `/api/users/${w.userIds.admin}/keys`,
      expect: signedIn((caller) => (caller === "admin" ? ok() : notFound)),
      lastCaller: "admin",
    },

    // The administration console: only the administrator is answered; nothing in it is a record, a key or a patient's name.
    {
      route: "GET /api/admin/overview",
      what: "the deployment's figures",
      path: "/api/admin/overview",
      expect: adminOnly(
        ok(200, (json) => {
          const accounts = json.accounts as { admin: number; patient: number } | undefined;
          return accounts && accounts.admin >= 1 && accounts.patient >= 2 && typeof json.records === "number"
            ? null
            : `counts were ${JSON.stringify(accounts)}`;
        }),
      ),
    },
    {
      route: "GET /api/admin/accounts",
      what: "the accounts, by the owner patient's id",
      path: `/api/admin/accounts?q=${p.userId}`,
      expect: adminOnly(
        ok(200, (json) => {
          const accounts = json.accounts as Array<Record<string, unknown>>;
          if (accounts.length !== 1 || accounts[0]!.userId !== p.userId) return `listed ${JSON.stringify(accounts)}`;
          const keys = Object.keys(accounts[0]!).sort().join(",");
          return keys === "createdAt,disabledAt,displayName,role,userId" && accounts[0]!.displayName === null ? null : `an account carried ${keys}`;
        }),
      ),
    },
    {
      route: "GET /api/admin/trail",
      what: "the administration trail",
      path: "/api/admin/trail",
      expect: adminOnly(ok(200, (json) => (Array.isArray(json.events) ? null : "has no events"))),
    },
    {
      route: "POST /api/admin/accounts/[id]/disable",
      what: "disabling the administrator's own account",
      path: `/api/admin/accounts/${w.userIds.admin}/disable`,
      expect: adminOnly(conflict),
    },
    {
      route: "POST /api/admin/accounts/[id]/disable",
      what: "disabling an account that does not exist",
      path: `/api/admin/accounts/${randomUUID()}/disable`,
      expect: adminOnly(notFound),
    },
    {
      route: "POST /api/admin/accounts/[id]/enable",
      what: "enabling the owner patient, who is not disabled (nothing changes)",
      path: `/api/admin/accounts/${p.userId}/enable`,
      expect: adminOnly(ok(204)),
    },
    {
      route: "POST /api/admin/accounts/[id]/enable",
      what: "enabling an account that does not exist",
      path: `/api/admin/accounts/${randomUUID()}/enable`,
      expect: adminOnly(notFound),
    },
    // Verified directory entries: everyone signed in reads the administrator keys to pin; only an administrator lists entries or signs statements.
    {
      route: "GET /api/directory/admins",
      what: "the deployment's administrator keys",
      path: "/api/directory/admins",
      expect: signedIn(
        ok(200, (json) => ((json.admins as Array<{ userId: string }>).some((admin) => admin.userId === w.userIds.admin) ? null : "misses the admin")),
      ),
    },
    {
      route: "GET /api/admin/directory",
      what: "the administrator's directory list",
      path: "/api/admin/directory",
      expect: signedIn((caller) =>
        caller === "admin"
          ? ok(200, (json) =>
              (json.clinicians as Array<{ userId: string }>).some((entry) => entry.userId === w.userIds["granted clinician"])
                ? null
                : "misses the granted clinician",
            )
          : forbidden,
      ),
    },
    {
      route: "POST /api/admin/directory/[id]/statements",
      what: "a verification of the granted clinician with a made-up signature (the server checks it before storing)",
      path: `/api/admin/directory/${w.userIds["granted clinician"]}/statements`,
      body: {
        id: randomUUID(),
        action: "verify",
        displayName: "Dr Gina Granted",
        specialty: "Rheumatology",
        organization: "North Clinic",
        licenceNumber: "GMC 1",
        adminName: "Mallory",
        issuedAt: Date.now(),
        signature: randomB64(64),
      },
      expect: signedIn((caller) => (caller === "admin" ? invalid : forbidden)),
    },

    // Organizations and care teams: a deployment administrator makes organizations; the organization's administrator changes its
    // teams; the team's key holders (members, administrators) read and replace its key; everyone signed in finds teams.
    {
      route: "GET /api/organizations",
      what: "the organizations one administers",
      path: "/api/organizations",
      expect: signedIn((caller) => ok(200, listOf("organizations", "id", caller === "org admin" ? [w.team.organizationId] : []))),
    },
    {
      route: "POST /api/admin/organizations",
      what: "an organization naming the org admin its administrator",
      path: "/api/admin/organizations",
      bodyFor: () => ({
        id: randomUUID(),
        name: "Matrix Hospital",
        administratorIds: [w.userIds["org admin"]],
        // The deployment administrator's statement naming them (its signature stands in: patients' browsers check it, the server stores it).
        statements: [organizationStatement(w.userIds["org admin"], w.team.adminIdentityPublicKey)],
      }),
      expect: adminOnly(ok(201)),
    },
    {
      route: "POST /api/organizations/[id]/teams",
      what: "a new team of the org admin's organization, its key sealed to its one administrator",
      path: `/api/organizations/${w.team.organizationId}/teams`,
      bodyFor: () => ({
        id: randomUUID(),
        name: "Matrix second team",
        memberIds: [],
        key: {
          keyVersion: 1,
          publicKey: randomB64(32),
          signedAt: Date.now(),
          signature: randomB64(64),
          seals: [{ userId: w.userIds["org admin"], sealedKey: randomB64(120) }],
        },
      }),
      expect: signedIn((caller) => (caller === "org admin" ? ok(201) : forbidden)),
    },
    {
      route: "POST /api/teams/[id]/members",
      what: "adding the team member again (nothing changes)",
      path: `/api/teams/${w.team.teamId}/members`,
      body: { userId: w.userIds["team member"], keyVersion: 1, sealedKey: randomB64(120) },
      expect: signedIn((caller) => (caller === "org admin" ? ok(204) : forbidden)),
    },
    {
      route: "POST /api/teams/[id]/members",
      what: "adding the granted clinician, whose entry no administrator verified",
      path: `/api/teams/${w.team.teamId}/members`,
      body: { userId: w.userIds["granted clinician"], keyVersion: 1, sealedKey: randomB64(120) },
      expect: signedIn((caller) => (caller === "org admin" ? invalid : forbidden)),
    },
    {
      route: "DELETE /api/teams/[id]/members/[userId]",
      what: "removing someone who is not a member (nothing changes)",
      path: `/api/teams/${w.team.teamId}/members/${w.userIds["granted clinician"]}`,
      expect: signedIn((caller) => (caller === "org admin" ? ok(204) : forbidden)),
    },
    {
      route: "GET /api/teams/[id]/key",
      what: "the team key sealed to the caller",
      path: `/api/teams/${w.team.teamId}/key`,
      expect: signedIn((caller) =>
        caller === "org admin" || caller === "team member"
          ? ok(200, (json) => ((json.seals as unknown[]).length === 1 && json.keyVersion === 1 ? null : `served ${JSON.stringify(json.seals)}`))
          : forbidden,
      ),
    },
    {
      route: "POST /api/teams/[id]/keys",
      what: "a next team key while the team needs none",
      path: `/api/teams/${w.team.teamId}/keys`,
      bodyFor: (caller) => ({
        keyVersion: 2,
        publicKey: randomB64(32),
        signedAt: Date.now(),
        signature: randomB64(64),
        seals: [{ userId: w.userIds[caller as Exclude<Caller, "anonymous">] ?? w.userIds["org admin"], sealedKey: randomB64(120) }],
      }),
      expect: signedIn((caller) => (caller === "org admin" || caller === "team member" ? conflict : forbidden)),
    },
    {
      route: "GET /api/teams/[id]/reseals",
      what: "the team's grants still sealed to an older key (none)",
      path: `/api/teams/${w.team.teamId}/reseals`,
      expect: signedIn((caller) => (caller === "org admin" || caller === "team member" ? ok(200, listOf("grants", "grantId", [])) : forbidden)),
    },
    {
      route: "POST /api/teams/[id]/reseals",
      what: "a re-seal of a grant the team does not have (nothing changes)",
      path: `/api/teams/${w.team.teamId}/reseals`,
      body: { keyVersion: 1, reseals: [{ grantId: randomUUID(), sealedShareKey: randomB64(98) }] },
      expect: signedIn((caller) =>
        caller === "org admin" || caller === "team member" ? ok(200, (json) => (json.resealed === 0 ? null : `re-sealed ${String(json.resealed)}`)) : forbidden,
      ),
    },
    {
      route: "GET /api/teams",
      what: "finding the care team by name",
      path: `/api/teams?q=${encodeURIComponent(w.team.name)}`,
      expect: signedIn(ok(200, listOf("teams", "teamId", [w.team.teamId]))),
    },
  ];

  const finalRows: Row[] = [
    {
      route: "POST /api/grants/[id]/revoke",
      what: "the granted clinician's grant",
      path: `/api/grants/${p.grants.granted}/revoke`,
      expect: patientsOnly(ok(204), notFound),
    },
    // Each sign-out ends the caller's session and no one else's: the owner patient, last, is still signed in after each.
    { route: "POST /api/auth/sign-out", what: "signing out", path: "/api/auth/sign-out", expect: everyone(ok(204)) },
  ];
  return { rows, finalRows };
}

/** Stand-in ids, to check the rows against the route list without signing anyone up. */
function placeholderWorld(): World {
  const id = () => randomUUID();
  const account = (): Account => ({ userId: id(), passkeyId: randomB64(16), passkeyName: "Passkey", sessionId: id(), bundle: randomB64(100), revision: 1 });
  const patient = (): PatientData => ({
    ...account(),
    noteId: id(),
    scratchId: id(),
    fileRecordId: id(),
    blobId: id(),
    note: { currentVersion: 1, keyVersion: 1 },
  });
  const people = callers.filter((caller): caller is Exclude<Caller, "anonymous"> => caller !== "anonymous");
  const accounts = Object.fromEntries(people.map((caller) => [caller, account()])) as World["accounts"];
  return {
    petra: {
      ...patient(),
      recoveryPublicKey: randomB64(32),
      recoveryWrap: randomB64(72),
      grants: { granted: id(), revoked: id(), expired: id() },
      imports: { abandoned: id(), committed: id() },
      links: {
        u: { id: id(), shlId: randomB64(32) },
        p: { id: id(), shlId: randomB64(32), passcode: "passcode", token: randomB64(32) },
        l: { id: id(), shlId: randomB64(32) },
        scratch: id(),
      },
    },
    olga: { ...patient(), grantToOscar: id(), importId: id() },
    userIds: {
      ...(Object.fromEntries(people.map((caller) => [caller, accounts[caller].userId])) as Record<Exclude<Caller, "anonymous">, string>),
      oscar: id(),
    },
    accounts,
    fresh: { junkRecordId: id(), contributedId: id(), petraGrantToOscar: id(), olgaGrantToOscar: id(), deviceId: id(), leaverId: id() },
    team: { organizationId: id(), teamId: id(), name: "Matrix team", adminIdentityPublicKey: randomB64(32) },
    recoveryChallenge: async () => randomB64(32),
    wrongEnrolmentToken: randomB64(32),
    origin: "http://localhost",
  };
}

test("every route under app/api is in the matrix, and every row names a real route", () => {
  const { rows, finalRows } = matrix(placeholderWorld());
  const all = [...rows, ...finalRows];
  const declared = new Set(all.map((row) => row.route));
  const routes = apiRoutes();
  expect(routes).toContain("PUT /api/blobs/[id]/chunks/[index]");
  expect(routes.length).toBeGreaterThanOrEqual(45);
  expect(
    routes.filter((route) => !declared.has(route)),
    "routes missing from the matrix",
  ).toEqual([]);
  expect(
    [...declared].filter((route) => !routes.includes(route)),
    "rows for routes that do not exist",
  ).toEqual([]);
  expect(all.filter((row) => !templateMatches(row.route.split(" ")[1]!, row.path)).map((row) => `${row.route}: ${row.path}`)).toEqual([]);
});

test("every row agrees with contract/roles.ts, which gives every refusal by role the matrix expects", () => {
  const { rows, finalRows } = matrix(placeholderWorld());
  expect(disagreements([...rows, ...finalRows])).toEqual([]);
});

test("a row that disagrees with contract/roles.ts is caught: a refused role let in, an allowed role refused, a route it lacks", () => {
  const wrong: Row[] = [
    {
      route: "GET /api/records",
      what: "a clinician reading a chart",
      path: "/api/records",
      expect: by({ owner: ok(), otherPatient: ok(), granted: ok(), clinicians: forbidden, admin: forbidden }),
    },
    {
      route: "GET /api/shared",
      what: "a nurse refused her own list",
      path: "/api/shared",
      expect: by({ owner: forbidden, otherPatient: forbidden, granted: ok(), clinicians: ok(), admin: forbidden }, { "nurse without a grant": forbidden }),
    },
    { route: "GET /api/nowhere" as Row["route"], what: "a route nobody defined", path: "/api/nowhere", expect: everyone(notFound) },
  ];
  expect(disagreements(wrong)).toEqual([
    "granted clinician: GET /api/records (a clinician reading a chart): the row expects 200, contract/roles.ts refuses the role with 403 forbidden",
    "nurse without a grant: GET /api/shared (a nurse refused her own list): the row expects 403 forbidden, but contract/roles.ts lets the role in (refusedPastTheRole says why, if a later check refuses it)",
    "GET /api/nowhere: not in contract/roles.ts",
  ]);
});

interface ChartJson {
  records: Array<{
    id: string;
    createdAt: string;
    currentVersion: number;
    keyVersion: number;
    ownerWrap: string;
    current: { content: string; blobId: string | null };
  }>;
}
interface VaultJson {
  userId: string;
  bundle: string;
  bundleRevision: number;
  wraps: Array<{ method: string; methodId: string; salt: string; wrappedKey: string }>;
}

const getJson = async <T>(request: APIRequestContext, path: string): Promise<T> => {
  const response = await request.get(path);
  expect(response.status(), path).toBe(200);
  return (await response.json()) as T;
};

/** What a person's own account looks like through the API. */
async function accountOf(person: Person): Promise<Account & { vault: VaultJson; passkeys: unknown; sessionIds: string[] }> {
  const vault = await getJson<VaultJson>(person.page.request, "/api/me/vault");
  const { passkeys } = await getJson<{ passkeys: Array<{ id: string; name: string }> }>(person.page.request, "/api/me/passkeys");
  const { sessions } = await getJson<{ sessions: Array<{ id: string }> }>(person.page.request, "/api/me/sessions");
  expect(passkeys).toHaveLength(1);
  expect(sessions).toHaveLength(1);
  return {
    userId: vault.userId,
    passkeyId: passkeys[0]!.id,
    passkeyName: passkeys[0]!.name,
    sessionId: sessions[0]!.id,
    bundle: vault.bundle,
    revision: vault.bundleRevision,
    vault,
    passkeys,
    // A session's last-seen time moves with every request; which sessions exist does not.
    sessionIds: sessions.map((session) => session.id),
  };
}

async function uploadFile(page: Page, path: string, name: string) {
  writeFileSync(path, randomBytes(150_000));
  await page.getByLabel("File", { exact: true }).setInputFiles(path);
  await expect(page.getByText(`${name} was encrypted and saved.`)).toBeVisible();
}

test("every caller gets exactly what they are entitled to from every route, with real and swapped ids", async ({ browser, playwright, baseURL }, testInfo) => {
  test.setTimeout(900_000);
  await cryptoReady();
  const granted = await newPerson(browser, { role: "doctor", name: "Dr Gina Granted", specialty: "Rheumatology", organization: "North Clinic" });
  const revoked = await newPerson(browser, { role: "doctor", name: "Dr Rex Revoked", specialty: "Rheumatology", organization: "South Clinic" });
  const expired = await newPerson(browser, { role: "doctor", name: "Dr Exa Expired", specialty: "Rheumatology", organization: "West Clinic" });
  const stranger = await newPerson(browser, { role: "nurse", name: "Nina Nogrant", specialty: "Rheumatology", organization: "East Clinic" });
  const ungranted = await newPerson(browser, { role: "doctor", name: "Dr Nolan Nogrant", specialty: "Rheumatology", organization: "East Clinic" });
  const oscar = await newPerson(browser, { role: "doctor", name: "Dr Oscar Olgas", specialty: "Dermatology", organization: "Olga's Clinic" });
  const admin = await newPerson(browser, { role: "admin", name: "Ada Admin", enrolmentToken: adminEnrolmentToken });
  await expect(admin.page.getByTestId("admin-today")).toBeVisible();
  // A doctor in a care team and a nurse who administers its organization: the administrator verifies the doctor's entry
  // and makes the organization; the organization's administrator makes the team (its key stands in: the server keeps it opaque).
  const teamMember = await newPerson(browser, { role: "doctor", name: "Dr Tomas Teamed", specialty: "Cardiology", organization: "Matrix Hospital" });
  const orgAdmin = await newPerson(browser, { role: "nurse", name: "Oona Organizer", specialty: "Administration", organization: "Matrix Hospital" });
  await verifyClinician(admin, "Dr Tomas Teamed");
  const orgAdminKeys = (await (await admin.page.request.get(`/api/users/${orgAdmin.userId}/keys`)).json()) as { identityPublicKey: string };
  const matrixTeam = { organizationId: randomUUID(), teamId: randomUUID(), name: "Matrix team", adminIdentityPublicKey: orgAdminKeys.identityPublicKey };
  const teamSeals = { "team member": randomB64(120), "org admin": randomB64(120) };
  const madeOrganization = await admin.page.request.post("/api/admin/organizations", {
    headers: { origin: baseURL! },
    data: {
      id: matrixTeam.organizationId,
      name: "Matrix Hospital",
      administratorIds: [orgAdmin.userId],
      statements: [organizationStatement(orgAdmin.userId, orgAdminKeys.identityPublicKey)],
    },
  });
  expect(madeOrganization.status()).toBe(201);
  const madeTeam = await orgAdmin.page.request.post(`/api/organizations/${matrixTeam.organizationId}/teams`, {
    headers: { origin: baseURL! },
    data: {
      id: matrixTeam.teamId,
      name: matrixTeam.name,
      memberIds: [teamMember.userId],
      key: {
        keyVersion: 1,
        publicKey: randomB64(32),
        signedAt: Date.now(),
        signature: randomB64(64),
        seals: [teamMember, orgAdmin].map((person) => ({ userId: person.userId, sealedKey: teamSeals[person === teamMember ? "team member" : "org admin"] })),
      },
    },
  });
  expect(madeTeam.status()).toBe(201);
  // Two accounts the administrator disables through the console's route (the sign-up's fresh proof lasts the run), their
  // accounts read first: from then on their sessions are ended and the definitions decide all they get.
  const disabledPeople = {
    "disabled clinician": await newPerson(browser, { role: "doctor", name: "Dr Dora Disabled", specialty: "Rheumatology", organization: "Closed Clinic" }),
    "disabled patient": await newPerson(browser, { role: "patient", name: "Dina Disabled" }),
  };
  const disabledAccounts = Object.fromEntries(
    await Promise.all(Object.entries(disabledPeople).map(async ([caller, person]) => [caller, await accountOf(person)] as const)),
  ) as Record<keyof typeof disabledPeople, Awaited<ReturnType<typeof accountOf>>>;
  for (const person of Object.values(disabledPeople)) {
    const disabled = await admin.page.request.post(`/api/admin/accounts/${person.userId}/disable`, { headers: { origin: baseURL! } });
    expect(disabled.status()).toBe(204);
    expect((await person.page.request.get("/api/me/vault")).status()).toBe(401);
  }
  const olga = await newPerson(browser, { role: "patient", name: "Olga Other" });
  const petra = await newPerson(browser, { role: "patient", name: "Petra Private" });

  // Each patient: a note, a file and a scratch note (deleted in the matrix).
  for (const [person, prefix] of [
    [petra, "petra"],
    [olga, "olga"],
  ] as const) {
    await person.page.getByRole("link", { name: "My records" }).first().click();
    await addNote(person.page, `${prefix} diary`, "Morning stiffness 40 minutes.");
    await uploadFile(person.page, testInfo.outputPath(`${prefix}-scan.bin`), `${prefix}-scan.bin`);
    await addNote(person.page, `${prefix} scratch`, "To be deleted.");
  }
  // The other patient shares everything with a clinician who is not among the callers.
  const olgaGrantToOscar = await grantThroughApi(olga, oscar.userId, { recordIds: "all", expiresAt: null });

  // The owner patient: everything to two doctors (with notes allowed); one is then revoked.
  for (const doctor of ["Dr Gina Granted", "Dr Rex Revoked"]) {
    await chooseClinician(petra.page, "Rheumatology", doctor);
    const form = petra.page.getByTestId("share-form");
    await form.getByLabel("All my records, including future ones").check();
    await form.getByLabel("Permission").selectOption("contribute");
    await form.getByRole("button", { name: "Share", exact: true }).click();
    await expect(petra.page.getByText(`Shared with ${doctor}.`)).toBeVisible();
  }
  const grantOf = async (person: Person) => (await getJson<{ grants: Array<{ grantId: string }> }>(person.page.request, "/api/shared")).grants[0]!.grantId;
  const grantId = await grantOf(granted);
  const revokedGrantId = await grantOf(revoked);
  petra.page.once("dialog", (dialog) => dialog.accept());
  await petra.page.getByRole("button", { name: "Revoke Dr Rex Revoked" }).click();
  await expect(petra.page.getByTestId("key-maintenance")).toContainText("now use new keys", { timeout: 60_000 });

  // A third doctor's grant runs out a few seconds from now; they opened the records before that.
  const expiresAt = new Date(Date.now() + 5_000);
  const expiredGrantId = await grantThroughApi(petra, expired.userId, { recordIds: "all", expiresAt });
  expect((await expired.page.request.get(`/api/shared/${expiredGrantId}/records`)).status()).toBe(200);
  await expect.poll(() => Date.now() > expiresAt.getTime(), { timeout: 10_000 }).toBe(true);
  // The owner's next visit closes the expired grant and moves its records to new keys; the matrix starts from there.
  // (A full load: the upkeep runs when a page mounts, not on navigation within the app.)
  await petra.page.reload();
  await unlockVault(petra.page);
  await expect(petra.page.getByTestId("key-maintenance")).toContainText("now use new keys", { timeout: 60_000 });
  await expect
    .poll(async () => (await getJson<{ rotations: unknown[] }>(petra.page.request, "/api/me/key-maintenance")).rotations.length, { timeout: 60_000 })
    .toBe(0);

  // From here on no page runs anything in the background: every change is a request of the matrix.
  const people = {
    "owner patient": petra,
    "other patient": olga,
    "granted clinician": granted,
    "nurse without a grant": stranger,
    "doctor without a grant": ungranted,
    "revoked clinician": revoked,
    "expired clinician": expired,
    "team member": teamMember,
    "org admin": orgAdmin,
    admin,
  };
  for (const person of [...Object.values(people), ...Object.values(disabledPeople), oscar]) await person.page.goto("about:blank");

  const accounts = {
    ...Object.fromEntries(await Promise.all(Object.entries(people).map(async ([caller, person]) => [caller, await accountOf(person)] as const))),
    ...disabledAccounts,
  } as Record<Exclude<Caller, "anonymous">, Awaited<ReturnType<typeof accountOf>>>;
  const chartOf = (person: Person) => getJson<ChartJson>(person.page.request, "/api/records");
  const grantsOf = (person: Person) =>
    getJson<{ grants: Array<{ id: string; revokedAt: string | null; expiresAt: string | null; clinicianId: string; scope: string; permission: string }> }>(
      person.page.request,
      "/api/grants",
    );
  const patientData = async (person: Person, account: Account): Promise<PatientData & { chart: ChartJson }> => {
    const chart = await chartOf(person);
    expect(chart.records).toHaveLength(3);
    const file = chart.records.find((record) => record.current.blobId)!;
    // Titles are encrypted: the two notes are told apart by when they were made (the scratch note last).
    const [note, scratch] = chart.records.filter((record) => !record.current.blobId).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    return {
      ...account,
      chart,
      noteId: note!.id,
      scratchId: scratch!.id,
      fileRecordId: file.id,
      blobId: file.current.blobId!,
      note: { currentVersion: note!.currentVersion, keyVersion: note!.keyVersion },
    };
  };
  const petraData = await patientData(petra, accounts["owner patient"]);
  const olgaData = await patientData(olga, accounts["other patient"]);
  // The app's own client, signed out (a context of its own does not take the suite's settings).
  const anonymous = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { [apiClientHeader.name]: apiClientHeader.value } });
  const petraRecovery = accounts["owner patient"].vault.wraps.find((wrap) => wrap.method === "recovery")!;
  const startImport = async (person: Person) => {
    const response = await person.page.request.post("/api/imports", { headers: { origin: baseURL! } });
    expect(response.status()).toBe(201);
    return ((await response.json()) as { importId: string }).importId;
  };
  const petraImports = { abandoned: await startImport(petra), committed: await startImport(petra) };
  const olgaImportId = await startImport(olga);
  const makeLink = async (flag: "U" | "P" | "L", passcode?: string) => {
    const response = await petra.page.request.post("/api/links", {
      headers: { origin: baseURL! },
      // A long-term link may live years: the emergency card's lives almost five.
      data: {
        flag,
        ...(passcode ? { passcode } : {}),
        expiresAt: new Date(Date.now() + (flag === "L" ? 4 * 365 * 24 : 1) * 3600_000).toISOString(),
        jwe: fakeJwe(),
        sealedLabel: randomB64(60),
      },
    });
    expect(response.status()).toBe(201);
    const { link } = (await response.json()) as { link: { id: string; url: string } };
    return { id: link.id, shlId: link.url.split("/").at(-1)! };
  };
  const linkPasscode = "matrix-passcode";
  const petraLinks = { u: await makeLink("U"), p: await makeLink("P", linkPasscode), l: await makeLink("L"), scratch: (await makeLink("U")).id };
  const petraManifest = await anonymous.post(`/api/shl/${petraLinks.p.shlId}`, { data: { recipient: "Set-up", passcode: linkPasscode } });
  expect(petraManifest.status()).toBe(200);
  const petraLocation = ((await petraManifest.json()) as { files: Array<{ location: string }> }).files[0]!.location;
  const world: World = {
    petra: {
      ...petraData,
      recoveryPublicKey: toBase64url(deriveRecoverySigningKeyPair(decodeRecoveryKey(petra.recoveryKey)).publicKey),
      recoveryWrap: petraRecovery.wrappedKey,
      grants: { granted: grantId, revoked: revokedGrantId, expired: expiredGrantId },
      imports: petraImports,
      links: { ...petraLinks, p: { ...petraLinks.p, passcode: linkPasscode, token: petraLocation.split("/").at(-1)! } },
    },
    olga: { ...olgaData, grantToOscar: olgaGrantToOscar, importId: olgaImportId },
    team: matrixTeam,
    userIds: {
      ...(Object.fromEntries(Object.entries(accounts).map(([caller, account]) => [caller, account.userId])) as Record<Exclude<Caller, "anonymous">, string>),
      oscar: oscar.userId,
    },
    accounts,
    fresh: {
      junkRecordId: randomUUID(),
      contributedId: randomUUID(),
      petraGrantToOscar: randomUUID(),
      olgaGrantToOscar: randomUUID(),
      deviceId: randomUUID(),
      leaverId: randomUUID(),
    },
    recoveryChallenge: async () =>
      ((await (await anonymous.post("/api/auth/recovery/options", { headers: { origin: baseURL! } })).json()) as { challenge: string }).challenge,
    wrongEnrolmentToken: `${adminEnrolmentToken}-but-not-quite`,
    origin: new URL(baseURL!).origin,
  };

  // What each caller may see. Ids of the people they deal with, ciphertext and wraps of what is shared with them, and nothing else.
  const sharedWithGranted = await getJson<{ grants: Array<{ sealedShareKey: string }> }>(granted.page.request, "/api/shared");
  const grantedRecords = await getJson<{ records: Array<{ wrappedKey: string }> }>(granted.page.request, `/api/shared/${grantId}/records`);
  const slice = (value: string) => value.slice(20, 84);
  const clinicianWithPast: Caller[] = ["owner patient", "granted clinician", "revoked clinician", "expired clinician"];
  const secrets: Secret[] = [
    ...petraData.chart.records.flatMap((record): Secret[] => [
      { what: "the owner patient's owner wrap", value: slice(record.ownerWrap), knownTo: ["owner patient"] },
      { what: "the owner patient's ciphertext", value: slice(record.current.content), knownTo: ["owner patient", "granted clinician"] },
      { what: "an owner patient's record id", value: record.id, knownTo: clinicianWithPast },
    ]),
    { what: "the owner patient's file id", value: petraData.blobId, knownTo: ["owner patient", "granted clinician"] },
    // The administrator lists accounts by id (GET /api/admin/accounts): ids, roles and times, never a name a patient typed.
    { what: "the owner patient's user id", value: petraData.userId, knownTo: [...clinicianWithPast, "other patient", "admin"] },
    { what: "the granted clinician's grant id", value: grantId, knownTo: ["owner patient", "granted clinician"] },
    { what: "the revoked grant's id", value: revokedGrantId, knownTo: ["owner patient", "revoked clinician"] },
    { what: "the expired grant's id", value: expiredGrantId, knownTo: ["owner patient", "expired clinician"] },
    { what: "the granted clinician's sealed share key", value: slice(sharedWithGranted.grants[0]!.sealedShareKey), knownTo: ["granted clinician"] },
    ...grantedRecords.records.map((record): Secret => ({
      what: "a wrap under the granted clinician's grant",
      value: slice(record.wrappedKey),
      knownTo: ["granted clinician"],
    })),
    ...olgaData.chart.records.flatMap((record): Secret[] => [
      { what: "the other patient's owner wrap", value: slice(record.ownerWrap), knownTo: ["other patient"] },
      { what: "the other patient's ciphertext", value: slice(record.current.content), knownTo: ["other patient"] },
      { what: "an other patient's record id", value: record.id, knownTo: ["other patient"] },
    ]),
    { what: "the other patient's file id", value: olgaData.blobId, knownTo: ["other patient"] },
    { what: "the owner patient's link id", value: petraLinks.u.id, knownTo: ["owner patient"] },
    { what: "the owner patient's P link's URL", value: petraLinks.p.shlId, knownTo: ["owner patient"] },
    { what: "the owner patient's import id", value: petraImports.abandoned, knownTo: ["owner patient"] },
    { what: "the other patient's import id", value: olgaImportId, knownTo: ["other patient"] },
    { what: "the other patient's grant id", value: olgaGrantToOscar, knownTo: ["other patient"] },
    { what: "the other patient's user id", value: olgaData.userId, knownTo: ["other patient", "owner patient", "admin"] },
    // Published with the administrator keys (GET /api/directory/admins) to everyone signed in, who pin them to check directory verifications.
    {
      what: "the admin's user id",
      value: accounts.admin.userId,
      knownTo: [
        "admin",
        "owner patient",
        "other patient",
        "nurse without a grant",
        "doctor without a grant",
        "revoked clinician",
        "expired clinician",
        "granted clinician",
        "team member",
        "org admin",
      ],
    },
    // The team key sealed to each holder is served to that holder only.
    ...Object.entries(teamSeals).map(([caller, sealedKey]): Secret => ({
      what: `the team key sealed to the ${caller}`,
      value: slice(sealedKey),
      knownTo: [caller as Caller],
    })),
    // Every account's vault, passkey and session are its own.
    ...Object.entries(accounts).flatMap(([caller, account]): Secret[] => [
      { what: `the ${caller}'s vault bundle`, value: slice(account.bundle), knownTo: [caller as Caller] },
      ...account.vault.wraps.map((wrap): Secret => ({ what: `the ${caller}'s vault key wrap`, value: slice(wrap.wrappedKey), knownTo: [caller as Caller] })),
      { what: `the ${caller}'s passkey id`, value: account.passkeyId, knownTo: [caller as Caller] },
      { what: `the ${caller}'s session id`, value: account.sessionId, knownTo: [caller as Caller] },
    ]),
  ];

  const requests: Record<Caller, APIRequestContext> = {
    anonymous,
    ...(Object.fromEntries(Object.entries({ ...people, ...disabledPeople }).map(([caller, person]) => [caller, person.page.request])) as Record<
      Exclude<Caller, "anonymous">,
      APIRequestContext
    >),
  };
  const petraGrantsBefore = (await grantsOf(petra)).grants;

  const { rows, finalRows } = matrix(world);
  const first = await runMatrix(rows, requests, { origin: baseURL!, secrets });
  expect(first.failures).toEqual([]);

  // Nothing anyone sent changed the patients' data, apart from what the owners did themselves.
  const sameRecords = (chart: ChartJson, expected: ChartJson["records"]) =>
    expect(
      chart.records
        .filter((record) => expected.some((known) => known.id === record.id))
        .map(({ id, currentVersion, keyVersion, ownerWrap }) => ({ id, currentVersion, keyVersion, ownerWrap })),
    ).toEqual(expected.map(({ id, currentVersion, keyVersion, ownerWrap }) => ({ id, currentVersion, keyVersion, ownerWrap })));
  const petraAfter = await chartOf(petra);
  expect(petraAfter.records.map((record) => record.id).sort()).toEqual(
    [petraData.noteId, petraData.fileRecordId, world.fresh.junkRecordId, world.fresh.contributedId].sort(),
  );
  sameRecords(
    petraAfter,
    petraData.chart.records.filter((record) => record.id !== petraData.scratchId),
  );
  const olgaAfter = await chartOf(olga);
  expect(olgaAfter.records.map((record) => record.id).sort()).toEqual([olgaData.noteId, olgaData.fileRecordId].sort());
  sameRecords(
    olgaAfter,
    olgaData.chart.records.filter((record) => record.id !== olgaData.scratchId),
  );

  const grantFacts = (grants: Awaited<ReturnType<typeof grantsOf>>["grants"]) =>
    grants.map(({ id, clinicianId, scope, permission, expiresAt, revokedAt }) => ({ id, clinicianId, scope, permission, expiresAt, revokedAt }));
  const petraGrantsAfter = (await grantsOf(petra)).grants;
  expect(petraGrantsAfter.map((grant) => grant.id).sort()).toEqual([...petraGrantsBefore.map((grant) => grant.id), world.fresh.petraGrantToOscar].sort());
  expect(grantFacts(petraGrantsAfter.filter((grant) => grant.id !== world.fresh.petraGrantToOscar))).toEqual(grantFacts(petraGrantsBefore));
  const olgaGrantsAfter = (await grantsOf(olga)).grants;
  expect(olgaGrantsAfter.map((grant) => grant.id).sort()).toEqual([olgaGrantToOscar, world.fresh.olgaGrantToOscar].sort());
  expect(olgaGrantsAfter.find((grant) => grant.id === olgaGrantToOscar)!.revokedAt, "the other patient revoked it themselves").not.toBeNull();

  // Accounts: passkeys and sessions as they were; vaults as they were but for each caller's own device wrap and, for
  // those whose revision matched, their own bundle stored again.
  for (const [caller, person] of Object.entries(people)) {
    const was = accounts[caller as Exclude<Caller, "anonymous">];
    const now = await accountOf(person);
    expect(now.passkeys, `${caller}'s passkeys`).toEqual(was.passkeys);
    expect(now.sessionIds, `${caller}'s sessions`).toEqual(was.sessionIds);
    expect(now.vault.bundle, `${caller}'s bundle`).toBe(was.vault.bundle);
    expect(now.vault.bundleRevision, `${caller}'s bundle revision`).toBe(was.revision === petraData.revision ? was.revision + 1 : was.revision);
    const wrapKey = (wrap: VaultJson["wraps"][number]) => `${wrap.method} ${wrap.methodId} ${wrap.wrappedKey}`;
    expect(
      now.vault.wraps
        .filter((wrap) => wrap.methodId !== world.fresh.deviceId)
        .map(wrapKey)
        .sort(),
      `${caller}'s vault wraps`,
    ).toEqual(was.vault.wraps.map(wrapKey).sort());
    expect(
      now.vault.wraps.filter((wrap) => wrap.methodId === world.fresh.deviceId),
      `${caller}'s own device wrap`,
    ).toHaveLength(1);
  }
  expect((await granted.page.request.get(`/api/shared/${grantId}/records`)).status()).toBe(200);

  // Leaving, with a throwaway account (deleting a matrix caller would take the rows' fixtures with it): nobody else's
  // session deletes it, whatever it names, and its own does, once; its session ends with it.
  const leaver = await newPerson(browser, { role: "patient", name: "Lee Leaver" });
  const leaverRow: Row = {
    route: "DELETE /api/me",
    what: "deleting a throwaway patient's account",
    path: `/api/me?userId=${leaver.userId}`,
    expect: signedIn(conflict),
  };
  const leaverRefused = await runMatrix([leaverRow], requests, { origin: baseURL!, secrets });
  expect(leaverRefused.failures).toEqual([]);
  const left = await leaver.page.request.delete(`/api/me?userId=${leaver.userId}`, { headers: { origin: baseURL! } });
  expect(left.status()).toBe(200);
  expect(((await left.json()) as { trailId: string }).trailId).not.toBe(leaver.userId);
  expect((await leaver.page.request.get("/api/me/vault")).status()).toBe(401);
  await leaver.close();

  // Last: the owner revokes the granted clinician (nobody else's attempt does), and everyone signs out; each sign-out ends
  // only its caller's session.
  const grantedOpens = async () => (await granted.page.request.get(`/api/shared/${grantId}/records`)).status();
  finalRows[0]!.after = async (caller) => {
    const status = await grantedOpens();
    if (caller === "owner patient") return status === 404 ? null : `the granted clinician still gets ${status}`;
    return status === 200 ? null : `the granted clinician now gets ${status}`;
  };
  const stillSignedIn = async (person: Person) => (await person.page.request.get("/api/me/vault")).status();
  finalRows[1]!.after = async (caller) => {
    if (caller === "owner patient") return (await stillSignedIn(petra)) === 401 ? null : "the owner patient is still signed in";
    if (caller !== "anonymous" && (await stillSignedIn({ ...people, ...disabledPeople }[caller])) !== 401) return "the caller is still signed in";
    return (await stillSignedIn(petra)) === 200 ? null : "ended the owner patient's session";
  };
  const last = await runMatrix(finalRows, requests, { origin: baseURL!, secrets });
  expect(last.failures).toEqual([]);
  console.log(
    `authorization matrix: ${new Set([...rows, ...finalRows].map((row) => row.route)).size} routes, ${rows.length + finalRows.length} rows, ${callers.length} callers, ${first.cells + last.cells} cells`,
  );

  await anonymous.dispose();
  await Promise.all(
    [granted, revoked, expired, stranger, ungranted, oscar, admin, olga, petra, ...Object.values(disabledPeople)].map((person) => person.close()),
  );
});

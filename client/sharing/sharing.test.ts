import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { decodeCanonical, encodeCanonical } from "@/crypto/canonical";
import { cryptoReady, fromBase64url, openShareKey, toBase64url, unwrapRecordKey } from "@/crypto";
import { routes } from "@/contract/routes";
import { IntegrityError, isIntegrityError } from "../integrity";
import { openSharedVersion, recordKeyOf } from "../records/records";
import { httpTransport } from "../transport/api";
import { checkedContact, KeyChangedError } from "./contacts";
import { changeGrant, contributeRecord, listGrants, loadRevealedNames, loadSharedWithMe, shareRecords } from "./sharing";
import { fakeServer, note, person, pinFor, pinning, type Person } from "./test-fixtures";

// Only to plant a bug inside the record checks (the crypto stays real): see "lets a programming error through".
const authorship = vi.hoisted(() => ({ fail: null as Error | null }));
vi.mock("../records/authorship", async (original) => {
  const actual = await original<typeof import("../records/authorship")>();
  return {
    ...actual,
    authorshipLine: (...args: Parameters<typeof actual.authorshipLine>) => {
      if (authorship.fail) throw authorship.fail;
      return actual.authorshipLine(...args);
    },
  };
});

let patient: Person;
let doctor: Person;
let impostor: Person;

beforeAll(async () => {
  await cryptoReady();
  [patient, doctor, impostor] = await Promise.all([person("patient", "Paul Proof"), person("doctor", "Dr Vera Verify"), person("doctor", "Dr Mallory")]);
});

afterEach(() => vi.unstubAllGlobals());

const integrityCode = (error: unknown) => (isIntegrityError(error) ? error.code : error);

/** The patient shares `recordIds` with the doctor (already pinned), as the share page does; returns the grant id. */
async function share(server: ReturnType<typeof fakeServer>, recordIds: string[] | "all", permission: "read" | "contribute" = "read") {
  server.signIn(patient);
  const vault = pinning(patient, doctor);
  const clinician = await checkedContact(doctor.vault.userId, vault, server.transport);
  return shareRecords({ clinician, verified: false, recordIds, permission, expiresAt: null, revealedName: "Paul" }, vault, server.transport);
}

describe("sharing records with a clinician", () => {
  it("seals a grant for the pinned clinician that the clinician opens and verifies, record by record", async () => {
    const server = fakeServer([patient, doctor]);
    const [kidney, other] = server.addRecords(patient, [note("eGFR 74."), note("Not shared.")]);
    const grantId = await share(server, [kidney!]);

    // What reached the server is what the contract declares, and opens nothing without the clinician's key.
    const [sent] = server.transport.callsTo(routes.grants.create);
    const body = routes.grants.create.body.parse(sent!.input.body);
    expect(body).toMatchObject({ grantId, clinicianId: doctor.vault.userId, scope: "records", recordIds: [kidney] });
    expect(body.wraps.map((wrap) => wrap.recordId)).toEqual([kidney]);
    expect(JSON.stringify(body)).not.toContain("eGFR");
    const shareKey = openSharedRecordKeyFor(body.sealedShareKey, grantId);
    const recordKey = unwrapRecordKey(fromBase64url(body.wraps[0]!.wrappedKey), shareKey, { recordId: kidney!, keyVersion: 1, grantId });
    expect(recordKey).toEqual(recordKeyOf(server.records.get(kidney!)!, patient.vault));

    server.signIn(doctor);
    const [shared] = await loadSharedWithMe(doctor.vault, server.transport);
    expect(shared).toMatchObject({ grantId, patientId: patient.vault.userId, revealedName: "Paul", permission: "read", refused: 0 });
    expect(shared!.records.map((record) => record.document.resource.description)).toEqual(["eGFR 74."]);
    expect(shared!.records[0]!.authors[0]!.author).toEqual({ userId: patient.vault.userId, name: "Paul" });
    expect(server.records.has(other!)).toBe(true);
    expect(await loadRevealedNames(doctor.vault, server.transport)).toEqual(new Map([[patient.vault.userId, "Paul"]]));
  });

  it("shows the clinician the birth date the patient chose to reveal, and none when not chosen", async () => {
    const server = fakeServer([patient, doctor]);
    const [record] = server.addRecords(patient, [note("BP 128/82.")]);
    server.signIn(patient);
    const vault = pinning(patient, doctor);
    const clinician = await checkedContact(doctor.vault.userId, vault, server.transport);
    const base = { clinician, verified: false, recordIds: [record!], permission: "read" as const, expiresAt: null };
    const withBirthDate = await shareRecords({ ...base, revealedName: "Paul Proof", revealedBirthDate: "1957-07" }, vault, server.transport);
    const without = await shareRecords({ ...base, revealedName: "Paul", revealedBirthDate: " " }, vault, server.transport);
    expect(JSON.stringify(server.transport.callsTo(routes.grants.create))).not.toContain("1957");

    server.signIn(doctor);
    const shared = await loadSharedWithMe(doctor.vault, server.transport);
    expect(shared.find((grant) => grant.grantId === withBirthDate)).toMatchObject({ revealedName: "Paul Proof", revealedBirthDate: "1957-07" });
    expect(shared.find((grant) => grant.grantId === without)).toMatchObject({ revealedName: "Paul", revealedBirthDate: null });
  });

  it("stops at a clinician whose keys changed since they were pinned, sending nothing", async () => {
    const server = fakeServer([patient, doctor]);
    const [record] = server.addRecords(patient, [note("Dose plan.")]);
    // The server now presents someone else's keys under the doctor's id.
    server.transport.on(routes.directory.userKeys, () => ({ ...impostor.published, userId: doctor.vault.userId }));
    const vault = pinning(patient, doctor);
    const refused = await checkedContact(doctor.vault.userId, vault, server.transport).catch((caught: unknown) => caught);
    // The impostor's certificate names the impostor, so it does not verify for the doctor's id.
    expect(integrityCode(refused)).toBe("signature");

    // Keys that verify but are not the pinned ones: a re-made account, or an attack.
    const renewed = await person("doctor", "Dr Vera Verify");
    const moved = { ...renewed.published };
    server.transport.on(routes.directory.userKeys, () => moved);
    const changed = await checkedContact(
      renewed.vault.userId,
      { ...vault, profile: { ...vault.profile, contacts: { [renewed.vault.userId]: pinFor(doctor) } } },
      server.transport,
    ).catch((caught: unknown) => caught);
    expect(changed).toBeInstanceOf(KeyChangedError);
    expect((changed as KeyChangedError).pinned).toEqual(pinFor(doctor));

    // A change that adds a record needs the pinned keys too: nothing is signed or sent.
    const grant = {
      id: crypto.randomUUID(),
      clinicianId: renewed.vault.userId,
      clinicianName: "Dr Vera Verify",
      clinicianDisabled: false,
      scope: "records" as const,
      permission: "read" as const,
      expiresAt: null,
      createdAt: "2026-11-01T10:00:00.000Z",
      revokedAt: null,
      revision: 1,
      lastOpenedAt: null,
      recordIds: [],
      excludedRecordIds: [],
    };
    server.transport.on(routes.grants.change, () => {
      throw new Error("a change must not be sent");
    });
    const changing = changeGrant(
      grant,
      { recordIds: [record!], permission: "read", expiresAt: null },
      { ...vault, profile: { ...vault.profile, contacts: { [renewed.vault.userId]: pinFor(doctor) } } },
      server.transport,
    );
    await expect(changing).rejects.toBeInstanceOf(KeyChangedError);
    expect(server.transport.callsTo(routes.grants.change)).toHaveLength(0);
  });

  it("lists the patient's grants through the contract", async () => {
    const server = fakeServer([patient, doctor]);
    const grant = {
      id: crypto.randomUUID(),
      clinicianId: doctor.vault.userId,
      clinicianName: "Dr Vera Verify",
      clinicianDisabled: false,
      scope: "all" as const,
      permission: "contribute" as const,
      expiresAt: null,
      createdAt: "2026-11-01T10:00:00.000Z",
      revokedAt: null,
      revision: 2,
      lastOpenedAt: null,
      recordIds: [],
      excludedRecordIds: [],
    };
    server.transport.on(routes.grants.list, () => ({ grants: [grant] }));
    expect(await listGrants(patient.vault, server.transport)).toEqual([grant]);
  });
});

describe("opening what is shared with me", () => {
  it("refuses a grant whose statement was altered: IntegrityError('signature'), and nothing under it is opened", async () => {
    const server = fakeServer([patient, doctor]);
    const [record] = server.addRecords(patient, [note("eGFR 74.")]);
    const grantId = await share(server, [record!]);
    // The server alters the signed statement's wraps digest, keeping its layout.
    const stored = server.grants.get(grantId)!;
    const { label, fields } = decodeCanonical(fromBase64url(stored.statement));
    const digest = Uint8Array.from(fields[1] as Uint8Array);
    digest[0]! ^= 1;
    stored.statement = toBase64url(encodeCanonical(label, [fields[0]!, digest, ...fields.slice(2)]));

    server.signIn(doctor);
    const error = await loadSharedWithMe(doctor.vault, server.transport).catch((caught: unknown) => caught);
    expect(integrityCode(error)).toBe("signature");
    expect(server.transport.callsTo(routes.shared.records)).toHaveLength(0);
    // Names come from verified grants only.
    expect(await loadRevealedNames(doctor.vault, server.transport)).toEqual(new Map());
  });

  it("refuses a grant that names another clinician's key, and a permission the patient did not sign", async () => {
    const server = fakeServer([patient, doctor]);
    const [record] = server.addRecords(patient, [note("eGFR 74.")]);
    const grantId = await share(server, [record!]);
    server.grants.get(grantId)!.permission = "contribute";
    server.signIn(doctor);
    expect(integrityCode(await loadSharedWithMe(doctor.vault, server.transport).catch((caught: unknown) => caught))).toBe("signature");
    // The same grant opened by someone else: the statement names the doctor's key.
    server.grants.get(grantId)!.permission = "read";
    server.grants.get(grantId)!.clinicianId = impostor.vault.userId;
    server.signIn(impostor);
    expect(integrityCode(await loadSharedWithMe(impostor.vault, server.transport).catch((caught: unknown) => caught))).toBe("signature");
  });

  it("counts an altered record as refused and shows the intact ones", async () => {
    const server = fakeServer([patient, doctor]);
    const ids = server.addRecords(patient, [note("Intact."), note("Altered.")]);
    await share(server, ids);
    const altered = server.records.get(ids[1]!)!.versions[0]!;
    const content = fromBase64url(altered.content);
    content[content.length - 1]! ^= 1;
    altered.content = toBase64url(content);

    server.signIn(doctor);
    const [shared] = await loadSharedWithMe(doctor.vault, server.transport);
    expect(shared!.records.map((entry) => entry.document.resource.description)).toEqual(["Intact."]);
    expect(shared!.refused).toBe(1);
    expect(shared!.rolledBack).toBe(0);
  });

  it("reports an answer outside the contract as IntegrityError('shape')", async () => {
    for (const answer of [{ grants: [{ grantId: "not-a-uuid" }] }, { grants: "none" }, "<html>"]) {
      vi.stubGlobal(
        "fetch",
        vi.fn(async () => new Response(typeof answer === "string" ? answer : JSON.stringify(answer))),
      );
      const error = await loadSharedWithMe(doctor.vault, httpTransport).catch((caught: unknown) => caught);
      expect(integrityCode(error)).toBe("shape");
    }
  });

  it("lets a programming error through as itself, never as an integrity failure or a refused record", async () => {
    const server = fakeServer([patient, doctor]);
    const [record] = server.addRecords(patient, [note("eGFR 74.")]);
    await share(server, [record!]);
    server.signIn(doctor);
    // A bug while a record is checked is not counted as a refused record.
    const bug = new TypeError("Cannot read properties of undefined");
    authorship.fail = bug;
    try {
      await expect(loadSharedWithMe(doctor.vault, server.transport)).rejects.toBe(bug);
    } finally {
      authorship.fail = null;
    }
    // Nor is one in the transport's handling of an answer.
    server.transport.on(routes.shared.records, () => {
      throw bug;
    });
    const error = await loadSharedWithMe(doctor.vault, server.transport).catch((caught: unknown) => caught);
    expect(error).toBe(bug);
    expect(error).not.toBeInstanceOf(IntegrityError);
  });
});

describe("contributed notes", () => {
  it("adds a clinician's note to the patient's chart: the patient opens it, signed by the clinician, and the clinician reads it back", async () => {
    const server = fakeServer([patient, doctor]);
    const [record] = server.addRecords(patient, [note("eGFR 74.")]);
    const grantId = await share(server, [record!], "contribute");

    server.signIn(doctor);
    const noteId = await contributeRecord(grantId, note("Repeat the test in 3 months."), doctor.vault, server.transport);
    const [sent] = server.transport.callsTo(routes.shared.contribute);
    expect(sent!.input.params).toEqual({ grantId });
    expect(JSON.stringify(sent!.input.body)).not.toContain("Repeat");

    // The patient owns it: its key is sealed to them, its version signed by the doctor.
    const stored = server.records.get(noteId)!;
    expect(stored.ownerId).toBe(patient.vault.userId);
    const patientKey = recordKeyOf(stored, patient.vault);
    const opened = openSharedVersion(noteId, stored.versions[0]!, patientKey, doctor.vault.keys.identityPublicKey);
    expect(opened.document.resource.description).toBe("Repeat the test in 3 months.");
    expect(() => openSharedVersion(noteId, stored.versions[0]!, patientKey, patient.vault.keys.identityPublicKey)).toThrow();

    // The clinician sees it under the grant, as written by them, though the patient's signed list predates it.
    const [shared] = await loadSharedWithMe(doctor.vault, server.transport);
    const mine = shared!.records.find((entry) => entry.id === noteId)!;
    expect(mine.document.resource.description).toBe("Repeat the test in 3 months.");
    expect(mine.authors[0]!.author.userId).toBe(doctor.vault.userId);
    expect(shared!.refused).toBe(0);
  });

  it("refuses to add a note under a grant that does not verify, sending nothing", async () => {
    const server = fakeServer([patient, doctor]);
    const [record] = server.addRecords(patient, [note("eGFR 74.")]);
    const grantId = await share(server, [record!], "contribute");
    const stored = server.grants.get(grantId)!;
    const signature = fromBase64url(stored.signature);
    signature[5]! ^= 1;
    stored.signature = toBase64url(signature);
    server.signIn(doctor);
    const error = await contributeRecord(grantId, note("Never sent."), doctor.vault, server.transport).catch((caught: unknown) => caught);
    expect(integrityCode(error)).toBe("signature");
    expect(server.transport.callsTo(routes.shared.contribute)).toHaveLength(0);
  });

  it("says a grant no longer active has ended (410)", async () => {
    const server = fakeServer([patient, doctor]);
    server.signIn(doctor);
    await expect(contributeRecord(crypto.randomUUID(), note("Too late."), doctor.vault, server.transport)).rejects.toMatchObject({ status: 410 });
  });
});

/** The share key in a grant, opened as the doctor's browser opens it. */
function openSharedRecordKeyFor(sealedShareKey: string, grantId: string) {
  return openShareKey(
    fromBase64url(sealedShareKey),
    { publicKey: doctor.vault.keys.encryptionPublicKey, secretKey: doctor.vault.keys.encryptionSecretKey },
    { grantId },
  );
}

import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoReady, generateIdentityKeyPair, randomBytes, signDirectoryVerification, toBase64url, type KeyPair } from "@/crypto";
import type { DirectoryStatementRequest } from "@/contract/directory";
import { clinicianDirectory, directoryVerifications, keyCertificates, users } from "@/drizzle/schema";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "@/lib/db/test-databases";
import { AppError } from "@/lib/errors";
import { publishedKeys, searchDirectory } from "./directory-store";
import { adminDirectory, adminKeys, latestStatementsOf, recordStatement } from "./verification-store";
import { adminTrailRows } from "@/lib/admin/admin-trail";

describe.each(testDatabaseKinds())("directory verification statements on %s", (kind) => {
  let database: TestDatabase;
  const ids = { admin: randomUUID(), disabledAdmin: randomUUID(), clinician: randomUUID(), impostor: randomUUID(), patient: randomUUID() };
  const keys = {} as Record<keyof typeof ids, KeyPair>;
  const entry = { displayName: "Dr Amara Verify", specialty: "Cardiology", organization: "Riverside Clinic" };

  beforeAll(async () => {
    await cryptoReady();
    database = await createTestDatabase(kind);
    await database.db.insert(users).values([
      { id: ids.admin, role: "admin" },
      { id: ids.disabledAdmin, role: "admin", disabledAt: new Date() },
      { id: ids.clinician, role: "doctor" },
      { id: ids.impostor, role: "doctor" },
      { id: ids.patient, role: "patient" },
    ]);
    for (const name of Object.keys(ids) as Array<keyof typeof ids>) keys[name] = generateIdentityKeyPair();
    await database.db.insert(keyCertificates).values(
      (Object.keys(ids) as Array<keyof typeof ids>).map((name) => ({
        id: randomUUID(),
        userId: ids[name],
        identityPublicKey: keys[name].publicKey,
        encryptionPublicKey: randomBytes(32),
        certificate: randomBytes(150),
      })),
    );
    await database.db.insert(clinicianDirectory).values([
      { userId: ids.clinician, ...entry, licenceNumber: "GMC 1234567" },
      { userId: ids.impostor, ...entry, licenceNumber: "made up" },
    ]);
  });
  afterAll(async () => {
    await database?.dispose();
  });

  let clock = 1_767_225_600_000;
  /** A statement about the clinician as the administrator's browser signs it. */
  const signed = (action: "verify" | "revoke", changes: Partial<DirectoryStatementRequest> = {}, signer = keys.admin): DirectoryStatementRequest => {
    const request = {
      id: randomUUID(),
      action,
      ...entry,
      licenceNumber: action === "verify" ? "GMC 1234567" : "",
      adminName: "Ada Admin",
      issuedAt: (clock += 1000),
      ...changes,
    };
    const signature = signDirectoryVerification(
      { ...request, statementId: request.id, clinicianId: ids.clinician, clinicianIdentityPublicKey: keys.clinician.publicKey, adminId: ids.admin },
      signer.secretKey,
    );
    return { ...request, signature: toBase64url(signature) };
  };
  const refusal = async (promise: Promise<unknown>) => {
    const caught = await promise.catch((error: unknown) => error);
    expect(caught).toBeInstanceOf(AppError);
    return (caught as AppError).code;
  };

  it("publishes the enabled administrators' keys only", async () => {
    expect((await adminKeys(database.db)).map((admin) => admin.userId)).toEqual([ids.admin]);
  });

  it("stores a verification that verifies, serves it with the entry, and marks the entry verified", async () => {
    const request = signed("verify");
    expect(await recordStatement(database.db, ids.admin, ids.clinician, request)).toEqual({ id: request.id });
    // In the administration trail, with the statement.
    expect((await adminTrailRows(database.db)).map((row) => [row.action, row.actorId, row.subjectId])).toContainEqual([
      "directory-entry-verified",
      ids.admin,
      ids.clinician,
    ]);
    const served = (await latestStatementsOf(database.db, [ids.clinician, ids.impostor])).get(ids.clinician);
    expect(served).toMatchObject({
      id: request.id,
      action: "verify",
      licenceNumber: "GMC 1234567",
      adminId: ids.admin,
      adminName: "Ada Admin",
      issuedAt: request.issuedAt,
      signature: request.signature,
    });
    const found = (await searchDirectory(database.db, "Amara Verify")).clinicians;
    expect(found.map((row) => [row.userId, row.verified, row.verification?.id ?? null])).toEqual(
      expect.arrayContaining([
        [ids.clinician, true, request.id],
        [ids.impostor, false, null],
      ]),
    );
    expect((await publishedKeys(database.db, ids.clinician)).directory?.verification?.id).toBe(request.id);
    const listed = await adminDirectory(database.db);
    expect(listed.clinicians.find((row) => row.userId === ids.clinician)).toMatchObject({
      declaredLicenceNumber: "GMC 1234567",
      verification: { id: request.id },
    });
  });

  it("refuses what no browser would accept: another key's signature, a changed entry, a missing number, a replayed id", async () => {
    expect(await refusal(recordStatement(database.db, ids.admin, ids.clinician, signed("verify", {}, keys.impostor)))).toBe("invalid-input");
    const tampered = { ...signed("verify"), licenceNumber: "GMC 7654321" };
    expect(await refusal(recordStatement(database.db, ids.admin, ids.clinician, tampered))).toBe("invalid-input");
    expect(await refusal(recordStatement(database.db, ids.admin, ids.clinician, signed("verify", { displayName: "Dr Someone Else" })))).toBe("conflict");
    expect(await refusal(recordStatement(database.db, ids.admin, ids.clinician, signed("verify", { licenceNumber: "" })))).toBe("invalid-input");
    // Signed over the clinician's key, so it does not verify for the impostor's entry.
    expect(await refusal(recordStatement(database.db, ids.admin, ids.impostor, signed("verify")))).toBe("invalid-input");
    expect(await refusal(recordStatement(database.db, ids.admin, ids.patient, signed("verify")))).toBe("not-found");
    const once = signed("verify");
    await recordStatement(database.db, ids.admin, ids.clinician, once);
    expect(await refusal(recordStatement(database.db, ids.admin, ids.clinician, once))).toBe("conflict");
  });

  it("serves a revocation as the latest statement and clears the entry's verified mark", async () => {
    const revocation = signed("revoke");
    await recordStatement(database.db, ids.admin, ids.clinician, revocation);
    expect((await latestStatementsOf(database.db, [ids.clinician])).get(ids.clinician)).toMatchObject({ id: revocation.id, action: "revoke" });
    const [row] = await database.db.select().from(clinicianDirectory).where(eq(clinicianDirectory.userId, ids.clinician));
    expect(row?.verifiedAt).toBeNull();
    expect(await database.db.select().from(directoryVerifications)).toHaveLength(3);
  });
});

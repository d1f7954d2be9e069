import { beforeAll, describe, expect, it } from "vitest";
import { cryptoReady, generateIdentityKeyPair, signDirectoryVerification, toBase64url } from "@/crypto";
import type { DirectoryStatement } from "@/contract/directory";
import { checkEntryVerification, sameNameCounts } from "./directory-verification";

beforeAll(cryptoReady);

describe("directory verification in the browser", () => {
  const adminId = crypto.randomUUID();
  const clinicianId = crypto.randomUUID();
  const entry = { userId: clinicianId, displayName: "Dr Amara Okafor", specialty: "Cardiology", organization: "Riverside Clinic" };

  function statementBy(
    admin: ReturnType<typeof generateIdentityKeyPair>,
    clinicianKey: Uint8Array,
    action: "verify" | "revoke" = "verify",
  ): DirectoryStatement {
    const unsigned = {
      id: crypto.randomUUID(),
      action,
      ...entry,
      licenceNumber: action === "verify" ? "GMC 1234567" : "",
      adminId,
      adminName: "Ada Admin",
      issuedAt: 1_767_225_600_000,
    };
    const signature = signDirectoryVerification(
      { ...unsigned, statementId: unsigned.id, clinicianId, clinicianIdentityPublicKey: clinicianKey, adminId },
      admin.secretKey,
    );
    return { ...unsigned, signature: toBase64url(signature) };
  }

  it("shows verified, revoked and unverified entries, and says why a statement is not accepted", () => {
    const admin = generateIdentityKeyPair();
    const clinician = generateIdentityKeyPair().publicKey;
    const admins = new Map([[adminId, admin.publicKey]]);
    expect(checkEntryVerification({ ...entry, verification: statementBy(admin, clinician) }, clinician, admins)).toEqual({
      state: "verified",
      licenceNumber: "GMC 1234567",
      adminName: "Ada Admin",
      issuedAt: 1_767_225_600_000,
    });
    expect(checkEntryVerification({ ...entry, verification: statementBy(admin, clinician, "revoke") }, clinician, admins)).toMatchObject({ state: "revoked" });
    expect(checkEntryVerification({ ...entry, verification: null }, clinician, admins)).toEqual({ state: "unverified" });

    // Signed by a key the browser does not trust (the server made one up).
    const forged = statementBy(generateIdentityKeyPair(), clinician);
    expect(checkEntryVerification({ ...entry, verification: forged }, clinician, admins)).toMatchObject({
      state: "not-verified",
      reason: expect.stringContaining("does not match"),
    });
    expect(checkEntryVerification({ ...entry, verification: { ...forged, adminId: crypto.randomUUID() } }, clinician, admins)).toMatchObject({
      state: "not-verified",
      reason: expect.stringContaining("not one of"),
    });
    // A genuine statement moved onto an impostor's entry (another key), or altered.
    const genuine = statementBy(admin, clinician);
    const impostorKey = generateIdentityKeyPair().publicKey;
    expect(checkEntryVerification({ ...entry, verification: genuine }, impostorKey, admins)).toMatchObject({
      state: "not-verified",
      reason: expect.stringContaining("does not match"),
    });
    expect(checkEntryVerification({ ...entry, verification: { ...genuine, licenceNumber: "GMC 7654321" } }, clinician, admins)).toMatchObject({
      state: "not-verified",
    });
    expect(checkEntryVerification({ ...entry, organization: "Hillside", verification: genuine }, clinician, admins)).toMatchObject({ state: "not-verified" });
    // A revocation replayed as a verification.
    expect(
      checkEntryVerification({ ...entry, verification: { ...statementBy(admin, clinician, "revoke"), action: "verify" } }, clinician, admins),
    ).toMatchObject({ state: "not-verified" });
  });

  it("counts entries sharing a name, whatever the case, spacing or accents", () => {
    const counts = sameNameCounts([
      { userId: "a", displayName: "Dr Amara Okafor" },
      { userId: "b", displayName: "dr  amara okafor" },
      { userId: "c", displayName: "Dr. Ámara Okafor" },
      { userId: "d", displayName: "Dr Ben Other" },
    ]);
    expect([...counts.entries()]).toEqual([
      ["a", 3],
      ["b", 3],
      ["c", 3],
      ["d", 1],
    ]);
  });
});
